"""What ``preview`` prints: ECR's answer passed on as given, unknown actions marked honestly, in-use marks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ecr_lifecycle_guard.cli.preview_job import Outcome, Target
from ecr_lifecycle_guard.cli.preview_report import fleet_summary, fleet_table, outcome_json, result_json, single_report
from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
from ecr_lifecycle_guard.gate import GateLimits, PreviewFigures, PreviewResult, check_gate
from ecr_lifecycle_guard.inuse import InUseReport, Workload

DIGEST = "sha256:" + "a" * 64
PUSHED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
#: An item as ECR might send it: an action without ``type`` and a field this tool does not know.
ODD_ITEM: dict[str, Any] = {
    "imageDigest": DIGEST,
    "imagePushedAt": PUSHED,
    "action": {},
    "storageClass": "STANDARD",
    "newField": {"when": PUSHED},
}
ECR_SUMMARY = {"expiringImageTotalCount": 1, "transitioningImageTotalCounts": []}


def outcome(limits: GateLimits, in_use: InUseReport | None = None) -> Outcome:
    figures = PreviewFigures(
        expiring=1,
        transitioning=0,
        results=(PreviewResult.from_api(ODD_ITEM),),
        visible_images=3,
        status="COMPLETE",
        summary=ECR_SUMMARY,
    )
    verdict = check_gate(limits, figures, in_use=in_use)
    status = "PASSED" if verdict.passed else "BLOCKED"
    return Outcome(Target("app", POLICY_EXAMPLE, limits, 5.0), status, figures, verdict, in_use)  # type: ignore[arg-type]


def test_json_passes_ecrs_item_summary_and_status_on_unchanged_with_iso_timestamps() -> None:
    # when
    document = outcome_json(outcome(GateLimits(protect_in_use=False)))

    # then
    assert document["status"] == "COMPLETE"
    assert document["summary"] == ECR_SUMMARY
    assert document["previewResults"] == [
        {
            "imageDigest": DIGEST,
            "imagePushedAt": "2026-11-01T12:00:00+00:00",
            "action": {},
            "storageClass": "STANDARD",
            "newField": {"when": "2026-11-01T12:00:00+00:00"},
        }
    ]
    assert document["inUse"] is None
    assert document["gate"] == {"passed": True, "reason": "preview within limits (repository 'app')", "violations": []}


def test_a_result_without_ecrs_item_uses_the_engines_serialiser() -> None:
    # given
    result = PreviewResult(DIGEST, ("v1",), "TRANSITION", 2, "STANDARD", pushed_at=PUSHED)

    # when
    item = result_json(result)

    # then
    assert item == {
        "imageDigest": DIGEST,
        "imageTags": ["v1"],
        "imagePushedAt": "2026-11-01T12:00:00+00:00",
        "action": {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"},
        "appliedRulePriority": 2,
        "storageClass": "STANDARD",
    }


def test_the_table_never_shows_an_action_ecr_did_not_give_as_expire() -> None:
    # when
    text = single_report(outcome(GateLimits(protect_in_use=False)))

    # then
    (row,) = [line for line in text.splitlines() if line.startswith("sha256:")]
    assert "UNKNOWN (ECR gave no action)" in row
    assert "EXPIRE" not in row


def test_in_use_images_are_marked_with_their_workloads_in_the_table_and_json() -> None:
    # given
    api = Workload("ECS service", "prod/api", "task definition api:42", account="123456789012", region="us-east-1")
    report = InUseReport(images={DIGEST: (api,)}, failures=())

    # when
    done = outcome(GateLimits(), in_use=report)
    text, document = single_report(done), outcome_json(done)

    # then
    assert done.status == "BLOCKED"
    assert text.splitlines()[0].endswith("IN USE BY")
    assert text.splitlines()[2].endswith("ECS service prod/api (task definition api:42)")
    assert document["inUse"]["images"] == [
        {"imageDigest": DIGEST, "imageTags": [], "action": "UNKNOWN", "workloads": [api.as_log()]}
    ]


def test_the_fleet_table_has_one_row_per_repository_and_the_summary_counts_each_status() -> None:
    # given
    passed = outcome(GateLimits(protect_in_use=False))
    skipped = Outcome(Target("gen", "", GateLimits(), 5.0), "SKIPPED", detail="the name is known only at deploy time")

    # when
    table, summary = fleet_table([passed, skipped]), fleet_summary([passed, skipped], 2.04)

    # then
    assert [line.split()[:6] for line in table.splitlines()[2:]] == [
        ["app", "3", "1", "0", "-", "PASSED"],
        ["gen", "-", "-", "-", "-", "SKIPPED:"],
    ]
    assert summary == "2 repositories: 1 passed, 1 skipped (2.0 s)"
