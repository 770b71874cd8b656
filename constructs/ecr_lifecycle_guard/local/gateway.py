"""The stand-in's front door: WSGI middleware in front of moto for every service.

For each request :class:`FaultInjectingApp`

1. names it (:func:`~ecr_lifecycle_guard.local.wire.identify`) and records it (:class:`RecordedCall`);
2. refuses it with the service's throttling error when its rate-limit bucket is empty
   (:mod:`~ecr_lifecycle_guard.local.rate_limits`; recorded ``throttled=True``, ``fault="rate-limit"``);
3. applies the first injected fault that matches (:class:`~ecr_lifecycle_guard.local.faults.Faults`);
4. otherwise lets moto answer it.

moto applies requests one at a time, under the stand-in's state lock (moto's backends are plain dicts and
lists, not built for concurrent writers; the stand-in's seeding takes the same lock). Waiting — delays,
hangs — happens outside the lock, so a slow call never holds up the others; the werkzeug server answers
each connection on its own thread. :meth:`FaultInjectingApp.stop` ends every wait at once.

Calls the stand-in makes for its own helpers carry the :data:`SETUP_HEADER`: recorded, never limited or faulted.

Examples
--------
>>> import threading
>>> from ecr_lifecycle_guard.local.models import PreviewBackend
>>> def moto(environ, start_response):
...     start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1")])
...     return [b"{}"]
>>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=print)
>>> app = FaultInjectingApp(moto, faults, state_lock=threading.RLock())
>>> faults.deny("ecs:ListServices")
>>> environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/", "HTTP_X_AMZ_TARGET": "AmazonEC2ContainerServiceV20141113."
...            "ListServices", "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ecs/"
...            "aws4_request", "CONTENT_LENGTH": "2", "wsgi.input": io.BytesIO(b"{}")}
>>> body = app(environ, lambda status, headers: print(status))
400 Bad Request
>>> [(call.action, call.fault, call.status) for call in faults.calls()]
[('ecs:ListServices', 'deny', 400)]
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, NoReturn

from moto.core.models import DEFAULT_ACCOUNT_ID

from ecr_lifecycle_guard.local.faults import DEFAULT_PRINCIPAL, CallFault, Fault, Faults, RecordedCall
from ecr_lifecycle_guard.local.rate_limits import Rate, RateLimiter
from ecr_lifecycle_guard.local.wire import (
    AwsRequest,
    access_denied_error,
    error_response,
    identify,
    throttling_error,
)

__all__ = ["SETUP_HEADER", "FaultInjectingApp"]

_Environ = dict[str, Any]
_StartResponse = Callable[..., Any]
_WsgiApp = Callable[[_Environ, _StartResponse], Iterable[bytes]]
_Answer = tuple[str, list[tuple[str, str]], bytes]

#: Header marking the stand-in's own set-up calls (``create_repository``, ``create_stack``).
SETUP_HEADER: Final = "x-ecr-stand-in-setup"
_RATE_EXCEEDED: Final = "Rate exceeded"


class FaultInjectingApp:
    """WSGI middleware in front of moto's application: records calls, limits rates, injects faults.

    Parameters
    ----------
    app
        moto's WSGI application (``DomainDispatcherApplication``).
    faults
        Where calls are recorded and injected faults are taken from.
    state_lock
        Held while moto applies a request (and by anything else touching moto's state).
    """

    def __init__(self, app: _WsgiApp, faults: Faults, *, state_lock: threading.RLock) -> None:
        self._app = app
        self._faults = faults
        self._lock = state_lock
        self._limiter: RateLimiter | None = None
        self._stopping = threading.Event()

    def set_rate_limits(self, limits: Mapping[str, Rate] | None) -> None:
        """Enforce ``limits`` from now on, with full buckets (None: no rate limits)."""
        self._limiter = None if limits is None else RateLimiter(limits)

    def stop(self) -> None:
        """End every delay and hang now (the server is shutting down)."""
        self._stopping.set()

    def __call__(self, environ: _Environ, start_response: _StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        request = identify(environ, body)
        if request is None:  # moto's own API (/moto-api) and other non-AWS requests
            return _send(start_response, self._apply(environ))
        with self._lock:
            account = _account(request)
        call = RecordedCall(
            operation=request.operation,
            params=request.params,
            service=request.service,
            region=request.region,
            account=account,
            received_at=time.time(),
            setup=request.headers.get(SETUP_HEADER) == "1",
        )
        index = self._faults.record(call)
        if call.setup:
            return self._answer(index, start_response, self._apply(environ, index))
        limiter = self._limiter
        if limiter is not None and not limiter.take(account, request.region, request.action):
            code, status = throttling_error(request)
            self._faults.update(index, throttled=True, fault="rate-limit")
            return self._answer(index, start_response, error_response(request, code, _RATE_EXCEEDED, status))
        fault = self._faults.take(request)
        if fault is None:
            return self._answer(index, start_response, self._apply(environ, index))
        return self._inject(fault, request, environ, index, start_response)

    def _inject(
        self, fault: Fault, request: AwsRequest, environ: _Environ, index: int, start_response: _StartResponse
    ) -> Iterable[bytes]:
        kind: CallFault = fault.kind
        self._faults.update(index, fault=kind, throttled=kind == "throttle")
        if kind == "hang":
            self._stopping.wait(fault.seconds)
            _drop(environ)
        if kind == "delay":
            if fault.apply == "before":
                self._stopping.wait(fault.seconds)
            answer = self._apply(environ, index)
            if fault.apply == "after":
                self._stopping.wait(fault.seconds)
            return self._answer(index, start_response, answer)
        if kind == "throttle":
            code, status = throttling_error(request)
            return self._answer(index, start_response, error_response(request, code, _RATE_EXCEEDED, status))
        if kind == "deny":
            code, status = access_denied_error(request)
            call = self._faults.calls()[index]
            return self._answer(index, start_response, error_response(request, code, _denial(fault, call), status))
        if fault.apply == "before":  # fail, after moto applied it
            self._apply(environ, index)
        return self._answer(index, start_response, error_response(request, fault.code, fault.message, fault.status))

    def _apply(self, environ: _Environ, index: int | None = None) -> _Answer:
        """Let moto answer the request (under the state lock); the whole answer, buffered."""
        captured: list[Any] = []
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured[:] = [status, headers]
            return chunks.append

        with self._lock:
            iterable = self._app(environ, capture)
            try:
                chunks.extend(iterable)
            finally:
                close = getattr(iterable, "close", None)
                if close is not None:
                    close()
        if index is not None:
            self._faults.update(index, applied_at=time.time())
        return str(captured[0]), list(captured[1]), b"".join(chunks)

    def _answer(self, index: int, start_response: _StartResponse, answer: _Answer) -> list[bytes]:
        self._faults.update(index, status=int(answer[0].split()[0]), answered_at=time.time())
        return _send(start_response, answer)


def _send(start_response: _StartResponse, answer: _Answer) -> list[bytes]:
    status, headers, body = answer
    start_response(status, headers)
    return [body]


def _drop(environ: _Environ) -> NoReturn:
    """Close the client's connection without an answer (werkzeug treats this as a dropped connection)."""
    connection = environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("the stand-in's hang fault dropped the connection")


def _account(request: AwsRequest) -> str:
    """The account moto attributes the request to (header, ``MOTO_ACCOUNT_ID``, then the access key)."""
    explicit = request.headers.get("x-moto-account-id") or os.environ.get("MOTO_ACCOUNT_ID")
    if explicit:
        return explicit
    if not request.access_key:
        return DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    return get_account_id_from(request.access_key)


def _denial(fault: Fault, call: RecordedCall) -> str:
    principal = fault.principal or DEFAULT_PRINCIPAL.format(account=call.account)
    resource = fault.resource or _resource(call)
    return (
        f"User: {principal} is not authorized to perform: {call.action} on resource: {resource} "
        f"because no identity-based policy allows the {call.action} action"
    )


def _resource(call: RecordedCall) -> str:
    """The resource IAM would name: an ARN parameter, the ECR repository, the Lambda function, else ``*``."""
    for value in call.params.values():
        if isinstance(value, str) and value.startswith("arn:"):
            return value
    partition_region_account = f"arn:aws:{call.service}:{call.region}:{call.params.get('registryId') or call.account}"
    if call.service == "ecr" and call.params.get("repositoryName"):
        return f"{partition_region_account}:repository/{call.params['repositoryName']}"
    if call.service == "lambda" and call.params.get("FunctionName"):
        return f"{partition_region_account}:function:{call.params['FunctionName']}"
    return "*"
