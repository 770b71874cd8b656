"""``ecr-lifecycle-guard validate`` through ``cli.main.main``: exit codes, stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ecr_lifecycle_guard.cli.main import main

VALID = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire images older than 14 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}


SENT_LENGTH = len(json.dumps(VALID, separators=(",", ":")))


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    return path


def test_valid_policy_exits_0_with_one_ok_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    path = write(tmp_path, "policy.json", VALID)
    # when
    code = main(["validate", str(path)])
    # then
    out, err = capsys.readouterr()
    assert code == 0
    assert out == f"{path}: OK (1 rule, {SENT_LENGTH} characters as sent to ECR)\n"
    assert err == ""


def test_invalid_policy_exits_1_with_one_line_per_problem_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    bad = json.loads(json.dumps(VALID))
    bad["rules"][0]["selection"]["countNumber"] = 0
    bad["rules"][0]["action"]["targetStorageClass"] = None
    path = write(tmp_path, "bad.json", bad)
    # when
    code = main(["validate", str(path)])
    # then
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"{path}: invalid lifecycle policy (2 problems)",
        f"{path}: rule 1 (priority 1): selection.countNumber: must be an integer from 1 to 2147483647, got 0 [V11]",
        f"{path}: rule 1 (priority 1): action.targetStorageClass: null is not allowed; omit the field instead [V17]",
    ]


def test_json_syntax_error_exits_1_naming_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    path = write(tmp_path, "broken.json", '{"rules": [\n')
    # when
    code = main(["validate", str(path)])
    # then
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: policy file {path}: not valid JSON: Expecting value at line 2, column 1\n"
    )


def test_missing_file_exits_1_with_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    path = tmp_path / "nope.json"
    # when
    code = main(["validate", str(path)])
    # then
    assert code == 1
    assert capsys.readouterr().err == f"error: policy file {path}: cannot read the file: No such file or directory\n"


def test_no_file_and_no_assembly_is_a_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    # when
    code = main(["validate"])
    # then
    assert code == 2
    assert capsys.readouterr().err == "ecr-lifecycle-guard validate: error: give POLICY files or --cdk-out DIR\n"


def test_several_files_are_checked_in_one_call_and_any_invalid_one_exits_1_naming_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    good = write(tmp_path, "good.json", VALID)
    bad_policy = json.loads(json.dumps(VALID))
    bad_policy["rules"][0]["selection"]["countUnit"] = "weeks"
    bad = write(tmp_path, "bad.json", bad_policy)
    broken = write(tmp_path, "broken.json", "{")
    # when
    code = main(["validate", str(good), str(bad), str(broken)])
    # then
    out, err = capsys.readouterr()
    assert code == 1
    assert out == f"{good}: OK (1 rule, {SENT_LENGTH} characters as sent to ECR)\n"
    assert err.splitlines() == [
        f"{bad}: invalid lifecycle policy (1 problem)",
        f"{bad}: rule 1 (priority 1): selection.countUnit: must be 'days', got \"weeks\" [V10]",
        f"error: policy file {broken}: not valid JSON: Expecting property name enclosed in double quotes at line 1, "
        "column 2",
    ]


def test_several_valid_files_exit_0_with_one_ok_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    paths = [write(tmp_path, f"p{n}.json", VALID) for n in range(3)]
    # when
    code = main(["validate", *map(str, paths)])
    # then
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: OK (1 rule, {SENT_LENGTH} characters as sent to ECR)" for path in paths
    ]


def test_python_dash_m_runs_the_same_command_line(tmp_path: Path) -> None:
    # given
    path = write(tmp_path, "policy.json", VALID)
    # when
    completed = subprocess.run(
        [sys.executable, "-m", "ecr_lifecycle_guard", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    # then
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout.endswith(f"OK (1 rule, {SENT_LENGTH} characters as sent to ECR)\n")
