"""``ecr-lifecycle-guard demo`` synthesizes the example app and rehearses its guard on the stand-in."""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
import pytest

from ecr_lifecycle_guard import GuardedLifecyclePolicy, example_app
from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.cli.synth import SynthError, synthesize_example
from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.local.rehearsal import load_synthesized_stack

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_the_demo_synthesizes_with_the_cdk_cli_and_every_step_behaves(capsys: pytest.CaptureFixture[str]) -> None:
    # when
    code = main(["demo"])

    # then
    out = capsys.readouterr().out
    assert code == 0
    assert "Synthesized: cdk synth of " in out
    assert "create -> SUCCESS" in out
    assert "update -> FAILED" in out
    # what the handler answered CloudFormation, not its log lines
    assert "blocked by MaxExpiringPercent: 92.9% would expire (260 of 280 images), limit 50%" in out
    # ECR's own preview, read back from ECR
    assert re.search(r"^  1     EXPIRE  260 ", out, re.M)
    assert "… and 254 more" in out
    assert "blocked by InUse: image sha256:" in out
    assert "used by ECS service prod/api" in out
    assert "rollback -> SUCCESS" in out
    assert "restored with 0 previews started" in out
    assert "delete -> SUCCESS" in out
    assert "5 of 5 steps passed - every step behaved as expected" in out
    assert len(out.splitlines()) <= 90


@pytest.mark.slow
def test_the_demo_in_process_lists_the_blocked_images_protected_first_then_by_rank(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # when
    code = main(["demo", "--no-synth"])

    # then
    out = capsys.readouterr().out
    assert code == 0
    assert "Synthesized: example app synthesized in-process (--no-synth)" in out
    table = out[out.index("the policy engine's offline explanation of the same policy") : out.index("… and 254 more")]
    listed = [(line.split()[0], int(rank)) for line, rank in re.findall(r"^  (\S.*): rank (\d+) of 280", table, re.M)]
    assert "latest" in listed[0][0].split(",")
    assert [rank for _, rank in listed[1:]] == [21, 22, 23, 24, 25]


def test_without_a_project_the_example_app_is_synthesized_in_process(tmp_path: Path) -> None:
    # given
    context = {"maxExpiringPercent": "50", "protectedTags": "latest"}
    example_stack = example_app.GuardedRepositoryStack(cdk.App(), example_app.STACK_NAME)
    example_guard = example_stack.node.find_child("LifecyclePolicy")
    assert isinstance(example_guard, GuardedLifecyclePolicy)

    # when
    synthesis = synthesize_example(tmp_path, project=None, context=context)

    # then
    stack = load_synthesized_stack(synthesis.outdir, example_app.STACK_NAME)
    (guard,) = stack.guards
    properties = stack.resources[guard]["Properties"]
    assert synthesis.route == "in-process"
    assert synthesis.note == "example app synthesized in-process (no app.py/cdk.json in or above the current folder)"
    assert (properties["MaxExpiringPercent"], properties["ProtectedTags"]) == ("50", ["latest"])
    assert policies_equivalent(properties["LifecyclePolicyText"], example_guard.lifecycle_policy_text)


@pytest.mark.slow
def test_a_cdk_cli_failure_is_reported_in_one_line(tmp_path: Path) -> None:
    # given
    (tmp_path / "cdk.json").write_text('{"app": "python3 app.py"}', encoding="utf-8")
    (tmp_path / "app.py").write_text("raise ValueError('no stack today')\n", encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(REPO_ROOT / "node_modules", target_is_directory=True)

    # when / then
    with pytest.raises(SynthError, match=r"^cdk synth failed \(exit 1\): .*ValueError: no stack today") as raised:
        synthesize_example(tmp_path / "out", project=tmp_path)
    assert "\n" not in str(raised.value)
