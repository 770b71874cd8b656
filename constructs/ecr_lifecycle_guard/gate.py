"""The deploy gate: compare what ECR's lifecycle-policy preview reports with the limits the user set.

Pure and standard library only (plus the policy engine): the custom-resource handler and the
command line's ``preview`` and ``evaluate`` commands apply exactly the same gate. It fails closed:
a limit whose figure was not measured blocks instead of passing silently.

Examples
--------
>>> from ecr_lifecycle_guard.gate import GateLimits, PreviewFigures, check_gate
>>> figures = PreviewFigures(expiring=12, transitioning=0, results=(), visible_images=40)
>>> verdict = check_gate(GateLimits(max_expiring_images=10, protect_in_use=False), figures)
>>> verdict.passed
False
>>> verdict.short_reason("app")
"blocked by MaxExpiringImages: 12 images would expire, limit 10 (repository 'app')"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ecr_lifecycle_guard.contract import GateLimits
from ecr_lifecycle_guard.engine import preview_item, tag_matches

__all__ = [
    "EXPIRE_ALL_CHECK",
    "IN_USE_CHECK",
    "REASON_MAX_LENGTH",
    "UNKNOWN_ACTION",
    "GateLimits",
    "GateVerdict",
    "InUseView",
    "PreviewFigures",
    "PreviewResult",
    "Violation",
    "WorkloadView",
    "check_gate",
]

#: CloudFormation shows the failure reason; crhelper keeps only its last 240 characters.
REASON_MAX_LENGTH = 200
#: The name of the check that blocks a policy expiring every image (``AllowExpireAll`` turns it off).
EXPIRE_ALL_CHECK = "ExpireAll"
#: The name of the check that blocks expiring or archiving an image a workload uses.
IN_USE_CHECK = "InUse"
#: The action recorded for a preview result whose ``action.type`` ECR did not give.
UNKNOWN_ACTION = "UNKNOWN"

_PAST_TENSE = {"EXPIRE": "expired", "TRANSITION": "archived"}


@dataclass(frozen=True)
class PreviewResult:
    """One image the preview would act on (an item of ``previewResults``).

    ``raw`` keeps the item exactly as ECR returned it, for output that passes ECR's answer on.

    Examples
    --------
    >>> item = {"imageDigest": "sha256:ab", "imageTags": ["v1"], "action": {"type": "EXPIRE"},
    ...         "appliedRulePriority": 1, "storageClass": "STANDARD"}
    >>> PreviewResult.from_api(item).tags
    ('v1',)
    >>> PreviewResult.from_api({"imageDigest": "sha256:cd"}).action
    'UNKNOWN'
    """

    digest: str
    tags: tuple[str, ...]
    action: str
    rule_priority: int | None
    storage_class: str | None
    pushed_at: datetime | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> PreviewResult:
        """Build a result from one ``previewResults`` item of ``GetLifecyclePolicyPreview``.

        A missing ``action.type`` is recorded as :data:`UNKNOWN_ACTION` (never guessed); the gate
        treats such an image as acted on, since ECR lists only images an action applies to.
        """
        action = item.get("action") or {}
        action_type = action.get("type") if isinstance(action, Mapping) else None
        pushed = item.get("imagePushedAt")
        priority = item.get("appliedRulePriority")
        return cls(
            digest=str(item.get("imageDigest", "")),
            tags=tuple(str(t) for t in item.get("imageTags") or ()),
            action=str(action_type).upper() if action_type else UNKNOWN_ACTION,
            rule_priority=priority if isinstance(priority, int) else None,
            storage_class=item.get("storageClass"),
            pushed_at=pushed if isinstance(pushed, datetime) else None,
            raw=item,
        )

    def as_json(self) -> dict[str, Any]:
        """This result in ECR's ``previewResults`` shape (the engine's one serialiser).

        Examples
        --------
        >>> PreviewResult("sha256:ab", ("v1",), "EXPIRE", 2, "STANDARD").as_json()["appliedRulePriority"]
        2
        """
        return preview_item(
            digest=self.digest,
            tags=self.tags,
            pushed_at=self.pushed_at,
            action_type=self.action,
            target_storage_class="ARCHIVE" if self.action == "TRANSITION" else None,
            rule_priority=self.rule_priority,
            storage_class=self.storage_class,
        )


class WorkloadView(Protocol):
    """What the gate reads of a workload (:class:`ecr_lifecycle_guard.inuse.Workload`)."""

    @property
    def kind(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def detail(self) -> str: ...


class InUseView(Protocol):
    """What the gate reads of an in-use report (:class:`ecr_lifecycle_guard.inuse.InUseReport`)."""

    @property
    def images(self) -> Mapping[str, Sequence[WorkloadView]]: ...

    @property
    def failures(self) -> Sequence[object]: ...


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
    status
        The preview's status as ECR gave it (``COMPLETE`` for a finished preview).
    summary
        ECR's ``summary`` exactly as returned (``None`` for the offline evaluator).

    Examples
    --------
    >>> PreviewFigures(expiring=0, transitioning=0, results=(), visible_images=None).expiring
    0
    """

    expiring: int
    transitioning: int
    results: tuple[PreviewResult, ...]
    visible_images: int | None
    status: str = "COMPLETE"
    summary: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def expiring_percent(self) -> float | None:
        """Expiring images as a percentage of the visible ones; ``None`` when that is unknown.

        Nothing expiring is 0 % whatever the count; expiring images with no count are unknown.

        Examples
        --------
        >>> PreviewFigures(expiring=1, transitioning=0, results=(), visible_images=4).expiring_percent
        25.0
        >>> PreviewFigures(expiring=1, transitioning=0, results=(), visible_images=None).expiring_percent is None
        True
        """
        if self.expiring == 0:
            return 0.0
        if not self.visible_images:
            return None
        return 100.0 * self.expiring / self.visible_images

    def as_log(self, sample_size: int = 20) -> dict[str, Any]:
        """A JSON-ready summary with the first ``sample_size`` affected images, for log lines.

        Examples
        --------
        >>> PreviewFigures(expiring=0, transitioning=0, results=(), visible_images=3).as_log()["visibleImages"]
        3
        """
        return {
            "status": self.status,
            "expiringImageCount": self.expiring,
            "transitioningImageCount": self.transitioning,
            "visibleImages": self.visible_images,
            "affectedImages": len(self.results),
            "firstAffectedImages": [r.as_json() for r in self.results[:sample_size]],
        }


