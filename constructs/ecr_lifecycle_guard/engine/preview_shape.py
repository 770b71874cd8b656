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

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

__all__ = ["preview_item", "preview_summary"]


def preview_item(
    *,
    digest: str,
    tags: Sequence[str],
    pushed_at: datetime | None,
    action_type: str,
    target_storage_class: str | None,
    rule_priority: int | None,
    storage_class: str | None,
    timestamps: Literal["iso", "epoch"] = "iso",
) -> dict[str, Any]:
    """One ``LifecyclePolicyPreviewResult``.

    Parameters
    ----------
    digest, tags, pushed_at
        The image (``pushed_at`` omitted when ``None``).
    action_type, target_storage_class
        ``expire``/``transition`` in any case; the target only for a transition (``ARCHIVE`` by default).
    rule_priority
        ``appliedRulePriority`` (omitted when ``None``).
    storage_class
        The image's current class, ``standard``/``archive`` in any case (omitted when ``None``).
    timestamps
        ``"iso"``: ISO-8601 text; ``"epoch"``: epoch seconds (ECR's JSON protocol).
    """
    item: dict[str, Any] = {"imageDigest": digest}
    if tags:
        item["imageTags"] = list(tags)
    if pushed_at is not None:
        item["imagePushedAt"] = pushed_at.isoformat() if timestamps == "iso" else pushed_at.timestamp()
    action = action_type.upper()
    if action == "TRANSITION":
        item["action"] = {"type": action, "targetStorageClass": (target_storage_class or "archive").upper()}
    else:
        item["action"] = {"type": action}
    if rule_priority is not None:
        item["appliedRulePriority"] = rule_priority
    if storage_class is not None:
        item["storageClass"] = storage_class.upper()
    return item


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
