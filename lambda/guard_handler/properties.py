"""What is handler-specific about a request: is the event usable at all, and which account and partition run it.

The resource's properties themselves are parsed by the one contract,
:func:`ecr_lifecycle_guard.contract.parse_properties` (every bad property at once, named).

Examples
--------
>>> account_of_arn("arn:aws:lambda:us-east-1:123456789012:function:guard")
'123456789012'
>>> event_problem({"RequestType": "Create"})
'malformed event: ResponseURL: must be an https URL, got None'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["account_of_arn", "event_problem", "partition_of_arn"]

_REQUEST_TYPES: Final = ("Create", "Update", "Delete")


def account_of_arn(arn: str) -> str:
    """The account field of an ARN (the function's ``invoked_function_arn``); ``""`` when it has none.

    Examples
    --------
    >>> account_of_arn("arn:aws:lambda:us-east-1:123456789012:function:guard"), account_of_arn("x")
    ('123456789012', '')
    """
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def partition_of_arn(arn: str) -> str:
    """The partition of an ARN (``aws``, ``aws-cn``, ``aws-us-gov``); ``aws`` when the text is no ARN.

    Examples
    --------
    >>> partition_of_arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:guard"), partition_of_arn("")
    ('aws-cn', 'aws')
    """
    parts = arn.split(":")
    return parts[1] if len(parts) > 1 and parts[0] == "arn" and parts[1] else "aws"


def event_problem(event: Any) -> str | None:
    """What makes ``event`` unusable as a CloudFormation custom-resource request, or ``None``.

    Examples
    --------
    >>> event_problem(["Create"])
    'malformed event: must be an object, got list'
    """
    if not isinstance(event, Mapping):
        return f"malformed event: must be an object, got {type(event).__name__}"
    checks: list[tuple[str, bool, str]] = [
        ("RequestType", event.get("RequestType") in _REQUEST_TYPES, "Create, Update or Delete"),
        ("ResponseURL", str(event.get("ResponseURL", "")).startswith("https://"), "an https URL"),
        ("StackId", _text(event.get("StackId")), "a stack ARN"),
        ("RequestId", _text(event.get("RequestId")), "a request id"),
        ("LogicalResourceId", _text(event.get("LogicalResourceId")), "a logical id"),
        ("ResourceProperties", isinstance(event.get("ResourceProperties"), Mapping), "an object"),
    ]
    if event.get("RequestType") in ("Update", "Delete"):
        checks.append(("PhysicalResourceId", _text(event.get("PhysicalResourceId")), "the resource's physical id"))
    for name, ok, allowed in checks:
        if not ok:
            found = "<redacted>" if name == "ResponseURL" and event.get(name) else repr(event.get(name))[:60]
            return f"malformed event: {name}: must be {allowed}, got {found}"
    return None


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)
