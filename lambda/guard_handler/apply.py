"""Create and Update: check ownership, preview, gate, then claim the repository and put the policy.

The steps (DESIGN.md "Handler behaviour" and "Ownership and failure atomicity"):

1. parse every property (:func:`ecr_lifecycle_guard.contract.parse_properties`; all problems at once);
2. read the owner tag and the live policy; a resource of another stack owns it -> FAILED, naming the
   owner and how to hand over (``PreviewOnly`` never owns, so it only previews);
3. live policy equal to the desired one -> ``SKIPPED_UNCHANGED``, and this resource records itself as
   the owner (a rename or replacement inside the stack hands ownership over this way, recording the
   previous owner for a rollback); a takeover inside the stack that changes the policy also records
   the live policy, and fails here, before any write, when it is too large for the tags;
4. the stack is rolling back -> the requested (previous) policy is put without preview or gate
   (``SKIPPED_ROLLBACK``); a status that stays unknown after retries is treated as "not a rollback"
   (the gate applies) and every failure reason says the status could not be read;
5. in-use discovery starts in the background, ECR's preview runs until its deadline (which leaves room
   for the writes that may follow and the response), discovery is joined, the gate decides;
6. claim (ownership tags, one ``TagResource``) -> put; when the put fails, the tags are put back exactly
   as they were, so FAILED means unchanged.

``PreviewOnly`` never puts and never owns; when this resource owned the policy before, it releases the
ownership (the policy stays). ``PolicyApplied`` is ``"true"`` only when this resource put the policy or
owns it and it is live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Protocol

from ecr_lifecycle_guard.contract import GuardProperties, parse_properties
from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.errors import GateBlockedError
from ecr_lifecycle_guard.gate import InUseView, PreviewFigures, check_gate
from guard_handler.in_use import InUseDiscovery, log_hits, report_as_log
from guard_handler.log import LogContext
from guard_handler.outcome import Outcome, PreviewStatus, attributes
from guard_handler.ownership import PolicyChange, RepositoryOwnership, describe_owner
from guard_handler.ownership_tags import OwnershipTags

if TYPE_CHECKING:  # pragma: no cover
    from guard_handler.invocation import Invocation
    from guard_handler.service import EcrPolicies
    from guard_handler.stack_status import StackStatus

__all__ = ["STATUS_UNKNOWN_NOTE", "Applier", "PreviewRunner"]

logger = logging.getLogger(__name__)

#: Added to every failure reason of a Create/Update whose stack status could not be read.
STATUS_UNKNOWN_NOTE = "stack status unreadable, so gated"


class PreviewRunner(Protocol):
    """:func:`ecr_lifecycle_guard.ecr_preview.run_preview`'s signature (injectable for tests)."""

    def __call__(
        self,
        client: Any,
        *,
        repository: str,
        registry_id: str | None,
        policy_text: str,
        deadline: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        poll_interval: float = ...,
        count_visible: bool = ...,
    ) -> PreviewFigures: ...


