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

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from ecr_lifecycle_guard.engine import Evaluation
from ecr_lifecycle_guard.gate import UNKNOWN_ACTION, PreviewFigures, PreviewResult

__all__ = [
    "UNKNOWN_ACTION_TEXT",
    "evaluation_json",
    "evaluation_report",
    "evaluation_summary",
    "preview_summary",
    "preview_table",
    "short_digest",
    "table",
    "workloads_text",
]

_TAGS_WIDTH: Final = 40
_HEADERS: Final = ("IMAGE", "TAGS", "PUSHED", "ACTION", "RULE")
#: How the table shows a result whose action ECR did not give (never shown as EXPIRE).
UNKNOWN_ACTION_TEXT: Final = "UNKNOWN (ECR gave no action)"
_WORKLOADS_SHOWN: Final = 2


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
    action = action_type.upper()
    if action == "TRANSITION":
        return "TRANSITION->ARCHIVE"
    return UNKNOWN_ACTION_TEXT if action == UNKNOWN_ACTION else action


def workloads_text(workloads: Sequence[object]) -> str:
    """The first workloads using an image, and how many more.

    Examples
    --------
    >>> workloads_text(["ECS service prod/api", "ECS task prod/1", "Lambda function f"])
    'ECS service prod/api, ECS task prod/1 (+1 more)'
    """
    shown = ", ".join(str(w) for w in workloads[:_WORKLOADS_SHOWN])
    more = len(workloads) - _WORKLOADS_SHOWN
    return f"{shown} (+{more} more)" if more > 0 else shown


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


def preview_table(results: Sequence[PreviewResult], in_use: Mapping[str, Sequence[object]] | None = None) -> str:
    """The table of the images ECR's preview acts on; with ``in_use`` (digest -> workloads), who uses them.

    Examples
    --------
    >>> results = [PreviewResult("sha256:" + "a" * 64, ("v1",), "EXPIRE", 1, "STANDARD"),
    ...            PreviewResult("sha256:" + "b" * 64, (), UNKNOWN_ACTION, None, None)]
    >>> print(preview_table(results, {"sha256:" + "a" * 64: ["ECS service prod/api"]}))
    IMAGE                TAGS        PUSHED  ACTION                        RULE  IN USE BY
    -------------------  ----------  ------  ----------------------------  ----  --------------------
    sha256:aaaaaaaaaaaa  v1          -       EXPIRE                        1     ECS service prod/api
    sha256:bbbbbbbbbbbb  <untagged>  -       UNKNOWN (ECR gave no action)  -
    """
    if not results:
        return "no image would be acted on"
    images = in_use or {}
    marked = any(images.get(r.digest) for r in results)
    rows = (
        (
            short_digest(r.digest),
            _tags(r.tags),
            _when(r.pushed_at),
            _action(r.action),
            str(r.rule_priority or "-"),
            *((workloads_text(images.get(r.digest) or ()),) if marked else ()),
        )
        for r in results
    )
    return table((*_HEADERS, "IN USE BY") if marked else _HEADERS, rows)


def preview_summary(figures: PreviewFigures) -> str:
    """One line with the preview's counts (and the visible images when they were counted)."""
    seen = f" of {figures.visible_images} images" if figures.visible_images is not None else ""
    return f"{figures.expiring} expire, {figures.transitioning} transition to archive{seen}"
