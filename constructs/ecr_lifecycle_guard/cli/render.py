"""Text and JSON rendering shared by the commands: result tables, summaries, preview-shaped JSON.

Examples
--------
>>> print(table(("A", "B"), [("1", "two"), ("three", "4")]))
A      B
-----  ---
1      two
three  4
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Final

from ecr_lifecycle_guard.engine import Evaluation
from ecr_lifecycle_guard.gate import PreviewFigures, PreviewResult

__all__ = [
    "evaluation_json",
    "evaluation_report",
    "evaluation_summary",
    "preview_result_json",
    "preview_summary",
    "preview_table",
    "short_digest",
    "table",
]

_TAGS_WIDTH: Final = 40
_HEADERS: Final = ("IMAGE", "TAGS", "PUSHED", "ACTION", "RULE")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, with a dashed line under the headers."""
    materialised = [tuple(headers), *(tuple(row) for row in rows)]
    widths = [max(len(row[c]) for row in materialised) for c in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in materialised]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def short_digest(digest: str) -> str:
    """``sha256:`` and the first 12 hex digits.

    Examples
    --------
    >>> short_digest("sha256:" + "ab" * 32)
    'sha256:abababababab'
    """
    algorithm, _, hexdigits = digest.partition(":")
    return f"{algorithm}:{hexdigits[:12]}" if hexdigits else digest[:19]


def _tags(tags: Sequence[str]) -> str:
    text = ",".join(tags) if tags else "<untagged>"
    return text if len(text) <= _TAGS_WIDTH else text[: _TAGS_WIDTH - 3] + "..."


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _action(action_type: str) -> str:
    return "TRANSITION->ARCHIVE" if action_type.upper() == "TRANSITION" else "EXPIRE"


def evaluation_summary(evaluation: Evaluation) -> str:
    """One line: how many images are acted on, split by action, and the evaluation time."""
    acted = evaluation.expiring_count + evaluation.transitioning_count
    return (
        f"{acted} of {evaluation.visible_count} images acted on: {evaluation.expiring_count} expire, "
        f"{evaluation.transitioning_count} transition to archive (evaluated at {evaluation.now.isoformat()})"
    )


def evaluation_report(evaluation: Evaluation) -> str:
    """The table of acted-on images (with the reason of each), the summary line and the warnings."""
    rows = (
        (
            short_digest(o.image.digest),
            _tags(o.image.tags),
            _when(o.image.pushed_at),
            _action(o.action),
            str(o.rule_priority),
            o.reason,
        )
        for o in evaluation.outcomes
    )
    parts = [table((*_HEADERS, "WHY"), rows)] if evaluation.outcomes else ["no image would be acted on"]
    parts.append(evaluation_summary(evaluation))
    parts.extend(f"warning: {warning}" for warning in evaluation.warnings)
    return "\n".join(parts)


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """The ``GetLifecyclePolicyPreview`` shape plus ``explanations`` (digest -> reason) and ``warnings``."""
    document = evaluation.to_preview()
    document["explanations"] = {o.image.digest: o.reason for o in evaluation.outcomes}
    document["warnings"] = list(evaluation.warnings)
    return document


def preview_table(results: Sequence[PreviewResult]) -> str:
    """The table of the images ECR's preview acts on."""
    if not results:
        return "no image would be acted on"
    rows = (
        (short_digest(r.digest), _tags(r.tags), _when(r.pushed_at), _action(r.action), str(r.rule_priority or "-"))
        for r in results
    )
    return table(_HEADERS, rows)


def preview_summary(figures: PreviewFigures) -> str:
    """One line with the preview's counts (and the visible images when they were counted)."""
    seen = f" of {figures.visible_images} images" if figures.visible_images is not None else ""
    return f"{figures.expiring} expire, {figures.transitioning} transition to archive{seen}"


def preview_result_json(result: PreviewResult) -> dict[str, Any]:
    """One ``previewResults`` item in ECR's shape (``imagePushedAt`` as ISO-8601 text)."""
    item: dict[str, Any] = {"imageDigest": result.digest}
    if result.tags:
        item["imageTags"] = list(result.tags)
    if result.pushed_at is not None:
        item["imagePushedAt"] = result.pushed_at.isoformat()
    action = result.action.upper()
    item["action"] = {"type": action, "targetStorageClass": "ARCHIVE"} if action == "TRANSITION" else {"type": action}
    if result.rule_priority is not None:
        item["appliedRulePriority"] = result.rule_priority
    if result.storage_class is not None:
        item["storageClass"] = result.storage_class
    return item
