"""Ownership of a repository's lifecycle policy, recorded in AWS on the repository, and atomic changes of it.

The repository tag :data:`~ecr_lifecycle_guard.contract.OWNER_TAG_KEY` names the resource that owns the
policy as ``<stack name>/<logical id>`` (:class:`~ecr_lifecycle_guard.contract.Owner`). Every guard reads
it; only a guard that owns the policy ever deletes (or restores) it.

Who may proceed (:meth:`RepositoryOwnership.conflict`), and the tags a claim leaves
(:meth:`RepositoryOwnership.claimed`):

===================================  ===========================================================
owner tag                            Create / Update (not ``PreviewOnly``)
===================================  ===========================================================
absent                               proceed, record this resource as owner
this resource                        proceed (the tags stay as they are)
another logical id of the same stack proceed and take over: a rename or a replacement (the
                                     construct allows one guard per repository per app); the same
                                     ``TagResource`` records the hand-back: ``previous-owner``
                                     and, when the live policy changes, ``previous-policy-*``
                                     (too large for 8 tags: FAILED before any write)
a resource of another stack          FAILED, naming the owner and how to hand over; nothing changes
a value this project did not write   FAILED, naming the tag; nothing changes
===================================  ===========================================================

The hand-back record lets a rollback undo a rename: CloudFormation deletes the new resource and keeps
the old one, and that Delete puts the recorded policy back and returns the ownership
(:mod:`guard_handler.handback`).

Changes are made by :meth:`RepositoryOwnership.change`, in an order that makes FAILED mean
"unchanged": the tags first (a ``TagResource``, then an ``UntagResource`` when keys go), then the
policy; when a later write fails, the tags are put back exactly as they were (each compensation is
logged). The answer that is true after each step is recorded in the
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
>>> ownership.claimed(OwnershipTags.owned_by("prod/OldGuard"), live=None, changes_policy=True).values
... # doctest: +NORMALIZE_WHITESPACE
{'ecr-lifecycle-guard:owner': 'prod/NewGuard', 'ecr-lifecycle-guard:previous-owner': 'prod/OldGuard',
 'ecr-lifecycle-guard:previous-policy-0': 'none'}
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from ecr_lifecycle_guard.contract import OWNER_TAG_KEY, Owner, encode_previous_policy
from ecr_lifecycle_guard.engine import policies_equivalent
from guard_handler.outcome import HandoverTooLargeError, NotRestoredError, Outcome, OwnershipConflictError
from guard_handler.ownership_tags import OwnershipTags, TagWrite, tag_writes

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

    def read(self) -> OwnershipTags:
        """The repository's ownership tags (one ``ListTagsForResource``)."""
        return OwnershipTags(self._services()[0].ownership_tags(self.arn))

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

    def claimed(self, tags: OwnershipTags, *, live: str | None, changes_policy: bool) -> OwnershipTags:
        """The tags once this resource owns the repository (call after :meth:`conflict` let it proceed).

        A takeover from another resource of the stack records the hand-back: the previous owner, and
        the live policy (or ``none``) when ``changes_policy``.

        Raises
        ------
        HandoverTooLargeError
            The live policy needs more than 8 tags; nothing was written.
        """
        if tags.owner == self.mine:
            return tags
        if tags.owner is None or not self.in_stack(tags.owner):
            return OwnershipTags.owned_by(self.mine)
        record = encode_previous_policy(live) if changes_policy else {}
        if record is None:
            logger.error(
                "taking over from %s with a policy change needs the previous policy kept for a rollback, and it is"
                " too large to keep in tags; deploy the rename alone first, then the change",
                tags.owner,
                extra={"details": {"previous_policy_characters": len(live or "")}},
            )
            raise HandoverTooLargeError(tags.owner)
        return tags.taken_over(self.mine, previous_policy=record)

    def in_stack(self, value: str) -> bool:
        """Whether the tag value ``value`` names another resource of this resource's stack."""
        owner = Owner.from_tag_value(value)
        return owner is not None and value != self.mine and owner.same_stack(self.me)

    def change(
        self, *, tags_from: OwnershipTags, tags_to: OwnershipTags, policy: PolicyChange | None, success: Outcome
    ) -> Outcome:
        """Move the ownership tags from ``tags_from`` to ``tags_to``, then write ``policy``.

        FAILED means unchanged: when a later write fails the tags are put back to ``tags_from``. After
        the last write succeeds, ``success`` is recorded as the true answer and returned. A compensation
        of two calls (owner tag back, hand-back record removed) is budgeted as one write: its second call
        runs within the response reserve, where compensations may still start.

        Raises
        ------
        OwnershipConflictError
            Another resource's tag appeared right after this resource claimed the repository.
        NotRestoredError
            A write failed and putting the tags back failed too (logged as an error).
        EcrCallError, WriteNotStartedError
            A write failed or could not start; nothing was changed.
        """
        writer = self._services()[1]
        forward = tag_writes(tags_from, tags_to)
        undo = 1 if forward else 0  # the compensation that puts the tags back, when a later write fails
        operation = policy.operation if policy else forward[0].operation if forward else "TagResource"
        with writer.sequence(operation):
            done = tags_from
            for index, write in enumerate(forward):
                later = len(forward) - index - 1 + (1 if policy else 0)
                try:
                    self._write_tags(write, followups=later + undo if later else 0, compensation=False)
                except Exception as error:
                    if done != tags_from:
                        self._restore_tags(done, tags_from, error)
                    raise
                done = write.after(done)
            if forward and tags_to.owner is not None and tags_to.owner != tags_from.owner:
                try:
                    self._check_claim(tags_to.owner)
                except OwnershipConflictError:
                    raise  # another stack's guard holds the tag now: it is theirs, not ours to put back
                except Exception as error:  # the check itself failed: FAILED must mean unchanged
                    self._restore_tags(tags_to, tags_from, error)
                    raise
            if policy is not None:
                try:
                    writer.write(
                        policy.operation,
                        lambda: self._write_policy(policy),
                        took_effect=lambda: self._policy_in_place(policy),
                        followups=undo,
                    )
                except Exception as error:
                    if forward:
                        self._restore_tags(tags_to, tags_from, error)
                    raise
            writer.latch.record(success)
        if forward:
            logger.info(
                "ownership tags changed",
                extra={
                    "details": {
                        "owner_from": tags_from.owner,
                        "owner_to": tags_to.owner,
                        "tags": sorted(tags_to.values),
                    }
                },
            )
        return success

    def _write_tags(self, write: TagWrite, *, followups: int, compensation: bool) -> None:
        policies, writer = self._services()

        def in_place() -> bool:
            now = policies.ownership_tags(self.arn, quick=True)
            return all(now.get(key) == value for key, value in write.put.items()) and not any(
                key in now for key in write.remove
            )

        call = (
            partial(policies.set_tags, self.arn, write.put)
            if write.put
            else partial(policies.remove_tags, self.arn, write.remove)
        )
        writer.write(write.operation, call, took_effect=in_place, followups=followups, compensation=compensation)

    def _check_claim(self, value: str) -> None:
        """Read the tag back: a guard of another stack that claimed at the same moment wins; we step back."""
        policies, writer = self._services()
        tags = writer.read_back("ListTagsForResource", partial(policies.ownership_tags, self.arn, quick=True))
        now = tags.get(OWNER_TAG_KEY)
        if now != value:
            raise OwnershipConflictError(self.repository, f"{now!r} (claimed at the same moment)", None)

    def _restore_tags(self, current: OwnershipTags, target: OwnershipTags, error: BaseException) -> None:
        logger.warning(
            "compensating: putting the ownership tags back after a later write failed",
            extra={"details": {"restore_to": sorted(target.values), "owner": target.owner, "error": str(error)}},
        )
        try:
            for write in tag_writes(current, target):
                self._write_tags(write, followups=0, compensation=True)
        except Exception as compensation_error:
            logger.error(
                "the ownership tags could NOT be put back: the repository's tags differ from before",
                extra={"details": {"restore_to": sorted(target.values), "error": str(compensation_error)}},
            )
            raise NotRestoredError("owner tag", error, compensation_error) from error
        logger.info("compensation done: the ownership tags are back", extra={"details": {"owner": target.owner}})

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
