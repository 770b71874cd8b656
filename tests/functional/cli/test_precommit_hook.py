"""The pre-commit hook's entry, run as pre-commit runs it: on the files its pattern selects, several per call."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_helpers import EXPIRE_UNTAGGED_AFTER_14_DAYS

REPO_ROOT = Path(__file__).resolve().parents[3]
HOOKS_FILE = REPO_ROOT / ".pre-commit-hooks.yaml"


@pytest.fixture(scope="module")
def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    (found,) = [h for h in hooks if h["id"] == "ecr-lifecycle-guard-validate"]
    return dict(found)


def run_hook(
    hook: dict[str, Any], root: Path, candidates: list[str]
) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    """Select ``candidates`` with the hook's ``files`` pattern and run its entry on them (as pre-commit does)."""
    pattern = re.compile(hook["files"])
    selected = [name for name in candidates if pattern.search(name)]
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [*shlex.split(hook["entry"]), *selected], cwd=root, capture_output=True, text=True, check=False, env=environment
    )
    return selected, done


def write(root: Path, name: str, content: Any) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


def test_the_hook_is_a_python_hook_running_validate(hook: dict[str, Any]) -> None:
    assert (hook["language"], hook["entry"]) == ("python", "ecr-lifecycle-guard validate")


def test_the_hook_checks_the_lifecycle_files_its_pattern_selects_and_passes_when_all_are_valid(
    hook: dict[str, Any], tmp_path: Path
) -> None:
    # given
    write(tmp_path, "ecr/lifecycle-policy.json", EXPIRE_UNTAGGED_AFTER_14_DAYS)
    write(tmp_path, "services/api/lifecycle.json", EXPIRE_UNTAGGED_AFTER_14_DAYS)
    write(tmp_path, "package.json", '{"name": "not a policy"}')

    # when
    selected, done = run_hook(
        hook, tmp_path, ["ecr/lifecycle-policy.json", "services/api/lifecycle.json", "package.json"]
    )

    # then
    assert selected == ["ecr/lifecycle-policy.json", "services/api/lifecycle.json"]
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ecr/lifecycle-policy.json: OK (1 rule, 161 characters as sent to ECR)",
        "services/api/lifecycle.json: OK (1 rule, 161 characters as sent to ECR)",
    ]


def test_the_hook_fails_the_commit_naming_the_invalid_file_rule_and_field(hook: dict[str, Any], tmp_path: Path) -> None:
    # given
    bad = json.loads(json.dumps(EXPIRE_UNTAGGED_AFTER_14_DAYS))
    bad["rules"][0]["selection"]["countNumber"] = 0
    write(tmp_path, "good-lifecycle.json", EXPIRE_UNTAGGED_AFTER_14_DAYS)
    write(tmp_path, "bad-lifecycle.json", bad)

    # when
    _, done = run_hook(hook, tmp_path, ["good-lifecycle.json", "bad-lifecycle.json"])

    # then
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "bad-lifecycle.json: invalid lifecycle policy (1 problem)",
        "bad-lifecycle.json: rule 1 (priority 1): selection.countNumber: must be an integer from 1 to 2147483647, "
        "got 0 [V11]",
    ]
