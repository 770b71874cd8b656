"""Builders shared by the engine's unit tests: policy documents, images and result views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ecr_lifecycle_guard.engine import Evaluation, Image
from ecr_lifecycle_guard.engine.model import ImageStatus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SINCE = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")


def rule(
    priority: int,
    *,
    tag_status: str = "any",
    patterns: list[str] | None = None,
    prefixes: list[str] | None = None,
    storage: str | None = None,
    count_type: str = "imageCountMoreThan",
    number: int = 1,
    action: str = "expire",
    description: str | None = None,
) -> dict[str, Any]:
    """A rule document; ``countUnit`` is added for the since* count types, ``targetStorageClass`` for transition."""
    selection: dict[str, Any] = {"tagStatus": tag_status}
    if patterns is not None:
        selection["tagPatternList"] = patterns
    if prefixes is not None:
        selection["tagPrefixList"] = prefixes
    if storage is not None:
        selection["storageClass"] = storage
    selection["countType"] = count_type
    if count_type in SINCE:
        selection["countUnit"] = "days"
    selection["countNumber"] = number
    document: dict[str, Any] = {"rulePriority": priority}
    if description is not None:
        document["description"] = description
    document["selection"] = selection
    document["action"] = (
        {"type": action, "targetStorageClass": "archive"} if action == "transition" else {"type": action}
    )
    return document


def policy(*rules: dict[str, Any]) -> dict[str, Any]:
    """A policy document holding ``rules``."""
    return {"rules": list(rules)}


def days_ago(days: float) -> datetime:
    """``NOW`` minus ``days``."""
    return NOW - timedelta(days=days)


def image(
    digest: str,
    *tags: str,
    age: float = 1.0,
    status: ImageStatus = "ACTIVE",
    pulled: float | None = None,
    archived: float | None = None,
    activated: float | None = None,
    media_type: str | None = None,
    subject: str | None = None,
) -> Image:
    """An image pushed ``age`` days before ``NOW`` (other times in days before ``NOW`` too)."""
    return Image(
        digest=digest,
        tags=tags,
        pushed_at=days_ago(age),
        last_pulled_at=None if pulled is None else days_ago(pulled),
        status=status,
        last_archived_at=None if archived is None else days_ago(archived),
        last_activated_at=None if activated is None else days_ago(activated),
        subject_manifest_digest=subject,
        media_type=media_type,
    )


def acted(evaluation: Evaluation) -> dict[str, int]:
    """digest -> the priority of the rule that acts on it."""
    return {outcome.image.digest: outcome.rule_priority for outcome in evaluation.outcomes}
