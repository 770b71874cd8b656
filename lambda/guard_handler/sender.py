"""Deliver the custom resource's response to CloudFormation's pre-signed URL, reliably but boundedly.

crhelper's own sender treats an HTTP 500 as delivered and otherwise retries forever. Here connection
errors and HTTP 5xx are retried with back-off until a total deadline before the Lambda's end; a 4xx is
final; every attempt is bounded as a whole (:func:`~guard_handler.transport.put_status`), so a response
URL that drips its answer cannot keep the sender past the deadline.

:class:`BoundedCfnResource` plugs this sender into crhelper. Its timeout answer and the handler's main
thread share an :class:`~guard_handler.latch.AnswerLatch`: exactly one of them answers, no write starts
after the timeout answer is claimed, a write in flight is waited for, and the timeout answer says what
is true of the live state (SUCCESS when the policy write landed, never FAILED over it).

Examples
--------
>>> sender = ResponseSender(clock=lambda: 0.0, sleep=lambda s: None, transport=lambda *a, **k: 200)
>>> sender.send("https://cloudformation-custom-resource-response.example/k?X-Amz-Signature=s",
...             {"Status": "SUCCESS"}, deadline=5.0)
True
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from crhelper import CfnResource

from ecr_lifecycle_guard.contract import failed_create_marker
from ecr_lifecycle_guard.gate import REASON_MAX_LENGTH
from guard_handler.budget import TimeBudget
from guard_handler.latch import AnswerLatch
from guard_handler.transport import put_status

__all__ = ["SEND_MARGIN_SECONDS", "TIMEOUT_MARGIN_SECONDS", "BoundedCfnResource", "ResponseSender", "Transport"]

logger = logging.getLogger(__name__)

#: Stop sending this long before the Lambda's deadline.
SEND_MARGIN_SECONDS: Final = 1.0
#: crhelper's timeout answers this long before the Lambda's deadline: one write in flight, then the send.
TIMEOUT_MARGIN_SECONDS: Final = TimeBudget().timer_margin
_FIRST_BACKOFF: Final = 0.2
_MAX_BACKOFF: Final = 2.0
_MAX_ATTEMPT_SECONDS: Final = 10.0


class Transport(Protocol):
    """:func:`~guard_handler.transport.put_status`'s signature (injectable for tests)."""

    def __call__(
        self, host: str, port: int, host_header: str, target: str, body: bytes, *, deadline: float,
        clock: Callable[[], float],
    ) -> int: ...  # fmt: skip


class ResponseSender:
    """PUT a JSON body to a pre-signed URL; retry connection errors and HTTP 5xx until a total deadline.

    Parameters
    ----------
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production.
    transport
        One bounded PUT; :func:`~guard_handler.transport.put_status` by default.
    """

    def __init__(
        self, *, clock: Callable[[], float], sleep: Callable[[float], None], transport: Transport = put_status
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._transport = transport

    def send(self, url: str, body: Mapping[str, Any], *, deadline: float) -> bool:
        """Deliver ``body``; return whether CloudFormation accepted it. Never logs ``url``.

        Examples
        --------
        >>> ResponseSender(clock=lambda: 0.0, sleep=lambda s: None).send("https://h/p", {}, deadline=0.0)
        False
        """
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        data = json.dumps(body).encode()
        backoff = _FIRST_BACKOFF
        attempt = 0
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                break
            attempt += 1
            attempt_deadline = self._clock() + min(remaining, _MAX_ATTEMPT_SECONDS)
            host, port = parts.hostname or "", parts.port or 443
            status = self._attempt(host, port, parts.netloc, target, data, attempt_deadline)
            if status is not None and status < 500:
                if 200 <= status < 300:
                    logger.info("response delivered to CloudFormation", extra={"details": {"http_status": status}})
                    return True
                logger.error(
                    "the response URL refused the response; not retried", extra={"details": {"http_status": status}}
                )
                return False
            if self._clock() + backoff > deadline:
                break
            self._sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF)
        logger.error(
            "gave up sending the response before the Lambda deadline", extra={"details": {"attempts": attempt}}
        )
        return False

    def _attempt(self, host: str, port: int, netloc: str, target: str, data: bytes, deadline: float) -> int | None:
        """One PUT: the HTTP status, or ``None`` after a connection error (logged without the URL)."""
        try:
            status = self._transport(host, port, netloc, target, data, deadline=deadline, clock=self._clock)
        except (OSError, http.client.HTTPException) as error:
            logger.warning("sending the response failed; retrying", extra={"details": {"error": type(error).__name__}})
            return None
        if status >= 500:
            logger.warning(
                "response URL answered with a server error; retrying", extra={"details": {"http_status": status}}
            )
        return status


