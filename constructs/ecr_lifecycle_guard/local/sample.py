"""A realistic repository to seed the stand-in with, for the demo: what a service's ECR repository holds.

Deterministic (no randomness): releases ``v1.M.P`` (also tagged ``release-1.M.P``) every few days
over a year, the newest also tagged ``latest``; older releases already in the archive; feature-branch
builds ``feature-<branch>-<n>`` over the last weeks; untagged images (superseded builds and layers).
Pull times follow use: recent releases are pulled, old ones are not.

Examples
--------
>>> images = sample_images()
>>> len(images), sum(1 for image in images if image.status == "ARCHIVED")
(300, 20)
>>> SAMPLE_SUMMARY
'80 releases v1.x.y over a year, 20 older releases archived, 150 feature-* builds, 50 untagged images'
"""

from __future__ import annotations

from typing import Final

from ecr_lifecycle_guard.local.seed import SeedImage

__all__ = ["SAMPLE_SUMMARY", "sample_images"]

_RELEASES: Final = 80
_ARCHIVED_RELEASES: Final = 20
_FEATURE_BUILDS: Final = 150
_UNTAGGED: Final = 50
_BRANCHES: Final = ("login", "search", "checkout", "billing", "profile", "reports")

#: One line describing :func:`sample_images` for the reader.
SAMPLE_SUMMARY: Final = (
    f"{_RELEASES} releases v1.x.y over a year, {_ARCHIVED_RELEASES} older releases archived, "
    f"{_FEATURE_BUILDS} feature-* builds, {_UNTAGGED} untagged images"
)


def _release_tags(number: int) -> tuple[str, ...]:
    version = f"1.{number // 10}.{number % 10}"
    return (f"v{version}", f"release-{version}")


def sample_images() -> list[SeedImage]:
    """The sample repository's images, oldest first.

    Returns
    -------
    list[SeedImage]
        300 images: 20 archived releases (pushed 13-20 months ago), 80 active releases (one every
        4.5 days over the last year, the newest tagged ``latest``), 150 feature builds (about 5 a
        day over the last 30 days) and 50 untagged images (over the last 50 days).

    Examples
    --------
    >>> sample_images()[-1].tags
    ('feature-reports-149',)
    """
    archived = [
        SeedImage(
            tags=_release_tags(i),
            pushed_days_ago=600 - 10 * i,
            status="ARCHIVED",
            archived_days_ago=120 - 3 * i,
            last_pulled_days_ago=400 - 5 * i,
        )
        for i in range(_ARCHIVED_RELEASES)
    ]
    releases = []
    for i in range(_RELEASES):
        number = _ARCHIVED_RELEASES + i
        age = 360 - 4.5 * i
        newest = i == _RELEASES - 1
        tags = (*_release_tags(number), "latest") if newest else _release_tags(number)
        # Releases are pulled while they are current, and for about two months after.
        releases.append(SeedImage(tags=tags, pushed_days_ago=age, last_pulled_days_ago=max(age - 60, 0.5)))
    untagged = [SeedImage(pushed_days_ago=50 - i + 0.25) for i in range(_UNTAGGED)]
    features = [
        SeedImage(tags=(f"feature-{_BRANCHES[i % len(_BRANCHES)]}-{i}",), pushed_days_ago=30 - i / 5)
        for i in range(_FEATURE_BUILDS)
    ]
    images = [*archived, *releases, *untagged, *features]
    images.sort(key=lambda image: -(image.pushed_days_ago or 0.0))
    return images
