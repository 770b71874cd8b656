"""The custom resource's contract, defined once: property names, defaults, bounds, parsing, ids, ownership tags.

``Custom::EcrLifecyclePolicy`` is written by the construct, read by the handler and mirrored by the
command line's options. All three import this module (standard library and the policy engine only,
so it ships in the Lambda asset) instead of keeping their own copies of names and bounds.

Every value parser takes what any of the three hands it — a Python value from the construct, the
string CloudFormation sends, the text of a command-line option — and returns the typed value or
raises :class:`~ecr_lifecycle_guard.errors.PropertyError` naming the property, what is allowed and
the value found. :func:`parse_properties` reads a whole property map and reports every problem at
once (:class:`~ecr_lifecycle_guard.errors.PropertiesError`).

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

import base64
import binascii
import hashlib
import json
import math
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from ecr_lifecycle_guard.engine import MAX_PATTERN_WILDCARDS, canonical_policy_text, parse_policy
from ecr_lifecycle_guard.engine.checks import MAX_POLICY_LENGTH
from ecr_lifecycle_guard.errors import PolicyValidationError, PropertiesError, PropertyError

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
#: The repository tag that records which resource owns the repository's lifecycle policy.
OWNER_TAG_KEY: Final = "ecr-lifecycle-guard:owner"
#: The hand-back record a takeover inside one stack (a rename) leaves for a rollback: the owner it took
#: over from, and, when the takeover also changed the policy, that owner's policy in
#: ``previous-policy-0`` ... (see :func:`encode_previous_policy`). Removed once the rename is complete.
PREVIOUS_OWNER_TAG_KEY: Final = "ecr-lifecycle-guard:previous-owner"
PREVIOUS_POLICY_TAG_PREFIX: Final = "ecr-lifecycle-guard:previous-policy-"
#: ``previous-policy-0`` when the repository had no policy at the takeover.
NO_PREVIOUS_POLICY: Final = "none"
#: ECR's limit on a tag value (``Tag.Value``).
TAG_VALUE_MAX: Final = 256
#: The most ``previous-policy-*`` tags (of ECR's 50 per repository) a hand-back record may use.
PREVIOUS_POLICY_MAX_CHUNKS: Final = 8
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
_STACK_ARN = re.compile(r"arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:[0-9]{12}:stack/([^/]+)/.+")
#: Longest numeric text read (a 5,000-digit count is refused by its length, not by int()).
_MAX_NUMBER_TEXT = 40
_OWNER_VALUE_MAX = TAG_VALUE_MAX
#: A recorded policy never decompresses to more than this (ECR's limit, with room for non-ASCII text).
_MAX_RECORDED_BYTES = 4 * MAX_POLICY_LENGTH
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


# --- ownership -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Which resource owns a repository's lifecycle policy: a stack and a logical id in it.

    Stored in the repository tag :data:`OWNER_TAG_KEY` as ``<stack name>/<logical id>`` (a
    too-long logical id is shortened with a hash so the value stays within ECR's 256 characters).

    Examples
    --------
    >>> owner = Owner("prod-images", "ApiLifecycle1A2B3C")
    >>> owner.tag_value
    'prod-images/ApiLifecycle1A2B3C'
    >>> Owner.from_tag_value(owner.tag_value) == owner
    True
    >>> owner.same_stack(Owner("prod-images", "Renamed"))
    True
    """

    stack_name: str
    logical_id: str

    @property
    def tag_value(self) -> str:
        """The tag value naming this owner."""
        value = f"{self.stack_name}/{self.logical_id}"
        if len(value) <= _OWNER_VALUE_MAX:
            return value
        digest = hashlib.sha256(self.logical_id.encode()).hexdigest()[:16]
        keep = _OWNER_VALUE_MAX - len(self.stack_name) - len(digest) - 2
        return f"{self.stack_name}/{self.logical_id[:keep]}~{digest}"

    @classmethod
    def from_tag_value(cls, value: str) -> Owner | None:
        """The owner a tag value names; ``None`` for a value this project did not write."""
        stack, separator, logical = value.partition("/")
        if not separator or not stack or not logical:
            return None
        return cls(stack, logical)

    def same_stack(self, other: Owner) -> bool:
        """Whether both resources live in one stack (a rename or replacement hands ownership over)."""
        return self.stack_name == other.stack_name

    def __str__(self) -> str:
        return f"resource {self.logical_id} of stack {self.stack_name}"


