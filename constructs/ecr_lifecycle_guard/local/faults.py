"""Fault injection and call recording for the stand-in.

:class:`Faults` is what tests use (``stand_in.faults``). Faults on API calls apply to any service behind
the stand-in (ECR, CloudFormation, ECS, Lambda, Batch, STS …); an operation is named ``Operation``
(any service) or ``service:Operation`` (the IAM action, e.g. ``ecs:ListServices``):

* :meth:`~Faults.throttle` — the service's throttling error (ECR: ``ThrottlingException``, HTTP 400);
* :meth:`~Faults.deny` — ``AccessDeniedException`` worded like IAM's denial;
* :meth:`~Faults.fail` — any AWS error, before or after moto applied the request;
* :meth:`~Faults.delay` — the answer (or the applying) comes late;
* :meth:`~Faults.hang` — the request is accepted and never answered; the connection is dropped later.

ECR's preview has its own faults (:meth:`~Faults.preview_status`, :meth:`~Faults.competing_preview`).
The first injected fault that matches a call applies to it (one per call), and consumes one of its
``times``. The gateway (:mod:`~ecr_lifecycle_guard.local.gateway`) applies them and records every call.

Examples
--------
>>> from ecr_lifecycle_guard.local.models import PreviewBackend
>>> from ecr_lifecycle_guard.local.wire import AwsRequest
>>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=lambda name: None)
>>> faults.throttle("GetLifecyclePolicyPreview", times=2)
>>> get = AwsRequest("ecr", "GetLifecyclePolicyPreview", "json")
>>> [fault.kind if fault else None for fault in (faults.take(get) for _ in range(3))]
['throttle', 'throttle', None]
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ecr_lifecycle_guard.local.models import PreviewBackend, PreviewOutcome
from ecr_lifecycle_guard.local.wire import AwsRequest

__all__ = ["Fault", "FaultKind", "Faults", "RecordedCall"]

FaultKind = Literal["throttle", "deny", "fail", "delay", "hang"]
#: What the stand-in did to a call instead of (or besides) answering it normally.
CallFault = Literal["rate-limit", "throttle", "deny", "fail", "delay", "hang"]
#: The role the stand-in assumes the caller has, in denial messages (``{account}`` is filled in).
DEFAULT_PRINCIPAL: Final = "arn:aws:sts::{account}:assumed-role/stand-in-role/stand-in-session"


@dataclass(frozen=True)
class RecordedCall:
    """One API call the stand-in received.

    Attributes
    ----------
    operation
        The API operation, e.g. ``StartLifecyclePolicyPreview`` or ``DescribeStacks``.
    params
        The request parameters (the JSON body, the query/form fields with one value each, or for REST
        services the body plus the path labels such as ``FunctionName``).
    throttled
        Whether the stand-in answered it with a throttling error (rate limit or injected).
    service
        The signing name / IAM prefix, e.g. ``ecr``, ``cloudformation``, ``lambda``.
    region, account
        Where it was sent, and the account of its credentials.
    fault
        What the stand-in did to it: ``rate-limit``, ``throttle``, ``deny``, ``fail``, ``delay``, ``hang``; None.
    status
        The HTTP status answered; None while unanswered, or when the connection was dropped (hang).
    received_at, applied_at, answered_at
        Wall-clock times (``time.time()``): received; moto finished applying it (None: never applied);
        the answer was sent (None: not yet, or never).
    setup
        Made by the stand-in's own helpers (``create_repository``, ``create_stack``): never faulted or limited.
    """

    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    throttled: bool = False
    service: str = ""
    region: str = ""
    account: str = ""
    fault: CallFault | None = None
    status: int | None = None
    received_at: float = 0.0
    applied_at: float | None = None
    answered_at: float | None = None
    setup: bool = False

    @property
    def action(self) -> str:
        """The IAM action, ``service:Operation``."""
        return f"{self.service}:{self.operation}"


@dataclass
class Fault:
    """An injected fault waiting for matching calls (see the :class:`Faults` methods for the fields)."""

    kind: FaultKind
    operation: str
    remaining: int | None
    code: str = ""
    message: str = ""
    status: int = 400
    seconds: float = 0.0
    apply: Literal["before", "after", "never"] = "never"
    resource: str | None = None
    principal: str | None = None


class Faults:
    """Faults to inject into the stand-in's next calls, and the record of the calls it received.

    Parameters
    ----------
    previews
        The stand-in's preview backend (preview outcomes and competing previews go there).
    repository_lookup
        Returns moto's repository object for a repository name (raises if it does not exist).
    """

    def __init__(self, previews: PreviewBackend, *, repository_lookup: Callable[[str], Any]) -> None:
        self._previews = previews
        self._repository = repository_lookup
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        self._calls: list[RecordedCall] = []

    def throttle(self, operation: str, *, times: int | None = 1) -> None:
        """Answer the next ``times`` calls of ``operation`` (None: every call) with the service's throttling error.

        botocore's retries handle it as a real throttle: ``ThrottlingException`` (HTTP 400) for JSON and
        REST-JSON services such as ECR, ECS and Batch, ``Throttling`` (400) for query services such as
        CloudFormation and STS, ``TooManyRequestsException`` (429) for Lambda.

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.throttle("cloudformation:DescribeStacks", times=2)
        """
        self._add(Fault("throttle", operation, times))

    def deny(
        self, operation: str, *, times: int | None = None, resource: str | None = None, principal: str | None = None
    ) -> None:
        """Refuse ``operation`` as IAM does when no policy allows it (every call unless ``times`` is given).

        The answer is ``AccessDeniedException`` (HTTP 400 for JSON services such as ECR and ECS, 403 for
        REST-JSON services such as Lambda and Batch), ``AccessDenied`` (403) for query services such as
        STS, worded like AWS: ``User: <principal> is not authorized to perform: ecs:ListServices on
        resource: <resource> because no identity-based policy allows the ecs:ListServices action``.

        Parameters
        ----------
        resource
            The resource named in the message; default: the ``resourceArn``/ARN-valued parameter, the ECR
            repository's ARN for ECR calls naming a repository, else ``*``.
        principal
            The caller's ARN; default :data:`DEFAULT_PRINCIPAL`.

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.deny("ecs:ListServices")
        """
        self._add(Fault("deny", operation, times, resource=resource, principal=principal))

    def fail(
        self,
        operation: str,
        code: str,
        message: str,
        *,
        status: int = 400,
        times: int | None = 1,
        applied: bool = False,
    ) -> None:
        """Answer the next ``times`` calls of ``operation`` with the AWS error ``code`` / ``message``.

        With ``applied=True`` moto applies the request first (the error replaces a successful answer:
        "the write happened, the caller saw a failure").

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.fail("StartLifecyclePolicyPreview", "InvalidParameterException", "Invalid parameter")
        """
        self._add(Fault("fail", operation, times, code, message, status, apply="before" if applied else "never"))

    def delay(
        self,
        operation: str,
        seconds: float,
        *,
        times: int | None = 1,
        apply: Literal["before", "after"] = "after",
    ) -> None:
        """Make the next ``times`` calls of ``operation`` take ``seconds`` longer.

        ``apply="after"``: moto applies the request at once and the answer is held back (the request took
        effect; the caller hears of it late). ``apply="before"``: the request is held, then applied and
        answered (ECR received it but applied it late). :attr:`RecordedCall.applied_at` tells which.

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.delay("PutLifecyclePolicy", 2.0, apply="before")
        """
        self._add(Fault("delay", operation, times, seconds=seconds, apply=apply))

    def hang(self, operation: str, seconds: float, *, times: int | None = 1) -> None:
        """Accept the next ``times`` calls of ``operation`` and answer nothing for ``seconds``, then drop them.

        The request is never applied; after ``seconds`` (or when the stand-in stops) the connection is
        closed without an answer. A client's read timeout is what ends the call.

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.hang("ListFunctions", 30.0, times=None)
        """
        self._add(Fault("hang", operation, times, seconds=seconds))

    def clear(self, operation: str | None = None) -> None:
        """Remove the injected faults (of ``operation`` only, when given) that have not been used up.

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.deny("ecs:ListServices")
        >>> faults.clear("ecs:ListServices")
        >>> faults.take(AwsRequest("ecs", "ListServices", "json")) is None
        True
        """
        with self._lock:
            self._pending = [fault for fault in self._pending if operation is not None and fault.operation != operation]

    def preview_status(self, repository: str, status: PreviewOutcome, *, times: int = 1) -> None:
        """Make the next ``times`` previews of ``repository`` end ``FAILED`` / ``EXPIRED``, or never (``NEVER``).

        Each still shows ``IN_PROGRESS`` for the repository's latency first; later previews are normal.

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.preview_status("app", "EXPIRED")
        """
        self._previews.queue_outcomes(repository, status, times)

    def competing_preview(self, repository: str, policy_text: str, *, seconds: float) -> None:
        """Start another deployer's preview of ``policy_text`` now, ``IN_PROGRESS`` for ``seconds``.

        While it runs, StartLifecyclePolicyPreview answers LifecyclePolicyPreviewInProgressException and
        GetLifecyclePolicyPreview reports that preview's policy text; then it completes normally.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> app = SimpleNamespace(name="app", arn="arn:aws:ecr:us-east-1:123456789012:repository/app",
        ...                       registry_id="123456789012", images=[], lifecycle_policy=None)
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=lambda name: app)
        >>> faults.competing_preview("app", '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", '
        ...     '"countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]}', seconds=1.0)
        """
        self._previews.start(self._repository(repository), policy_text, hold_seconds=seconds)

    def calls(self, operation: str | None = None) -> list[RecordedCall]:
        """The calls received so far, oldest first; only those of ``operation`` (``Op`` or ``service:Op``).

        Examples
        --------
        >>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
        >>> faults.calls("ecs:ListServices")
        []
        """
        with self._lock:
            calls = list(self._calls)
        if operation is None:
            return calls
        service, _, name = operation.rpartition(":")
        return [call for call in calls if call.operation == name and service in ("", call.service)]

    def take(self, request: AwsRequest) -> Fault | None:
        """The injected fault for this call, if any (consumes one of its ``times``)."""
        with self._lock:
            for fault in self._pending:
                if fault.remaining != 0 and request.matches(fault.operation):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return dataclasses.replace(fault)
            return None

    def record(self, call: RecordedCall) -> int:
        """Add ``call`` to the record; returns its index for :meth:`update`."""
        with self._lock:
            self._calls.append(call)
            return len(self._calls) - 1

    def update(self, index: int, **changes: Any) -> None:
        """Replace fields of the recorded call at ``index`` (e.g. ``status``, ``answered_at``)."""
        with self._lock:
            self._calls[index] = dataclasses.replace(self._calls[index], **changes)

    def _add(self, fault: Fault) -> None:
        if fault.remaining is not None and fault.remaining < 1:
            raise ValueError(f"Faults.{fault.kind}: times must be >= 1 or None (every call), got {fault.remaining}")
        if fault.seconds < 0:
            raise ValueError(f"Faults.{fault.kind}: seconds must be >= 0, got {fault.seconds}")
        with self._lock:
            self._pending = [pending for pending in self._pending if pending.remaining != 0]
            self._pending.append(fault)
