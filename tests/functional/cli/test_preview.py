"""``ecr-lifecycle-guard preview`` runs ECR's preview on the stand-in and applies the custom resource's gate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import (
    EXPIRE_UNTAGGED_AFTER_14_DAYS,
    KEEP_NEWEST_TWO,
    endpoint_options,
    isolate_from_user_aws_config,
    policy_file,
)

from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

REPOSITORY = "app"
ARCHIVE_AFTER_60_DAYS: dict[str, Any] = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 60},
            "action": {"type": "transition", "targetStorageClass": "archive"},
        }
    ]
}
EXPIRE_EVERYTHING_AFTER_1_DAY: dict[str, Any] = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
            "action": {"type": "expire"},
        }
    ]
}
#: 4 untagged images older than 14 days, 3 releases (one older than 60 days).
IMAGES = [
    *(SeedImage(pushed_days_ago=20 + i) for i in range(4)),
    SeedImage(tags=("v1.0.0",), pushed_days_ago=90),
    SeedImage(tags=("v1.1.0",), pushed_days_ago=30),
    SeedImage(tags=("v1.2.0", "latest"), pushed_days_ago=2),
]


@pytest.fixture
def stand_in(bare_stand_in: EcrStandIn) -> EcrStandIn:
    bare_stand_in.create_repository(REPOSITORY, images=IMAGES)
    return bare_stand_in


def preview(stand_in: EcrStandIn, policy: str, *options: str, repository: str = REPOSITORY) -> int:
    argv = ["preview", "--repository", repository, "--policy", policy, *endpoint_options(stand_in)]
    return main([*argv, "--timeout", "60", *options])  # generous: other tests may load both cores


def test_a_preview_within_the_limits_prints_the_table_and_exits_0(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    policy = policy_file(tmp_path, EXPIRE_UNTAGGED_AFTER_14_DAYS)

    # when
    code = preview(stand_in, policy, "--max-expiring", "10")

    # then
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured.err
    assert out.count("<untagged>") == 4
    assert "4 expire, 0 transition to archive of 7 images" in out
    assert "gate: PASSED - preview within limits (repository 'app')" in out


@pytest.mark.parametrize(
    ("policy", "options", "message"),
    [
        (KEEP_NEWEST_TWO, ("--max-expiring", "3"), "MaxExpiringImages: 5 images would expire, limit 3"),
        (KEEP_NEWEST_TWO, ("--max-expiring-percent", "50"), "MaxExpiringPercent: 71.4% would expire (5 of 7 images)"),
        (
            ARCHIVE_AFTER_60_DAYS,
            ("--max-transitioning", "0"),
            "MaxTransitioningImages: 1 image would be archived, limit 0",
        ),
        (KEEP_NEWEST_TWO, ("--protect", "v1.1.*"), "ProtectedTags: pattern 'v1.1.*' matches tag 'v1.1.0'"),
        (EXPIRE_EVERYTHING_AFTER_1_DAY, (), "ExpireAll: this policy would expire every image in the repository"),
    ],
    ids=["max-expiring", "max-expiring-percent", "max-transitioning", "protected-tag", "expire-all-guard"],
)
def test_each_limit_crossed_blocks_with_exit_3_and_names_the_limit(
    stand_in: EcrStandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    policy: dict[str, Any],
    options: tuple[str, ...],
    message: str,
) -> None:
    # given
    path = policy_file(tmp_path, policy)

    # when
    code = preview(stand_in, path, *options)

    # then
    out = capsys.readouterr().out
    assert code == 3
    assert "gate: BLOCKED" in out
    assert message in out


def test_allow_expire_all_lets_a_policy_expire_every_image(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    policy = policy_file(tmp_path, EXPIRE_EVERYTHING_AFTER_1_DAY)

    # when
    code = preview(stand_in, policy, "--allow-expire-all")

    # then
    assert code == 0
    assert "7 expire" in capsys.readouterr().out


def test_json_prints_the_preview_shape_and_the_verdict(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    policy = policy_file(tmp_path, ARCHIVE_AFTER_60_DAYS)

    # when
    code = preview(stand_in, policy, "--max-transitioning", "0", "--json")

    # then
    document = json.loads(capsys.readouterr().out)
    assert code == 3
    assert document["status"] == "COMPLETE"
    assert document["summary"] == {
        "expiringImageTotalCount": 0,
        "transitioningImageTotalCounts": [{"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}],
    }
    (result,) = document["previewResults"]
    assert result["imageTags"] == ["v1.0.0"]
    assert result["action"] == {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}
    assert result["appliedRulePriority"] == 1
    assert document["gate"]["passed"] is False
    assert [v["limit"] for v in document["gate"]["violations"]] == ["MaxTransitioningImages"]


def test_json_passes_on_ecrs_status_summary_and_results_as_ecr_returned_them(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    policy = policy_file(tmp_path, KEEP_NEWEST_TWO)

    # when
    code = preview(stand_in, policy, "--allow-expire-all", "--json")

    # then: the document holds exactly what GetLifecyclePolicyPreview answers (timestamps as ISO-8601 text)
    document = json.loads(capsys.readouterr().out)
    answer = stand_in.client("ecr").get_lifecycle_policy_preview(repositoryName=REPOSITORY, maxResults=100)
    assert code == 0
    assert document["status"] == answer["status"]
    assert document["summary"] == answer["summary"]
    assert document["previewResults"] == [
        {**item, "imagePushedAt": item["imagePushedAt"].isoformat()} for item in answer["previewResults"]
    ]
    assert document["gate"] == {"passed": True, "reason": "preview within limits (repository 'app')", "violations": []}


def test_a_missing_repository_exits_1_with_one_clear_line(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    policy = policy_file(tmp_path, EXPIRE_UNTAGGED_AFTER_14_DAYS)

    # when
    code = preview(stand_in, policy, repository="no-such-repo")

    # then
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        "error: StartLifecyclePolicyPreview failed: RepositoryNotFoundException: The repository with name "
        "'no-such-repo' does not exist in the registry with id '123456789012'\n"
    )
    assert "Traceback" not in err


def test_an_invalid_policy_exits_1_naming_the_rule_and_field(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    broken = json.loads(json.dumps(KEEP_NEWEST_TWO))
    broken["rules"][0]["selection"]["countNumber"] = 0
    policy = policy_file(tmp_path, broken)

    # when
    code = preview(stand_in, policy)

    # then
    err = capsys.readouterr().err
    assert code == 1
    assert "rule 1 (priority 1): selection.countNumber:" in err
    assert stand_in.calls("StartLifecyclePolicyPreview") == []


def test_an_unreadable_policy_file_exits_1(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview(stand_in, str(tmp_path / "missing.json"))

    # then
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: policy file {tmp_path / 'missing.json'}: cannot read the file: No such file or directory\n"
    )


def test_no_credentials_exits_1_saying_how_to_configure_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    isolate_from_user_aws_config(monkeypatch, tmp_path)
    policy = policy_file(tmp_path, EXPIRE_UNTAGGED_AFTER_14_DAYS)

    # when
    code = main(["preview", "--repository", REPOSITORY, "--policy", policy, "--region", "us-east-1",
                 "--endpoint-url", "http://127.0.0.1:9"])  # fmt: skip

    # then
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: no AWS credentials found: configure them")
    assert "Traceback" not in err


def test_a_preview_that_never_completes_fails_at_the_timeout(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    stand_in.faults.preview_status(REPOSITORY, "NEVER")
    policy = policy_file(tmp_path, EXPIRE_UNTAGGED_AFTER_14_DAYS)

    # when
    code = preview(stand_in, policy, "--timeout", "1")

    # then
    assert code == 1
    assert "error: preview of app: no complete preview within the time allowed" in capsys.readouterr().err


def test_a_percent_above_100_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # when
    with pytest.raises(SystemExit) as exited:
        main(["preview", "--repository", REPOSITORY, "--policy", "p.json", "--max-expiring-percent", "150"])

    # then
    assert exited.value.code == 2
    assert "must be a number from 0 to 100, got '150'" in capsys.readouterr().err


def test_starting_the_command_line_loads_neither_boto3_nor_moto_nor_aws_cdk() -> None:
    # given
    probe = (
        "import sys, ecr_lifecycle_guard.cli.main; "
        "print(sorted(m for m in ('boto3', 'botocore', 'moto', 'aws_cdk') if m in sys.modules))"
    )

    # when
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    # then
    assert done.stdout.strip() == "[]"