def owner_of_stack(stack_id: str, logical_id: str) -> Owner:
    """The owner identity of a resource from its event's ``StackId`` (ARN) and ``LogicalResourceId``.

    Examples
    --------
    >>> owner_of_stack("arn:aws:cloudformation:us-east-1:123456789012:stack/prod-images/1b2c", "Guard")
    Owner(stack_name='prod-images', logical_id='Guard')
    """
    match = _STACK_ARN.fullmatch(stack_id)
    return Owner(match.group(1) if match else stack_id, logical_id)


# --- the hand-back record of a takeover inside one stack -----------------------------------------


@dataclass(frozen=True)
class PreviousPolicy:
    """The policy recorded at a takeover: its canonical text, or ``None`` when the repository had none."""

    text: str | None


def is_ownership_tag(key: str) -> bool:
    """Whether ``key`` is one of the tags this project writes on a repository.

    Examples
    --------
    >>> is_ownership_tag(OWNER_TAG_KEY), is_ownership_tag(PREVIOUS_POLICY_TAG_PREFIX + "3"), is_ownership_tag("team")
    (True, True, False)
    """
    return key in (OWNER_TAG_KEY, PREVIOUS_OWNER_TAG_KEY) or key.startswith(PREVIOUS_POLICY_TAG_PREFIX)


def encode_previous_policy(text: str | None) -> dict[str, str] | None:
    """The ``previous-policy-<i>`` tags that record ``text``; ``None`` when it needs more than 8 tags.

    The canonical text is zlib-compressed and base64-encoded (standard alphabet: ECR tag values allow
    letters, digits and ``+ - = . _ : / @``), then cut into values of at most :data:`TAG_VALUE_MAX`
    characters. No policy is recorded as ``previous-policy-0 = "none"``.

    Examples
    --------
    >>> tags = encode_previous_policy(POLICY_EXAMPLE)
    >>> list(tags), decode_previous_policy(tags) == PreviousPolicy(canonical_policy_text(POLICY_EXAMPLE))
    (['ecr-lifecycle-guard:previous-policy-0'], True)
    >>> encode_previous_policy(None)
    {'ecr-lifecycle-guard:previous-policy-0': 'none'}
    """
    if text is None:
        return {f"{PREVIOUS_POLICY_TAG_PREFIX}0": NO_PREVIOUS_POLICY}
    try:
        canonical = canonical_policy_text(text)
    except PolicyValidationError:  # ECR accepted it; keep what ECR holds
        canonical = text
    data = base64.b64encode(zlib.compress(canonical.encode(), 9)).decode("ascii")
    chunks = [data[start : start + TAG_VALUE_MAX] for start in range(0, len(data), TAG_VALUE_MAX)]
    if len(chunks) > PREVIOUS_POLICY_MAX_CHUNKS:
        return None
    return {f"{PREVIOUS_POLICY_TAG_PREFIX}{index}": chunk for index, chunk in enumerate(chunks)}


def decode_previous_policy(tags: Mapping[str, str]) -> PreviousPolicy | None:
    """The policy recorded in ``tags`` (a repository's tags); ``None`` when no policy was recorded.

    Raises
    ------
    ValueError
        The record is damaged (not base64, not zlib, too large or not UTF-8).

    Examples
    --------
    >>> decode_previous_policy({OWNER_TAG_KEY: "prod/Guard"}) is None
    True
    >>> decode_previous_policy({PREVIOUS_POLICY_TAG_PREFIX + "0": "none"})
    PreviousPolicy(text=None)
    >>> decode_previous_policy({PREVIOUS_POLICY_TAG_PREFIX + "0": "bm90IHpsaWI="})
    Traceback (most recent call last):
    ...
    ValueError: the previous-policy tags are damaged: not a compressed policy
    """
    chunks: list[str] = []
    for index in range(PREVIOUS_POLICY_MAX_CHUNKS):
        chunk = tags.get(f"{PREVIOUS_POLICY_TAG_PREFIX}{index}")
        if not chunk:
            break
        chunks.append(chunk)
    if not chunks:
        return None
    if chunks == [NO_PREVIOUS_POLICY]:
        return PreviousPolicy(None)
    try:
        packed = base64.b64decode("".join(chunks), validate=True)
        inflate = zlib.decompressobj()
        data = inflate.decompress(packed, _MAX_RECORDED_BYTES)
        if inflate.unconsumed_tail or not inflate.eof:
            raise ValueError("the previous-policy tags are damaged: truncated or too large")
        return PreviousPolicy(data.decode())
    except (binascii.Error, zlib.error, UnicodeDecodeError) as error:
        raise ValueError("the previous-policy tags are damaged: not a compressed policy") from error


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
