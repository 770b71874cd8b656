"""What the handler answers CloudFormation: the outcome, its ``Data`` attributes and a short failure reason.

``Data`` always holds the same keys (``Fn::GetAtt`` fails on a missing key); a figure that was not
measured reads :data:`NOT_MEASURED`, never a made-up ``"0"``:

==========================  =========================================================================
``PreviewStatus``           ``COMPLETE`` (ECR's preview ran and the gate passed), ``SKIPPED_UNCHANGED``
                            (the live policy already was the desired one), ``SKIPPED_ROLLBACK`` (a
                            stack rollback restored the previous policy without preview or gate)
``PolicyApplied``           ``"true"`` only when this resource put the policy, or already owns it and
                            it is live; always ``"false"`` with ``PreviewOnly``
``ExpiringImageCount``      ECR's ``expiringImageTotalCount``; ``"n/a"`` when no preview ran
``TransitioningImageCount`` images the preview would archive; ``"n/a"`` when no preview ran
``InUseImageCount``         images of the repository that workloads use (in-use discovery); ``"n/a"``
                            when discovery did not run (``ProtectInUse`` false, or no preview)
==========================  =========================================================================

Examples
--------
>>> attributes("SKIPPED_UNCHANGED", applied=True)["ExpiringImageCount"]
'n/a'
>>> failure_reason(ValueError("odd"), repository="app", request_id="r-1")
"unexpected ValueError: odd (repository 'app'); details in log, request r-1"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from ecr_lifecycle_guard.aws_errors import describe_error
from ecr_lifecycle_guard.errors import GateBlockedError, GuardError, PropertiesError
from ecr_lifecycle_guard.gate import REASON_MAX_LENGTH, PreviewFigures

__all__ = [
    "NOT_MEASURED",
    "HandoverTooLargeError",
    "NotRestoredError",
    "Outcome",
    "OwnershipConflictError",
    "PreviewStatus",
    "WriteNotStartedError",
    "attributes",
    "failure_reason",
]

#: The value of a count attribute when nothing was measured.
NOT_MEASURED: Final = "n/a"
PreviewStatus = Literal["COMPLETE", "SKIPPED_UNCHANGED", "SKIPPED_ROLLBACK"]


@dataclass(frozen=True)
class Outcome:
    """What to answer CloudFormation.

    Examples
    --------
    >>> Outcome("SUCCESS", "123456789012/app").data
    {}
    """

    status: Literal["SUCCESS", "FAILED"]
    physical_id: str
    reason: str = ""
    data: dict[str, str] = field(default_factory=dict)


def attributes(
    status: PreviewStatus, *, applied: bool, figures: PreviewFigures | None = None, in_use: int | None = None
) -> dict[str, str]:
    """The ``Data`` block: a few short strings, far below CloudFormation's 4,096-byte response limit.

    Examples
    --------
    >>> figures = PreviewFigures(expiring=3, transitioning=0, results=(), visible_images=6)
    >>> attributes("COMPLETE", applied=False, figures=figures, in_use=2)
    ... # doctest: +NORMALIZE_WHITESPACE
    {'ExpiringImageCount': '3', 'TransitioningImageCount': '0', 'InUseImageCount': '2',
     'PolicyApplied': 'false', 'PreviewStatus': 'COMPLETE'}
    """
    return {
        "ExpiringImageCount": str(figures.expiring) if figures else NOT_MEASURED,
        "TransitioningImageCount": str(figures.transitioning) if figures else NOT_MEASURED,
        "InUseImageCount": NOT_MEASURED if in_use is None else str(in_use),
        "PolicyApplied": "true" if applied else "false",
        "PreviewStatus": status,
    }


class OwnershipConflictError(GuardError):
    """The repository's policy is owned by a resource of another stack (or by a tag value we did not write).

    The message leads with the owner and the hand-over steps (it becomes the failure reason, which
    has little room); the repository is in the log line.

    Examples
    --------
    >>> str(OwnershipConflictError("app", "resource Guard of stack prod", "prod"))
    'owned by resource Guard of stack prod; to hand over: set removal_policy=RETAIN there, deploy, remove it, \
then deploy this stack'
    """

    def __init__(self, repository: str, owner: str, owner_stack: str | None) -> None:
        self.repository = repository
        self.owner = owner
        self.owner_stack = owner_stack
        if owner_stack is None:
            advice = "remove that tag only if no other guard manages this policy"
        else:
            advice = "to hand over: set removal_policy=RETAIN there, deploy, remove it, then deploy this stack"
        super().__init__(f"owned by {owner}; {advice}")


class HandoverTooLargeError(GuardError):
    """A rename with a policy change whose previous policy does not fit the hand-back record's tags.

    The fix comes first, so CloudFormation's short reason keeps it whatever the owner's length; the log
    line has the full explanation and the sizes.

    Examples
    --------
    >>> str(HandoverTooLargeError("prod/Guard"))
    'deploy the rename alone first, then the policy change: the policy of prod/Guard is too large to keep in \
tags for a rollback'
    """

    def __init__(self, owner: str) -> None:
        self.owner = owner
        super().__init__(
            f"deploy the rename alone first, then the policy change: the policy of {owner} is too large to keep in"
            " tags for a rollback"
        )


class WriteNotStartedError(GuardError):
    """A write was not started: too little of the invocation was left, or the answer was already given.

    Examples
    --------
    >>> str(WriteNotStartedError("PutLifecyclePolicy", "too little time left before the Lambda deadline"))
    'PutLifecyclePolicy not started: too little time left before the Lambda deadline'
    """

    def __init__(self, operation: str, why: str) -> None:
        self.operation = operation
        super().__init__(f"{operation} not started: {why}")


class NotRestoredError(GuardError):
    """A write failed and its compensation failed too: the state is not what it was before.

    Examples
    --------
    >>> str(NotRestoredError("owner tag", ValueError("x"), RuntimeError("y")))
    'owner tag NOT restored (unexpected RuntimeError: y) after: unexpected ValueError: x'
    """

    def __init__(self, what: str, error: BaseException, compensation_error: BaseException) -> None:
        self.error = error
        self.compensation_error = compensation_error
        super().__init__(f"{what} NOT restored ({describe_error(compensation_error)}) after: {describe_error(error)}")


def failure_reason(error: BaseException, *, repository: str | None, request_id: str, notes: Sequence[str] = ()) -> str:
    """A reason of at most 200 characters that names what failed and ends with where the details are logged.

    AWS errors keep their operation, error code and the start of AWS's own message (see
    :func:`~ecr_lifecycle_guard.aws_errors.describe_error`); bad properties give the first problem and
    how many more; a gate block names the limit, the count and the repository. ``notes`` (e.g. "stack
    status unknown") are kept whole, before the log pointer.

    Examples
    --------
    >>> from ecr_lifecycle_guard.errors import EcrCallError
    >>> error = EcrCallError("StartLifecyclePolicyPreview", "InvalidParameterException", "Invalid parameter at 'x'")
    >>> failure_reason(error, repository="app", request_id="r-1", notes=("stack status unknown",))
    ... # doctest: +NORMALIZE_WHITESPACE
    "StartLifecyclePolicyPreview failed: InvalidParameterException: Invalid parameter at 'x' (repository 'app');
     stack status unknown; details in log, request r-1"
    """
    suffix = "".join(f"; {note}" for note in notes) + f"; details in log, request {request_id}"
    if isinstance(error, GateBlockedError):
        return error.verdict.short_reason(error.repository, suffix=suffix)
    text, more = describe_error(error), ""
    if isinstance(error, PropertiesError):
        text = error.summary
        if len(error.problems) > 1:  # keep the count whole: every bad property was found
            more = f" (+{len(error.problems) - 1} more)"
            text = text.removesuffix(more)
    room = REASON_MAX_LENGTH - len(suffix) - len(more)
    where = f" (repository '{repository}')"
    if repository and repository not in text and len(text) + len(where) <= room:
        text += where
    if len(text) > room:
        text = text[: max(room - 3, 0)] + "..."
    return text + more + suffix
