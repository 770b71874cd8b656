"""The custom resource's contract, defined once: property names, defaults, bounds, parsing and ids.

``Custom::EcrLifecyclePolicy`` is written by the construct, read by the handler and mirrored by the
command line's options. All three import this module (standard library and the policy engine only,
so it ships in the Lambda asset) instead of keeping their own copies of names and bounds.

Every value parser takes what any of the three hands it — a Python value from the construct, the
string CloudFormation sends, the text of a command-line option — and returns the typed value or
raises :class:`~ecr_lifecycle_guard.errors.PropertyError` naming the property, what is allowed and
the value found. :func:`parse_properties` reads a whole property map and reports every problem at
once (:class:`~ecr_lifecycle_guard.errors.PropertiesError`). The ownership tags on a repository are
defined in :mod:`~ecr_lifecycle_guard.ownership_record` and re-exported here.

Examples
--------
>>> props = parse_properties({"RepositoryName": "team/app", "LifecyclePolicyText": POLICY_EXAMPLE,
...                           "MaxExpiringImages": "10"}, default_registry_id="123456789012")
>>> props.physical_id, props.limits.max_expiring_images, props.limits.protect_in_use
('123456789012/team/app', 10, True)
>>> parse_count("MaxExpiringImages", "nan")
Traceback (most recent call last):
...
ecr_lifecycle_guard.errors.PropertyError: MaxExpiringImages: must be an integer from 0 to 2147483647, got 'nan'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from ecr_lifecycle_guard.engine import MAX_PATTERN_WILDCARDS, canonical_policy_text, parse_policy
from ecr_lifecycle_guard.errors import PolicyValidationError, PropertiesError, PropertyError
from ecr_lifecycle_guard.ownership_record import (  # re-exported: the owner tag is part of the contract
    NO_PREVIOUS_POLICY,
    OWNER_TAG_KEY,
    PREVIOUS_OWNER_TAG_KEY,
    PREVIOUS_POLICY_MAX_CHUNKS,
    PREVIOUS_POLICY_TAG_PREFIX,
    TAG_VALUE_MAX,
    Owner,
    PreviousPolicy,
    decode_previous_policy,
    encode_previous_policy,
    is_ownership_tag,
    owner_of_stack,
)

__all__ = [
    "DEFAULT_PREVIEW_TIMEOUT_SECONDS",
    "FAILED_CREATE_PREFIX",
    "KNOWN_PROPERTIES",
    "MAX_COUNT",
    "MAX_IN_USE_ROLES",
    "MAX_PREVIEW_TIMEOUT_SECONDS",
    "MAX_PROTECTED_TAGS",
    "MAX_TAG_PATTERN_LENGTH",
    "MIN_PREVIEW_TIMEOUT_SECONDS",
    "NO_PREVIOUS_POLICY",
    "OWNER_TAG_KEY",
    "POLICY_EXAMPLE",
    "PREVIOUS_OWNER_TAG_KEY",
    "PREVIOUS_POLICY_MAX_CHUNKS",
    "PREVIOUS_POLICY_TAG_PREFIX",
    "PROPERTY_NAMES",
    "REPOSITORY_NAME_PATTERN",
    "RESOURCE_TYPE",
    "TAG_VALUE_MAX",
    "GateLimits",
    "GuardProperties",
    "Owner",
    "PreviousPolicy",
    "bool_text",
    "decode_previous_policy",
    "encode_previous_policy",
    "failed_create_marker",
    "is_ownership_tag",
    "number_text",
    "owner_of_stack",
    "parse_bool",
    "parse_count",
    "parse_on_delete",
    "parse_percent",
    "parse_physical_id",
    "parse_policy_text",
    "parse_preview_timeout",
    "parse_properties",
    "parse_registry_id",
    "parse_repository_name",
    "parse_role_arns",
    "parse_seconds",
    "parse_tag_patterns",
    "physical_id",
    "region_of_arn",
]

#: The CloudFormation type of the custom resource.
RESOURCE_TYPE: Final = "Custom::EcrLifecyclePolicy"
#: How long the handler waits for ECR's preview when ``PreviewTimeoutSeconds`` is not given.
DEFAULT_PREVIEW_TIMEOUT_SECONDS: Final = 300
#: ``PreviewTimeoutSeconds`` bounds: at least 30 s for ECR to answer; at most 840 s so the function's
#: timeout (preview + 60 s) stays within Lambda's 900 s.
MIN_PREVIEW_TIMEOUT_SECONDS: Final = 30
MAX_PREVIEW_TIMEOUT_SECONDS: Final = 840
#: The largest image count a limit accepts (a signed 32-bit integer, as ECR's own counts).
MAX_COUNT: Final = 2_147_483_647
#: ``ProtectedTags`` bounds: entries, characters per pattern (ECR's image tags have at most 300), and
#: at most :data:`~ecr_lifecycle_guard.engine.MAX_PATTERN_WILDCARDS` ``*`` per pattern, as ECR's own.
MAX_PROTECTED_TAGS: Final = 100
MAX_TAG_PATTERN_LENGTH: Final = 300
#: ``InUseRoleArns``: at most this many roles (each is assumed during every deploy).
MAX_IN_USE_ROLES: Final = 50
#: Physical ids starting with this belong to a Create that failed: no policy was put.
FAILED_CREATE_PREFIX: Final = "ecr-lifecycle-guard:failed-create:"
#: ECR's repository-name pattern (botocore model of the lifecycle operations and CreateRepository).
REPOSITORY_NAME_PATTERN: Final = r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*"
#: A small valid policy, for examples.
POLICY_EXAMPLE: Final = (
    '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",'
    ' "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}'
)

#: Every property of the resource, in the order the construct writes them.
PROPERTY_NAMES: Final = (
    "RepositoryName",
    "RegistryId",
    "LifecyclePolicyText",
    "MaxExpiringImages",
    "MaxExpiringPercent",
    "MaxTransitioningImages",
    "ProtectedTags",
    "AllowExpireAll",
    "PreviewOnly",
    "OnDelete",
    "PreviewTimeoutSeconds",
    "ProtectInUse",
    "InUseRoleArns",
    "RestorePolicyText",
)
#: Properties CloudFormation itself adds; accepted and ignored.
_CLOUDFORMATION_PROPERTIES: Final = frozenset({"ServiceToken", "ServiceTimeout"})
KNOWN_PROPERTIES: Final = frozenset(PROPERTY_NAMES) | _CLOUDFORMATION_PROPERTIES

_REPOSITORY = re.compile(REPOSITORY_NAME_PATTERN)
_REGISTRY = re.compile(r"[0-9]{12}")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")
#: Longest numeric text read (a 5,000-digit count is refused by its length, not by int()).
_MAX_NUMBER_TEXT = 40
_T = TypeVar("_T")


# --- value parsers (construct values, CloudFormation strings and command-line text alike) ---------


def parse_count(name: str, value: object) -> int:
    """An image count from 0 to :data:`MAX_COUNT`: an ``int``, an integral finite ``float`` or decimal text.

    Examples
    --------
    >>> parse_count("MaxExpiringImages", "10"), parse_count("MaxExpiringImages", 3.0)
    (10, 3)
    """
    number = _number(value)
    if number is None or not number.is_integer() or not 0 <= number <= MAX_COUNT:
        raise PropertyError(name, value, f"an integer from 0 to {MAX_COUNT}")
    return int(number)


def parse_percent(name: str, value: object) -> float:
    """A finite number from 0 to 100.

    Examples
    --------
    >>> parse_percent("MaxExpiringPercent", "12.5")
    12.5
    """
    number = _number(value)
    if number is None or not 0 <= number <= 100:
        raise PropertyError(name, value, "a number from 0 to 100")
    return number


def parse_seconds(name: str, value: object, *, minimum: float, maximum: float) -> float:
    """A finite number of seconds within ``[minimum, maximum]``.

    Examples
    --------
    >>> parse_seconds("--timeout", "5", minimum=1, maximum=3600)
    5.0
    """
    number = _number(value)
    if number is None or not minimum <= number <= maximum:
        raise PropertyError(name, value, f"a number of seconds from {minimum:g} to {maximum:g}")
    return number


def parse_preview_timeout(name: str, value: object) -> int:
    """Whole seconds from :data:`MIN_PREVIEW_TIMEOUT_SECONDS` to :data:`MAX_PREVIEW_TIMEOUT_SECONDS`.

    Examples
    --------
    >>> parse_preview_timeout("PreviewTimeoutSeconds", "300")
    300
    """
    number = _number(value)
    if (
        number is None
        or not number.is_integer()
        or not (MIN_PREVIEW_TIMEOUT_SECONDS <= number <= MAX_PREVIEW_TIMEOUT_SECONDS)
    ):
        allowed = f"whole seconds from {MIN_PREVIEW_TIMEOUT_SECONDS} to {MAX_PREVIEW_TIMEOUT_SECONDS}"
        raise PropertyError(name, value, allowed)
    return int(number)


def parse_bool(name: str, value: object) -> bool:
    """``True``/``False`` or the text ``true``/``false`` (any case).

    Examples
    --------
    >>> parse_bool("PreviewOnly", "TRUE"), parse_bool("PreviewOnly", False)
    (True, False)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise PropertyError(name, value, '"true" or "false"')


