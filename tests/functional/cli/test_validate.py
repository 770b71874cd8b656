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
    path = write(tmp_path, "broken.json", '{"rules": [\n')
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().err.splitlines()[1] == (
        f"{path}: policy: not valid JSON: Expecting value at line 2, column 1 [JSON]"
    )


def test_missing_file_exits_1_with_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.json"
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().err == f"error: cannot read the policy file {path}: No such file or directory\n"


def test_missing_argument_is_a_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate"])
    assert caught.value.code == 2
    assert "the following arguments are required: POLICY" in capsys.readouterr().err


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
