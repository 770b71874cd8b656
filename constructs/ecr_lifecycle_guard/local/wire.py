"""What an AWS request on the wire is, and how AWS words an error, for every protocol botocore speaks.

The stand-in's front door (:mod:`~ecr_lifecycle_guard.local.gateway`) sits in front of moto for every
service, so it must name the operation of any request and answer errors in the shape botocore parses
for that service:

* the service and region come from the SigV4 credential scope (``Credential=AKID/date/region/service/…``);
* JSON services (ECR, ECS) name the operation in ``X-Amz-Target``; query services (CloudFormation, STS,
  IAM) in the ``Action`` field; REST services (Lambda, Batch) by method and path, matched against the
  ``requestUri`` templates of botocore's own service model (``GET /2015-03-31/functions/`` is Lambda's
  ``ListFunctions``);
* :func:`error_response` renders an error as that protocol does (``__type`` in a JSON body,
  ``x-amzn-ErrorType`` for REST-JSON, an ``ErrorResponse`` document for query, ``Response/Errors`` for EC2).

Every operation of Lambda, Batch, EKS and API Gateway is told apart this way; some S3 operations that
differ only in query members (not in ``requestUri``) are not, and S3 is not a service the guard calls.

Examples
--------
>>> environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/2015-03-31/functions/", "HTTP_AUTHORIZATION":
...            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host"}
>>> request = identify(environ, b"")
>>> request.action, request.protocol, request.region
('lambda:ListFunctions', 'rest-json', 'us-east-1')
>>> error_response(request, "AccessDeniedException", "no", 403)[1][:2]
[('Content-Type', 'application/json'), ('x-amzn-ErrorType', 'AccessDeniedException')]
"""

from __future__ import annotations

import functools
import json
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

import botocore.session
from botocore.exceptions import UnknownServiceError

__all__ = [
    "AwsRequest",
    "Route",
    "access_denied_error",
    "error_response",
    "identify",
    "rest_routes",
    "throttling_error",
]

_Headers = list[tuple[str, str]]

#: SigV4 signing names whose botocore service model has another name.
_MODEL_BY_SIGNING_NAME: Final = {
    "tagging": "resourcegroupstaggingapi",
    "monitoring": "cloudwatch",
    "states": "stepfunctions",
    "email": "ses",
}
_CREDENTIAL: Final = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
_LABEL: Final = re.compile(r"\{([A-Za-z0-9_]+)(\+?)\}")
_SESSION = botocore.session.get_session()
_LOADING = threading.Lock()  # botocore's loader is not documented as thread-safe


@dataclass(frozen=True)
class AwsRequest:
    """One AWS API request as the stand-in received it.

    Attributes
    ----------
    service
        The SigV4 signing name (also the IAM action prefix), e.g. ``ecr``, ``lambda``; empty if unsigned.
    operation
        The API operation, e.g. ``PutLifecyclePolicy``.
    protocol
        botocore's protocol of the service: ``json``, ``rest-json``, ``query``, ``ec2`` or ``rest-xml``.
    region
        The region of the credential scope (empty if unsigned).
    access_key
        The access key id that signed it (empty if unsigned).
    params
        The JSON body, the query/form fields (one value each) or, for REST, the body plus the path labels.
    headers
        Request headers, lower-case names.
    """

    service: str
    operation: str
    protocol: str
    region: str = ""
    access_key: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def action(self) -> str:
        """The IAM action, ``<service>:<operation>`` (e.g. ``ecs:ListServices``)."""
        return f"{self.service}:{self.operation}"

    def matches(self, name: str) -> bool:
        """Whether ``name`` (``Operation`` of any service, or ``service:Operation``) names this request."""
        service, _, operation = name.rpartition(":")
        return operation == self.operation and service in ("", self.service)


@dataclass(frozen=True)
class Route:
    """A REST operation's method and ``requestUri`` template, compiled for matching."""

    operation: str
    method: str
    pattern: re.Pattern[str]
    query_keys: frozenset[str]
    specificity: tuple[int, int]


def identify(environ: Mapping[str, Any], body: bytes) -> AwsRequest | None:
    """Name the AWS operation of a WSGI request; None for what is not an AWS API call (e.g. ``/moto-api``).

    Parameters
    ----------
    environ
        The WSGI environment (werkzeug's, with ``RAW_URI``).
    body
        The request body, already read.
    """
    headers = {key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key[:5] == "HTTP_"}
    scope = _CREDENTIAL.search(headers.get("authorization", ""))
    access_key, region, service = scope.groups() if scope else ("", "", "")
    protocol = _protocol(service)
    target = headers.get("x-amz-target")
    raw_path, _, query = str(environ.get("RAW_URI") or environ.get("PATH_INFO", "")).partition("?")
    query = query or str(environ.get("QUERY_STRING", ""))
    if target:
        operation, params = target.rpartition(".")[2], _json_object(body)
        protocol = protocol if protocol in ("json", "smithy-rpc-v2-cbor") else "json"
    elif protocol in ("rest-json", "rest-xml"):
        path = unquote(raw_path)
        matched = _match_route(service, str(environ.get("REQUEST_METHOD", "GET")), path, _query_fields(query, b""))
        if matched is None:
            return None
        operation, labels = matched
        params = {**_query_fields(query, b""), **_json_object(body), **labels}
    else:
        params = _query_fields(query, body)
        operation = str(params.get("Action", ""))
        protocol = protocol if protocol in ("query", "ec2") else "query"
    if not operation:
        return None
    return AwsRequest(service, operation, protocol, region, access_key, params, headers)


