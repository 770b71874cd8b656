"""JSON log lines: one object per line with the invocation's fields, and never the ResponseURL."""

from __future__ import annotations

import json
import logging
import sys

from guard_handler.log import SERVICE, JsonFormatter, LogContext

SECRET_URL = "https://cfn.example.com/key?X-Amz-Signature=abc123&X-Amz-Expires=7200"
EVENT = {"RequestType": "Create", "LogicalResourceId": "Guard", "ResponseURL": SECRET_URL}


def record(message: str, *args: object, details: object = None) -> logging.LogRecord:
    rec = logging.LogRecord("guard_handler.resource", logging.INFO, "/x/resource.py", 42, message, args, None, "apply")
    if details is not None:
        rec.details = details
    return rec


def test_a_line_is_one_json_object_with_every_field() -> None:
    # given
    context = LogContext()
    context.begin("req-1", EVENT, secret=SECRET_URL)
    context.set(repository="app", phase="preview")
    # when
    line = JsonFormatter(context).format(record("preview %s", "started", details={"n": 1}))
    # then
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed.pop("timestamp").endswith("+00:00")
    assert parsed == {
        "level": "INFO",
        "location": "guard_handler.resource.apply:42",
        "message": "preview started",
        "service": SERVICE,
        "request_id": "req-1",
        "cold_start": True,
        "RequestType": "Create",
        "LogicalResourceId": "Guard",
        "repository": "app",
        "phase": "preview",
        "details": {"n": 1},
    }


def test_cold_start_is_true_only_for_the_first_invocation() -> None:
    # given
    context = LogContext()
    # when
    context.begin("req-1", EVENT, secret=None)
    first = context.fields()["cold_start"]
    context.begin("req-2", EVENT, secret=None)
    # then
    assert (first, context.fields()["cold_start"]) == (True, False)


def test_the_response_url_and_its_signature_are_masked_everywhere() -> None:
    # given
    context = LogContext()
    context.begin("req-1", EVENT, secret=SECRET_URL)
    try:
        raise ValueError(f"bad url {SECRET_URL}")
    except ValueError:
        failure = record("sending to %s", SECRET_URL.split("?")[0] + "?" + SECRET_URL.split("?")[1])
        failure.exc_info = sys.exc_info()
    # when
    line = JsonFormatter(context).format(failure)
    # then
    assert "abc123" not in line
    assert "<redacted>" in json.loads(line)["message"]
