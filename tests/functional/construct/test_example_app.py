"""The example app (ecr_lifecycle_guard.example_app, synthesized by app.py): cdk-nag clean, cfn-lint clean,
app.py synthesizes through the real CDK CLI offline, and its synthesized guard applies a policy and blocks a
risky one when driven through the local stand-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks
from construct_helpers import GUARD_TYPE

from ecr_lifecycle_guard import example_app
from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver, SeedImage
from ecr_lifecycle_guard.local.rehearsal import Rehearsal, load_synthesized_stack

REPO_ROOT = Path(__file__).resolve().parents[3]
CDK_CLI = REPO_ROOT / "node_modules" / ".bin" / "cdk"
KEEP_NEWEST_TWO = (
    '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":2},'
    '"action":{"type":"expire"}}]}'
)


def _synth_with_nag(outdir: Path, context: dict[str, str]) -> Path:
    app = cdk.App(outdir=str(outdir), context=context)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    example_app.build_app(app)
    app.synth()  # cdk-nag 3 raises ValidationFailed on any unacknowledged finding
    return outdir


@pytest.fixture(scope="module")
def created_repository_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _synth_with_nag(tmp_path_factory.mktemp("created"), {})


@pytest.fixture(scope="module")
def imported_repository_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _synth_with_nag(
        tmp_path_factory.mktemp("imported"), {"repository": "existing-service", "maxExpiringImages": "10"}
    )


def _template(outdir: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((outdir / f"{example_app.STACK_NAME}.template.json").read_text())
    return loaded


def _nag_findings(outdir: Path) -> list[object]:
    report = json.loads((outdir / "validation-report.json").read_text())
    return [violation for plugin in report.get("pluginReports", []) for violation in plugin.get("violations", [])]


@pytest.mark.parametrize("outdir_fixture", ["created_repository_out", "imported_repository_out"])
def test_cdk_nag_aws_solutions_reports_nothing_on_the_example_stack(
    outdir_fixture: str, request: pytest.FixtureRequest
) -> None:
    # when
    outdir: Path = request.getfixturevalue(outdir_fixture)

    # then
    assert _nag_findings(outdir) == []


def test_example_stack_creates_a_named_repository_and_guards_it(created_repository_out: Path) -> None:
    # when
    resources = _template(created_repository_out)["Resources"]
    assert isinstance(resources, dict)

    # then
    repositories = [r for r in resources.values() if r["Type"] == "AWS::ECR::Repository"]
    guards = [r for r in resources.values() if r["Type"] == GUARD_TYPE]
    assert [r["Properties"]["RepositoryName"] for r in repositories] == [example_app.DEMO_REPOSITORY_NAME]
    assert len(guards) == 1


def test_example_stack_guards_an_existing_repository_with_limits_from_context(imported_repository_out: Path) -> None:
    # when
    resources = _template(imported_repository_out)["Resources"]
    assert isinstance(resources, dict)

    # then
    (guard,) = [r for r in resources.values() if r["Type"] == GUARD_TYPE]
    assert not [r for r in resources.values() if r["Type"] == "AWS::ECR::Repository"]
    assert (guard["Properties"]["RepositoryName"], guard["Properties"]["MaxExpiringImages"]) == (
        "existing-service",
        "10",
    )


def test_cfn_lint_finds_no_error_or_warning_in_the_templates(
    created_repository_out: Path, imported_repository_out: Path
) -> None:
    # given
    templates = [
        str(out / f"{example_app.STACK_NAME}.template.json")
        for out in (created_repository_out, imported_repository_out)
    ]

    # when
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), *templates],
        cwd=REPO_ROOT,  # .cfnlintrc
        capture_output=True,
        text=True,
        check=False,
    )

    # then
    assert (result.returncode, result.stdout) == (0, "")


def test_a_bad_context_limit_names_the_context_key() -> None:
    # given
    app = cdk.App(context={"maxExpiringPercent": "lots"})

    # when / then
    with pytest.raises(ValueError, match=r"^context maxExpiringPercent: must be a number from 0 to 100, got 'lots'$"):
        example_app.build_app(app)


@pytest.fixture(scope="module")
def cli_synth(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    outdir = tmp_path_factory.mktemp("cli.out")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # python3 = this venv's
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "JSII_NODE": str(REPO_ROOT / "node_modules" / ".bin" / "node"),
    }
    result = subprocess.run(
        [str(CDK_CLI), "synth", "-q", "-o", str(outdir), "-c", "maxExpiringImages=3"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return result, outdir


@pytest.mark.slow
def test_the_cdk_cli_synthesizes_the_app_offline_without_banners_or_notices(
    cli_synth: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    # when
    result, outdir = cli_synth

    # then
    assert result.returncode == 0, result.stderr
    output = (result.stdout + result.stderr).lower()
    assert "end-of-life" not in output
    assert "notices" not in output
    assert "telemetry" not in output
    template = _template(outdir)
    assert isinstance(template["Resources"], dict)
    assert [r["Type"] for r in template["Resources"].values()].count(GUARD_TYPE) == 1


@pytest.mark.slow
def test_the_cli_synthesized_guard_applies_the_policy_and_then_blocks_a_risky_update(
    cli_synth: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    # given
    _, outdir = cli_synth
    stack = load_synthesized_stack(outdir, example_app.STACK_NAME)
    images = [
        *(SeedImage(pushed_days_ago=30 + i) for i in range(3)),  # untagged, older than 14 days: expire
        *(SeedImage(tags=(f"v1.0.{i}",), pushed_days_ago=i) for i in range(5)),
    ]
    with EcrStandIn(preview_latency=0.1) as stand_in, ResponseReceiver() as receiver:
        rehearsal = Rehearsal(stack, stand_in, receiver)
        (guard,) = rehearsal.guards
        stand_in.create_repository(rehearsal.repository_name(guard), images=images)

        # when
        created = rehearsal.create(guard)
        risky = rehearsal.update(guard, {"LifecyclePolicyText": KEEP_NEWEST_TWO})

    # then
    assert (created.status, created.data["ExpiringImageCount"], created.data["PolicyApplied"]) == (
        "SUCCESS",
        "3",
        "true",
    )
    assert created.live_policy is not None
    assert policies_equivalent(created.live_policy, rehearsal.properties(guard)["LifecyclePolicyText"])
    assert risky.status == "FAILED"
    assert "MaxExpiringImages: 6 images would expire, limit 3" in risky.reason
    assert risky.live_policy == created.live_policy
