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

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from ecr_lifecycle_guard.engine.explain import Notes, describe_rule, keep_reason, since_reason
from ecr_lifecycle_guard.engine.glob import TagMatcher
from ecr_lifecycle_guard.engine.model import INDEX_MEDIA_TYPES, ActionType, Image, Policy, Rule, StorageClass
from ecr_lifecycle_guard.engine.tagindex import TagIndex

__all__ = ["Evaluation", "ImageOutcome", "evaluate"]

_DAY = timedelta(days=1)


class ImageOutcome(NamedTuple):
    """What the policy does to one image, and why (a ``NamedTuple``: there is one per acted-on image)."""

    image: Image
    rule_priority: int
    action: ActionType
    target_storage_class: Literal["archive"] | None
    reason: str
    rank: int | None

    def to_preview_result(self, timestamps: Literal["iso", "epoch"] = "iso") -> dict[str, Any]:
        """This outcome as one ECR ``LifecyclePolicyPreviewResult`` (untagged images carry no imageTags)."""
        image = self.image
        result: dict[str, Any] = {"imageDigest": image.digest}
        if image.tags:
            result["imageTags"] = list(image.tags)
        result["imagePushedAt"] = image.pushed_at.isoformat() if timestamps == "iso" else image.pushed_at.timestamp()
        result["action"] = (
            {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}
            if self.action == "transition"
            else {"type": "EXPIRE"}
        )
        result["appliedRulePriority"] = self.rule_priority
        result["storageClass"] = image.storage_class.upper()
        return result


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

    def to_preview(self, *, timestamps: Literal["iso", "epoch"] = "iso") -> dict[str, Any]:
        """The exact shape of ECR's ``GetLifecyclePolicyPreview`` response body (status COMPLETE).

        Parameters
        ----------
        timestamps
            ``"iso"`` renders ``imagePushedAt`` as ISO-8601 text (the CLI's JSON output);
            ``"epoch"`` as epoch seconds (what ECR's JSON protocol sends, for the local stand-in).

        Examples
        --------
        >>> Evaluation((), (), 0, 0, 0, datetime(2024, 1, 1, tzinfo=UTC)).to_preview()
        {'status': 'COMPLETE', 'previewResults': [], 'summary': {'expiringImageTotalCount': 0}}
        """
        summary: dict[str, Any] = {"expiringImageTotalCount": self.expiring_count}
        if self.transitioning_count:
            summary["transitioningImageTotalCounts"] = [
                {"targetStorageClass": "ARCHIVE", "imageTotalCount": self.transitioning_count}
            ]
        results = [outcome.to_preview_result(timestamps) for outcome in self.outcomes]
        return {"status": "COMPLETE", "previewResults": results, "summary": summary}


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


def _age_reference(rule: Rule, image: Image, notes: Notes) -> datetime:
    count_type = rule.selection.count_type
    if count_type == "sinceImagePushed":
        return image.pushed_at
    if count_type == "sinceImagePulled":
        return image.pull_reference
    if image.last_archived_at is None:
        notes.missing_archived_at += 1
        return image.pushed_at
    return image.last_archived_at


def _first_selecting_rule(selections: Sequence[Sequence[int]], size: int) -> list[int]:
    """For each image, the index of the first rule (priority order) that selects it, or -1."""
    first = [-1] * size
    for k, selected in enumerate(selections):
        if isinstance(selected, range):
            first = [k if f < 0 else f for f in first]
            break
        for i in selected:
            if first[i] < 0:
                first[i] = k
    return first


def _keep_hits(
    rule: Rule, k: int, ordered: Sequence[Image], selected: Sequence[int], first: Sequence[int], notes: Notes
) -> list[ImageOutcome]:
    """imageCountMoreThan: the images past the ``countNumber`` newest of the whole selection, unless shielded."""
    keep, total = rule.selection.count_number, len(selected)
    if total > keep and ordered[selected[keep - 1]].order_time == ordered[selected[keep]].order_time:
        Notes.bump(notes.ties, rule.rule_priority)
    described, action = describe_rule(rule), rule.action
    return [
        ImageOutcome(
            ordered[i],
            rule.rule_priority,
            action.type,
            action.target_storage_class,
            keep_reason(described, rank, total),
            rank,
        )
        for rank, i in enumerate(selected[keep:], start=keep + 1)
        if first[i] == k
    ]


