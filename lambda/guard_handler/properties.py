"""Read the custom resource's properties (CloudFormation sends every scalar as a string) and physical ids.

Each property is parsed and checked on its own; a bad value raises :class:`PropertyError` naming the
property, what is allowed and the value found. The policy is validated by the policy engine
(:class:`PolicyValidationError` names the rule and field).

Examples
--------
>>> props = parse_properties({"RepositoryName": "app", "LifecyclePolicyText": POLICY_EXAMPLE,
...                           "MaxExpiringImages": "10"}, default_registry_id="123456789012")
>>> props.physical_id, props.limits.max_expiring_images
('123456789012/app', 10)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ecr_lifecycle_guard.engine import canonical_policy_text, parse_policy
from ecr_lifecycle_guard.errors import PropertyError
from ecr_lifecycle_guard.gate import GateLimits

__all__ = [
    "DEFAULT_PREVIEW_TIMEOUT_SECONDS",
    "FAILED_CREATE_PREFIX",
    "KNOWN_PROPERTIES",
    "MAX_PREVIEW_TIMEOUT_SECONDS",
    "POLICY_EXAMPLE",
    "ResourceProperties",
    "account_of_arn",
    "event_problem",
    "failed_create_marker",
    "parse_physical_id",
    "parse_properties",
]

#: How long to wait for ECR's preview when ``PreviewTimeoutSeconds`` is not given.
DEFAULT_PREVIEW_TIMEOUT_SECONDS = 300
#: The largest ``PreviewTimeoutSeconds``: Lambda's 900 s limit minus room for the put and the response.
MAX_PREVIEW_TIMEOUT_SECONDS = 840
#: Physical ids starting with this belong to a Create that failed: no policy was put.
FAILED_CREATE_PREFIX = "ecr-lifecycle-guard:failed-create:"
#: Every property the resource accepts (``ServiceToken`` and ``ServiceTimeout`` are CloudFormation's and ignored).
KNOWN_PROPERTIES = frozenset(
    {
        "ServiceToken",
        "ServiceTimeout",
        "RepositoryName",
        "RegistryId",
        "LifecyclePolicyText",
        "MaxExpiringImages",
        "MaxExpiringPercent",
        "MaxTransitioningImages",
        "ProtectedTags",
        "PreviewOnly",
        "OnDelete",
        "PreviewTimeoutSeconds",
        "AllowExpireAll",
    }
)
#: A small valid policy, for examples.
POLICY_EXAMPLE = (
    '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",'
    ' "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}'
)

_REPOSITORY = re.compile(r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*")
_REGISTRY = re.compile(r"[0-9]{12}")
_INTEGER = re.compile(r"[0-9]+")
_T = TypeVar("_T")


@dataclass(frozen=True)
class ResourceProperties:
    """The validated properties of one ``Custom::EcrLifecyclePolicy``.

    Parameters
    ----------
    repository_name, registry_id
        The repository the policy belongs to.
    policy_text
        The canonical policy JSON (the text that is previewed and put).
    limits
        The gate's limits.
    preview_only
        Preview and gate, never put.
    on_delete
        ``delete``: remove the policy on Delete when it is still the one this resource put.
    preview_timeout_seconds
        How long to wait for ECR's preview.
    """

    repository_name: str
    registry_id: str
    policy_text: str
    limits: GateLimits
    preview_only: bool = False
    on_delete: Literal["delete", "retain"] = "delete"
    preview_timeout_seconds: int = DEFAULT_PREVIEW_TIMEOUT_SECONDS

    @property
    def physical_id(self) -> str:
        """``<registryId>/<repositoryName>``."""
        return f"{self.registry_id}/{self.repository_name}"


def parse_properties(properties: Any, *, default_registry_id: str) -> ResourceProperties:
    """Validate ``ResourceProperties`` of an event.

    Parameters
    ----------
    properties
        The event's ``ResourceProperties`` (or ``OldResourceProperties``).
    default_registry_id
        The function's account, used when ``RegistryId`` is absent.

    Raises
    ------
    PropertyError
        The first bad property: its name, what is allowed and the value found.
    PolicyValidationError
        ``LifecyclePolicyText`` is not a policy ECR would accept (every issue, with rule and field).

    Examples
    --------
    >>> parse_properties({"RepositoryName": "app"}, default_registry_id="123456789012")
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.PropertyError: LifecyclePolicyText: must be a lifecycle policy JSON text, got None
    """
    if not isinstance(properties, Mapping):
        raise PropertyError("ResourceProperties", properties, "an object of properties")
    unknown = sorted(set(properties) - KNOWN_PROPERTIES)
    if unknown:
        raise PropertyError(unknown[0], properties[unknown[0]], f"one of the known properties ({_known_list()})")
    repository = properties.get("RepositoryName")
    if not isinstance(repository, str) or not 2 <= len(repository) <= 256 or not _REPOSITORY.fullmatch(repository):
        raise PropertyError("RepositoryName", repository, "an ECR repository name (2-256 of a-z 0-9 . _ - /)")
    registry = properties.get("RegistryId") or default_registry_id
    if not isinstance(registry, str) or not _REGISTRY.fullmatch(registry):
        raise PropertyError("RegistryId", registry, "a 12-digit AWS account id")
    text = properties.get("LifecyclePolicyText")
    if not isinstance(text, str) or not text.strip():
        raise PropertyError("LifecyclePolicyText", text, "a lifecycle policy JSON text")
    policy = parse_policy(text)
    limits = GateLimits(
        max_expiring_images=_optional(properties, "MaxExpiringImages", _count),
        max_expiring_percent=_optional(properties, "MaxExpiringPercent", _percent),
        max_transitioning_images=_optional(properties, "MaxTransitioningImages", _count),
        protected_tags=_optional(properties, "ProtectedTags", _tag_patterns) or (),
        allow_expire_all=_optional(properties, "AllowExpireAll", _boolean) or False,
    )
    timeout = _optional(properties, "PreviewTimeoutSeconds", _timeout)
    return ResourceProperties(
        repository_name=repository,
        registry_id=registry,
        policy_text=canonical_policy_text(policy),
        limits=limits,
        preview_only=_optional(properties, "PreviewOnly", _boolean) or False,
        on_delete=_optional(properties, "OnDelete", _on_delete) or "delete",
        preview_timeout_seconds=DEFAULT_PREVIEW_TIMEOUT_SECONDS if timeout is None else timeout,
    )


def account_of_arn(arn: str) -> str:
    """The account field of an ARN (the function's ``invoked_function_arn``).

    Examples
    --------
    >>> account_of_arn("arn:aws:lambda:us-east-1:123456789012:function:guard")
    '123456789012'
    """
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def failed_create_marker(request_id: str) -> str:
    """The physical id answered for a Create that failed; a Delete with it has nothing to delete.

    Examples
    --------
    >>> failed_create_marker("5f0c")
    'ecr-lifecycle-guard:failed-create:5f0c'
    """
    return f"{FAILED_CREATE_PREFIX}{request_id}"


def parse_physical_id(physical_id: str) -> tuple[str, str] | None:
    """``(registry_id, repository_name)`` of an id this resource issued; ``None`` for any other id.

    Examples
    --------
    >>> parse_physical_id("123456789012/team/app")
    ('123456789012', 'team/app')
    >>> parse_physical_id(failed_create_marker("5f0c")) is None
    True
    """
    registry, _, repository = physical_id.partition("/")
    if _REGISTRY.fullmatch(registry) and _REPOSITORY.fullmatch(repository):
        return registry, repository
    return None


def _known_list() -> str:
    return ", ".join(sorted(KNOWN_PROPERTIES - {"ServiceToken", "ServiceTimeout"}))


def _optional(properties: Mapping[str, Any], name: str, parse: Callable[[str, Any], _T]) -> _T | None:
    value = properties.get(name)
    if value is None or value == "":
        return None
    return parse(name, value)


def _count(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    raise PropertyError(name, value, "an integer >= 0")


def _percent(name: str, value: Any) -> float:
    try:
        number = float(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if not 0 <= number <= 100:  # also false for NaN
        raise PropertyError(name, value, "a number from 0 to 100")
    return number


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise PropertyError(name, value, '"true" or "false"')


def _on_delete(name: str, value: Any) -> Literal["delete", "retain"]:
    if value == "delete":
        return "delete"
    if value == "retain":
        return "retain"
    raise PropertyError(name, value, '"delete" or "retain"')


def _timeout(name: str, value: Any) -> int:
    try:
        seconds = _count(name, value)
    except PropertyError:
        seconds = -1
    if not 1 <= seconds <= MAX_PREVIEW_TIMEOUT_SECONDS:
        raise PropertyError(name, value, f"an integer from 1 to {MAX_PREVIEW_TIMEOUT_SECONDS}")
    return seconds


def _tag_patterns(name: str, value: Any) -> tuple[str, ...]:
    patterns = value
    if isinstance(value, str):
        try:
            patterns = json.loads(value)
        except ValueError:
            patterns = None
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        raise PropertyError(name, value, "a list of non-empty tag patterns (or its JSON text)")
    return tuple(patterns)


def event_problem(event: Any) -> str | None:
    """What makes ``event`` unusable as a CloudFormation custom-resource request, or ``None``.

    Examples
    --------
    >>> event_problem({"RequestType": "Create"})
    'malformed event: ResponseURL: must be an https URL, got None'
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


_REQUEST_TYPES = ("Create", "Update", "Delete")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)
