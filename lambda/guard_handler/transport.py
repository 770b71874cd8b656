"""One HTTPS PUT bounded by a total deadline, not by each socket read.

``http.client`` applies its timeout to every socket operation: a response URL that drips its answer a
byte at a time keeps it reading forever. :func:`put_status` sets the socket's timeout from the time
left before *every* operation (connect, TLS handshake, send, each read), reads only the status line
(the answer is the status; the body does not matter) and gives up with :class:`TimeoutError` once the
deadline has passed.

Examples
--------
>>> class DripSocket:  # answers one byte per read; each read takes 0.4 s
...     def __init__(self, now):
...         self.now, self.data = now, iter(b"HTTP/1.1 200 OK\\r\\n")
...     def settimeout(self, seconds):
...         pass
...     def sendall(self, data):
...         pass
...     def recv(self, size):
...         self.now[0] += 0.4
...         return bytes([next(self.data)])
...     def close(self):
...         pass
>>> now = [0.0]
>>> put_status("h", 443, "h", "/k", b"{}", deadline=10.0, clock=lambda: now[0], connect=lambda h, p, t: DripSocket(now))
200
>>> now = [0.0]
>>> put_status("h", 443, "h", "/k", b"{}", deadline=2.0, clock=lambda: now[0], connect=lambda h, p, t: DripSocket(now))
Traceback (most recent call last):
...
TimeoutError: no complete answer before the deadline
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable
from typing import Final, Protocol

__all__ = ["Connect", "Socket", "put_status", "tls_connect"]

_CHUNK: Final = 1024
_MAX_STATUS_LINE: Final = 8192


class Socket(Protocol):
    """The socket operations :func:`put_status` uses."""

    def settimeout(self, value: float | None, /) -> None: ...

    def sendall(self, data: bytes, /) -> None: ...

    def recv(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


#: Open a connected (TLS) socket to ``(host, port)`` within ``timeout`` seconds.
Connect = Callable[[str, int, float], Socket]


def tls_connect(host: str, port: int, timeout: float) -> Socket:
    """A TLS connection verified against the default trust store (``SSL_CERT_FILE`` is honoured).

    CPython bounds the whole TLS handshake by the socket's timeout (one deadline for all its reads).
    """
    raw = socket.create_connection((host, port), timeout=timeout)
    try:
        return ssl.create_default_context().wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise


def put_status(
    host: str,
    port: int,
    host_header: str,
    target: str,
    body: bytes,
    *,
    deadline: float,
    clock: Callable[[], float],
    connect: Connect = tls_connect,
) -> int:
    """PUT ``body`` to ``target`` and return the HTTP status, all before ``deadline`` on ``clock``.

    Raises
    ------
    TimeoutError
        The deadline passed before the status line was complete.
    OSError, http.client.HTTPException
        Connection failures and answers that are not HTTP.
    """
    sock = connect(host, port, _left(deadline, clock))
    try:
        head = (
            f"PUT {target} HTTP/1.1\r\nHost: {host_header}\r\ncontent-type: \r\n"
            f"content-length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        sock.settimeout(_left(deadline, clock))
        sock.sendall(head.encode("utf-8") + body)
        answer = b""
        while b"\r\n" not in answer:
            sock.settimeout(_left(deadline, clock))
            chunk = sock.recv(_CHUNK)
            if not chunk:
                raise http.client.RemoteDisconnected("the response URL closed the connection without an answer")
            answer += chunk
            if len(answer) > _MAX_STATUS_LINE:
                raise http.client.LineTooLong("status line")
        return _status(answer.split(b"\r\n", 1)[0])
    finally:
        sock.close()


def _left(deadline: float, clock: Callable[[], float]) -> float:
    left = deadline - clock()
    if left <= 0:
        raise TimeoutError("no complete answer before the deadline")
    return left


def _status(line: bytes) -> int:
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise http.client.BadStatusLine(line.decode("latin-1")[:80])
    return int(parts[1])
