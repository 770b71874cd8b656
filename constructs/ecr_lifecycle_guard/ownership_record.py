"""The ownership record on a repository: which resource owns its lifecycle policy, and what a rename left.

Part of the contract (:mod:`~ecr_lifecycle_guard.contract` re-exports every name): the owner tag
:data:`OWNER_TAG_KEY` names ``<stack name>/<logical id>``; a takeover inside one stack (a rename or a
replacement) also records the owner it took over from and, when it changed the policy, that owner's
policy, so that a rollback can hand both back. Standard library and the policy engine only (it ships
in the Lambda asset).

Examples
--------
>>> Owner.from_tag_value("prod/Guard")
Owner(stack_name='prod', logical_id='Guard')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.engine.checks import MAX_POLICY_LENGTH
from ecr_lifecycle_guard.errors import PolicyValidationError

__all__ = [
    "NO_PREVIOUS_POLICY",
    "OWNER_TAG_KEY",
    "PREVIOUS_OWNER_TAG_KEY",
    "PREVIOUS_POLICY_MAX_CHUNKS",
    "PREVIOUS_POLICY_TAG_PREFIX",
    "TAG_VALUE_MAX",
    "Owner",
    "PreviousPolicy",
    "decode_previous_policy",
    "encode_previous_policy",
    "is_ownership_tag",
    "owner_of_stack",
]

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
_STACK_ARN: Final = re.compile(r"arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:[0-9]{12}:stack/([^/]+)/.+")
_OWNER_VALUE_MAX: Final = TAG_VALUE_MAX
#: A recorded policy never decompresses to more than this (ECR's limit, with room for non-ASCII text).
_MAX_RECORDED_BYTES: Final = 4 * MAX_POLICY_LENGTH
#: A small valid policy, for examples.
_POLICY_EXAMPLE: Final = (
    '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",'
    ' "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}'
)


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
    >>> tags = encode_previous_policy(_POLICY_EXAMPLE)
    >>> list(tags), decode_previous_policy(tags) == PreviousPolicy(canonical_policy_text(_POLICY_EXAMPLE))
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
