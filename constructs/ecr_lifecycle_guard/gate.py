"""The deploy gate: compare what ECR's lifecycle-policy preview reports with the limits the user set.

Pure and standard library only (plus the policy engine's tag matcher): the custom-resource handler
and the command line's ``preview`` command apply exactly the same gate.

Examples
--------
>>> from ecr_lifecycle_guard.gate import GateLimits, PreviewFigures, check_gate
>>> figures = PreviewFigures(expiring=12, transitioning=0, results=(), visible_images=40)
>>> verdict = check_gate(GateLimits(max_expiring_images=10), figures)
>>> verdict.passed
False
>>> verdict.short_reason("app")
"blocked by MaxExpiringImages: 12 images would expire, limit 10 (repository 'app')"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecr_lifecycle_guard.engine import tag_matches

__all__ = [
    "REASON_MAX_LENGTH",
    "GateLimits",
    "GateVerdict",
    "PreviewFigures",
    "PreviewResult",
    "Violation",
    "check_gate",
]

#: CloudFormation shows the failure reason; crhelper keeps only its last 240 characters.
REASON_MAX_LENGTH = 200

_PAST_TENSE = {"EXPIRE": "expired", "TRANSITION": "archived"}


@dataclass(frozen=True)
class GateLimits:
    """The limits a preview must stay within; ``None`` or empty means "no limit".

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
        The default guard blocks a policy that would expire every image of a non-empty repository;
        ``True`` turns that guard off.

    Examples
    --------
    >>> GateLimits(max_expiring_images=50, protected_tags=("release-*",)).protected_tags
    ('release-*',)
    """

    max_expiring_images: int | None = None
    max_expiring_percent: float | None = None
    max_transitioning_images: int | None = None
    protected_tags: tuple[str, ...] = ()
    allow_expire_all: bool = False

    @property
    def needs_visible_count(self) -> bool:
        """Whether checking these limits needs the number of images the policy can see.

        Examples
        --------
        >>> GateLimits(allow_expire_all=True).needs_visible_count
        False
        """
        return self.max_expiring_percent is not None or not self.allow_expire_all


@dataclass(frozen=True)
class PreviewResult:
    """One image the preview would act on (an item of ``previewResults``).

    Examples
    --------
    >>> item = {"imageDigest": "sha256:ab", "imageTags": ["v1"], "action": {"type": "EXPIRE"},
    ...         "appliedRulePriority": 1, "storageClass": "STANDARD"}
    >>> PreviewResult.from_api(item).tags
    ('v1',)
    """

    digest: str
    tags: tuple[str, ...]
    action: str
    rule_priority: int | None
    storage_class: str | None
    pushed_at: datetime | None = None

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> PreviewResult:
        """Build a result from one ``previewResults`` item of ``GetLifecyclePolicyPreview``."""
        action = item.get("action") or {}
        pushed = item.get("imagePushedAt")
        return cls(
            digest=str(item.get("imageDigest", "")),
            tags=tuple(str(t) for t in item.get("imageTags") or ()),
            action=str(action.get("type", "EXPIRE")).upper(),
            rule_priority=item.get("appliedRulePriority"),
            storage_class=item.get("storageClass"),
            pushed_at=pushed if isinstance(pushed, datetime) else None,
        )

    def as_log(self) -> dict[str, Any]:
        """A JSON-ready summary for log lines.

        Examples
        --------
        >>> PreviewResult("sha256:ab", ("v1",), "EXPIRE", 2, "STANDARD").as_log()["rule"]
        2
        """
        return {
            "digest": self.digest,
            "tags": list(self.tags),
            "action": self.action,
            "rule": self.rule_priority,
            "storageClass": self.storage_class,
            "pushedAt": self.pushed_at.isoformat() if self.pushed_at else None,
        }


@dataclass(frozen=True)
class PreviewFigures:
    """What ECR's preview (or the offline evaluator) reported for one policy.

    Parameters
    ----------
    expiring
        ``summary.expiringImageTotalCount``.
    transitioning
        The sum of ``summary.transitioningImageTotalCounts[].imageTotalCount``.
    results
        Every image the preview would act on, from all result pages.
    visible_images
        Images in the storage classes the policy has rules for, or ``None`` when not counted.

    Examples
    --------
    >>> PreviewFigures(expiring=0, transitioning=0, results=(), visible_images=None).expiring
    0
    """

    expiring: int
    transitioning: int
    results: tuple[PreviewResult, ...]
    visible_images: int | None

    @property
    def expiring_percent(self) -> float:
        """Expiring images as a percentage of the visible ones (0 when none are visible or uncounted).

        Examples
        --------
        >>> PreviewFigures(expiring=1, transitioning=0, results=(), visible_images=4).expiring_percent
        25.0
        """
        if not self.visible_images:
            return 0.0
        return 100.0 * self.expiring / self.visible_images

    def as_log(self, sample_size: int = 20) -> dict[str, Any]:
        """A JSON-ready summary with the first ``sample_size`` affected images, for log lines.

        Examples
        --------
        >>> PreviewFigures(expiring=0, transitioning=0, results=(), visible_images=3).as_log()["visibleImages"]
        3
        """
        return {
            "expiringImageCount": self.expiring,
            "transitioningImageCount": self.transitioning,
            "visibleImages": self.visible_images,
            "affectedImages": len(self.results),
            "firstAffectedImages": [r.as_log() for r in self.results[:sample_size]],
        }


@dataclass(frozen=True)
class Violation:
    """One limit the preview crossed.

    Parameters
    ----------
    limit
        The limit's custom-resource property name, e.g. ``MaxExpiringImages``.
    count
        The figure measured against the limit.
    threshold
        The limit's value (the pattern for ``ProtectedTags``; ``None`` for the expire-all guard).
    message
        Short, specific text: the count against the limit.
    """

    limit: str
    count: float
    threshold: float | str | None
    message: str

    def __str__(self) -> str:
        return f"{self.limit}: {self.message}"


@dataclass(frozen=True)
class GateVerdict:
    """The gate's answer: passed, or the limits that were crossed.

    Examples
    --------
    >>> GateVerdict(passed=True, violations=()).short_reason("app")
    "preview within limits (repository 'app')"
    """

    passed: bool
    violations: tuple[Violation, ...]

    def short_reason(self, repository: str, *, suffix: str = "") -> str:
        """A CloudFormation-sized reason (at most :data:`REASON_MAX_LENGTH` characters, ``suffix`` included).

        Names the first limit crossed and its count against the limit, how many more were crossed and
        the repository. ``suffix`` (e.g. where the details are logged) is kept whole; the rest is
        shortened when needed.

        Examples
        --------
        >>> verdict = check_gate(GateLimits(max_transitioning_images=0),
        ...                      PreviewFigures(expiring=0, transitioning=3, results=(), visible_images=None))
        >>> verdict.short_reason("app", suffix="; see the log")
        "blocked by MaxTransitioningImages: 3 images would be archived, limit 0 (repository 'app'); see the log"
        """
        if self.passed:
            head = "preview within limits"
        else:
            head = f"blocked by {self.violations[0]}"
            if len(self.violations) > 1:
                head += f" (+{len(self.violations) - 1} more)"
        tail = f" (repository '{repository}'){suffix}"
        room = REASON_MAX_LENGTH - len(tail)
        if room < 40:  # an absurdly long repository name: shorten it instead of the limit
            tail = f" (repository '{repository[:40]}...'){suffix}"
            room = REASON_MAX_LENGTH - len(tail)
        if len(head) > room:
            head = head[: room - 3] + "..."
        return head + tail


def check_gate(limits: GateLimits, figures: PreviewFigures) -> GateVerdict:
    """Apply every configured limit to the preview figures.

    Parameters
    ----------
    limits
        What the user allows.
    figures
        What the preview reported. Checks that need ``visible_images`` are skipped when it is ``None``.

    Returns
    -------
    GateVerdict
        ``passed`` is ``True`` when no limit is crossed; otherwise ``violations`` lists each crossed
        limit in a fixed order (images, percent, transitioning, protected tags, expire-all guard).

    Examples
    --------
    >>> figures = PreviewFigures(expiring=5, transitioning=0, results=(), visible_images=5)
    >>> [v.limit for v in check_gate(GateLimits(), figures).violations]
    ['AllowExpireAll']
    >>> check_gate(GateLimits(allow_expire_all=True), figures).passed
    True
    """
    violations = [
        *_check_expiring_images(limits, figures),
        *_check_expiring_percent(limits, figures),
        *_check_transitioning(limits, figures),
        *_check_protected_tags(limits, figures),
        *_check_expire_all(limits, figures),
    ]
    return GateVerdict(passed=not violations, violations=tuple(violations))


def _check_expiring_images(limits: GateLimits, figures: PreviewFigures) -> list[Violation]:
    limit = limits.max_expiring_images
    if limit is None or figures.expiring <= limit:
        return []
    message = f"{_images(figures.expiring)} would expire, limit {limit}"
    return [Violation("MaxExpiringImages", figures.expiring, limit, message)]


def _check_expiring_percent(limits: GateLimits, figures: PreviewFigures) -> list[Violation]:
    limit = limits.max_expiring_percent
    if limit is None or figures.visible_images is None or figures.expiring_percent <= limit:
        return []
    percent = figures.expiring_percent
    message = f"{percent:.1f}% would expire ({figures.expiring} of {_images(figures.visible_images)}), limit {limit:g}%"
    return [Violation("MaxExpiringPercent", percent, limit, message)]


def _check_transitioning(limits: GateLimits, figures: PreviewFigures) -> list[Violation]:
    limit = limits.max_transitioning_images
    if limit is None or figures.transitioning <= limit:
        return []
    message = f"{_images(figures.transitioning)} would be archived, limit {limit}"
    return [Violation("MaxTransitioningImages", figures.transitioning, limit, message)]


def _check_protected_tags(limits: GateLimits, figures: PreviewFigures) -> list[Violation]:
    violations: list[Violation] = []
    for pattern in limits.protected_tags:
        hits = [(r, t) for r in figures.results for t in r.tags if tag_matches(pattern, t)]
        if not hits:
            continue
        images = len({r.digest for r, _ in hits})
        first, tag = hits[0]
        done = _PAST_TENSE.get(first.action, "acted on")
        message = f"pattern '{pattern}' matches tag '{tag}' ({_images(images)} would be {done}, limit 0)"
        violations.append(Violation("ProtectedTags", images, pattern, message))
    return violations


def _check_expire_all(limits: GateLimits, figures: PreviewFigures) -> list[Violation]:
    visible = figures.visible_images
    if limits.allow_expire_all or not visible or figures.expiring < visible:
        return []
    message = (
        f"this policy would expire every image in the repository ({figures.expiring} of {visible});"
        " set AllowExpireAll to allow it"
    )
    return [Violation("AllowExpireAll", figures.expiring, None, message)]


def _images(count: int) -> str:
    return f"{count} image" if count == 1 else f"{count} images"