class BoundedCfnResource(CfnResource):
    """crhelper's ``CfnResource`` with the bounded sender, one truthful answer per request and an earlier timeout.

    - Every response goes through :class:`ResponseSender`, once per request: the main thread and the
      timeout path take the answer through the shared :class:`~guard_handler.latch.AnswerLatch`.
    - crhelper's timeout fires ``timeout_margin`` seconds before the Lambda deadline (at most half the
      time left): it claims the answer (no write starts any more), waits for a write sequence in flight
      until ``send_reserve`` seconds are left, then answers what the resource recorded as true —
      FAILED ("ran out of time") when nothing changed, the recorded answer otherwise.
    - The main thread does not return before the timeout path has sent its answer (Lambda freezes the
      sandbox when the handler returns).
    - A response without a physical id keeps the event's id, and a failed Create answers with the
      failed-create marker, never with crhelper's random id (crhelper issue #7).
    - The reason is cut to :data:`~ecr_lifecycle_guard.gate.REASON_MAX_LENGTH` characters.

    Parameters
    ----------
    sender
        Delivers the response.
    clock
        The clock the sender's deadline is computed on.
    latch
        Shared with the resource's writes.
    timeout_margin
        How long before the Lambda deadline the timeout path answers if the handler is still running.
    send_reserve
        How long before the Lambda deadline the timeout path stops waiting for a write in flight.
    **kwargs
        Passed to ``CfnResource`` (``log_level``, ``sleep_on_delete``, ...).
    """

    def __init__(
        self,
        *,
        sender: ResponseSender,
        clock: Callable[[], float],
        latch: AnswerLatch | None = None,
        timeout_margin: float = TIMEOUT_MARGIN_SECONDS,
        send_reserve: float = TimeBudget().send,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._sender = sender
        self._clock = clock
        self.latch = latch or AnswerLatch()
        self._timeout_margin = timeout_margin
        self._send_reserve = send_reserve

    def __call__(self, event: Mapping[str, Any], context: Any) -> None:
        self.latch.reset()
        try:
            super().__call__(event, context)
        finally:
            self._await_timeout_answer()

    def reject(self, event: Mapping[str, Any], context: Any, reason: str) -> None:
        """Answer FAILED to an event crhelper cannot process (missing or unknown fields)."""
        self.latch.reset()
        self._event = dict(event)
        self._context = context
        self._response_url = str(event.get("ResponseURL", ""))
        self.StackId = event.get("StackId", "")
        self.RequestId = event.get("RequestId", "")
        self.LogicalResourceId = event.get("LogicalResourceId", "")
        self.PhysicalResourceId = ""
        self.Data = {}
        self._send("FAILED", reason)

    def generate_physical_id(self, event: Mapping[str, Any]) -> str:
        """crhelper asks for an id only when a Create returned none, i.e. failed: the marker."""
        return failed_create_marker(str(event.get("RequestId", "")))

    def _set_timeout(self) -> None:
        remaining = max(self._context.get_remaining_time_in_millis() / 1000.0, 0.0)
        self._timer = threading.Timer(remaining - min(self._timeout_margin, remaining / 2), self._on_timeout)
        self._timer.daemon = True
        self._timer.start()

    def _await_timeout_answer(self) -> None:
        timer = self._timer
        if timer is not None and timer is not threading.current_thread() and self._context is not None:
            timer.join(max(self._context.get_remaining_time_in_millis() / 1000.0, 0.0))

    def _on_timeout(self) -> None:
        remaining = self._context.get_remaining_time_in_millis() / 1000.0
        claim = self.latch.claim_answer(timeout=remaining - self._send_reserve)
        if claim.already_answered:
            return
        if not claim.settled:
            logger.error("a write was still in flight when the answer had to go: its outcome is unknown")
        truth = claim.truth
        if truth is None:
            logger.error("the Lambda is about to time out; answering FAILED (nothing was changed)")
            request = self._context.aws_request_id
            self._deliver("FAILED", f"the handler ran out of time; details in log, request {request}", "", {})
            return
        if truth.status == "SUCCESS":
            logger.error("the Lambda is about to time out after the change was made: answering what is live (SUCCESS)")
        self._deliver(truth.status, truth.reason, truth.physical_id, truth.data)

    def _send(self, status: str | None = None, reason: str = "", send_response: object = None) -> None:
        """Replace crhelper's sender (same signature; ``send_response`` is ignored)."""
        if not self.latch.answer():
            logger.warning("the timeout path has the answer for this request; the main thread sends nothing")
            return
        text = str(reason if status else self.Reason)
        self._deliver(str(status or self.Status), text, str(self.PhysicalResourceId or ""), dict(self.Data or {}))

    def _deliver(self, status: str, reason: str, physical_id: str, data: Mapping[str, Any]) -> None:
        body = {
            "Status": status,
            "Reason": reason if len(reason) <= REASON_MAX_LENGTH else reason[: REASON_MAX_LENGTH - 3] + "...",
            "PhysicalResourceId": physical_id or self._fallback_physical_id(),
            "StackId": self.StackId,
            "RequestId": self.RequestId,
            "LogicalResourceId": self.LogicalResourceId,
            "Data": dict(data),
            "NoEcho": self.NoEcho,
        }
        if not self._response_url:
            logger.error("the event has no ResponseURL; no response can be sent")
            return
        remaining = self._context.get_remaining_time_in_millis() / 1000.0 if self._context else 0.0
        self._sender.send(self._response_url, body, deadline=self._clock() + remaining - SEND_MARGIN_SECONDS)

    def _fallback_physical_id(self) -> str:
        return str(self._event.get("PhysicalResourceId") or failed_create_marker(str(self.RequestId)))
