"""``ecr-lifecycle-guard demo`` synthesizes the example app and rehearses its guard on the stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.cli.synth import FALLBACK_POLICY, SynthError, synthesize_example
from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.local.rehearsal import load_synthesized_stack


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
    assert "MaxExpiringPercent: 92.9% would expire (260 of 280 images), limit 50%" in out
    assert "ProtectedTags: pattern 'latest' matches tag 'latest'" in out
    assert "… and 254 more" in out
    assert "rollback -> SUCCESS" in out
    assert "restored with 0 previews started" in out
    assert "delete -> SUCCESS" in out
    assert "4 of 4 steps passed - every step behaved as expected" in out
    assert len(out.splitlines()) <= 80


def test_without_a_project_an_equivalent_stack_is_synthesized_in_process(tmp_path: Path) -> None:
    # when
    synthesis = synthesize_example(tmp_path, project=None, context={"maxExpiringPercent": "50"})

    # then
    stack = load_synthesized_stack(synthesis.outdir)
    (guard,) = stack.guards
    properties = stack.resources[guard]["Properties"]
    assert synthesis.route == "in-process"
    assert "equivalent example stack" in synthesis.note
    assert properties["MaxExpiringPercent"] == "50"
    assert policies_equivalent(properties["LifecyclePolicyText"], json.dumps(FALLBACK_POLICY))


def test_an_app_that_fails_to_synthesize_is_reported_in_one_line(tmp_path: Path) -> None:
    # given
    (tmp_path / "cdk.json").write_text('{"app": "python3 app.py"}', encoding="utf-8")
    (tmp_path / "app.py").write_text("def build_app(app):\n    raise ValueError('no stack today')\n", encoding="utf-8")

    # when / then
    with pytest.raises(SynthError, match=r"app.py failed: ValueError: no stack today$"):
        synthesize_example(tmp_path / "out", project=tmp_path, use_cli=False)