def _age_hits(
    rule: Rule,
    k: int,
    ordered: Sequence[Image],
    selected: Sequence[int],
    first: Sequence[int],
    now: datetime,
    notes: Notes,
) -> list[ImageOutcome]:
    """since* rules: the unshielded selected images older than ``countNumber`` days (strictly)."""
    limit = now - timedelta(days=rule.selection.count_number)
    described, action = describe_rule(rule), rule.action
    hits: list[ImageOutcome] = []
    for i in selected:
        if first[i] != k:
            continue
        image = ordered[i]
        reference = _age_reference(rule, image, notes)
        if reference < limit:
            reason = since_reason(described, rule, image, now)
            hits.append(ImageOutcome(image, rule.rule_priority, action.type, action.target_storage_class, reason, None))
        elif reference < limit + _DAY:
            Notes.bump(notes.within_a_day, rule.rule_priority)
        activated = image.last_activated_at
        pushed_rule = rule.selection.count_type == "sinceImagePushed"
        if pushed_rule and activated is not None and (image.pushed_at < limit) != (activated < limit):
            Notes.bump(notes.restored_differs, rule.rule_priority)
    return hits


def _evaluate_class(rules: Sequence[Rule], images: Sequence[Image], now: datetime, notes: Notes) -> list[ImageOutcome]:
    """Outcomes of one storage class: rules in priority order, each rule's hits oldest first."""
    ordered = sorted(images, key=attrgetter("digest"))
    ordered.sort(key=_order_time, reverse=True)  # newest first; stable, so push-time ties stay in digest order
    index = TagIndex([image.tags for image in ordered])
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


def _priority(outcome: ImageOutcome) -> int:
    return outcome.rule_priority


def evaluate(policy: Policy, images: Sequence[Image], now: datetime) -> Evaluation:
    """Predict what ECR's lifecycle preview reports for ``policy`` over ``images`` at ``now``.

    Parameters
    ----------
    policy
        A validated policy (see :func:`~ecr_lifecycle_guard.engine.parse.parse_policy`).
    images
        The repository's images (all storage classes); input order does not matter.
    now
        The evaluation time; a naive datetime is read as UTC.

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
    media_types = Counter(map(attrgetter("media_type"), images)) + Counter(
        map(attrgetter("artifact_media_type"), images)
    )
    notes = Notes(
        indexes=sum(media_types[media_type] for media_type in INDEX_MEDIA_TYPES),
        referrers=sum(map(bool, map(attrgetter("subject_manifest_digest"), images))),
    )
    by_class: dict[StorageClass, list[Image]] = {"standard": [], "archive": []}
    for image in images:
        by_class[image.storage_class].append(image)
    ordered_rules = sorted(
        policy.rules, key=attrgetter("rule_priority")
    )  # parse_policy sorts; a hand-built Policy may not
    outcomes: list[ImageOutcome] = []
    visible = 0
    for storage_class, members in by_class.items():
        rules = [rule for rule in ordered_rules if rule.selection.effective_storage_class == storage_class]
        if not rules:
            continue
        visible += len(members)
        outcomes.extend(_evaluate_class(rules, members, now, notes))
    outcomes.sort(key=_priority)  # stable: keeps each rule's oldest-first order
    transitioning = sum(1 for outcome in outcomes if outcome.action == "transition")
    return Evaluation(
        outcomes=tuple(outcomes),
        warnings=notes.warnings(),
        expiring_count=len(outcomes) - transitioning,
        transitioning_count=transitioning,
        visible_count=visible,
        now=now,
    )
