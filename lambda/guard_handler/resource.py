"""``GuardedPolicyResource``: one CloudFormation request in, one truthful :class:`Outcome` out; never raises.

Create and Update are :class:`~guard_handler.apply.Applier`'s, Delete is
:class:`~guard_handler.removal.Remover`'s. This class fixes the invocation's one deadline
(``start + context.get_remaining_time_in_millis() / 1000``), builds the writer that checks it before
every write, records the final answer in the :class:`~guard_handler.latch.AnswerLatch` and turns every
failure into a FAILED outcome with a short reason (see :func:`~guard_handler.outcome.failure_reason`).

Upgrade note: resources created by versions without ownership tags own nothing on the repository.
Their next Create/Update records the ownership; a Delete before that leaves the policy in place (and
says so in the log) instead of removing a policy nothing proves is theirs.

Examples
--------
>>> import time
>>> from guard_handler.log import LogContext
>>> class NoAws:  # this example fails before any AWS call: the properties are bad
...     client = None
>>> resource = GuardedPolicyResource(policies=NoAws(), stacks=None, clock=time.monotonic, sleep=time.sleep,
...                                  log_context=LogContext())
>>> class Context:
...     aws_request_id = "req-1"
...     invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:guard"
...     def get_remaining_time_in_millis(self):
...         return 60_000
>>> event = {"RequestType": "Create", "RequestId": "r-1", "LogicalResourceId": "Guard",
...          "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
...          "ResourceProperties": {"RepositoryName": "App"}}
>>> outcome = resource.handle(event, Context())
>>> outcome.status, outcome.physical_id
('FAILED', 'ecr-lifecycle-guard:failed-create:r-1')
>>> outcome.reason[:54]
'RepositoryName: must be an ECR repository name (2-256 '
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ecr_lifecycle_guard.aws_errors import as_call_error
from ecr_lifecycle_guard.contract import failed_create_marker, region_of_arn
from ecr_lifecycle_guard.ecr_preview import DEFAULT_POLL_INTERVAL, run_preview
from ecr_lifecycle_guard.errors import GuardError
from guard_handler.apply import Applier, PreviewRunner
from guard_handler.budget import Deadline, TimeBudget
from guard_handler.in_use import InUseDiscovery
from guard_handler.invocation import Invocation
from guard_handler.latch import AnswerLatch
from guard_handler.log import LogContext
from guard_handler.outcome import Outcome, failure_reason
from guard_handler.properties import account_of_arn, partition_of_arn
from guard_handler.removal import Remover
from guard_handler.service import EcrPolicies, function_region
from guard_handler.stack_status import StackStatus
from guard_handler.writes import Writer

__all__ = ["GuardedPolicyResource", "LambdaContext"]

logger = logging.getLogger(__name__)


class LambdaContext(Protocol):
    """What the handler reads of the Lambda context object."""

    aws_request_id: str
    invoked_function_arn: str

    def get_remaining_time_in_millis(self) -> int: ...


class GuardedPolicyResource:
    """The custom resource's logic, with every dependency injected.

    Parameters
    ----------
    policies
        The repository's lifecycle policy and ownership tags (ECR); its ``client`` also runs the preview.
    stacks
        The stack's status (rollback detection on Update, and on the Delete of a renamed guard).
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production.
    log_context
        Receives the ``repository`` and ``phase`` fields of the log lines.
    latch
        Shared with the timeout answer (``BoundedCfnResource``); reset by the caller per invocation.
    budget
        How the end of the invocation is shared between writes, the timeout answer and the sender.
    preview
        The preview runner (:func:`~ecr_lifecycle_guard.ecr_preview.run_preview`).
    discovery
        Starts in-use discovery (default: the real one, with boto3).
    poll_interval
        Seconds between preview polls.
    """

    def __init__(
        self,
        *,
        policies: EcrPolicies,
        stacks: StackStatus | None,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        log_context: LogContext,
        latch: AnswerLatch | None = None,
        budget: TimeBudget | None = None,
        preview: PreviewRunner = run_preview,
        discovery: InUseDiscovery | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._log = log_context
        self.latch = latch or AnswerLatch()
        self._budget = budget or TimeBudget()
        self._applier = Applier(
            policies=policies,
            stacks=stacks,  # type: ignore[arg-type]  # None only where no Create/Update is handled
            preview=preview,
            discovery=discovery or InUseDiscovery(clock=clock, sleep=sleep),
            clock=clock,
            sleep=sleep,
            log_context=log_context,
            poll_interval=poll_interval,
        )
        self._remover = Remover(policies=policies, stacks=stacks, log_context=log_context)

    def handle(self, event: Mapping[str, Any], context: LambdaContext) -> Outcome:
        """Process one (well-formed) CloudFormation event; never raises.

        A failed Create answers with the failed-create marker as physical id; a failed Update or
        Delete keeps the event's physical id.
        """
        invocation = self._invocation(event, context)
        try:
            if event["RequestType"] == "Delete":
                outcome = self._remover.delete(event, invocation)
            else:
                outcome = self._applier.apply(event, invocation)
        except Exception as error:
            reason = failure_reason(
                error,
                repository=self._log.fields().get("repository"),
                request_id=invocation.request_id,
                notes=invocation.notes,
            )
            self._log_failure(error, reason)
            failed_id = event.get("PhysicalResourceId") or failed_create_marker(str(event["RequestId"]))
            outcome = Outcome("FAILED", str(failed_id), reason)
        self.latch.record(outcome)
        return outcome

    def _invocation(self, event: Mapping[str, Any], context: LambdaContext) -> Invocation:
        started = self._clock()
        deadline = Deadline(
            clock=self._clock, at=started + context.get_remaining_time_in_millis() / 1000, budget=self._budget
        )
        function_arn = str(getattr(context, "invoked_function_arn", ""))
        return Invocation(
            request_id=str(getattr(context, "aws_request_id", "")),
            account=account_of_arn(function_arn),
            partition=partition_of_arn(function_arn),
            region=function_region() or region_of_arn(function_arn),
            stack_id=str(event.get("StackId", "")),
            logical_id=str(event.get("LogicalResourceId", "")),
            deadline=deadline,
            writer=Writer(latch=self.latch, deadline=deadline, sleep=self._sleep),
        )

    def _log_failure(self, error: Exception, reason: str) -> None:
        if isinstance(error, GuardError) or as_call_error(error) is not None:
            logger.error("request failed: %s", error, extra={"details": {"reason": reason}})
        else:
            logger.exception("request failed", extra={"details": {"reason": reason}})
