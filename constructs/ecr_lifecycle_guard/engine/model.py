"""The engine's data model: a validated lifecycle policy and the images it is evaluated against.

Field names are the snake_case forms of ECR's camelCase keys; values keep ECR's spelling
(lower-case inside the policy, upper-case ``imageStatus``). The policy classes are frozen
dataclasses; :class:`Image` is a ``NamedTuple`` (built in bulk).

Examples
--------
>>> from ecr_lifecycle_guard.engine.model import Action, Rule, Selection
>>> rule = Rule(rule_priority=1, selection=Selection(tag_status="any", count_type="imageCountMoreThan",
...                                                  count_number=5), action=Action(type="expire"))
>>> rule.selection.effective_storage_class
'standard'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, NamedTuple

__all__ = [
    "INDEX_MEDIA_TYPES",
    "Action",
    "ActionType",
    "CountType",
    "Image",
    "ImageStatus",
    "Policy",
    "Rule",
    "Selection",
    "StorageClass",
    "TagStatus",
    "storage_class_of",
]

TagStatus = Literal["tagged", "untagged", "any"]
StorageClass = Literal["standard", "archive"]
CountType = Literal["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"]
ActionType = Literal["expire", "transition"]
ImageStatus = Literal["ACTIVE", "ARCHIVED", "ACTIVATING"]


def storage_class_of(status: str) -> StorageClass:
    """The storage class a lifecycle rule sees for a DescribeImages ``imageStatus`` (spec §3.6).

    ACTIVE images are standard-class; ARCHIVED and ACTIVATING (being restored) images are still
    archive-class. ``ImageDetail`` has no storage-class field, so every part derives it here.

    Examples
    --------
    >>> storage_class_of("ACTIVE"), storage_class_of("ACTIVATING")
    ('standard', 'archive')
    """
    return "standard" if status == "ACTIVE" else "archive"


#: Media types of a multi-architecture image index (OCI) or manifest list (Docker).
INDEX_MEDIA_TYPES: Final = frozenset(
    {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}
)


@dataclass(frozen=True, slots=True)
class Selection:
    """A rule's ``selection`` block; absent optional fields are ``None``."""

    tag_status: TagStatus
    count_type: CountType
    count_number: int
    tag_pattern_list: tuple[str, ...] | None = None
    tag_prefix_list: tuple[str, ...] | None = None
    storage_class: StorageClass | None = None
    count_unit: Literal["days"] | None = None

    @property
    def effective_storage_class(self) -> StorageClass:
        """The storage class the rule selects from (ECR's default is ``standard``)."""
        return self.storage_class or "standard"


@dataclass(frozen=True, slots=True)
class Action:
    """A rule's ``action`` block."""

    type: ActionType
    target_storage_class: Literal["archive"] | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One lifecycle rule."""

    rule_priority: int
    selection: Selection
    action: Action
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated lifecycle policy; ``rules`` are sorted by ``rule_priority``."""

    rules: tuple[Rule, ...]


class Image(NamedTuple):
    """One image as ``aws ecr describe-images`` reports it (timestamps are aware UTC datetimes).

    Immutable like the policy classes, but a ``NamedTuple`` rather than a frozen dataclass: a
    repository holds up to 100,000 images and a NamedTuple is built about four times faster.
    """

    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime
    last_pulled_at: datetime | None = None
    status: ImageStatus = "ACTIVE"
    last_archived_at: datetime | None = None
    last_activated_at: datetime | None = None
    subject_manifest_digest: str | None = None
    media_type: str | None = None
    artifact_media_type: str | None = None

    @property
    def storage_class(self) -> StorageClass:
        """``standard`` for ACTIVE images; ARCHIVED and ACTIVATING images are still archive-class."""
        return storage_class_of(self.status)

    @property
    def order_time(self) -> datetime:
        """The time ECR orders by: ``lastActivatedAt`` for a restored image, else ``pushedAt``."""
        return self.last_activated_at or self.pushed_at

    @property
    def pull_reference(self) -> datetime:
        """The reference time of ``sinceImagePulled`` (spec §3.3 ``pull_ref``)."""
        activated, pulled = self.last_activated_at, self.last_pulled_at
        if activated is not None and (pulled is None or pulled < activated):
            return activated
        return pulled or self.pushed_at

    @property
    def is_index(self) -> bool:
        """Whether the image is a manifest list / image index."""
        return self.media_type in INDEX_MEDIA_TYPES or self.artifact_media_type in INDEX_MEDIA_TYPES
