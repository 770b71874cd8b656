"""Deliver the custom resource's response to CloudFormation's pre-signed URL, reliably but boundedly.

crhelper's own sender treats an HTTP 500 as delivered and otherwise retries forever. Here connection
errors and HTTP 5xx are retried with back-off until a deadline before the Lambda's end; a 4xx is final.
:class:`BoundedCfnResource` plugs this sender into crhelper and answers with a marker physical id
when crhelper itself fails a Create (so the rollback Delete that follows knows there is nothing to delete).

Examples
--------
>>> import time
>>> sender = ResponseSender(clock=time.monotonic, sleep=time.sleep)
>>> sender.send("https://cloudformation-custom-resource-response.example/...", {"Status": "SUCCESS"},
...             deadline=time.monotonic() + 5)  # doctest: +SKIP
True
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from crhelper import CfnResource

from ecr_lifecycle_guard.gate import REASON_MAX_LENGTH
from guard_handler.properties import failed_create_marker

__all__ = [
    "SEND_MARGIN_SECONDS",
    "TIMEOUT_MARGIN_SECONDS",
    "BoundedCfnResource",
    "Connect",
    "ResponseSender",
    "https_connect",
]

logger = logging.getLogger(__name__)

#: Stop sending this long before the Lambda's deadline.
SEND_MARGIN_SECONDS = 1.0
#: crhelper's timeout answers FAILED this long before the Lambda's deadline (leaves the sender ~3 s).
TIMEOUT_MARGIN_SECONDS = 4.0
_FIRST_BACKOFF = 0.2
_MAX_BACKOFF = 2.0
_MAX_ATTEMPT_SECONDS = 10.0


class _Response(Protocol):
    status: int

    def read(self) -> bytes: ...


class _Connection(Protocol):
    def request(self, method: str, url: str, body: bytes, headers: Mapping[str, str]) -> None: ...

    def getresponse(self) -> _Response: ...

    def close(self) -> None: ...


#: Open a connection to ``host`` (``host[:port]``) with a timeout in seconds.
Connect = Callable[[str, float], _Connection]


def https_connect(host: str, timeout: float) -> _Connection:
    """An HTTPS connection verified against the default trust store (``SSL_CERT_FILE`` is honoured)."""
    return http.client.HTTPSConnection(host, timeout=timeout, context=ssl.create_default_context())


class ResponseSender:
    """PUT a JSON body to a pre-signed URL; retry connection errors and HTTP 5xx until a deadline.

    Parameters
    ----------
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production.
    connect
        Opens the connection; :func:`https_connect` by default.
    """

    def __init__(
        self, *, clock: Callable[[], float], sleep: Callable[[float], None], connect: Connect = https_connect
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._connect = connect

    def send(self, url: str, body: Mapping[str, Any], *, deadline: float) -> bool:
        """Deliver ``body``; return whether CloudFormation accepted it. Never logs ``url``.

        Examples
        --------
        >>> ResponseSender(clock=lambda: 0.0, sleep=lambda s: None).send("https://h/p", {}, deadline=0.0)
        False
        """
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        data = json.dumps(body).encode()
        headers = {"content-type": "", "content-length": str(len(data))}
        backoff = _FIRST_BACKOFF
        attempt = 0
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                break
            attempt += 1
            status = self._attempt(parts.netloc, target, data, headers, min(remaining, _MAX_ATTEMPT_SECONDS))
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

    def _attempt(self, host: str, target: str, data: bytes, headers: Mapping[str, str], timeout: float) -> int | None:
        """One PUT: the HTTP status, or ``None`` after a connection error (logged without the URL)."""
        connection = self._connect(host, timeout)
        try:
            connection.request("PUT", target, data, headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            logger.warning("sending the response failed; retrying", extra={"details": {"error": type(error).__name__}})
            return None
        finally:
            connection.close()
        if response.status >= 500:
            logger.warning(
                "response URL answered with a server error; retrying",
                extra={"details": {"http_status": response.status}},
            )
        return response.status


class BoundedCfnResource(CfnResource):
    """crhelper's ``CfnResource`` with the bounded sender, one response per request and an earlier timeout.

    - Every response goes through :class:`ResponseSender`, at most once per request (crhelper's timeout
      timer and the handler's own answer cannot both be sent).
    - crhelper's timeout fires ``timeout_margin`` seconds before the Lambda deadline (at most half the
      time left; crhelper's own 0.5 s is too late for any retry), so even a hung call is answered.
    - A response without a physical id (crhelper's own failure paths) keeps the event's id, and a failed
      Create answers with the failed-create marker, never with crhelper's random id (crhelper issue #7).
    - The reason is cut to :data:`~ecr_lifecycle_guard.gate.REASON_MAX_LENGTH` characters.

    Parameters
    ----------
    sender
        Delivers the response.
    clock
        The clock the sender's deadline is computed on.
    timeout_margin
        How long before the Lambda deadline to answer FAILED if the handler is still running.
    **kwargs
        Passed to ``CfnResource`` (``log_level``, ``sleep_on_delete``, ...).
    """

    def __init__(
        self,
        *,
        sender: ResponseSender,
        clock: Callable[[], float],
        timeout_margin: float = TIMEOUT_MARGIN_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._sender = sender
        self._clock = clock
        self._timeout_margin = timeout_margin
        self._response_lock = threading.Lock()
        self._responded = False

    def __call__(self, event: Mapping[str, Any], context: Any) -> None:
        self._responded = False
        super().__call__(event, context)

    def reject(self, event: Mapping[str, Any], context: Any, reason: str) -> None:
        """Answer FAILED to an event crhelper cannot process (missing or unknown fields)."""
        self._responded = False
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

    def _on_timeout(self) -> None:
        logger.error("the Lambda is about to time out; answering FAILED")
        self._send("FAILED", f"the handler ran out of time; details in log, request {self._context.aws_request_id}")

    def _send(self, status: str | None = None, reason: str = "", send_response: object = None) -> None:
        """Replace crhelper's sender (same signature; ``send_response`` is ignored)."""
        with self._response_lock:
            if self._responded:
                logger.warning("a response was already sent for this request; not sending another")
                return
            self._responded = True
        text = str(reason if status else self.Reason)
        body = {
            "Status": status or self.Status,
            "Reason": text if len(text) <= REASON_MAX_LENGTH else text[: REASON_MAX_LENGTH - 3] + "...",
            "PhysicalResourceId": str(self.PhysicalResourceId or self._fallback_physical_id()),
            "StackId": self.StackId,
            "RequestId": self.RequestId,
            "LogicalResourceId": self.LogicalResourceId,
            "Data": self.Data,
            "NoEcho": self.NoEcho,
        }
        if not self._response_url:
            logger.error("the event has no ResponseURL; no response can be sent")
            return
        remaining = self._context.get_remaining_time_in_millis() / 1000.0 if self._context else 0.0
        self._sender.send(self._response_url, body, deadline=self._clock() + remaining - SEND_MARGIN_SECONDS)

    def _fallback_physical_id(self) -> str:
        return str(self._event.get("PhysicalResourceId") or failed_create_marker(str(self.RequestId)))
