"""Lambda entry point ``index.handler`` for ``Custom::EcrLifecyclePolicy``: crhelper wiring only.

crhelper runs with INFO logging (its DEBUG lines print the pre-signed ResponseURL), no sleep on
delete (its default is 120 s) and the bounded response sender. The timeout answer and the resource's
writes share one :class:`~guard_handler.latch.AnswerLatch`, so CloudFormation's answer and the live
state always agree. The AWS clients are built on the first event, inside crhelper's error handling,
so a broken environment fails the resource instead of leaving CloudFormation waiting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from guard_handler import (
    READ_CONFIG,
    STATUS_CONFIG,
    WRITE_CONFIG,
    AnswerLatch,
    BoundedCfnResource,
    EcrPolicies,
    GuardedPolicyResource,
    LogContext,
    ResponseSender,
    StackStatus,
    cloudformation_client,
    configure_logging,
    ecr_client,
    event_problem,
)

logger = logging.getLogger("guard_handler")

LOG_CONTEXT = LogContext()
LATCH = AnswerLatch()
helper = BoundedCfnResource(
    sender=ResponseSender(clock=time.monotonic, sleep=time.sleep),
    clock=time.monotonic,
    latch=LATCH,
    log_level="INFO",
    boto_level="ERROR",
    sleep_on_delete=0,
)
configure_logging(LOG_CONTEXT)
_resources: list[GuardedPolicyResource] = []


def _resource() -> GuardedPolicyResource:
    if not _resources:
        _resources.append(
            GuardedPolicyResource(
                policies=EcrPolicies(ecr_client(READ_CONFIG), ecr_client(WRITE_CONFIG)),
                stacks=StackStatus(cloudformation_client(STATUS_CONFIG), clock=time.monotonic, sleep=time.sleep),
                clock=time.monotonic,
                sleep=time.sleep,
                log_context=LOG_CONTEXT,
                latch=LATCH,
            )
        )
    return _resources[0]


@helper.create
@helper.update
@helper.delete
def _on_event(event: Mapping[str, Any], context: Any) -> str:
    outcome = _resource().handle(event, context)
    LOG_CONTEXT.set(phase="respond")
    helper.Status, helper.Reason, helper.Data = outcome.status, outcome.reason, outcome.data
    return outcome.physical_id


def handler(event: Any, context: Any) -> None:
    """Process one CloudFormation custom-resource event and send its response."""
    fields = event if isinstance(event, Mapping) else {}
    url = fields.get("ResponseURL")
    LOG_CONTEXT.begin(getattr(context, "aws_request_id", None), fields, secret=url if isinstance(url, str) else None)
    problem = event_problem(event)
    if problem:
        logger.error(problem)
        helper.reject(fields, context, problem)
        return
    helper(event, context)
