"""``preview`` over many repositories on the stand-in: selection, progress, one summary, JSON and exit codes."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import KEEP_NEWEST_TWO, endpoint_options, policy_file

from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

FLEET = [f"fleet/r{n:03}" for n in range(30)]
#: Every fifth repository has 6 images (4 would expire: blocked by --max-expiring 3), the others 4 (2 expire).
CROWDED = set(FLEET[::5])


def images_of(name: str) -> list[SeedImage]:
    count = 6 if name in CROWDED else 4
    return [SeedImage(tags=(f"v{n}",), pushed_days_ago=n + 1) for n in range(count)]


@pytest.fixture
def stand_in(bare_stand_in: EcrStandIn) -> EcrStandIn:
    bare_stand_in.create_repositories(FLEET, images=images_of)
    bare_stand_in.create_repositories(["other/app"], images=images_of("other/app"))
    return bare_stand_in


def preview_fleet(stand_in: EcrStandIn, tmp_path: Path, *options: str, policy: dict[str, Any] = KEEP_NEWEST_TWO) -> int:
    path = policy_file(tmp_path, policy)
    return main(["preview", "--policy", path, *endpoint_options(stand_in), "--timeout", "30", *options])


def test_a_glob_previews_every_matching_repository_and_one_blocked_repository_exits_3(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_fleet(stand_in, tmp_path, "--repositories", "fleet/*", "--max-expiring", "3", "--json")

    # then
    document = json.loads(capsys.readouterr().out)
    outcomes = {entry["repositoryName"]: entry["outcome"] for entry in document["repositories"]}
    assert code == 3
    assert list(outcomes) == FLEET
    assert {name for name, outcome in outcomes.items() if outcome == "BLOCKED"} == CROWDED
    assert {outcome for name, outcome in outcomes.items() if name not in CROWDED} == {"PASSED"}
    assert document["totals"]["repositories"] == 30
    assert (document["totals"]["passed"], document["totals"]["blocked"], document["totals"]["failed"]) == (24, 6, 0)
    assert document["totals"]["expiring"] == 24 * 2 + 6 * 4
    assert document["exitCode"] == 3
    assert len(stand_in.calls("ListClusters")) == 1  # the account's workloads are listed once for the run
    assert len(stand_in.calls("ListFunctions")) == 1
    blocked = next(entry for entry in document["repositories"] if entry["outcome"] == "BLOCKED")
    assert blocked["summary"] == {"expiringImageTotalCount": 4}
    assert blocked["gate"]["violations"][0]["message"] == "4 images would expire, limit 3"


def test_without_a_terminal_each_finished_repository_is_one_plain_progress_line_and_the_summary_follows(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_fleet(stand_in, tmp_path, "--repositories", "fleet/*", "--concurrency", "8")

    # then
    out, err = capsys.readouterr()
    progress = err.splitlines()
    assert code == 0
    assert len(progress) == 30
    assert all(re.fullmatch(r"\[\d+/30\] fleet/r\d{3}: PASSED \(\d+\.\d s\)", line) for line in progress)
    assert [line.split("]")[0] for line in progress] == [f"[{n}/30" for n in range(1, 31)]
    table = out.splitlines()
    assert table[0].split() == ["REPOSITORY", "IMAGES", "EXPIRING", "ARCHIVING", "IN", "USE", "VERDICT"]
    assert table[2].split() == ["fleet/r000", "6", "4", "0", "0", "PASSED"]
    assert table[3].split() == ["fleet/r001", "4", "2", "0", "0", "PASSED"]
    assert re.fullmatch(r"30 repositories: 30 passed \(\d+\.\d s\)", table[-1])


def test_on_a_terminal_a_progress_bar_is_drawn_and_cleared(
    stand_in: EcrStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: stderr is a pseudo-terminal whose other end is read as it is written
    stand_in.set_preview_latency(0.3)
    controller, terminal = pty.openpty()
    stderr = os.fdopen(terminal, "w", buffering=1, encoding="utf-8")
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(sys, "stdout", stdout)
    seen = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()

    # when
    code = preview_fleet(stand_in, tmp_path, "--repositories", "fleet/r00*", "--no-in-use", "--concurrency", "2")
    stderr.close()
    reader.join(timeout=5)
    os.close(controller)

    # then
    drawn = seen.decode("utf-8", errors="replace")
    assert code == 0
    assert re.search(r"\[#*\.*\] +\d+/10 done, \d running, 0 blocked, 0 failed - \d+\.\d s", drawn)
    assert drawn.endswith("\r\x1b[K")
    assert "fleet/r000: PASSED" not in drawn  # no plain lines on a terminal
    assert stdout.getvalue().splitlines()[-1].startswith("10 repositories: 10 passed (")


def test_all_previews_every_repository_of_the_registry(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_fleet(stand_in, tmp_path, "--all", "--no-in-use", "--json")

    # then
    names = [entry["repositoryName"] for entry in json.loads(capsys.readouterr().out)["repositories"]]
    assert code == 0
    assert names == [*FLEET, "other/app"]


def test_a_repository_that_cannot_be_previewed_exits_1_when_none_is_blocked(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_fleet(stand_in, tmp_path, "--repository", "other/app", "--repository", "missing", "--json")

    # then
    captured = capsys.readouterr()
    outcomes = {entry["repositoryName"]: entry["outcome"] for entry in json.loads(captured.out)["repositories"]}
    assert code == 1
    assert outcomes == {"other/app": "PASSED", "missing": "FAILED"}
    assert captured.err.splitlines()[-1].startswith(
        "error: missing: StartLifecyclePolicyPreview failed: RepositoryNotFoundException: "
    )


def test_a_blocked_repository_decides_the_exit_code_even_when_another_failed(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_fleet(
        stand_in, tmp_path, "--repository", "fleet/r000", "--repository", "missing", "--max-expiring", "3"
    )

    # then
    out = capsys.readouterr().out
    assert code == 3
    assert "1 blocked, 1 failed" in out.splitlines()[-1]


def test_a_glob_that_matches_nothing_is_one_clear_error(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_fleet(stand_in, tmp_path, "--repositories", "nothing/*")

    # then
    assert code == 1
    assert capsys.readouterr().err == "error: no repository of the registry matches 'nothing/*'\n"


def test_no_repository_chosen_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # when
    code = main(["preview", "--policy", policy_file(tmp_path, KEEP_NEWEST_TWO)])

    # then
    assert code == 2
    assert "say which repositories: --repository NAME, --repositories GLOB, --all or --cdk-out DIR" in (
        capsys.readouterr().err
    )
