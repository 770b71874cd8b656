"""``evaluate`` with the deploy's gate options: the verdict follows the prediction; exit 3 when it blocks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from evaluate_helpers import IMAGES, NOW, POLICY, files

from ecr_lifecycle_guard.cli.main import main


def test_gate_options_block_with_exit_3_and_the_verdict_after_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    args = files(tmp_path)
    # when
    code = main(["evaluate", *args, "--now", NOW, "--max-expiring", "2", "--protect", "git*"])
    # then
    out, err = capsys.readouterr()
    assert (code, err) == (3, "")
    assert out.splitlines()[-3:] == [
        "gate: BLOCKED - 2 limit(s) crossed on 'images.json':",
        "  MaxExpiringImages: 3 images would expire, limit 2",
        "  ProtectedTags: pattern 'git*' matches tag 'git hash' (1 image would be expired, limit 0)",
    ]


def test_gate_that_passes_prints_its_verdict_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    images = {"imageDetails": [{**detail, "repositoryName": "app"} for detail in IMAGES["imageDetails"]]}
    code = main(["evaluate", *files(tmp_path, images=images), "--now", NOW, "--max-expiring-percent", "60"])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "gate: PASSED - preview within limits (repository 'app')"


def test_gate_verdict_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given: an age rule that expires the only image: the expire-all guard blocks whatever the other limits
    policy = {"rules": [POLICY["rules"][1]]}
    images = [{"imageDigest": "sha256:" + "b" * 64, "imagePushedAt": "2025-01-01T00:00:00Z"}]
    # when
    code = main(
        ["evaluate", *files(tmp_path, policy=policy, images=images), "--now", NOW, "--json", "--max-transitioning", "0"]
    )
    # then
    document = json.loads(capsys.readouterr().out)
    assert code == 3
    assert document["gate"]["passed"] is False
    assert [v["limit"] for v in document["gate"]["violations"]] == ["ExpireAll"]


def test_without_gate_options_evaluate_only_predicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = {"rules": [POLICY["rules"][1]]}
    images = [{"imageDigest": "sha256:" + "b" * 64, "imagePushedAt": "2025-01-01T00:00:00Z"}]
    assert main(["evaluate", *files(tmp_path, policy=policy, images=images), "--now", NOW, "--json"]) == 0
    assert "gate" not in json.loads(capsys.readouterr().out)


def test_allow_expire_all_alone_applies_the_gate_and_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = {"rules": [POLICY["rules"][1]]}
    images = [{"imageDigest": "sha256:" + "b" * 64, "imagePushedAt": "2025-01-01T00:00:00Z"}]
    code = main(["evaluate", *files(tmp_path, policy=policy, images=images), "--now", NOW, "--allow-expire-all"])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("gate: PASSED")


def test_the_json_output_is_the_same_without_the_fast_json_library(tmp_path: Path) -> None:
    # given
    args = [*files(tmp_path), "--now", NOW, "--json"]
    probe = "import sys; sys.modules['orjson'] = None; from ecr_lifecycle_guard.cli.main import main; sys.exit(main())"
    # when
    fast = subprocess.run([sys.executable, "-m", "ecr_lifecycle_guard", "evaluate", *args], capture_output=True)
    plain = subprocess.run([sys.executable, "-c", probe, "evaluate", *args], capture_output=True)
    # then
    assert (fast.returncode, plain.returncode) == (0, 0)
    assert json.loads(fast.stdout) == json.loads(plain.stdout)
