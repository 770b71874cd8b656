"""Human explanations: why a rule acted on an image, and warnings for what ECR leaves undefined.

Examples
--------
>>> from ecr_lifecycle_guard.engine.model import Action, Rule, Selection
>>> rule = Rule(20, Selection("tagged", "imageCountMoreThan", 5, tag_pattern_list=("feature-*",)), Action("expire"))
>>> describe_rule(rule)
'rule 20 (tagged "feature-*", keep 5 newest)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import repeat
from operator import attrgetter, sub, truediv

from ecr_lifecycle_guard.engine.model import Image, Rule

__all__ = ["Notes", "describe_rule", "keep_reason", "since_reason", "since_reasons"]

_DAY_SECONDS = 86_400.0
_PUSHED = attrgetter("pushed_at")


def _quoted(entries: tuple[str, ...]) -> str:
    return " and ".join(f'"{entry}"' for entry in entries)


def describe_rule(rule: Rule) -> str:
    """A short description of a rule: priority, what it selects and its criterion."""
    sel = rule.selection
    if sel.tag_pattern_list is not None:
        selects = f"tagged {_quoted(sel.tag_pattern_list)}"
    elif sel.tag_prefix_list is not None:
        selects = f"tagged prefix {_quoted(sel.tag_prefix_list)}"
    else:
        selects = sel.tag_status
    if sel.effective_storage_class == "archive":
        selects += " archived"
    days = f"{sel.count_number} day{'s' if sel.count_number != 1 else ''}"
    criterion = {
        "imageCountMoreThan": f"keep {sel.count_number} newest",
        "sinceImagePushed": f"older than {days}",
        "sinceImagePulled": f"not pulled for {days}",
        "sinceImageTransitioned": f"archived more than {days}",
    }[sel.count_type]
    return f"rule {rule.rule_priority} ({selects}, {criterion})"


def _days(now: datetime, then: datetime) -> str:
    days = (now - then).total_seconds() / _DAY_SECONDS
    return f"{days:.0f} days" if days >= 2 else f"{days * 24:.0f} hours"


def keep_reason(described: str, rank: int, total: int) -> str:
    """Why a keep-N rule (``described`` by :func:`describe_rule`) acts on the image at ``rank`` of ``total``."""
    return f"{described}: rank {rank} of {total} in the rule's selection"


def since_reason(described: str, rule: Rule, image: Image, now: datetime) -> str:
    """Why an age rule acts on ``image``, naming the reference time it used."""
    count_type = rule.selection.count_type
    if count_type == "sinceImagePushed":
        detail = f"pushed {_days(now, image.pushed_at)} ago"
    elif count_type == "sinceImageTransitioned":
        archived = image.last_archived_at
        detail = (
            f"archived {_days(now, archived)} ago"
            if archived
            else f"no lastArchivedAt; pushed {_days(now, image.pushed_at)} ago"
        )
    elif image.last_activated_at is not None and image.pull_reference == image.last_activated_at:
        detail = f"restored {_days(now, image.last_activated_at)} ago, not pulled since"
    elif image.last_pulled_at is not None:
        detail = f"last pulled {_days(now, image.last_pulled_at)} ago"
    else:
        detail = f"never pulled; pushed {_days(now, image.pushed_at)} ago"
    return f"{described}: {detail}"


def since_reasons(described: str, rule: Rule, images: Sequence[Image], now: datetime) -> list[str]:
    """:func:`since_reason` of each image (the common ``sinceImagePushed`` case formatted in bulk).

    Examples
    --------
    >>> from datetime import UTC
    >>> from ecr_lifecycle_guard.engine.model import Action, Selection
    >>> rule = Rule(1, Selection("untagged", "sinceImagePushed", 1, count_unit="days"), Action("expire"))
    >>> now = datetime(2024, 1, 10, tzinfo=UTC)
    >>> since_reasons("rule 1", rule, [Image("a", (), datetime(2024, 1, 1, tzinfo=UTC)),
    ...                                Image("b", (), datetime(2024, 1, 9, 6, tzinfo=UTC))], now)
    ['rule 1: pushed 9 days ago', 'rule 1: pushed 18 hours ago']
    """
    if rule.selection.count_type != "sinceImagePushed":
        return list(map(since_reason, repeat(described), repeat(rule), images, repeat(now)))
    days = list(
        map(truediv, map(timedelta.total_seconds, map(sub, repeat(now), map(_PUSHED, images))), repeat(_DAY_SECONDS))
    )
    template = described.replace("{", "{{").replace("}", "}}") + ": pushed {:.0f} days ago"
    reasons = list(map(template.format, days))
    for position, age in enumerate(days):
        if age < 2:  # rare: the young ones are told in hours, as _days does
            reasons[position] = f"{described}: pushed {_days(now, images[position].pushed_at)} ago"
    return reasons


@dataclass
class Notes:
    """Counters gathered during one evaluation, turned into warning sentences by :meth:`warnings`."""

    ties: dict[int, int] = field(default_factory=dict)
    within_a_day: dict[int, int] = field(default_factory=dict)
    restored_differs: dict[int, int] = field(default_factory=dict)
    missing_archived_at: int = 0
    indexes: int = 0
    referrers: int = 0

    @staticmethod
    def bump(counter: dict[int, int], priority: int) -> None:
        """Add one to ``counter[priority]``."""
        counter[priority] = counter.get(priority, 0) + 1

    def warnings(self) -> tuple[str, ...]:
        """The warning sentences, in a fixed order."""
        out: list[str] = []
        for priority in sorted(self.ties):
            out.append(
                f"rule {priority}: images with equal push times straddle the keep cut; ECR's tie order is "
                "undocumented (this prediction orders ties by digest)"
            )
        if self.within_a_day:
            per_rule = ", ".join(f"rule {p}: {n}" for p, n in sorted(self.within_a_day.items()))
            total = sum(self.within_a_day.values())
            out.append(
                f"{total} more image(s) cross an age threshold within 24 hours and would be acted on by then "
                f"({per_rule}); ECR acts within 24 hours of an image meeting the criteria"
            )
        for priority in sorted(self.restored_differs):
            out.append(
                f"rule {priority}: {self.restored_differs[priority]} restored image(s) would be treated differently if "
                "ECR measured sinceImagePushed from lastActivatedAt instead of imagePushedAt (undocumented; "
                "this prediction uses imagePushedAt)"
            )
        if self.missing_archived_at:
            out.append(
                f"{self.missing_archived_at} archived image(s) have no lastArchivedAt; imagePushedAt was used for "
                "sinceImageTransitioned (acts earlier than ECR may)"
            )
        if self.indexes:
            out.append(
                f"{self.indexes} image index(es) / manifest list(s) present: the prediction is approximate, and "
                "images referenced by a live index are not acted on by ECR"
            )
        if self.referrers:
            out.append(
                f"{self.referrers} referrer artifact(s) (subjectManifestDigest) present: ECR also removes referrers "
                "within 24 hours of their subject, which this prediction does not show"
            )
        return tuple(out)