def parse_on_delete(name: str, value: object) -> Literal["delete", "retain"]:
    """``delete`` or ``retain``.

    Examples
    --------
    >>> parse_on_delete("OnDelete", "retain")
    'retain'
    """
    if value == "delete":
        return "delete"
    if value == "retain":
        return "retain"
    raise PropertyError(name, value, '"delete" or "retain"')


def parse_repository_name(name: str, value: object) -> str:
    """An ECR repository name (2-256 characters of ECR's pattern).

    Examples
    --------
    >>> parse_repository_name("RepositoryName", "team/app"), parse_repository_name("RepositoryName", "a--b")
    ('team/app', 'a--b')
    """
    if not isinstance(value, str) or not 2 <= len(value) <= 256 or not _REPOSITORY.fullmatch(value):
        raise PropertyError(name, value, "an ECR repository name (2-256 of a-z 0-9 . _ - /, e.g. team/app)")
    return value


def parse_registry_id(name: str, value: object) -> str:
    """A 12-digit AWS account id.

    Examples
    --------
    >>> parse_registry_id("RegistryId", "123456789012")
    '123456789012'
    """
    if not isinstance(value, str) or not _REGISTRY.fullmatch(value):
        raise PropertyError(name, value, "a 12-digit AWS account id")
    return value


