"""ECR's ``GetLifecyclePolicyPreview`` shapes, built in one place for every producer of preview JSON.

The offline evaluator, the gate's log lines and the command line's JSON output all render preview
results through :func:`preview_item` and summaries through :func:`preview_summary`, so the shapes
cannot drift apart: upper-case enums, ``imageTags`` omitted for untagged images,
``targetStorageClass`` only for ``TRANSITION``, ``transitioningImageTotalCounts`` only when an image
transitions.

Examples
--------
>>> from datetime import UTC, datetime
>>> preview_item(digest="sha256:ab", tags=(), pushed_at=datetime(2024, 1, 1, tzinfo=UTC), action_type="expire",
...              target_storage_class=None, rule_priority=1, storage_class="standard")
{'imageDigest': 'sha256:ab', 'imagePushedAt': '2024-01-01T00:00:00+00:00', 'action': {'type': 'EXPIRE'}, \
'appliedRulePriority': 1, 'storageClass': 'STANDARD'}
>>> preview_summary(3, 0)
{'expiringImageTotalCount': 3}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, TypeAlias

__all__ = ["PreviewRow", "Timestamps", "preview_item", "preview_items", "preview_summary"]

#: How ``imagePushedAt`` is given: ISO-8601 text, epoch seconds, or the ``datetime`` for a JSON writer to render.
Timestamps: TypeAlias = Literal["iso", "epoch", "datetime"]

#: :func:`preview_item`'s arguments in order: digest, tags, pushed_at, action_type, target_storage_class,
#: rule_priority, storage_class.
PreviewRow: TypeAlias = tuple[str, Sequence[str], datetime | None, str, str | None, int | None, str | None]
_Tail: TypeAlias = tuple[dict[str, str], dict[str, Any]]


def preview_item(
    *,
    digest: str,
    tags: Sequence[str],
    pushed_at: datetime | None,
    action_type: str,
    target_storage_class: str | None,
    rule_priority: int | None,
    storage_class: str | None,
    timestamps: Timestamps = "iso",
) -> dict[str, Any]:
    """One ``LifecyclePolicyPreviewResult``.

    Parameters
    ----------
    digest, tags, pushed_at
        The image (``imageTags`` omitted when there are none, ``imagePushedAt`` when ``None``).
    action_type, target_storage_class
        ``expire``/``transition`` in any case; the target only for a transition (``ARCHIVE`` by default).
    rule_priority
        ``appliedRulePriority`` (omitted when ``None``).
    storage_class
        The image's current class, ``standard``/``archive`` in any case (omitted when ``None``).
    timestamps
        ``"iso"``: ISO-8601 text; ``"epoch"``: epoch seconds (ECR's JSON protocol); ``"datetime"``: the
        ``datetime`` itself, for a JSON writer that renders it as ISO-8601 text
        (:func:`ecr_lifecycle_guard.cli.jsonio.dump_json`: the same text, written in C).
    """
    row = (digest, tags, pushed_at, action_type, target_storage_class, rule_priority, storage_class)
    return preview_items((row,), timestamps=timestamps)[0]


def preview_items(rows: Iterable[PreviewRow], *, timestamps: Timestamps = "iso") -> list[dict[str, Any]]:
    """Many ``LifecyclePolicyPreviewResult`` items at once: the same shape as :func:`preview_item`, one per row.

    A preview may list 100,000 images; the parts every image of one rule shares (action, priority,
    storage class) are worked out once per rule, and each item still gets its own dictionaries.

    Examples
    --------
    >>> (item,) = preview_items([("sha256:a", ["v1"], None, "transition", "archive", 2, "standard")])
    >>> item["action"], item["appliedRulePriority"], item["storageClass"]
    ({'type': 'TRANSITION', 'targetStorageClass': 'ARCHIVE'}, 2, 'STANDARD')
    """
    stamp: Callable[[datetime], Any] = _STAMPS[timestamps]
    tails: dict[tuple[str, str | None, int | None, str | None], _Tail] = {}
    items: list[dict[str, Any]] = []
    for digest, tags, pushed_at, action_type, target, priority, storage_class in rows:
        item: dict[str, Any] = {"imageDigest": digest}
        if tags:
            item["imageTags"] = list(tags)
        if pushed_at is not None:
            item["imagePushedAt"] = stamp(pushed_at)
        key = (action_type, target, priority, storage_class)
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = _tail(*key)
        item["action"] = tail[0].copy()
        item.update(tail[1])
        items.append(item)
    return items


_STAMPS: dict[str, Callable[[datetime], Any]] = {
    "iso": datetime.isoformat,
    "epoch": datetime.timestamp,
    "datetime": lambda moment: moment,
}


def _tail(action_type: str, target: str | None, priority: int | None, storage_class: str | None) -> _Tail:
    """The ``action`` object and the fields after it, shared by every image of one rule and class."""
    action = action_type.upper()
    shape = (
        {"type": action, "targetStorageClass": (target or "archive").upper()}
        if action == "TRANSITION"
        else {"type": action}
    )
    rest: dict[str, Any] = {}
    if priority is not None:
        rest["appliedRulePriority"] = priority
    if storage_class is not None:
        rest["storageClass"] = storage_class.upper()
    return shape, rest


def preview_summary(expiring: int, transitioning: int) -> dict[str, Any]:
    """A ``LifecyclePolicyPreviewSummary``: transitions are listed only when there are some.

    Examples
    --------
    >>> preview_summary(0, 2)
    {'expiringImageTotalCount': 0, 'transitioningImageTotalCounts': [{'targetStorageClass': 'ARCHIVE', \
'imageTotalCount': 2}]}
    """
    summary: dict[str, Any] = {"expiringImageTotalCount": expiring}
    if transitioning:
        summary["transitioningImageTotalCounts"] = [{"targetStorageClass": "ARCHIVE", "imageTotalCount": transitioning}]
    return summary
