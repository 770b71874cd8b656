"""Create, update and delete one ``Custom::EcrLifecyclePolicy``: preview, gate, then put.

The behaviour is DESIGN.md's "Handler behaviour": a live policy equal to the desired one succeeds
without a preview; during a stack rollback the requested policy is restored without the gate;
otherwise ECR's preview runs within the time left, the gate decides, and only then the policy is put
(never with ``PreviewOnly``). Delete removes only the policy this resource manages. Every failure
becomes a FAILED :class:`Outcome` with a short reason; the details go to JSON log lines.

Examples
--------
>>> resource = GuardedPolicyResource(policies=EcrPolicies(ecr_client()),  # doctest: +SKIP
...                                  stacks=StackStatus(cloudformation_client()), clock=time.monotonic,
...                                  sleep=time.sleep, log_context=LogContext())
>>> resource.handle(event, context).status  # doctest: +SKIP
'SUCCESS'
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from ecr_lifecycle_guard.ecr_preview import DEFAULT_POLL_INTERVAL, run_preview
from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.errors import (
    EcrCallError,
    GateBlockedError,
    GuardError,
    PolicyValidationError,
    PropertyError,
)
from ecr_lifecycle_guard.gate import REASON_MAX_LENGTH, PreviewFigures, check_gate
from guard_handler.log import LogContext
from guard_handler.properties import (
    FAILED_CREATE_PREFIX,
    ResourceProperties,
    account_of_arn,
    failed_create_marker,
    parse_physical_id,
    parse_properties,
)
from guard_handler.service import EcrPolicies, StackStatus

__all__ = ["RESPONSE_RESERVE_SECONDS", "GuardedPolicyResource", "LambdaContext", "Outcome", "PreviewRunner"]

logger = logging.getLogger(__name__)

#: Lambda time kept back from the preview for the put and for sending the response.
RESPONSE_RESERVE_SECONDS = 10.0


class LambdaContext(Protocol):
    """What the handler reads of the Lambda context object."""

    aws_request_id: str
    invoked_function_arn: str

    def get_remaining_time_in_millis(self) -> int: ...


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


def _data(status: str, *, applied: bool, figures: PreviewFigures | None = None) -> dict[str, str]:
    """The ``Data`` block (a few short strings: far below CloudFormation's 4,096-byte response limit)."""
    return {
        "ExpiringImageCount": str(figures.expiring if figures else 0),
        "TransitioningImageCount": str(figures.transitioning if figures else 0),
        "PolicyApplied": "true" if applied else "false",
        "PreviewStatus": status,
    }


class GuardedPolicyResource:
    """The custom resource's logic, with every dependency injected.

    Parameters
    ----------
    policies
        The repository's lifecycle policy (ECR); its ``client`` also runs the preview.
    stacks
        The stack's status (rollback detection).
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production.
    log_context
        Receives the ``repository`` and ``phase`` fields of the log lines.
    preview
        The preview runner (:func:`~ecr_lifecycle_guard.ecr_preview.run_preview`).
    poll_interval
        Seconds between preview polls.
    """

    def __init__(
        self,
        *,
        policies: EcrPolicies,
        stacks: StackStatus,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        log_context: LogContext,
        preview: PreviewRunner = run_preview,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        self._policies = policies
        self._stacks = stacks
        self._clock = clock
        self._sleep = sleep
        self._log = log_context
        self._preview = preview
        self._poll_interval = poll_interval

    def handle(self, event: Mapping[str, Any], context: LambdaContext) -> Outcome:
        """Process one (well-formed) CloudFormation event; never raises.

        A failed Create answers with the failed-create marker as physical id; a failed Update or
        Delete keeps the event's physical id.
        """
        started = self._clock()
        try:
            if event["RequestType"] == "Delete":
                return self._delete(event, context)
            return self._apply(event, context, lambda_deadline=started + context.get_remaining_time_in_millis() / 1000)
        except Exception as error:
            reason = _failure_reason(error, self._log.fields().get("repository"), context.aws_request_id)
            self._log_failure(error, reason)
            failed_id = event.get("PhysicalResourceId") or failed_create_marker(str(event["RequestId"]))
            return Outcome("FAILED", str(failed_id), reason)

    def _apply(self, event: Mapping[str, Any], context: LambdaContext, *, lambda_deadline: float) -> Outcome:
        self._log.set(phase="validate")
        props = self._properties(event, context)
        self._log.set(repository=props.repository_name, phase="read")
        live = self._policies.get(props.registry_id, props.repository_name)
        if live is not None and policies_equivalent(live, props.policy_text):
            logger.info("the live policy already equals the desired one; no preview needed")
            return Outcome("SUCCESS", props.physical_id, data=_data("SKIPPED_UNCHANGED", applied=True))
        if self._rolling_back(str(event["StackId"])):
            logger.warning("the stack is rolling back: restoring the requested policy without the gate")
            return self._put(props, _data("SKIPPED_ROLLBACK", applied=not props.preview_only))
        self._log.set(phase="preview")
        deadline = min(self._clock() + props.preview_timeout_seconds, lambda_deadline - RESPONSE_RESERVE_SECONDS)
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
        self._log.set(phase="gate")
        verdict = check_gate(props.limits, figures)
        details = {
            "preview": figures.as_log(),
            "limits": asdict(props.limits),
            "violations": [str(v) for v in verdict.violations],
        }
        if not verdict.passed:
            logger.error("the gate blocked the policy; the live policy is unchanged", extra={"details": details})
            raise GateBlockedError(verdict, props.repository_name)
        logger.info("the preview is within the limits", extra={"details": details})
        return self._put(props, _data("COMPLETE", applied=not props.preview_only, figures=figures))

    def _put(self, props: ResourceProperties, data: dict[str, str]) -> Outcome:
        if props.preview_only:
            logger.info("PreviewOnly: the policy is not put")
        else:
            self._log.set(phase="put")
            self._policies.put(props.registry_id, props.repository_name, props.policy_text)
            logger.info("lifecycle policy put")
        return Outcome("SUCCESS", props.physical_id, data=data)

    def _delete(self, event: Mapping[str, Any], context: LambdaContext) -> Outcome:
        physical_id = str(event["PhysicalResourceId"])
        done = Outcome("SUCCESS", physical_id)
        target = parse_physical_id(physical_id)
        if physical_id.startswith(FAILED_CREATE_PREFIX) or target is None:
            logger.info("the create of this resource failed or never put a policy: nothing to delete")
            return done
        registry_id, repository = target
        self._log.set(repository=repository, phase="delete")
        try:
            props = self._properties(event, context)
        except (PropertyError, PolicyValidationError) as error:
            logger.warning(
                "properties unreadable; the policy is left in place", extra={"details": {"error": str(error)}}
            )
            return done
        if props.on_delete == "retain":
            logger.info("OnDelete=retain: the policy is left in place")
            return done
        try:
            live = self._policies.get(registry_id, repository)
        except EcrCallError as error:
            if error.code != "RepositoryNotFoundException":
                raise
            logger.info("the repository is gone: nothing to delete")
            return done
        if live is None:
            logger.info("the repository has no lifecycle policy: nothing to delete")
        elif not policies_equivalent(live, props.policy_text):
            logger.warning("the live policy is not the one this resource put (changed out of band); left in place")
        elif self._policies.delete(registry_id, repository):
            logger.info("lifecycle policy deleted")
        return done

    def _properties(self, event: Mapping[str, Any], context: LambdaContext) -> ResourceProperties:
        account = account_of_arn(context.invoked_function_arn)
        return parse_properties(event.get("ResourceProperties"), default_registry_id=account)

    def _rolling_back(self, stack_id: str) -> bool:
        self._log.set(phase="rollback-check")
        try:
            status = self._stacks.status(stack_id)
        except EcrCallError as error:
            logger.warning("stack status unknown; gating as usual", extra={"details": {"error": str(error)}})
            return False
        return status.endswith("ROLLBACK_IN_PROGRESS")

    def _log_failure(self, error: Exception, reason: str) -> None:
        if isinstance(error, GuardError):
            logger.error("request failed: %s", error, extra={"details": {"reason": reason}})
        else:
            logger.exception("unexpected error", extra={"details": {"reason": reason}})


def _failure_reason(error: Exception, repository: str | None, request_id: str) -> str:
    """A reason of at most 200 characters that ends with where the details are logged."""
    suffix = f"; details in log, request {request_id}"
    if isinstance(error, GateBlockedError):
        return error.verdict.short_reason(error.repository, suffix=suffix)
    if isinstance(error, PolicyValidationError):
        more = f" (+{len(error.issues) - 1} more)" if len(error.issues) > 1 else ""
        text = f"LifecyclePolicyText: {error.issues[0]}{more}" if error.issues else f"LifecyclePolicyText: {error}"
    elif isinstance(error, GuardError):
        text = str(error)
    else:
        text = f"unexpected {type(error).__name__}: {error}"
    if repository and repository not in text:
        text += f" (repository '{repository}')"
    room = REASON_MAX_LENGTH - len(suffix)
    return (text if len(text) <= room else text[: room - 3] + "...") + suffix