class Applier:
    """Create and Update of one ``Custom::EcrLifecyclePolicy``.

    Parameters
    ----------
    policies
        ECR calls (its ``client`` also runs the preview).
    stacks
        Reads the stack's status.
    preview
        The preview runner.
    discovery
        Starts in-use discovery.
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production.
    log_context
        Receives the ``repository`` and ``phase`` fields of the log lines.
    poll_interval
        Seconds between preview polls.
    """

    def __init__(
        self,
        *,
        policies: EcrPolicies,
        stacks: StackStatus,
        preview: PreviewRunner,
        discovery: InUseDiscovery,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        log_context: LogContext,
        poll_interval: float,
    ) -> None:
        self._policies = policies
        self._stacks = stacks
        self._preview = preview
        self._discovery = discovery
        self._clock = clock
        self._sleep = sleep
        self._log = log_context
        self._poll_interval = poll_interval

    def apply(self, event: Mapping[str, Any], invocation: Invocation) -> Outcome:
        """Process a Create or Update; raises on failure (the caller turns it into FAILED)."""
        self._log.set(phase="validate")
        props = parse_properties(event.get("ResourceProperties"), default_registry_id=invocation.account)
        self._log.set(repository=props.repository_name, phase="read")
        ownership = invocation.ownership(self._policies, props.registry_id, props.repository_name)
        tags = ownership.read()
        owner = tags.owner
        live = self._policies.get(props.registry_id, props.repository_name)
        logger.info(
            "current state read",
            extra={"details": {"owner": describe_owner(owner), "has_policy": live is not None, "me": ownership.mine}},
        )
        if not props.preview_only:
            conflict = ownership.conflict(owner)
            if conflict is not None:
                logger.error(
                    "owned by a resource of another stack: nothing changed", extra={"details": {"owner": owner}}
                )
                raise conflict
        unchanged = live is not None and policies_equivalent(live, props.policy_text)
        claimed = tags if props.preview_only else ownership.claimed(tags, live=live, changes_policy=not unchanged)
        if unchanged:
            logger.info("the live policy already equals the desired one; no preview needed")
            return self._settle(props, ownership, tags, claimed, "SKIPPED_UNCHANGED", policy=None)
        self._log.set(phase="rollback-check")
        reading = self._stacks.read(str(event["StackId"]), until=invocation.deadline.status_deadline())
        if not reading.known:
            logger.warning(
                "the stack status is unknown: treated as a deploy, so the gate applies",
                extra={"details": {"error": reading.error, "attempts": reading.attempts}},
            )
            invocation.notes.append(STATUS_UNKNOWN_NOTE)
        if reading.rolling_back:
            logger.warning("the stack is rolling back: restoring the requested policy without the gate")
            change = PolicyChange(props.policy_text)
            return self._settle(props, ownership, tags, claimed, "SKIPPED_ROLLBACK", policy=change)
        figures, report = self._preview_and_discover(props, invocation)
        self._gate(props, figures, report)
        in_use = len(report.images) if report is not None else None
        change = PolicyChange(props.policy_text)
        return self._settle(props, ownership, tags, claimed, "COMPLETE", policy=change, figures=figures, in_use=in_use)

    def _settle(
        self,
        props: GuardProperties,
        ownership: RepositoryOwnership,
        tags: OwnershipTags,
        claimed: OwnershipTags,
        status: PreviewStatus,
        *,
        policy: PolicyChange | None,
        figures: PreviewFigures | None = None,
        in_use: int | None = None,
    ) -> Outcome:
        """Make the decided change: move the tags to ``claimed`` and put; with ``PreviewOnly`` only release."""
        data = attributes(status, applied=not props.preview_only, figures=figures, in_use=in_use)
        success = Outcome("SUCCESS", props.physical_id, data=data)
        if props.preview_only:
            logger.info("PreviewOnly: the policy is not put and this resource does not own it")
            released = tags
            if tags.owner == ownership.mine:
                self._log.set(phase="release")
                logger.info("PreviewOnly: releasing the ownership this resource held (the policy stays)")
                released = tags.without_owner()
            return ownership.change(tags_from=tags, tags_to=released, policy=None, success=success)
        self._log.set(phase="put" if policy else "claim")
        outcome = ownership.change(tags_from=tags, tags_to=claimed, policy=policy, success=success)
        if policy is not None:
            logger.info("lifecycle policy put", extra={"details": {"owner": ownership.mine}})
        return outcome

    def _preview_and_discover(
        self, props: GuardProperties, invocation: Invocation
    ) -> tuple[PreviewFigures, InUseView | None]:
        self._log.set(phase="preview")
        deadline = invocation.deadline.preview_deadline(props.preview_timeout_seconds)
        pending = None
        if props.limits.protect_in_use:
            pending = self._discovery.start(
                registry_id=props.registry_id,
                region=invocation.region,
                repository=props.repository_name,
                role_arns=props.in_use_role_arns,
                deadline=deadline,
                account=invocation.account,
            )
        figures = self._preview(
            self._policies.client,
            repository=props.repository_name,
            registry_id=props.registry_id,
            policy_text=props.policy_text,
            deadline=deadline,
            clock=self._clock,
            sleep=self._sleep,
            poll_interval=self._poll_interval,
            count_visible=props.limits.needs_visible_count,
        )
        report = pending.join(until=deadline, clock=self._clock) if pending is not None else None
        return figures, report

    def _gate(self, props: GuardProperties, figures: PreviewFigures, report: InUseView | None) -> None:
        self._log.set(phase="gate")
        verdict = check_gate(props.limits, figures, in_use=report)
        details: dict[str, Any] = {
            "preview": figures.as_log(),
            "limits": asdict(props.limits),
            "violations": [str(v) for v in verdict.violations],
        }
        if report is not None:
            details["in_use"] = report_as_log(report)
            log_hits(figures, report)
        if not verdict.passed:
            logger.error("the gate blocked the policy; the live policy is unchanged", extra={"details": details})
            raise GateBlockedError(verdict, props.repository_name)
        logger.info("the preview is within the limits", extra={"details": details})
