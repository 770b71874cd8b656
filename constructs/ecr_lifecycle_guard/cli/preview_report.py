"""What ``preview`` prints: one repository's table and verdict, a fleet's summary table, and the JSON documents.

The JSON passes on ECR's answer as ECR gave it: the preview's ``status``, its ``summary`` and each
``previewResults`` item (:attr:`~ecr_lifecycle_guard.gate.PreviewResult.raw`, timestamps as
ISO-8601 text); results without ECR's item fall back to the engine's one serialiser
(:meth:`~ecr_lifecycle_guard.gate.PreviewResult.as_json`). The gate's verdict
(:meth:`~ecr_lifecycle_guard.gate.GateVerdict.as_json`) and the in-use findings sit beside it.

Examples
--------
>>> from datetime import UTC, datetime
>>> item = {"imageDigest": "sha256:ab", "imagePushedAt": datetime(2026, 1, 2, tzinfo=UTC), "action": {}}
>>> result_json(PreviewResult.from_api(item))
{'imageDigest': 'sha256:ab', 'imagePushedAt': '2026-01-02T00:00:00+00:00', 'action': {}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ecr_lifecycle_guard.cli import render
from ecr_lifecycle_guard.cli.fleet import exit_code
from ecr_lifecycle_guard.cli.preview_job import Outcome, totals
from ecr_lifecycle_guard.gate import PreviewResult

__all__ = [
    "fleet_json",
    "fleet_summary",
    "fleet_table",
    "outcome_json",
    "result_json",
    "single_report",
]

_VERDICT_WIDTH = 110


def result_json(result: PreviewResult) -> Any:
    """One ``previewResults`` item as ECR returned it (datetimes as ISO-8601 text)."""
    return _plain(result.raw) if result.raw is not None else result.as_json()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def single_report(outcome: Outcome) -> str:
    """One repository: the table of acted-on images (with who uses them), the counts, in-use notes, the verdict."""
    figures, verdict = outcome.figures, outcome.verdict
    if figures is None or verdict is None:
        return f"{outcome.status}: {outcome.detail}"
    repository = outcome.target.repository
    images = outcome.in_use.images if outcome.in_use is not None else None
    lines = [render.preview_table(figures.results, images), render.preview_summary(figures)]
    lines.extend(_in_use_lines(outcome))
    if verdict.passed:
        lines.append(f"gate: PASSED - {verdict.short_reason(repository)}")
    else:
        lines.append(f"gate: BLOCKED - {len(verdict.violations)} limit(s) crossed on '{repository}':")
        lines.extend(f"  {violation}" for violation in verdict.violations)
    return "\n".join(lines)


def _in_use_lines(outcome: Outcome) -> list[str]:
    report = outcome.in_use
    if report is None:
        if outcome.target.limits.protect_in_use:
            return ["in use: the workloads were not discovered in time"]
        return ["in use: not checked (--no-in-use)"]
    hits = outcome.in_use_hits()
    lines = [
        f"in use: {len(hits)} of the images acted on {'is' if len(hits) == 1 else 'are'} used by workloads"
        f" ({len(report.images)} image(s) of the repository in use, discovery {report.seconds:.1f} s)"
    ]
    lines.extend(f"in use: {failure}" for failure in report.failures)
    return lines


def _in_use_cell(outcome: Outcome) -> str:
    if outcome.in_use is None:
        return "-" if not outcome.target.limits.protect_in_use or outcome.figures is None else "?"
    hits = str(len(outcome.in_use_hits()))
    return f"{hits}?" if outcome.in_use.failures else hits


def _verdict_cell(outcome: Outcome) -> str:
    if outcome.verdict is not None and not outcome.verdict.passed:
        text = f"BLOCKED: {outcome.verdict.violations[0]}"
        if len(outcome.verdict.violations) > 1:
            text += f" (+{len(outcome.verdict.violations) - 1} more)"
    elif outcome.detail:
        text = f"{outcome.status}: {outcome.detail}"
    else:
        text = outcome.status
    if outcome.target.preview_only:
        text += " [PreviewOnly]"
    return text if len(text) <= _VERDICT_WIDTH else text[: _VERDICT_WIDTH - 3] + "..."


def fleet_table(outcomes: Sequence[Outcome]) -> str:
    """One row per repository: images, expiring, archiving, in use, verdict (and the guard, from an assembly).

    Examples
    --------
    >>> print(fleet_table([]))
    REPOSITORY  IMAGES  EXPIRING  ARCHIVING  IN USE  VERDICT
    ----------  ------  --------  ---------  ------  -------
    """
    with_source = any(outcome.target.source is not None for outcome in outcomes)
    headers = ("REPOSITORY", "IMAGES", "EXPIRING", "ARCHIVING", "IN USE", "VERDICT")
    rows = []
    for outcome in outcomes:
        figures = outcome.figures
        visible = figures.visible_images if figures is not None else None
        row = (
            outcome.target.repository,
            "-" if visible is None else str(visible),
            "-" if figures is None else str(figures.expiring),
            "-" if figures is None else str(figures.transitioning),
            _in_use_cell(outcome),
            _verdict_cell(outcome),
        )
        source = outcome.target.source
        rows.append(((str(source) if source is not None else "-"), *row) if with_source else row)
    return render.table(("GUARD", *headers) if with_source else headers, rows)


def fleet_summary(outcomes: Sequence[Outcome], seconds: float) -> str:
    """One line: how many repositories, by status, and the time taken.

    Examples
    --------
    >>> fleet_summary([], 1.234)
    '0 repositories: none previewed (1.2 s)'
    """
    counts = totals(outcomes)
    parts = [f"{count} {status.lower()}" for status, count in counts.items() if count]
    body = ", ".join(parts) if parts else "none previewed"
    noun = "repository" if len(outcomes) == 1 else "repositories"
    return f"{len(outcomes)} {noun}: {body} ({seconds:.1f} s)"


def _in_use_json(outcome: Outcome) -> dict[str, Any] | None:
    report = outcome.in_use
    if report is None:
        return None
    return {
        "images": [
            {
                "imageDigest": result.digest,
                "imageTags": list(result.tags),
                "action": result.action,
                "workloads": [workload.as_log() for workload in workloads],
            }
            for result, workloads in outcome.in_use_hits()
        ],
        "imagesInUse": len(report.images),
        "unresolvedTags": {tag: [str(w) for w in workloads] for tag, workloads in report.unresolved.items()},
        "failures": [failure.as_log() for failure in report.failures],
        "seconds": round(report.seconds, 3),
    }


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """One repository: ECR's preview as ECR answered it, the in-use findings and the gate's verdict."""
    target = outcome.target
    document: dict[str, Any] = {
        "repositoryName": target.repository,
        "registryId": target.registry_id,
        "region": target.region,
        "outcome": outcome.status,
    }
    if target.source is not None:
        document["source"] = {
            "stack": target.source.stack,
            "logicalId": target.source.logical_id,
            "path": target.source.path,
            "previewOnly": target.preview_only,
        }
    if outcome.detail:
        document["detail"] = outcome.detail
    figures = outcome.figures
    if figures is not None:
        document["status"] = figures.status
        document["previewResults"] = [result_json(result) for result in figures.results]
        document["summary"] = _plain(figures.summary)
        document["visibleImageCount"] = figures.visible_images
    document["inUse"] = _in_use_json(outcome)
    document["gate"] = outcome.verdict.as_json(target.repository) if outcome.verdict is not None else None
    document["seconds"] = round(outcome.seconds, 3)
    return document


def fleet_json(outcomes: Sequence[Outcome], seconds: float) -> dict[str, Any]:
    """The whole run: every repository's document, the totals and the exit code."""
    counted = [o for o in outcomes if o.figures is not None]
    totals_document: dict[str, Any] = {"repositories": len(outcomes)}
    totals_document.update({status.lower(): count for status, count in totals(outcomes).items()})
    totals_document.update(
        expiring=sum(o.figures.expiring for o in counted if o.figures is not None),
        transitioning=sum(o.figures.transitioning for o in counted if o.figures is not None),
        inUse=sum(len(o.in_use_hits()) for o in outcomes),
        seconds=round(seconds, 3),
    )
    return {
        "repositories": [outcome_json(outcome) for outcome in outcomes],
        "totals": totals_document,
        "exitCode": exit_code(outcomes),
    }