@dataclass(frozen=True)
class Violation:
    """One limit the preview crossed.

    Parameters
    ----------
    limit
        The check's name: a property (``MaxExpiringImages``, ``ProtectedTags``, …), :data:`EXPIRE_ALL_CHECK`
        or :data:`IN_USE_CHECK`.
    count
        The figure measured against the limit (``None`` when it could not be measured).
    threshold
        The limit's value (the pattern for ``ProtectedTags``; ``None`` for the expire-all and in-use checks).
    message
        Short, specific text: the count against the limit.
    """

    limit: str
    count: float | None
    threshold: float | str | None
    message: str

    def __str__(self) -> str:
        return f"{self.limit}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"limit": self.limit, "count": self.count, "threshold": self.threshold, "message": self.message}


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
        >>> verdict = check_gate(GateLimits(max_transitioning_images=0, protect_in_use=False),
        ...                      PreviewFigures(expiring=0, transitioning=3, results=(), visible_images=None))
        >>> verdict.short_reason("app", suffix="; see the log")
        "blocked by MaxTransitioningImages: 3 images would be archived, limit 0 (repository 'app'); see the log"
        """
        head = "preview within limits" if self.passed else f"blocked by {self.violations[0]}"
        more = f" (+{len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        tail = f"{more} (repository '{repository}'){suffix}"
        room = REASON_MAX_LENGTH - len(tail)
        if room < 40:  # an absurdly long repository name: shorten it instead of the limit
            tail = f"{more} (repository '{repository[:40]}...'){suffix}"
            room = REASON_MAX_LENGTH - len(tail)
        if len(head) > room:  # the count of further limits is kept: it says to read the log
            head = head[: room - 3] + "..."
        return head + tail

    def as_json(self, repository: str) -> dict[str, Any]:
        """JSON-ready verdict: passed, the short reason and every violation."""
        return {
            "passed": self.passed,
            "reason": self.short_reason(repository),
            "violations": [v.as_json() for v in self.violations],
        }


def check_gate(limits: GateLimits, figures: PreviewFigures, in_use: InUseView | None = None) -> GateVerdict:
    """Apply every configured limit to the preview figures.

    Parameters
    ----------
    limits
        What the user allows.
    figures
        What the preview reported. A limit that needs ``visible_images`` blocks when images expire
        and the count is ``None`` (fail closed).
    in_use
        The workloads found using the repository's images; required when ``limits.protect_in_use``
        (``None`` then blocks: nothing proves the images are unused).

    Returns
    -------
    GateVerdict
        ``passed`` is ``True`` when no limit is crossed; otherwise ``violations`` lists each crossed
        limit in a fixed order (images, percent, transitioning, protected tags, expire-all, in use).

    Examples
    --------
    >>> figures = PreviewFigures(expiring=5, transitioning=0, results=(), visible_images=5)
    >>> [v.limit for v in check_gate(GateLimits(protect_in_use=False), figures).violations]
    ['ExpireAll']
    >>> check_gate(GateLimits(allow_expire_all=True, protect_in_use=False), figures).passed
    True
    """
    violations = [
        *_check_expiring_images(limits, figures),
        *_check_expiring_percent(limits, figures),
        *_check_transitioning(limits, figures),
        *_check_protected_tags(limits, figures),
        *_check_expire_all(limits, figures),
        *_check_in_use(limits, figures, in_use),
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
    if limit is None:
        return []
    percent = figures.expiring_percent
    if percent is None:
        counted = "were not counted" if figures.visible_images is None else "were counted as 0"
        message = f"{_images(figures.expiring)} would expire but the images the policy can see {counted}"
        return [Violation("MaxExpiringPercent", None, limit, message)]
    if percent <= limit:
        return []
    seen = _images(figures.visible_images or 0)
    message = f"{percent:.1f}% would expire ({figures.expiring} of {seen}), limit {limit:g}%"
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
    if limits.allow_expire_all or figures.expiring == 0:
        return []
    visible = figures.visible_images
    if visible is None:
        message = (
            f"{_images(figures.expiring)} would expire but the images in the repository were not counted,"
            " so expiring every image cannot be ruled out; set AllowExpireAll to allow it"
        )
        return [Violation(EXPIRE_ALL_CHECK, figures.expiring, None, message)]
    if figures.expiring < visible:
        return []
    message = (
        f"this policy would expire every image in the repository ({figures.expiring} of {visible});"
        " set AllowExpireAll to allow it"
    )
    return [Violation(EXPIRE_ALL_CHECK, figures.expiring, None, message)]


def _check_in_use(limits: GateLimits, figures: PreviewFigures, in_use: InUseView | None) -> list[Violation]:
    if not limits.protect_in_use:
        return []
    if in_use is None:
        message = "the workloads using the repository's images were not discovered; set ProtectInUse to false"
        return [Violation(IN_USE_CHECK, None, None, message)]
    violations = [Violation(IN_USE_CHECK, None, None, str(failure)) for failure in in_use.failures]
    hits = [(r, in_use.images[r.digest]) for r in figures.results if in_use.images.get(r.digest)]
    if hits:
        result, workloads = hits[0]
        image = f"'{result.tags[0]}' ({_short(result.digest)})" if result.tags else _short(result.digest)
        others = len(hits) - 1 + len(workloads) - 1  # further images and workloads: the log lists every one
        more = f" (+{others} more)" if others else ""
        first = workloads[0]
        detail = f" ({first.detail})" if first.detail else ""  # last: the first words a short reason drops
        message = f"image {image} ({result.action.lower()}) used by {first.kind} {first.name}{more}{detail}"
        violations.insert(0, Violation(IN_USE_CHECK, len(hits), 0, message))
    return violations


def _short(digest: str) -> str:
    algorithm, _, hexdigits = digest.partition(":")
    return f"{algorithm}:{hexdigits[:12]}" if hexdigits else digest[:19]


def _images(count: int) -> str:
    return f"{count} image" if count == 1 else f"{count} images"
