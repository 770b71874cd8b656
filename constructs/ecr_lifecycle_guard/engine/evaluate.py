"""Offline evaluation of a lifecycle policy, exactly as spec §3.3 describes ECR's.

For each storage class separately, images are ordered newest first (order time, ties by digest).
An image is acted on at most once: by the first rule (in priority order) that selects it, if that
rule's criterion picks it; every later rule is shielded from it. Keep-N rules rank over their whole
selection, so images that higher rules selected still occupy their slots.

Examples
--------
>>> from datetime import UTC, datetime
>>> from ecr_lifecycle_guard.engine.images import load_images
>>> from ecr_lifecycle_guard.engine.parse import parse_policy
>>> policy = parse_policy({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any",
...     "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]})
>>> images = load_images([{"imageDigest": f"sha256:{n}", "imagePushedAt": n * 3600} for n in range(3)])
>>> result = evaluate(policy, images, datetime(2024, 1, 1, tzinfo=UTC))
>>> result.expiring_count, [o.image.digest for o in result.outcomes]
(2, ['sha256:0', 'sha256:1'])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress, repeat
from operator import attrgetter, eq, itemgetter, lt, not_
from typing import Any, Final, Literal, NamedTuple

from ecr_lifecycle_guard.engine.explain import Notes, describe_rule, keep_reason, since_reasons
from ecr_lifecycle_guard.engine.glob import TagMatcher
from ecr_lifecycle_guard.engine.model import INDEX_MEDIA_TYPES, ActionType, Image, Policy, Rule
from ecr_lifecycle_guard.engine.preview_shape import Timestamps, preview_item, preview_items, preview_summary
from ecr_lifecycle_guard.engine.tagindex import TagIndex

__all__ = ["Evaluation", "ImageOutcome", "evaluate"]

# Image fields by position: the evaluator reads them for every image, and itemgetter is a C call.
_DIGEST, _TAGS, _PUSHED, _STATUS, _ACTIVATED = map(itemgetter, (0, 1, 2, 4, 6))
_SUBJECT, _MEDIA_TYPE, _ARTIFACT_TYPE = map(itemgetter, (7, 8, 9))
_IMAGE, _PRIORITY, _ACTION, _TARGET = map(itemgetter, (0, 1, 2, 3))
_CLASS_OF_STATUS: Final = {"ACTIVE": "standard"}  # storage_class_of, as a C-level lookup (else archive)


class ImageOutcome(NamedTuple):
    """What the policy does to one image, and why (a ``NamedTuple``: there is one per acted-on image)."""

    image: Image
    rule_priority: int
    action: ActionType
    target_storage_class: Literal["archive"] | None
    reason: str
    rank: int | None

    def to_preview_result(self, timestamps: Timestamps = "iso") -> dict[str, Any]:
        """This outcome as one ECR ``LifecyclePolicyPreviewResult`` (:func:`~.preview_shape.preview_item`)."""
        image = self.image
        return preview_item(
            digest=image.digest,
            tags=image.tags,
            pushed_at=image.pushed_at,
            action_type=self.action,
            target_storage_class=self.target_storage_class,
            rule_priority=self.rule_priority,
            storage_class=image.storage_class,
            timestamps=timestamps,
        )


def _outcomes(
    images: Iterable[Image], rule: Rule, reasons: Iterable[str], ranks: Iterable[int | None]
) -> list[ImageOutcome]:
    """One outcome per image of ``rule`` (built in C: ``tuple.__new__(ImageOutcome, row)`` is ``_make``)."""
    action = rule.action
    rows = zip(
        images, repeat(rule.rule_priority), repeat(action.type), repeat(action.target_storage_class), reasons, ranks
    )
    return list(map(tuple.__new__, repeat(ImageOutcome), rows))


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The result of :func:`evaluate`.

    ``outcomes`` lists acted-on images only, ordered by rule priority, then oldest first.
    ``visible_count`` is the number of images in storage classes that the policy has rules for.
    """

    outcomes: tuple[ImageOutcome, ...]
    warnings: tuple[str, ...]
    expiring_count: int
    transitioning_count: int
    visible_count: int
    now: datetime

    def to_preview(self, *, timestamps: Timestamps = "iso") -> dict[str, Any]:
        """The exact shape of ECR's ``GetLifecyclePolicyPreview`` response body (status COMPLETE).

        Items and summary come from the engine's one serialiser (:mod:`~.preview_shape`).

        Parameters
        ----------
        timestamps
            ``"iso"`` renders ``imagePushedAt`` as ISO-8601 text; ``"epoch"`` as epoch seconds (what
            ECR's JSON protocol sends, for the local stand-in); ``"datetime"`` keeps the ``datetime``
            for a JSON writer that renders it as ISO-8601 (the CLI's ``--json``).

        Examples
        --------
        >>> Evaluation((), (), 0, 0, 0, datetime(2024, 1, 1, tzinfo=UTC)).to_preview()
        {'status': 'COMPLETE', 'previewResults': [], 'summary': {'expiringImageTotalCount': 0}}
        """
        images = list(map(_IMAGE, self.outcomes))
        rows = zip(
            map(_DIGEST, images),
            map(_TAGS, images),
            map(_PUSHED, images),
            map(_ACTION, self.outcomes),
            map(_TARGET, self.outcomes),
            map(_PRIORITY, self.outcomes),
            map(_CLASS_OF_STATUS.get, map(_STATUS, images), repeat("archive")),
            strict=False,  # repeat() is endless; the others have one entry per outcome
        )
        results = preview_items(rows, timestamps=timestamps)
        summary = preview_summary(self.expiring_count, self.transitioning_count)
        return {"status": "COMPLETE", "previewResults": results, "summary": summary}


