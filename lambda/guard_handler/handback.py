"""A rename's two endings on Delete: a rollback hands the policy back, a completed rename drops the record.

CloudFormation renames resource O to N inside a stack by creating N (which takes the ownership over and
leaves a hand-back record, :mod:`guard_handler.ownership_tags`) and deleting O in the cleanup phase.
When the update fails after N was created, it rolls back by **deleting N** and keeping O, which still
expects its policy. So:

================================================  =============================================================
Delete of                                         what happens
================================================  =============================================================
N (owner tag N, ``previous-owner`` O of the same  read the stack status (retried like the rollback check of an
stack)                                            Update); rolling back (``*ROLLBACK_IN_PROGRESS``, or
                                                  ``UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS``, where
                                                  CloudFormation deletes what the failed update created) or
                                                  **unreadable** -> hand back: owner tag O, record removed,
                                                  then the recorded policy put back when it differs from the
                                                  live one (deleted when ``none`` was recorded); otherwise the
                                                  normal delete, which removes the record with the owner tag
O (owner tag not O, ``previous-owner`` O)         the rename is complete: the record is removed (one
                                                  ``UntagResource``); the policy and the owner tag stay
================================================  =============================================================

An unreadable status hands back: keeping a policy that was approved before never expires an image,
while the normal delete would remove the policy of a resource that may still be in the stack (logged).
A hand-back never deletes a policy except to restore a recorded "none". A damaged record hands back the
ownership only (logged): the live policy stays.

Examples
--------
>>> StatusReading("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", None, 1).reverting
True
>>> restoring_change(None, live='{"rules": []}') is None  # nothing recorded: the live policy stays
True
>>> restoring_change(PreviousPolicy(None), live='{"rules": []}')
PolicyChange(text=None)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ecr_lifecycle_guard.contract import PreviousPolicy
from ecr_lifecycle_guard.engine import policies_equivalent
from guard_handler.ownership import PolicyChange, RepositoryOwnership, describe_owner
from guard_handler.stack_status import StackStatus, StatusReading

if TYPE_CHECKING:  # pragma: no cover
    from guard_handler.invocation import Invocation
    from guard_handler.outcome import Outcome
    from guard_handler.ownership_tags import OwnershipTags

__all__ = ["HandBack", "restoring_change"]

logger = logging.getLogger(__name__)


class HandBack:
    """Decides and makes a rename's hand-back (rollback) or completion on Delete.

    Parameters
    ----------
    stacks
        Reads the stack's status; ``None`` reads as an unknown status.
    """

    def __init__(self, stacks: StackStatus | None) -> None:
        self._stacks = stacks

    @staticmethod
    def took_over(ownership: RepositoryOwnership, tags: OwnershipTags) -> bool:
        """Whether this resource owns the policy by a takeover from another resource of its stack."""
        return (
            tags.owner == ownership.mine and tags.previous_owner is not None and ownership.in_stack(tags.previous_owner)
        )

    @staticmethod
    def replaced(ownership: RepositoryOwnership, tags: OwnershipTags) -> bool:
        """Whether another resource took the policy over from this one (this Delete completes a rename)."""
        return tags.owner != ownership.mine and tags.previous_owner == ownership.mine

    def reverting(self, invocation: Invocation) -> bool:
        """Whether the stack is rolling back (or its status is unknown, which counts as rolling back)."""
        if self._stacks is None:
            reading = StatusReading(None, "no CloudFormation client", 0)
        else:
            reading = self._stacks.read(invocation.stack_id, until=invocation.deadline.status_deadline())
        if not reading.known:
            logger.warning(
                "the stack status is unknown: handing the policy back (keeping a previously approved policy never"
                " deletes images)",
                extra={"details": {"error": reading.error, "attempts": reading.attempts}},
            )
            return True
        logger.info("stack status read", extra={"details": {"status": reading.status}})
        return reading.reverting

    def hand_back(
        self, ownership: RepositoryOwnership, tags: OwnershipTags, live: str | None, done: Outcome
    ) -> Outcome:
        """Give the ownership (and the recorded policy) back to the resource this one took it from."""
        try:
            previous = tags.previous_policy()
        except ValueError as error:
            logger.error(
                "the hand-back record is damaged: handing back the ownership only, the live policy stays",
                extra={"details": {"error": str(error)}},
            )
            previous = None
        change = restoring_change(previous, live=live)
        logger.warning(
            "the stack is rolling back a rename: handing the policy back to %s (%s)",
            describe_owner(tags.previous_owner),
            "the policy stays" if change is None else "restoring its policy" if change.text else "removing the policy",
        )
        return ownership.change(tags_from=tags, tags_to=tags.handed_back(), policy=change, success=done)

    @staticmethod
    def complete(ownership: RepositoryOwnership, tags: OwnershipTags, done: Outcome) -> Outcome:
        """The rename is complete: drop the hand-back record; the policy and the owner tag stay."""
        logger.info(
            "the rename that replaced this resource is complete: removing the hand-back record",
            extra={"details": {"owner": tags.owner}},
        )
        return ownership.change(tags_from=tags, tags_to=tags.without_record(), policy=None, success=done)


def restoring_change(previous: PreviousPolicy | None, *, live: str | None) -> PolicyChange | None:
    """The policy write that puts ``previous`` back over ``live``; ``None`` when nothing is to be written.

    Examples
    --------
    >>> restoring_change(PreviousPolicy('{"rules": []}'), live=None)
    PolicyChange(text='{"rules": []}')
    >>> restoring_change(PreviousPolicy(None), live=None) is None
    True
    """
    if previous is None:
        return None
    if previous.text is None:
        return PolicyChange(None) if live is not None else None
    if live is not None and policies_equivalent(live, previous.text):
        return None
    return PolicyChange(previous.text)
