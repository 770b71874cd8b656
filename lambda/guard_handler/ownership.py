"""Ownership of a repository's lifecycle policy, recorded in AWS on the repository, and atomic changes of it.

The repository tag :data:`~ecr_lifecycle_guard.contract.OWNER_TAG_KEY` names the resource that owns the
policy as ``<stack name>/<logical id>`` (:class:`~ecr_lifecycle_guard.contract.Owner`). Every guard reads
it; only a guard that owns the policy ever deletes (or restores) it.

Who may proceed (:meth:`RepositoryOwnership.conflict`):

===================================  ===========================================================
owner tag                            Create / Update (not ``PreviewOnly``)
===================================  ===========================================================
absent                               proceed, record this resource as owner
this resource                        proceed
another logical id of the same stack proceed and take over: a rename or a replacement (the
                                     construct allows one guard per repository per app)
a resource of another stack          FAILED, naming the owner and how to hand over; nothing changes
a value this project did not write   FAILED, naming the tag; nothing changes
===================================  ===========================================================

Changes are made by :meth:`RepositoryOwnership.change`, in an order that makes FAILED mean
"unchanged": the owner tag first, then the policy; when the policy write fails, the tag is put back
(each compensation is logged). The answer that is true after each step is recorded in the
:class:`~guard_handler.latch.AnswerLatch`, so a timeout answer never contradicts the live state.

Examples
--------
>>> from ecr_lifecycle_guard.contract import Owner
>>> ownership = RepositoryOwnership(policies=None, writer=None, registry_id="123456789012",
...                                 repository="app", arn="arn:aws:ecr:us-east-1:123456789012:repository/app",
...                                 me=Owner("prod", "NewGuard"))
>>> ownership.conflict("prod/OldGuard") is None  # a rename inside the stack hands over
True
>>> str(ownership.conflict("staging/Guard"))[:41]
'owned by resource Guard of stack staging;'
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecr_lifecycle_guard.contract import OWNER_TAG_KEY, Owner
from ecr_lifecycle_guard.engine import policies_equivalent
from guard_handler.outcome import NotRestoredError, Outcome, OwnershipConflictError

if TYPE_CHECKING:  # pragma: no cover
    from guard_handler.service import EcrPolicies
    from guard_handler.writes import Writer

__all__ = ["PolicyChange", "RepositoryOwnership", "describe_owner"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolicyChange:
    """A write of the repository's policy: put ``text``, or delete the policy when ``text`` is ``None``.

    Examples
    --------
    >>> PolicyChange(None).operation, PolicyChange('{"rules": []}').operation
    ('DeleteLifecyclePolicy', 'PutLifecyclePolicy')
    """

    text: str | None

    @property
    def operation(self) -> str:
        """The API operation."""
        return "DeleteLifecyclePolicy" if self.text is None else "PutLifecyclePolicy"


class RepositoryOwnership:
    """One repository's owner tag and policy, changed under the invocation's latch and time budget.

    Parameters
    ----------
    policies
        ECR calls.
    writer
        Runs the writes.
    registry_id, repository, arn
        The repository.
    me
        This resource, as an owner.
    """

    def __init__(
        self,
        *,
        policies: EcrPolicies | None,
        writer: Writer | None,
        registry_id: str,
        repository: str,
        arn: str,
        me: Owner,
    ) -> None:
        self._policies = policies
        self._writer = writer
        self.registry_id = registry_id
        self.repository = repository
        self.arn = arn
        self.me = me

    @property
    def mine(self) -> str:
        """The tag value naming this resource."""
        return self.me.tag_value

    def read(self) -> str | None:
        """The owner tag's value (``None`` when absent)."""
        return self._services()[0].owner_tag(self.arn)

    def conflict(self, value: str | None) -> OwnershipConflictError | None:
        """Why this resource may not take the policy over from the owner ``value``; ``None`` when it may."""
        if value is None or value == self.mine:
            return None
        owner = Owner.from_tag_value(value)
        if owner is None:
            return OwnershipConflictError(self.repository, f"the tag {OWNER_TAG_KEY}={value!r}", None)
        if owner.same_stack(self.me):
            logger.info(
                "taking ownership over from %s of the same stack (a rename or replacement)",
                owner,
                extra={"details": {"owner": value, "new_owner": self.mine}},
            )
            return None
        return OwnershipConflictError(self.repository, str(owner), owner.stack_name)

    def change(
        self, *, tag_from: str | None, tag_to: str | None, policy: PolicyChange | None, success: Outcome
    ) -> Outcome:
        """Move the owner tag from ``tag_from`` to ``tag_to`` (``None``: absent), then write ``policy``.

        FAILED means unchanged: when the policy write fails the tag is put back to ``tag_from``. After the
        last write succeeds, ``success`` is recorded as the true answer and returned.

        Raises
        ------
        OwnershipConflictError
            Another resource's tag appeared right after this resource claimed the repository.
        NotRestoredError
            The policy write failed and putting the tag back failed too (logged as an error).
        EcrCallError, WriteNotStartedError
            A write failed or could not start; nothing was changed.
        """
        writer = self._services()[1]
        tag_moves = tag_from != tag_to
        operation = policy.operation if policy else "TagResource" if tag_to else "UntagResource"
        with writer.sequence(operation):
            if tag_moves:
                self._write_tag(tag_to, followups=2 if policy else 0, compensation=False)
                if tag_to is not None:
                    self._check_claim(tag_to)
            if policy is not None:
                try:
                    writer.write(
                        policy.operation,
                        lambda: self._write_policy(policy),
                        took_effect=lambda: self._policy_in_place(policy),
                        followups=1 if tag_moves else 0,
                    )
                except Exception as error:
                    if tag_moves:
                        self._restore_tag(tag_from, error)
                    raise
            writer.latch.record(success)
        if tag_moves:
            logger.info(
                "ownership recorded" if tag_to else "ownership released",
                extra={"details": {"tag": OWNER_TAG_KEY, "from": tag_from, "to": tag_to}},
            )
        return success

    def _write_tag(self, value: str | None, *, followups: int, compensation: bool) -> None:
        policies, writer = self._services()
        if value is None:
            writer.write(
                "UntagResource",
                lambda: policies.remove_owner_tag(self.arn),
                took_effect=lambda: policies.owner_tag(self.arn, quick=True) is None,
                followups=followups,
                compensation=compensation,
            )
        else:
            writer.write(
                "TagResource",
                lambda: policies.set_owner_tag(self.arn, value),
                took_effect=lambda: policies.owner_tag(self.arn, quick=True) == value,
                followups=followups,
                compensation=compensation,
            )

    def _check_claim(self, value: str) -> None:
        """Read the tag back: a guard of another stack that claimed at the same moment wins; we step back."""
        now = self._services()[0].owner_tag(self.arn, quick=True)
        if now != value:
            raise OwnershipConflictError(self.repository, f"{now!r} (claimed at the same moment)", None)

    def _restore_tag(self, value: str | None, error: BaseException) -> None:
        logger.warning(
            "compensating: putting the owner tag back after the policy write failed",
            extra={"details": {"tag": OWNER_TAG_KEY, "restore_to": value, "error": str(error)}},
        )
        try:
            self._write_tag(value, followups=0, compensation=True)
        except Exception as compensation_error:
            logger.error(
                "the owner tag could NOT be put back: the repository's tag differs from before",
                extra={"details": {"tag": OWNER_TAG_KEY, "restore_to": value, "error": str(compensation_error)}},
            )
            raise NotRestoredError("owner tag", error, compensation_error) from error
        logger.info("compensation done: the owner tag is back", extra={"details": {"tag_value": value}})

    def _write_policy(self, policy: PolicyChange) -> None:
        policies = self._services()[0]
        if policy.text is None:
            policies.delete(self.registry_id, self.repository)
        else:
            policies.put(self.registry_id, self.repository, policy.text)

    def _policy_in_place(self, policy: PolicyChange) -> bool:
        live = self._services()[0].get(self.registry_id, self.repository, quick=True)
        if policy.text is None:
            return live is None
        return live is not None and policies_equivalent(live, policy.text)

    def _services(self) -> tuple[EcrPolicies, Writer]:
        if self._policies is None or self._writer is None:
            raise RuntimeError("RepositoryOwnership was built without ECR calls or a writer")
        return self._policies, self._writer


def describe_owner(value: str | None) -> str:
    """The owner a tag value names, for log lines.

    Examples
    --------
    >>> describe_owner("prod/Guard"), describe_owner(None)
    ('resource Guard of stack prod', 'nobody (no owner tag)')
    """
    if value is None:
        return "nobody (no owner tag)"
    owner = Owner.from_tag_value(value)
    return str(owner) if owner else repr(value)
