"""Read the stack's status to tell a rollback from a deploy; throttling is retried well beyond the SDK's attempts.

A rollback must never be gated (the gate would turn it into ``UPDATE_ROLLBACK_FAILED``), so a
throttled ``DescribeStacks`` is retried with back-off until :meth:`Deadline.status_deadline
<guard_handler.budget.Deadline.status_deadline>` (30 s, a third of the time left, and room for the
preview's follow-up writes). Connection errors are retried the same way. Any other error, or a
status still unread at the end, gives an *unknown* status; the handler then applies the gate (an
ungated put during a normal deploy risks a mass expiry, while a rollback that fails is recoverable
with ``continue-update-rollback``) and says so in the failure reason.

Examples
--------
>>> class Throttled(Exception):
...     response = {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}
>>> class Cfn:
...     calls = 0
...     def describe_stacks(self, StackName):
...         self.calls += 1
...         if self.calls < 8:
...             raise Throttled()
...         return {"Stacks": [{"StackStatus": "UPDATE_ROLLBACK_IN_PROGRESS"}]}
>>> now = [0.0]
>>> reader = StackStatus(Cfn(), clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
>>> reading = reader.read("arn:aws:cloudformation:us-east-1:123456789012:stack/s/1", until=30.0)
>>> reading.rolling_back, reading.attempts
(True, 8)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ecr_lifecycle_guard.aws_errors import THROTTLING_CODES, as_call_error, describe_error

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_cloudformation import CloudFormationClient

__all__ = ["RETRIED_CONNECTION_ERRORS", "StackStatus", "StatusReading"]

logger = logging.getLogger(__name__)

#: Connection failures worth another attempt (the request never got an answer).
RETRIED_CONNECTION_ERRORS: Final = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"}
)
_FIRST_BACKOFF: Final = 0.2
_MAX_BACKOFF: Final = 2.0


@dataclass(frozen=True)
class StatusReading:
    """The stack's status, or why it is unknown.

    Examples
    --------
    >>> StatusReading(None, "DescribeStacks failed: AccessDenied: no", 1).known
    False
    """

    status: str | None
    error: str | None
    attempts: int

    @property
    def known(self) -> bool:
        """Whether the status was read."""
        return self.status is not None

    @property
    def rolling_back(self) -> bool:
        """``*ROLLBACK_IN_PROGRESS``: restore the previous policy without the gate."""
        return self.status is not None and self.status.endswith("ROLLBACK_IN_PROGRESS")

    @property
    def reverting(self) -> bool:
        """A rollback, or the cleanup after one: the stack goes back to the resources it had before.

        CloudFormation deletes the resources a failed update created in
        ``UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS`` (or during ``*ROLLBACK_IN_PROGRESS``).

        Examples
        --------
        >>> [StatusReading(s, None, 1).reverting for s in ("UPDATE_ROLLBACK_IN_PROGRESS",
        ...     "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")]
        [True, True, False]
        """
        return self.status is not None and "ROLLBACK" in self.status and self.status.endswith("_IN_PROGRESS")


class StackStatus:
    """``DescribeStacks`` on the event's own stack, retried within a deadline.

    Parameters
    ----------
    client
        A CloudFormation client (one attempt per call; see :data:`guard_handler.service.STATUS_CONFIG`).
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production.
    """

    def __init__(
        self, client: CloudFormationClient | Any, *, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._client = client
        self._clock = clock
        self._sleep = sleep

    def read(self, stack_id: str, *, until: float) -> StatusReading:
        """The status of ``stack_id``; throttling and connection errors are retried until ``until``."""
        backoff = _FIRST_BACKOFF
        attempts = 0
        while True:
            attempts += 1
            try:
                stacks = self._client.describe_stacks(StackName=stack_id)["Stacks"]
            except Exception as error:
                call_error = as_call_error(error, "DescribeStacks")
                text = describe_error(call_error or error)
                retried = call_error is not None and (
                    call_error.code in THROTTLING_CODES or call_error.code in RETRIED_CONNECTION_ERRORS
                )
                if not retried or self._clock() + backoff > until:
                    logger.warning(
                        "the stack status could not be read", extra={"details": {"error": text, "attempts": attempts}}
                    )
                    return StatusReading(None, text, attempts)
                self._sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)
                continue
            if not stacks:
                return StatusReading(None, f"DescribeStacks found no stack {stack_id}", attempts)
            status = str(stacks[0]["StackStatus"])
            if attempts > 1:
                logger.info("stack status read after retries", extra={"details": {"attempts": attempts}})
            return StatusReading(status, None, attempts)
