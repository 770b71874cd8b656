"""``ResponseReceiver``: a local HTTPS stand-in for CloudFormation's pre-signed response URL.

It serves HTTPS on 127.0.0.1 with a throw-away CA (trust it through ``SSL_CERT_FILE``), hands out
URLs shaped like CloudFormation's (an S3 pre-signed URL with a fake ``X-Amz-Signature``), records the
JSON body of each PUT per key and can fail the next PUTs: an HTTP status (e.g. 500), a dropped
connection, no answer at all until the client gives up, or ``drip``: the PUT is delivered and answered
``200``, then the answer's body trickles in a byte at a time and never ends (a sender bounded only per
socket read never finishes).

Examples
--------
>>> import ssl, urllib.request
>>> with ResponseReceiver() as rx:
...     url = rx.url_for("request-1")  # the event's ResponseURL
...     trusted = ssl.create_default_context(cafile=str(rx.ca_file))  # the handler uses SSL_CERT_FILE
...     put = urllib.request.Request(url, data=b'{"Status": "SUCCESS"}', method="PUT")
...     _ = urllib.request.urlopen(put, context=trusted, timeout=5)
...     rx.wait_for("request-1", timeout=5)["Status"]
'SUCCESS'
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ecr_lifecycle_guard.local.certs import ThrowawayCA

__all__ = ["FailMode", "ResponseReceiver"]

#: How to fail a PUT: answer this HTTP status, close the connection without an answer, never answer, or
#: deliver it and answer 200 with a body that drips forever.
FailMode = int | Literal["drop", "hang", "drip"]
#: Seconds between two bytes of a dripping answer.
DRIP_INTERVAL: Final = 0.2
_CREDENTIAL: Final = "AKIAIOSFODNN7EXAMPLE%2F20261127%2Fus-east-1%2Fs3%2Faws4_request"
#: How often the serving thread checks for shutdown (seconds).
_POLL_SECONDS: Final = 0.02


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: ResponseReceiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up (timeouts, TLS failures) are expected here: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_PUT(self) -> None:
        receiver = self.server.receiver
        parts = urlsplit(self.path)
        key = unquote(parts.path.lstrip("/"))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = receiver._attempt(key)
        if mode == "drop":
            self.close_connection = True
            return
        if mode == "hang":
            receiver._stopping.wait()
            return
        if mode == "drip":
            self._drip(receiver, key, body)
            return
        if parse_qs(parts.query).get("X-Amz-Signature") != [receiver.signature]:
            self._answer(403, "SignatureDoesNotMatch")
        elif isinstance(mode, int):
            self._answer(mode, "InternalError")
        else:
            try:
                document = json.loads(body)
            except ValueError:
                self._answer(400, "MalformedJSON")
                return
            receiver._deliver(key, document)
            self._answer(200, "")

    def _drip(self, receiver: ResponseReceiver, key: str, body: bytes) -> None:
        """Deliver the body, answer 200 at once, then send the answer's body a byte per interval until stopped."""
        with contextlib.suppress(ValueError):
            receiver._deliver(key, json.loads(body))
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            while not receiver._stopping.wait(DRIP_INTERVAL):
                self.wfile.write(b"x")
                self.wfile.flush()
        except OSError:
            return  # the client gave up

    def _answer(self, status: int, code: str) -> None:
        payload = f"<Error><Code>{code}</Code></Error>".encode() if code else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log (it would print the pre-signed URL)."""


class ResponseReceiver:
    """HTTPS receiver for custom-resource responses; a context manager.

    Parameters
    ----------
    host
        Interface (an IP address) to listen on; the certificate is issued for it.

    Attributes
    ----------
    signature
        The fake ``X-Amz-Signature`` in every URL (a credential in real life: tests assert it never
        appears in logs). A PUT without it gets 403, like S3.
    """

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self._host = host
        self.signature = secrets.token_hex(32)
        self._ca: ThrowawayCA | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._changed = threading.Condition()
        self._delivered: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._attempts: defaultdict[str, int] = defaultdict(int)
        self._faults: deque[FailMode] = deque()

    def __enter__(self) -> Self:
        self._ca = ThrowawayCA()
        server = _Server((self._host, 0), _Handler)
        server.socket = self._ca.server_context(self._host).wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        server.receiver = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(_POLL_SECONDS,), name="response-receiver", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        if self._ca is not None:
            self._ca.close()

    @property
    def ca_file(self) -> Path:
        """The CA certificate (PEM) to trust, e.g. as ``SSL_CERT_FILE``."""
        if self._ca is None:
            raise RuntimeError("the receiver is not running: use it as a context manager")
        return self._ca.ca_file

    def url_for(self, key: str) -> str:
        """A pre-signed-looking ``https://127.0.0.1:<port>/<key>?...&X-Amz-Signature=...`` URL for ``key``.

        Examples
        --------
        >>> with ResponseReceiver() as rx:
        ...     rx.url_for("request-1")  # doctest: +ELLIPSIS
        'https://127.0.0.1:.../request-1?X-Amz-Algorithm=AWS4-HMAC-SHA256&...&X-Amz-Signature=...'
        """
        if self._server is None:
            raise RuntimeError("the receiver is not running: use it as a context manager")
        query = (
            f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={_CREDENTIAL}&X-Amz-Date=20261127T000000Z"
            f"&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature={self.signature}"
        )
        return f"https://{self._host}:{self._server.server_port}/{quote(key, safe='')}?{query}"

    def fail_next(self, times: int, *, status: FailMode = 500) -> None:
        """Fail the next ``times`` PUTs (any key) with ``status``: an HTTP code, ``"drop"``, ``"hang"`` or ``"drip"``.

        Examples
        --------
        >>> with ResponseReceiver() as rx:
        ...     rx.fail_next(1, status="drop")  # the next PUT's connection is closed unanswered
        """
        with self._changed:
            self._faults.extend([status] * times)

    def clear_faults(self) -> None:
        """Forget the failures :meth:`fail_next` queued that no PUT has used yet.

        Examples
        --------
        >>> with ResponseReceiver() as rx:
        ...     rx.fail_next(1000, status=503)
        ...     rx.clear_faults()
        """
        with self._changed:
            self._faults.clear()

    def responses(self, key: str) -> list[dict[str, Any]]:
        """The JSON bodies delivered (answered 200) for ``key``, oldest first."""
        with self._changed:
            return list(self._delivered[key])

    def attempts(self, key: str) -> int:
        """How many PUTs arrived for ``key``, failed ones included."""
        with self._changed:
            return self._attempts[key]

    def wait_for(self, key: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait until a response for ``key`` is delivered and return the first one.

        Raises
        ------
        TimeoutError
            When nothing was delivered within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._delivered[key]:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no response for {key!r} within {timeout} s ({self._attempts[key]} attempts)")
                self._changed.wait(remaining)
            return self._delivered[key][0]

    def _attempt(self, key: str) -> FailMode | None:
        with self._changed:
            self._attempts[key] += 1
            return self._faults.popleft() if self._faults else None

    def _deliver(self, key: str, document: dict[str, Any]) -> None:
        with self._changed:
            self._delivered[key].append(document)
            self._changed.notify_all()
