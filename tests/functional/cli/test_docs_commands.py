"""The ``validate`` and ``preview`` commands shown in docs/cli.md run as written against the stand-in."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from cli_helpers import KEEP_NEWEST_TWO

from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

DOCS = Path(__file__).resolve().parents[3] / "docs" / "cli.md"
REPOSITORIES = ("my-service", "team-a/api", "team-a/web", "web", "api", "batch", "svc", "tools")
IMAGES = [SeedImage(tags=(f"v{n}",), pushed_days_ago=n + 1) for n in range(5)]


def documented_commands() -> list[str]:
    """Every ``ecr-lifecycle-guard validate|preview`` command of the page's bash blocks (continuations joined)."""
    blocks = re.findall(r"```bash\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)
    text = "\n".join(blocks).replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        command = line.split("#", 1)[0].strip() if " #" in line else line.strip()
        if command.startswith(("ecr-lifecycle-guard validate", "ecr-lifecycle-guard preview")):
            commands.append(command)
    return commands


def test_the_page_shows_commands_to_run() -> None:
    assert len(documented_commands()) >= 6


@pytest.mark.parametrize("command", documented_commands())
def test_a_documented_command_runs_and_exits_as_documented(
    command: str,
    bare_stand_in: EcrStandIn,
    fleet_assembly: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given: the files the page names, in the working folder, and AWS pointed at the stand-in
    bare_stand_in.create_repositories(REPOSITORIES, images=IMAGES)
    (tmp_path / "policy.json").write_text(json.dumps(KEEP_NEWEST_TWO), encoding="utf-8")
    (tmp_path / "pods.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": []}), encoding="utf-8")
    shutil.copytree(fleet_assembly, tmp_path / "cdk.out", ignore=shutil.ignore_patterns("asset.*"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", bare_stand_in.endpoint_url)

    # when
    code = main(shlex.split(command)[1:])

    # then: it ran (0 passes, 3 the gate blocks), with no error
    err = capsys.readouterr().err
    assert code in (0, 3), err
    assert "error:" not in err
