"""Seed a stand-in repository with images of chosen tags, ages and archive states.

Images go through moto's own ``PutImage`` implementation, called in-process on its backend (one call
per tag, a unique manifest and digest per image): the same checks as over HTTP, a hundred times
faster, and seeding does not show up in the stand-in's record of API calls. Then the push time and
ECR's extras, which no API can set, are written on moto's image objects.

Examples
--------
>>> old = SeedImage(tags=("v1", "latest"), pushed_days_ago=30, last_pulled_days_ago=2)
>>> old.pushed_at_or(datetime(2026, 1, 31, tzinfo=UTC)).isoformat()
'2026-01-01T00:00:00+00:00'
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ecr_lifecycle_guard.engine.model import ImageStatus

__all__ = ["DOCKER_MANIFEST_V2", "SeedImage", "seed_images"]

#: Media type of a single-platform Docker image manifest (the default for seeded images).
DOCKER_MANIFEST_V2: Final = "application/vnd.docker.distribution.manifest.v2+json"
_CONFIG_MEDIA_TYPE: Final = "application/vnd.docker.container.image.v1+json"
_LAYER_MEDIA_TYPE: Final = "application/vnd.docker.image.rootfs.diff.tar.gzip"


@dataclass(frozen=True)
class SeedImage:
    """An image to put into a stand-in repository.

    Parameters
    ----------
    tags
        Its tags; empty for an untagged image.
    pushed_days_ago
        Age of the push in days (fractions allowed). Give this or ``pushed_at``; neither means now.
    pushed_at
        Exact push time (aware datetime).
    status
        ``ACTIVE``, ``ARCHIVED`` or ``ACTIVATING`` (DescribeImages ``imageStatus``).
    last_pulled_days_ago
        Age of the last recorded pull (``lastRecordedPullTime``); None: never pulled.
    archived_days_ago
        Age of ``lastArchivedAt``; None: never archived.
    activated_days_ago
        Age of ``lastActivatedAt`` (restore from archive); None: never restored.
    media_type
        The manifest's ``mediaType`` (``imageManifestMediaType``).
    """

    tags: tuple[str, ...] = ()
    pushed_days_ago: float | None = None
    pushed_at: datetime | None = None
    status: ImageStatus = "ACTIVE"
    last_pulled_days_ago: float | None = None
    archived_days_ago: float | None = None
    activated_days_ago: float | None = None
    media_type: str = DOCKER_MANIFEST_V2

    def __post_init__(self) -> None:
        if self.pushed_days_ago is not None and self.pushed_at is not None:
            raise ValueError("SeedImage: give pushed_days_ago or pushed_at, not both")
        if self.pushed_at is not None and self.pushed_at.tzinfo is None:
            raise ValueError(f"SeedImage.pushed_at: must be an aware datetime, got {self.pushed_at!r}")

    def pushed_at_or(self, now: datetime) -> datetime:
        """The push time, counting ``pushed_days_ago`` back from ``now``."""
        return self.pushed_at or _days_before(now, self.pushed_days_ago) or now

    def manifest(self) -> str:
        """A manifest of :attr:`media_type` that no other seeded image has."""
        unique = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        blob = {"mediaType": _CONFIG_MEDIA_TYPE, "size": 1024, "digest": f"sha256:{unique}"}
        layer = {"mediaType": _LAYER_MEDIA_TYPE, "size": 2048, "digest": f"sha256:{unique[::-1]}"}
        return json.dumps({"schemaVersion": 2, "mediaType": self.media_type, "config": blob, "layers": [layer]})


def _days_before(now: datetime, days: float | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def seed_images(backend: Any, repo: Any, images: Sequence[SeedImage], *, now: datetime | None = None) -> list[str]:
    """Put ``images`` into moto's repository ``repo`` and set their times and status.

    Parameters
    ----------
    backend
        moto's ECR backend (account and region) holding ``repo``.
    repo
        moto's repository object.
    images
        What to put.
    now
        Reference time for the ``*_days_ago`` fields; default: the current time.

    Returns
    -------
    list[str]
        The image digests, in the order of ``images``.
    """
    reference = now or datetime.now(UTC)
    digests = [_put(backend, repo.name, image) for image in images]
    by_digest = {image.image_digest: image for image in repo.images}
    for digest, seed in zip(digests, images, strict=True):
        stored = by_digest[digest]
        stored.image_pushed_at = seed.pushed_at_or(reference)
        stored.image_status = seed.status
        stored.last_recorded_pull_time = _days_before(reference, seed.last_pulled_days_ago)
        stored.last_archived_at = _days_before(reference, seed.archived_days_ago)
        stored.last_activated_at = _days_before(reference, seed.activated_days_ago)
    return digests


def _put(backend: Any, repository: str, image: SeedImage) -> str:
    manifest = image.manifest()
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    tags: Iterable[str | None] = image.tags or (None,)
    for tag in tags:
        backend.put_image(repository, manifest, tag, image.media_type, digest)
    return digest