def parse_tag_patterns(name: str, value: object) -> tuple[str, ...]:
    """Tag patterns: a list (or its JSON text) of non-empty ``*`` globs, limited like ECR's own patterns.

    Examples
    --------
    >>> parse_tag_patterns("ProtectedTags", '["release-*", "latest"]')
    ('release-*', 'latest')
    >>> parse_tag_patterns("ProtectedTags", ["*a*a*a*a*b"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.PropertyError: ProtectedTags[0]: must be a tag pattern with at most 4 '*', got ...
    """
    patterns = _json_list(value)
    if patterns is None or len(patterns) > MAX_PROTECTED_TAGS:
        raise PropertyError(name, value, f"a list of at most {MAX_PROTECTED_TAGS} tag patterns (or its JSON text)")
    for index, pattern in enumerate(patterns):
        where = f"{name}[{index}]"
        if not isinstance(pattern, str) or not 1 <= len(pattern) <= MAX_TAG_PATTERN_LENGTH:
            raise PropertyError(where, pattern, f"a tag pattern of 1 to {MAX_TAG_PATTERN_LENGTH} characters")
        if pattern.count("*") > MAX_PATTERN_WILDCARDS:
            raise PropertyError(where, pattern, f"a tag pattern with at most {MAX_PATTERN_WILDCARDS} '*'")
    return tuple(patterns)


