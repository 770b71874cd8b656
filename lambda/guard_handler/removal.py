"""Delete: remove (or restore) the policy only when this resource still owns it, then release the ownership.

=========================================================  =============================================
situation                                                  what Delete does (always SUCCESS unless a
                                                           write fails; FAILED means nothing changed)
=========================================================  =============================================
physical id is a failed-create marker or not ours          nothing
properties unreadable                                      nothing (nothing proves the policy is ours)
``PreviewOnly``                                            nothing (it never owns, never deletes)
repository gone                                            nothing
owner tag names another resource that took over from this  remove the hand-back record (the rename is
one (``previous-owner`` is this resource)                  complete); the policy and owner tag stay
owner tag names another resource (a rename/replacement     leave the policy and the tag
took over, or another stack)
no owner tag (a resource created before ownership tags,    leave the policy (logged): nothing proves it
or someone removed the tag)                                is this resource's
owned by a takeover inside the stack (``previous-owner``   read the stack status: rolling back, or
of the same stack), the stack rolling back or its status   unreadable -> hand back: owner tag back to the
unreadable                                                 previous owner, record removed, its recorded
                                                           policy put back (:mod:`guard_handler.handback`)
owned, ``OnDelete=retain``                                 leave the policy, release the ownership
owned, policy changed out of band (or none)                leave it, release the ownership
owned, live policy is the one this resource put            untag, then put ``RestorePolicyText`` when
                                                           given, else delete the policy; when that
                                                           write fails the tag is put back
=========================================================  =============================================

Releasing the ownership removes the owner tag and any hand-back record in one ``UntagResource``.
A replayed Delete (Lambda's asynchronous retry, or CloudFormation resending) finds no owner tag of
its own and changes nothing: Delete is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ecr_lifecycle_guard.contract import FAILED_CREATE_PREFIX, parse_physical_id, parse_properties
from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.errors import EcrCallError, PropertiesError
from guard_handler.handback import HandBack
from guard_handler.log import LogContext
from guard_handler.outcome import Outcome
from guard_handler.ownership import PolicyChange, describe_owner
from guard_handler.ownership_tags import RELEASED

if TYPE_CHECKING:  # pragma: no cover
    from guard_handler.invocation import Invocation
    from guard_handler.service import EcrPolicies
    from guard_handler.stack_status import StackStatus

__all__ = ["Remover"]

logger = logging.getLogger(__name__)


class Remover:
    """Delete of one ``Custom::EcrLifecyclePolicy``.

    Parameters
    ----------
    policies
        ECR calls.
    stacks
        Reads the stack's status (only to tell a rename's rollback from a later removal).
    log_context
        Receives the ``repository`` and ``phase`` fields of the log lines.
    """

    def __init__(self, *, policies: EcrPolicies, stacks: StackStatus | None, log_context: LogContext) -> None:
        self._policies = policies
        self._handback = HandBack(stacks)
        self._log = log_context

    def delete(self, event: Mapping[str, Any], invocation: Invocation) -> Outcome:
        """Process a Delete; raises only when a write fails (the caller turns it into FAILED)."""
        physical_id = str(event["PhysicalResourceId"])
        done = Outcome("SUCCESS", physical_id)
        target = parse_physical_id(physical_id)
        if physical_id.startswith(FAILED_CREATE_PREFIX) or target is None:
            logger.info("the create of this resource failed or never put a policy: nothing to delete")
            return done
        registry_id, repository = target
        self._log.set(repository=repository, phase="delete")
        try:
            props = parse_properties(event.get("ResourceProperties"), default_registry_id=invocation.account)
        except PropertiesError as error:
            logger.warning(
                "properties unreadable; the policy is left in place", extra={"details": {"error": str(error)}}
            )
            return done
        if props.preview_only:
            logger.info("PreviewOnly never owns a policy: nothing to delete")
            return done
        ownership = invocation.ownership(self._policies, registry_id, repository)
        try:
            tags = ownership.read()
            owner = tags.owner
            live = self._policies.get(registry_id, repository) if owner == ownership.mine else None
        except EcrCallError as error:
            if error.code != "RepositoryNotFoundException":
                raise
            logger.info("the repository is gone: nothing to delete")
            return done
        if HandBack.replaced(ownership, tags):
            return HandBack.complete(ownership, tags, done)
        if owner != ownership.mine:
            why = (
                "no owner tag (created before ownership tags, or the tag was removed)"
                if owner is None
                else f"owned by {describe_owner(owner)}"
            )
            logger.info("not owned by this resource: the policy and the tag are left in place (%s)", why)
            return done
        if HandBack.took_over(ownership, tags):
            self._log.set(phase="rollback-check")
            if self._handback.reverting(invocation):
                self._log.set(phase="hand-back")
                return self._handback.hand_back(ownership, tags, live, done)
            logger.info("not a rollback: the normal delete, the hand-back record goes with the owner tag")
            self._log.set(phase="delete")
        if props.on_delete == "retain":
            logger.info("OnDelete=retain: the policy is left in place; releasing the ownership")
            return ownership.change(tags_from=tags, tags_to=RELEASED, policy=None, success=done)
        if live is None:
            logger.info("the repository has no lifecycle policy; releasing the ownership")
            return ownership.change(tags_from=tags, tags_to=RELEASED, policy=None, success=done)
        if not policies_equivalent(live, props.policy_text):
            logger.warning(
                "the live policy is not the one this resource put (changed out of band): left in place;"
                " releasing the ownership"
            )
            return ownership.change(tags_from=tags, tags_to=RELEASED, policy=None, success=done)
        change = PolicyChange(props.restore_policy_text)
        outcome = ownership.change(tags_from=tags, tags_to=RELEASED, policy=change, success=done)
        logger.info("RestorePolicyText put" if change.text else "lifecycle policy deleted")
        return outcome