def _cutoff(now: datetime, days: int) -> datetime | None:
    """``now`` minus ``days`` days; ``None`` when that lies before the earliest representable time.

    A ``countNumber`` may be up to 2,147,483,647 days and ``now`` may be year 1: "older than N days"
    is then simply false for every image, instead of an ``OverflowError``.

    Examples
    --------
    >>> _cutoff(datetime(2024, 1, 2, tzinfo=UTC), 1).isoformat(), _cutoff(datetime(1, 1, 1, tzinfo=UTC), 1)
    ('2024-01-01T00:00:00+00:00', None)
    """
    try:
        return now - timedelta(days=days)
    except OverflowError:
        return None


def _selection(rule: Rule, index: TagIndex, size: int) -> Sequence[int]:
    """Indices (newest first) of the images the rule selects."""
    sel = rule.selection
    if sel.tag_status == "any":
        return range(size)
    if sel.tag_status == "untagged":
        return index.untagged()
    return index.select(TagMatcher(patterns=sel.tag_pattern_list or (), prefixes=sel.tag_prefix_list or ()))


def _order_time(image: Image) -> datetime:
    return image.last_activated_at or image.pushed_at


def _first_selecting_rule(selections: Sequence[Sequence[int]], size: int) -> list[int]:
    """For each image, the index of the first rule (priority order) that selects it, or -1."""
    first = [-1] * size
    for k in range(len(selections) - 1, -1, -1):  # later rules first: an earlier rule overwrites
        selected = selections[k]
        if isinstance(selected, range):  # an "any" rule: every image
            first = [k] * size
        else:
            list(map(first.__setitem__, selected, repeat(k)))  # first[i] = k for each selected i, in C
    return first


def _unshielded(selected: Sequence[int], first: list[int], k: int) -> list[bool]:
    """Which of ``selected`` no earlier rule selected (rule ``k`` may act on them)."""
    return list(map(eq, map(first.__getitem__, selected), repeat(k)))


def _keep_hits(
    rule: Rule, k: int, ordered: Sequence[Image], selected: Sequence[int], first: list[int], notes: Notes
) -> list[ImageOutcome]:
    """imageCountMoreThan: the images past the ``countNumber`` newest of the whole selection, unless shielded."""
    keep, total = rule.selection.count_number, len(selected)
    if total > keep > 0 and ordered[selected[keep - 1]].order_time == ordered[selected[keep]].order_time:
        Notes.bump(notes.ties, rule.rule_priority)
    beyond = selected[max(keep, 0) :]
    mine = _unshielded(beyond, first, k)
    ranks = list(compress(range(max(keep, 0) + 1, total + 1), mine))
    images = map(ordered.__getitem__, compress(beyond, mine))
    return _outcomes(images, rule, map(keep_reason, repeat(describe_rule(rule)), ranks, repeat(total)), ranks)


def _references(rule: Rule, images: Sequence[Image], notes: Notes) -> list[datetime]:
    """The time each image's age is measured from, for an age rule."""
    count_type = rule.selection.count_type
    if count_type == "sinceImagePushed":
        return list(map(_PUSHED, images))
    if count_type == "sinceImagePulled":
        return list(map(attrgetter("pull_reference"), images))
    references = []
    for image in images:  # sinceImageTransitioned: archived images, a small share of a repository
        if image.last_archived_at is None:
            notes.missing_archived_at += 1
        references.append(image.last_archived_at or image.pushed_at)
    return references