def parse_role_arns(name: str, value: object) -> tuple[str, ...]:
    """IAM role ARNs: a list (or its JSON text), at most :data:`MAX_IN_USE_ROLES`, no duplicates.

    Examples
    --------
    >>> parse_role_arns("InUseRoleArns", ["arn:aws:iam::111111111111:role/guard-discovery"])
    ('arn:aws:iam::111111111111:role/guard-discovery',)
    """
    arns = _json_list(value)
    if arns is None or len(arns) > MAX_IN_USE_ROLES:
        raise PropertyError(name, value, f"a list of at most {MAX_IN_USE_ROLES} IAM role ARNs (or its JSON text)")
    for index, arn in enumerate(arns):
        if not isinstance(arn, str) or not _ROLE_ARN.fullmatch(arn):
            raise PropertyError(f"{name}[{index}]", arn, "an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    if len(set(arns)) != len(arns):
        raise PropertyError(name, value, "a list without duplicate role ARNs")
    return tuple(arns)


def parse_policy_text(name: str, value: object) -> str:
    """A lifecycle policy JSON text, returned canonical (what is previewed and put).

    Raises
    ------
    PropertyError
        ``value`` is not a non-empty string.
    PolicyValidationError
        The text is not a policy ECR would accept (every issue, with rule and field).

    Examples
    --------
    >>> parse_policy_text("LifecyclePolicyText", POLICY_EXAMPLE) == canonical_policy_text(POLICY_EXAMPLE)
    True
    """
    if not isinstance(value, str) or not value.strip():
        raise PropertyError(name, value, "a lifecycle policy JSON text")
    return canonical_policy_text(parse_policy(value))


# --- the gate's limits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GateLimits:
    """The limits a preview must stay within; ``None`` or empty means "no limit".

    Every field is checked when the object is built (the same checks as the custom resource's
    properties, named after them), so no caller can hand the gate a negative, non-finite or
    unbounded limit.

    Parameters
    ----------
    max_expiring_images
        Block when more images than this would expire (``summary.expiringImageTotalCount``).
    max_expiring_percent
        Block when expiring images exceed this share (0 to 100) of the images the policy can see.
    max_transitioning_images
        Block when more images than this would be archived (sum of ``transitioningImageTotalCounts``).
    protected_tags
        ``*`` globs, matched like ``tagPatternList``; block when any image the preview would expire or
        archive carries a matching tag.
    allow_expire_all
        The expire-all check blocks a policy that would expire every image of a non-empty repository;
        ``True`` turns that check off.
    protect_in_use
        Block when the preview would expire or archive an image a workload uses (and when the
        workloads cannot be listed).

    Examples
    --------
    >>> GateLimits(max_expiring_images=50, protected_tags=("release-*",)).protected_tags
    ('release-*',)
    >>> GateLimits(max_expiring_percent=float("inf"))
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.PropertyError: MaxExpiringPercent: must be a number from 0 to 100, got inf
    """

    max_expiring_images: int | None = None
    max_expiring_percent: float | None = None
    max_transitioning_images: int | None = None
    protected_tags: tuple[str, ...] = ()
    allow_expire_all: bool = False
    protect_in_use: bool = True

    def __post_init__(self) -> None:
        if self.max_expiring_images is not None:
            parse_count("MaxExpiringImages", self.max_expiring_images)
        if self.max_expiring_percent is not None:
            parse_percent("MaxExpiringPercent", self.max_expiring_percent)
        if self.max_transitioning_images is not None:
            parse_count("MaxTransitioningImages", self.max_transitioning_images)
        if not isinstance(self.protected_tags, tuple):
            raise PropertyError("ProtectedTags", self.protected_tags, "a tuple of tag patterns")
        parse_tag_patterns("ProtectedTags", list(self.protected_tags))
        parse_bool("AllowExpireAll", self.allow_expire_all)
        parse_bool("ProtectInUse", self.protect_in_use)

    @property
    def needs_visible_count(self) -> bool:
        """Whether checking these limits needs the number of images the policy can see.

        Examples
        --------
        >>> GateLimits(allow_expire_all=True).needs_visible_count
        False
        """
        return self.max_expiring_percent is not None or not self.allow_expire_all


# --- the whole property map ----------------------------------------------------------------------


@dataclass(frozen=True)
class GuardProperties:
    """The validated properties of one ``Custom::EcrLifecyclePolicy``.

    Parameters
    ----------
    repository_name, registry_id
        The repository the policy belongs to.
    policy_text
        The canonical policy JSON (the text that is previewed and put).
    limits
        The gate's limits (``ProtectInUse`` included).
    preview_only
        Preview and gate, never put, never own, never delete.
    on_delete
        ``delete``: on Delete, remove (or restore) the policy this resource owns; ``retain``: leave it.
    preview_timeout_seconds
        How long to wait for ECR's preview.
    in_use_role_arns
        Roles to assume to find workloads in other accounts.
    restore_policy_text
        On Delete of an owned policy, put this canonical policy instead of deleting.
    """

    repository_name: str
    registry_id: str
    policy_text: str
    limits: GateLimits = field(default_factory=GateLimits)
    preview_only: bool = False
    on_delete: Literal["delete", "retain"] = "delete"
    preview_timeout_seconds: int = DEFAULT_PREVIEW_TIMEOUT_SECONDS
    in_use_role_arns: tuple[str, ...] = ()
    restore_policy_text: str | None = None

    @property
    def physical_id(self) -> str:
        """``<registryId>/<repositoryName>``."""
        return physical_id(self.registry_id, self.repository_name)


def parse_properties(properties: object, *, default_registry_id: str) -> GuardProperties:
    """Validate a resource's property map (``ResourceProperties`` or ``OldResourceProperties``).

    Every property is checked; all problems are reported together.

    Parameters
    ----------
    properties
        The map CloudFormation sent (scalars as strings, ``ProtectedTags``/``InUseRoleArns`` as lists).
    default_registry_id
        The function's account, used when ``RegistryId`` is absent.

    Raises
    ------
    PropertiesError
        One or more properties are bad; ``.problems`` holds a ``PropertyError`` (or, for a policy
        text, a ``PolicyValidationError``) per property, in :data:`PROPERTY_NAMES` order.

    Examples
    --------
    >>> parse_properties({"RepositoryName": "A", "MaxExpiringImages": "-1"}, default_registry_id="123456789012")
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.PropertiesError: 3 bad properties: RepositoryName: must be ...
    """
    if not isinstance(properties, Mapping):
        raise PropertiesError([PropertyError("ResourceProperties", properties, "an object of properties")])
    reader = _Reader(properties)
    for unknown in sorted(set(properties) - KNOWN_PROPERTIES, key=str):
        reader.problems.append(
            PropertyError(str(unknown), properties[unknown], f"one of the known properties ({_known_list()})")
        )
    repository = reader.required("RepositoryName", parse_repository_name)
    registry = reader.optional("RegistryId", parse_registry_id) or default_registry_id
    text = reader.required("LifecyclePolicyText", parse_policy_text)
    limits_values = {
        "max_expiring_images": reader.optional("MaxExpiringImages", parse_count),
        "max_expiring_percent": reader.optional("MaxExpiringPercent", parse_percent),
        "max_transitioning_images": reader.optional("MaxTransitioningImages", parse_count),
        "protected_tags": reader.optional("ProtectedTags", parse_tag_patterns) or (),
        "allow_expire_all": bool(reader.optional("AllowExpireAll", parse_bool)),
        "protect_in_use": reader.optional("ProtectInUse", parse_bool) is not False,
    }
    preview_only = bool(reader.optional("PreviewOnly", parse_bool))
    on_delete = reader.optional("OnDelete", parse_on_delete) or "delete"
    timeout = reader.optional("PreviewTimeoutSeconds", parse_preview_timeout)
    roles = reader.optional("InUseRoleArns", parse_role_arns) or ()
    restore = reader.optional("RestorePolicyText", parse_policy_text)
    if reader.problems or repository is None or text is None:
        raise PropertiesError(reader.problems)
    return GuardProperties(
        repository_name=repository,
        registry_id=registry,
        policy_text=text,
        limits=GateLimits(**limits_values),  # type: ignore[arg-type]
        preview_only=preview_only,
        on_delete=on_delete,
        preview_timeout_seconds=DEFAULT_PREVIEW_TIMEOUT_SECONDS if timeout is None else timeout,
        in_use_role_arns=roles,
        restore_policy_text=restore,
    )


class _Reader:
    """Reads properties one by one, collecting problems instead of stopping at the first."""

    def __init__(self, properties: Mapping[Any, Any]) -> None:
        self._properties = properties
        self.problems: list[PropertyError | PolicyValidationError] = []

    def optional(self, name: str, parse: Callable[[str, Any], _T]) -> _T | None:
        value = self._properties.get(name)
        if value is None or value == "":
            return None
        return self._parse(name, value, parse)

    def required(self, name: str, parse: Callable[[str, Any], _T]) -> _T | None:
        return self._parse(name, self._properties.get(name), parse)

    def _parse(self, name: str, value: Any, parse: Callable[[str, Any], _T]) -> _T | None:
        try:
            return parse(name, value)
        except (PropertyError, PolicyValidationError) as error:
            if isinstance(error, PolicyValidationError):
                error = PolicyValidationError(error.issues, source=name)
            self.problems.append(error)
            return None


def _known_list() -> str:
    return ", ".join(sorted(PROPERTY_NAMES))


# --- rendering (the construct writes what the handler reads) -------------------------------------


def number_text(value: float) -> str:
    """A number as CloudFormation passes it to the handler: ``10``, ``12.5``.

    Examples
    --------
    >>> number_text(10), number_text(12.5), number_text(3.0)
    ('10', '12.5', '3')
    """
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def bool_text(value: bool) -> str:
    """``"true"`` or ``"false"``.

    Examples
    --------
    >>> bool_text(True)
    'true'
    """
    return "true" if value else "false"


# --- physical ids --------------------------------------------------------------------------------


def physical_id(registry_id: str, repository_name: str) -> str:
    """``<registryId>/<repositoryName>``: stable while the resource keeps its repository.

    Examples
    --------
    >>> physical_id("123456789012", "team/app")
    '123456789012/team/app'
    """
    return f"{registry_id}/{repository_name}"


def parse_physical_id(value: str) -> tuple[str, str] | None:
    """``(registry_id, repository_name)`` of an id this resource issued; ``None`` for any other id.

    Examples
    --------
    >>> parse_physical_id("123456789012/team/app")
    ('123456789012', 'team/app')
    >>> parse_physical_id(failed_create_marker("5f0c")) is None
    True
    """
    registry, _, repository = value.partition("/")
    if _REGISTRY.fullmatch(registry) and 2 <= len(repository) <= 256 and _REPOSITORY.fullmatch(repository):
        return registry, repository
    return None


def failed_create_marker(request_id: str) -> str:
    """The physical id answered for a Create that failed; a Delete with it has nothing to delete.

    Examples
    --------
    >>> failed_create_marker("5f0c")
    'ecr-lifecycle-guard:failed-create:5f0c'
    """
    return f"{FAILED_CREATE_PREFIX}{request_id}"


def region_of_arn(arn: str) -> str:
    """The region field of an ARN (``""`` when it has none).

    Examples
    --------
    >>> region_of_arn("arn:aws:ecr:eu-west-1:123456789012:repository/app")
    'eu-west-1'
    """
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


# --- helpers -------------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    """A finite number from an int, a float or bounded decimal text; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= 2**53 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_NUMBER_TEXT or not _DECIMAL.fullmatch(text):
            return None
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def _json_list(value: object) -> list[Any] | None:
    """A list, or the list a JSON text holds; ``None`` for anything else."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    return None