def error_response(request: AwsRequest, code: str, message: str, status: int) -> tuple[str, _Headers, bytes]:
    """An AWS error in the wire shape of ``request``'s protocol: (status line, headers, body).

    Examples
    --------
    >>> ecr = AwsRequest("ecr", "PutImage", "json")
    >>> status, headers, body = error_response(ecr, "ThrottlingException", "Rate exceeded", 400)
    >>> status, json.loads(body)
    ('400 Bad Request', {'__type': 'ThrottlingException', 'message': 'Rate exceeded'})
    >>> cfn = AwsRequest("cloudformation", "DescribeStacks", "query")
    >>> b"<Code>Throttling</Code>" in error_response(cfn, "Throttling", "Rate exceeded", 400)[2]
    True
    """
    request_id = str(uuid.uuid4())
    headers: _Headers
    if request.protocol in ("json", "smithy-rpc-v2-cbor"):
        payload = json.dumps({"__type": code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1")]
    elif request.protocol == "rest-json":
        payload = json.dumps({"message": message}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    elif request.protocol == "ec2":
        payload = (
            f"<Response><Errors><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"</Errors><RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    elif request.protocol == "rest-xml":
        payload = (
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers = [("Content-Type", "application/xml")]
    else:
        payload = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    headers += [("x-amzn-RequestId", request_id), ("Content-Length", str(len(payload)))]
    return f"{status} {_REASONS.get(status, 'Error')}", headers, payload


def throttling_error(request: AwsRequest) -> tuple[str, int]:
    """The error code and HTTP status the request's service throttles with (all retried by botocore).

    Examples
    --------
    >>> throttling_error(AwsRequest("ecr", "PutImage", "json"))
    ('ThrottlingException', 400)
    >>> throttling_error(AwsRequest("lambda", "ListFunctions", "rest-json"))
    ('TooManyRequestsException', 429)
    """
    if request.service == "lambda":
        return "TooManyRequestsException", 429
    return _THROTTLING.get(request.protocol, ("ThrottlingException", 400))


def access_denied_error(request: AwsRequest) -> tuple[str, int]:
    """The error code and HTTP status of an IAM denial in the request's protocol.

    Examples
    --------
    >>> access_denied_error(AwsRequest("ecs", "ListServices", "json"))
    ('AccessDeniedException', 400)
    >>> access_denied_error(AwsRequest("sts", "AssumeRole", "query"))
    ('AccessDenied', 403)
    """
    return _ACCESS_DENIED.get(request.protocol, ("AccessDeniedException", 400))


_THROTTLING: Final = {"query": ("Throttling", 400), "ec2": ("RequestLimitExceeded", 503), "rest-xml": ("SlowDown", 503)}
_ACCESS_DENIED: Final = {
    "rest-json": ("AccessDeniedException", 403),
    "query": ("AccessDenied", 403),
    "rest-xml": ("AccessDenied", 403),
    "ec2": ("UnauthorizedOperation", 403),
}
_REASONS: Final = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@functools.cache
def _model(service: str) -> Any:
    if not service:
        return None
    try:
        with _LOADING:
            return _SESSION.get_service_model(_MODEL_BY_SIGNING_NAME.get(service, service))
    except UnknownServiceError:
        return None


def _protocol(service: str) -> str:
    model = _model(service)
    return str(model.metadata.get("protocol", "")) if model is not None else ""


@functools.cache
def rest_routes(service: str) -> tuple[Route, ...]:
    """The REST routes of ``service`` (its signing name), most specific first.

    Examples
    --------
    >>> [route.operation for route in rest_routes("lambda") if route.operation.startswith("ListFunctions")]
    ['ListFunctionsByCodeSigningConfig', 'ListFunctions']
    """
    model = _model(service)
    if model is None:
        return ()
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path, _, query = str(http.get("requestUri", "/")).partition("?")
        regex, literal, labels = "", 0, 0
        position = 0
        for label in _LABEL.finditer(path):
            piece = path[position : label.start()]
            regex += re.escape(piece)
            regex += f"(?P<{label.group(1)}>.+)" if label.group(2) else f"(?P<{label.group(1)}>[^/]+)"
            literal, labels, position = literal + len(piece), labels + 1 + 10 * bool(label.group(2)), label.end()
        tail = path[position:].rstrip("/")
        regex += re.escape(tail) + "/?"
        keys = frozenset(key.partition("=")[0] for key in query.split("&") if key)
        routes.append(
            Route(
                name,
                str(http.get("method", "POST")),
                re.compile(regex),
                keys,
                (literal + len(tail) + 100 * len(keys), -labels),
            )
        )
    return tuple(sorted(routes, key=lambda route: route.specificity, reverse=True))


def _match_route(service: str, method: str, path: str, query: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    for route in rest_routes(service):
        if route.method != method or not route.query_keys <= query.keys():
            continue
        found = route.pattern.fullmatch(path)
        if found:
            return route.operation, found.groupdict()
    return None


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _query_fields(query: str, body: bytes) -> dict[str, Any]:
    fields = parse_qs(query, keep_blank_values=True)
    fields.update(parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return {key: values[-1] for key, values in fields.items()}
