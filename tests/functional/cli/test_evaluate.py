"""``ecr-lifecycle-guard evaluate`` through ``cli.main.main``: table, JSON, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ecr_lifecycle_guard.cli.main import main

POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["alpha*"],
                "countType": "imageCountMoreThan",
                "countNumber": 1,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 1,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 3,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
            "action": {"type": "expire"},
        },
    ]
}
# AWS's "filtering on all images, Example B" as describe-images output, evaluated at 2026-01-05T00:00:00Z.
IMAGES = {
    "imageDetails": [
        {
            "imageDigest": "sha256:" + "a" * 64,
            "imageTags": ["alpha-1", "beta-1"],
            "imagePushedAt": "2026-01-01T00:00:00Z",
        },
        {"imageDigest": "sha256:" + "b" * 64, "imagePushedAt": "2026-01-02T00:00:00+00:00"},
        {
            "imageDigest": "sha256:" + "c" * 64,
            "imageTags": ["alpha-2"],
            "imagePushedAt": "2026-01-03T01:00:00.000+01:00",
        },
        {"imageDigest": "sha256:" + "d" * 64, "imageTags": ["git hash"], "imagePushedAt": 1767484800},
        {"imageDigest": "sha256:" + "e" * 64, "imagePushedAt": 1767488400.0},
    ]
}
NOW = "2026-01-05T00:00:00Z"


def files(tmp_path: Path, policy: Any = POLICY, images: Any = IMAGES) -> list[str]:
    policy_path, images_path = tmp_path / "policy.json", tmp_path / "images.json"
    policy_path.write_text(json.dumps(policy), encoding="utf-8")
    images_path.write_text(images if isinstance(images, str) else json.dumps(images), encoding="utf-8")
    return ["--policy", str(policy_path), "--images", str(images_path)]


def test_table_lists_acted_on_images_with_reasons_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    args = files(tmp_path)
    # when
    code = main(["evaluate", *args, "--now", NOW])
    # then
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    keep_alpha = 'rule 1 (tagged "alpha*", keep 1 newest): rank 2 of 2 in the rule\'s selection'
    assert out.splitlines() == [
        "IMAGE                TAGS            PUSHED            ACTION  RULE  WHY",
        "-------------------  --------------  ----------------  ------  ----  " + "-" * len(keep_alpha),
        f"sha256:aaaaaaaaaaaa  alpha-1,beta-1  2026-01-01 00:00  EXPIRE  1     {keep_alpha}",
        "sha256:bbbbbbbbbbbb  <untagged>      2026-01-02 00:00  EXPIRE  2     "
        "rule 2 (untagged, older than 1 day): pushed 3 days ago",
        "sha256:dddddddddddd  git hash        2026-01-04 00:00  EXPIRE  3     "
        "rule 3 (any, keep 1 newest): rank 2 of 5 in the rule's selection",
        "3 of 5 images acted on: 3 expire, 0 transition to archive (evaluated at 2026-01-05T00:00:00+00:00)",
        "warning: 1 more image(s) cross an age threshold within 24 hours and would be acted on by then (rule 2: 1); "
        "ECR acts within 24 hours of an image meeting the criteria",
    ]


def test_json_is_the_preview_shape_with_explanations_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    args = files(tmp_path)
    # when
    code = main(["evaluate", *args, "--now", NOW, "--json"])
    # then
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["status"] == "COMPLETE"
    assert document["summary"] == {"expiringImageTotalCount": 3}
    assert document["previewResults"][1] == {
        "imageDigest": "sha256:" + "b" * 64,
        "imagePushedAt": "2026-01-02T00:00:00+00:00",
        "action": {"type": "EXPIRE"},
        "appliedRulePriority": 2,
        "storageClass": "STANDARD",
    }
    assert [r["appliedRulePriority"] for r in document["previewResults"]] == [1, 2, 3]
    assert document["explanations"]["sha256:" + "d" * 64] == (
        "rule 3 (any, keep 1 newest): rank 2 of 5 in the rule's selection"
    )
    assert len(document["warnings"]) == 1


def test_nothing_to_do_prints_a_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = files(tmp_path, images=[])
    assert main(["evaluate", *args, "--now", NOW]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "no image would be acted on"


def test_invalid_policy_exits_1_with_the_rule_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    bad = json.loads(json.dumps(POLICY))
    bad["rules"][2]["selection"]["countUnit"] = "days"
    args = files(tmp_path, policy=bad)
    # when
    code = main(["evaluate", *args])
    # then
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        f"error: invalid lifecycle policy in {tmp_path / 'policy.json'}: rule 3 (priority 3): selection.countUnit: "
        "not allowed with countType imageCountMoreThan [V10]\n"
    )


@pytest.mark.parametrize(
    ("images", "detail"),
    [
        pytest.param(
            "[{", "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 3", id="syntax"
        ),
        pytest.param(
            {"images": []}, 'must be describe-images output ({"imageDetails": [...]}) or a list, got object', id="shape"
        ),
        pytest.param(
            [{"imageDigest": "sha256:1", "imagePushedAt": "last week"}],
            'image 1 (sha256:1): imagePushedAt: must be an ISO-8601 timestamp or epoch seconds, got "last week"',
            id="field",
        ),
    ],
)
def test_unreadable_images_file_exits_1_naming_the_file_and_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], images: Any, detail: str
) -> None:
    args = files(tmp_path, images=images)
    assert main(["evaluate", *args]) == 1
    assert capsys.readouterr().err == f"error: images file {tmp_path / 'images.json'}: {detail}\n"


def test_missing_images_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = files(tmp_path)
    args[-1] = str(tmp_path / "missing.json")
    assert main(["evaluate", *args]) == 1
    assert capsys.readouterr().err == (
        f"error: images file {tmp_path / 'missing.json'}: cannot read the file: No such file or directory\n"
    )


def test_bad_now_is_a_usage_error_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["evaluate", *files(tmp_path), "--now", "tomorrow"])
    assert caught.value.code == 2
    assert 'argument --now: time: must be an ISO-8601 timestamp or epoch seconds, got "tomorrow"' in (
        capsys.readouterr().err
    )


def test_the_engine_and_the_evaluate_command_load_neither_boto3_nor_aws_cdk_nor_moto() -> None:
    # given
    probe = (
        "import sys, ecr_lifecycle_guard.engine, ecr_lifecycle_guard.cli.evaluate; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'aws_cdk', 'moto', 'jsii'}))"
    )
    # when
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # then
    assert completed.stdout == "[]\n"