def _age_hits(
    rule: Rule,
    k: int,
    ordered: Sequence[Image],
    selected: Sequence[int],
    first: list[int],
    now: datetime,
    notes: Notes,
) -> list[ImageOutcome]:
    """since* rules: the unshielded selected images older than ``countNumber`` days (strictly)."""
    days = rule.selection.count_number
    images = list(map(ordered.__getitem__, compress(selected, _unshielded(selected, first, k))))
    references = _references(rule, images, notes)
    limit, next_day_limit = _cutoff(now, days), _cutoff(now, days - 1)  # next_day_limit = limit + 24 h
    old = list(map(lt, references, repeat(limit))) if limit is not None else [False] * len(images)
    if next_day_limit is None:
        soon = 0
    else:
        soon = list(map(lt, references, repeat(next_day_limit))).count(True) - old.count(True)
    if soon:
        notes.within_a_day[rule.rule_priority] = notes.within_a_day.get(rule.rule_priority, 0) + soon
    if rule.selection.count_type == "sinceImagePushed" and limit is not None:
        for image in compress(images, map(_ACTIVATED, images)):  # restored images only
            if (image.pushed_at < limit) != (image.last_activated_at < limit):  # type: ignore[operator]
                Notes.bump(notes.restored_differs, rule.rule_priority)
    hits = list(compress(images, old))
    return _outcomes(hits, rule, since_reasons(describe_rule(rule), rule, hits, now), repeat(None))


def _evaluate_class(rules: Sequence[Rule], images: Sequence[Image], now: datetime, notes: Notes) -> list[ImageOutcome]:
    """Outcomes of one storage class: rules in priority order, each rule's hits oldest first."""
    order_time = _order_time if any(map(_ACTIVATED, images)) else _PUSHED
    ordered = sorted(images, key=order_time, reverse=True)  # newest first
    times = list(map(order_time, ordered))
    if any(map(eq, times, times[1:])):  # equal times: order those by digest (the sort is stable)
        ordered = sorted(images, key=_DIGEST)
        ordered.sort(key=order_time, reverse=True)
    index = TagIndex(list(map(_TAGS, ordered)))
    selections = [_selection(rule, index, len(ordered)) for rule in rules]
    first = _first_selecting_rule(selections, len(ordered))
    outcomes: list[ImageOutcome] = []
    for k, (rule, selected) in enumerate(zip(rules, selections, strict=True)):
        if rule.selection.count_type == "imageCountMoreThan":
            hits = _keep_hits(rule, k, ordered, selected, first, notes)
        else:
            hits = _age_hits(rule, k, ordered, selected, first, now, notes)
        outcomes.extend(reversed(hits))
    return outcomes


def evaluate(policy: Policy, images: Sequence[Image], now: datetime) -> Evaluation:
    """Predict what ECR's lifecycle preview reports for ``policy`` over ``images`` at ``now``.

    Parameters
    ----------
    policy
        A validated policy (see :func:`~ecr_lifecycle_guard.engine.parse.parse_policy`).
    images
        The repository's images (all storage classes); input order does not matter.
    now
        The evaluation time; a naive datetime is read as UTC. Any representable time works: an age
        threshold before year 1 (a ``countNumber`` of 2,147,483,647 days, or ``now`` in year 1)
        selects no image.

    Returns
    -------
    Evaluation
        Acted-on images with reasons, counts, warnings, and :meth:`Evaluation.to_preview`.

    Examples
    --------
    >>> evaluate(Policy(()), [], datetime(2024, 1, 1)).to_preview()["summary"]
    {'expiringImageTotalCount': 0}
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    notes = Notes(
        indexes=list(map(INDEX_MEDIA_TYPES.__contains__, map(_MEDIA_TYPE, images))).count(True)
        + list(map(INDEX_MEDIA_TYPES.__contains__, map(_ARTIFACT_TYPE, images))).count(True),
        referrers=len(images) - list(map(bool, map(_SUBJECT, images))).count(False),
    )
    active = list(map(eq, map(_STATUS, images), repeat("ACTIVE")))  # ACTIVE is standard; the rest archive
    by_class = {"standard": list(compress(images, active)), "archive": list(compress(images, map(not_, active)))}
    ordered_rules = sorted(policy.rules, key=attrgetter("rule_priority"))  # parse_policy sorts; a hand-built may not
    outcomes: list[ImageOutcome] = []
    visible = 0
    for storage_class, members in by_class.items():
        rules = [rule for rule in ordered_rules if rule.selection.effective_storage_class == storage_class]
        if not rules:
            continue
        visible += len(members)
        outcomes.extend(_evaluate_class(rules, members, now, notes))
    outcomes.sort(key=_PRIORITY)  # stable: keeps each rule's oldest-first order
    transitioning = list(map(_ACTION, outcomes)).count("transition")
    return Evaluation(
        outcomes=tuple(outcomes),
        warnings=notes.warnings(),
        expiring_count=len(outcomes) - transitioning,
        transitioning_count=transitioning,
        visible_count=visible,
        now=now,
    )
