"""Fault injection and call recording for the stand-in.

:class:`Faults` is what tests use (``stand_in.faults``): throttle an operation, make a repository's
next previews end FAILED / EXPIRED / never, or put a competing preview in progress.
:class:`FaultInjectingApp` wraps moto's WSGI application: it names the operation of every request
(``X-Amz-Target`` for JSON services such as ECR, ``Action`` for query services such as
CloudFormation), records it, and answers throttled calls with AWS's error before moto sees them.

Examples
--------
>>> from ecr_lifecycle_guard.local.models import PreviewBackend
>>> faults = Faults(PreviewBackend(latency=0.0), repository_lookup=lambda name: None)
>>> faults.throttle("GetLifecyclePolicyPreview", times=2)
>>> [faults.take_throttle("GetLifecyclePolicyPreview") for _ in range(3)]
[True, True, False]
"""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs

from ecr_lifecycle_guard.local.models import PreviewBackend, PreviewOutcome

__all__ = ["FaultInjectingApp", "Faults", "RecordedCall"]

_Environ = dict[str, Any]
_StartResponse = Callable[..., Any]
_WsgiApp = Callable[[_Environ, _StartResponse], Iterable[bytes]]

#: AWS's throttling codes: JSON-protocol services (ECR) and query-protocol services (CloudFormation).
_JSON_THROTTLE: Final = "ThrottlingException"
_QUERY_THROTTLE: Final = "Throttling"


@dataclass(frozen=True)
class RecordedCall:
    """One API call the stand-in received.

    Attributes
    ----------
    operation
        The API operation, e.g. ``StartLifecyclePolicyPreview`` or ``DescribeStacks``.
    params
        The request parameters (the JSON body, or the query/form fields with one value each).
    throttled
        Whether the stand-in answered it with a throttling error.
    """

    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    throttled: bool = False


class Faults:
    """Faults to inject into the stand-in's next calls, and the record of the calls it received.

    Parameters
    ----------
    previews
        The stand-in's preview backend (preview outcomes and competing previews go there).
    repository_lookup
        Returns moto's repository object for a repository name (raises if it does not exist).
    """

    def __init__(self, previews: PreviewBackend, *, repository_lookup: Callable[[str], Any]) -> None:
        self._previews = previews
        self._repository = repository_lookup
        self._lock = threading.Lock()
        self._throttles: Counter[str] = Counter()
        self._calls: list[RecordedCall] = []

    def throttle(self, operation: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``operation`` with a throttling error (HTTP 400).

        botocore's retries handle it like a real throttle: ``ThrottlingException`` for ECR,
        ``Throttling`` for CloudFormation.

        Examples
        --------
        >>> stand_in.faults.throttle("StartLifecyclePolicyPreview", times=2)  # doctest: +SKIP
        """
        with self._lock:
            self._throttles[operation] += times

    def preview_status(self, repository: str, status: PreviewOutcome, *, times: int = 1) -> None:
        """Make the next ``times`` previews of ``repository`` end ``FAILED`` / ``EXPIRED``, or never (``NEVER``).

        Each still shows ``IN_PROGRESS`` for the repository's latency first; later previews are normal.

        Examples
        --------
        >>> stand_in.faults.preview_status("app", "EXPIRED")  # doctest: +SKIP
        """
        self._previews.queue_outcomes(repository, status, times)

    def competing_preview(self, repository: str, policy_text: str, *, seconds: float) -> None:
        """Start another deployer's preview of ``policy_text`` now, ``IN_PROGRESS`` for ``seconds``.

        While it runs, StartLifecyclePolicyPreview answers LifecyclePolicyPreviewInProgressException and
        GetLifecyclePolicyPreview reports that preview's policy text; then it completes normally.

        Examples
        --------
        >>> stand_in.faults.competing_preview("app", other_policy_text, seconds=1.0)  # doctest: +SKIP
        """
        self._previews.start(self._repository(repository), policy_text, hold_seconds=seconds)

    def calls(self, operation: str | None = None) -> list[RecordedCall]:
        """The calls received so far, oldest first; only those of ``operation`` when given.

        Examples
        --------
        >>> len(stand_in.faults.calls("StartLifecyclePolicyPreview"))  # doctest: +SKIP
        0
        """
        with self._lock:
            return [call for call in self._calls if operation is None or call.operation == operation]

    def take_throttle(self, operation: str) -> bool:
        """Whether to throttle this call of ``operation`` (consumes one injected throttle)."""
        with self._lock:
            if self._throttles[operation] <= 0:
                return False
            self._throttles[operation] -= 1
            return True

    def record(self, call: RecordedCall) -> None:
        """Add ``call`` to the record."""
        with self._lock:
            self._calls.append(call)


class FaultInjectingApp:
    """WSGI middleware in front of moto's application: records every call and injects throttling.

    Parameters
    ----------
    app
        moto's WSGI application (``DomainDispatcherApplication``).
    faults
        Where calls are recorded and injected throttles are taken from.
    """

    def __init__(self, app: _WsgiApp, faults: Faults) -> None:
        self._app = app
        self._faults = faults

    def __call__(self, environ: _Environ, start_response: _StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            operation, params = target.rpartition(".")[2], _json_params(body)
        else:
            params = _query_params(environ.get("QUERY_STRING", ""), body)
            operation = str(params.get("Action", ""))
        if not operation:  # moto's own API (/moto-api) and other non-AWS requests
            return self._app(environ, start_response)
        throttled = self._faults.take_throttle(operation)
        self._faults.record(RecordedCall(operation=operation, params=params, throttled=throttled))
        if not throttled:
            return self._app(environ, start_response)
        return _throttle_response(start_response, json_protocol=bool(target))


def _json_params(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _query_params(query: str, body: bytes) -> dict[str, Any]:
    fields = parse_qs(query)
    fields.update(parse_qs(body.decode("utf-8", errors="replace")))
    return {key: values[-1] for key, values in fields.items()}


def _throttle_response(start_response: _StartResponse, *, json_protocol: bool) -> list[bytes]:
    if json_protocol:
        body = json.dumps({"__type": _JSON_THROTTLE, "message": "Rate exceeded"}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{_QUERY_THROTTLE}</Code><Message>Rate exceeded</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        ).encode()
        content_type = "text/xml"
    start_response("400 Bad Request", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
