"""``--cdk-out``: preview and validate what a synthesized cloud assembly (stages included) would deploy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import endpoint_options

from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.cloud_assembly import read_assembly
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

#: Five images per repository, newest first; the oldest carries a release tag.
IMAGES = [
    SeedImage(tags=("v5",), pushed_days_ago=1),
    SeedImage(tags=("v4",), pushed_days_ago=2),
    SeedImage(tags=("v3",), pushed_days_ago=3),
    SeedImage(tags=("v2",), pushed_days_ago=4),
    SeedImage(tags=("release-1",), pushed_days_ago=5),
]
GUARDED = ("web", "api", "batch", "svc", "tools")


@pytest.fixture
def stand_in(bare_stand_in: EcrStandIn) -> EcrStandIn:
    bare_stand_in.create_repositories(GUARDED, images=IMAGES)
    return bare_stand_in


def preview_assembly(stand_in: EcrStandIn, assembly: Path, *options: str) -> int:
    return main(["preview", "--cdk-out", str(assembly), *endpoint_options(stand_in), "--timeout", "30", *options])


def by_repository(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["repositoryName"]: entry for entry in document["repositories"]}


def test_every_guard_of_every_stack_and_stage_is_previewed_with_its_own_policy_and_limits(
    stand_in: EcrStandIn, fleet_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_assembly(stand_in, fleet_assembly, "--json")

    # then
    document = json.loads(capsys.readouterr().out)
    entries = by_repository(document)
    assert code == 3
    assert {name: entry["outcome"] for name, entry in entries.items()} == {
        "web": "PASSED",
        "api": "BLOCKED",
        "batch": "PASSED",
        "?": "SKIPPED",
        "svc": "BLOCKED",
        "tools": "PASSED",
    }
    assert entries["api"]["gate"]["violations"][0]["message"] == "4 images would expire, limit 1"
    assert entries["svc"]["gate"]["violations"][0]["limit"] == "ProtectedTags"
    assert entries["svc"]["source"]["stack"] == "Prod/Svc"
    assert entries["tools"]["source"]["stack"] == "Dev/Tools"
    assert entries["batch"]["source"]["previewOnly"] is True
    assert entries["web"]["summary"] == {"expiringImageTotalCount": 3}
    assert entries["tools"]["summary"] == {"expiringImageTotalCount": 2}
    assert "known only at deploy time" in entries["?"]["detail"]
    assert document["totals"] == {
        **document["totals"],
        "repositories": 6,
        "passed": 3,
        "blocked": 2,
        "skipped": 1,
        "failed": 0,
    }
    assert document["exitCode"] == 3


def test_the_summary_table_names_each_guard_by_stack_and_logical_id(
    stand_in: EcrStandIn, fleet_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = preview_assembly(stand_in, fleet_assembly, "--repositories", "s*", "--repository", "batch")

    # then
    out = capsys.readouterr().out.splitlines()
    assert code == 3
    assert out[0].split() == ["GUARD", "REPOSITORY", "IMAGES", "EXPIRING", "ARCHIVING", "IN", "USE", "VERDICT"]
    rows = {line.split()[1]: line for line in out[2:4]}
    assert rows["batch"].startswith("Fleet/BatchGuard")
    assert rows["batch"].endswith("PASSED [PreviewOnly]")
    assert rows["svc"].startswith("Prod/Svc/Guard")
    assert "BLOCKED: ProtectedTags: pattern 'release-*' matches tag 'release-1'" in rows["svc"]
    assert out[4].startswith("2 repositories: 1 passed, 1 blocked (")


def test_a_live_policy_that_already_is_the_guards_is_unchanged_as_the_deploy_skips_its_preview(
    stand_in: EcrStandIn, fleet_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: the live policy of "api" already is what its guard would put
    (guard,) = [g for g in read_assembly(fleet_assembly).guards() if g.repository_name == "api"]
    assert guard.properties is not None
    stand_in.client("ecr").put_lifecycle_policy(repositoryName="api", lifecyclePolicyText=guard.properties.policy_text)

    # when
    code = preview_assembly(stand_in, fleet_assembly, "--repository", "api", "--json")

    # then
    (entry,) = json.loads(capsys.readouterr().out)["repositories"]
    assert code == 0
    assert entry["outcome"] == "UNCHANGED"
    assert entry["detail"] == "the live policy already is this policy: the deploy skips the preview"
    assert stand_in.calls("StartLifecyclePolicyPreview") == []


def test_a_repository_the_stack_creates_is_new_and_a_missing_named_one_fails(
    bare_stand_in: EcrStandIn, fleet_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when: neither "web" (created by its stack) nor "api" (guarded by name) exists yet
    code = preview_assembly(bare_stand_in, fleet_assembly, "--repository", "web", "--repository", "api", "--json")

    # then
    captured = capsys.readouterr()
    entries = by_repository(json.loads(captured.out))
    assert code == 1
    assert entries["web"]["outcome"] == "NEW"
    assert entries["api"]["outcome"] == "FAILED"
    assert "RepositoryNotFoundException" in entries["api"]["detail"]
    assert captured.err.splitlines()[-1] == (
        "error: api: GetLifecyclePolicy failed: RepositoryNotFoundException: The repository with name 'api' does not "
        "exist in the registry with id '123456789012'"
    )


def test_limits_on_the_command_line_cannot_be_mixed_with_an_assemblys(
    fleet_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = main(["preview", "--cdk-out", str(fleet_assembly), "--max-expiring", "5", "--policy", "p.json"])

    # then
    assert code == 2
    assert capsys.readouterr().err == (
        "ecr-lifecycle-guard preview: error: --cdk-out reads the policy and the limits from the assembly: "
        "drop --max-expiring, --policy\n"
    )


def test_validate_checks_every_guard_and_plain_repository_policy_of_the_assembly(
    fleet_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = main(["validate", "--cdk-out", str(fleet_assembly)])

    # then
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert code == 0
    assert err == ""
    assert len(lines) == 7
    assert any(line.startswith("Fleet/Plain") and "(repository 'plain'): OK (1 rule" in line for line in lines)
    assert any(line.startswith("Prod/Svc/Guard") and "(guard of repository 'svc'): OK" in line for line in lines)
    assert any(line.startswith("Fleet/UnnamedGuard") and "(guard of repository): OK" in line for line in lines)


@pytest.fixture(scope="module")
def broken_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain repository with an invalid lifecycle policy, in a stack of a Stage."""
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr

    outdir = tmp_path_factory.mktemp("broken.out")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(cdk.Stage(app, "Prod"), "Registry")
    bad = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                         "countNumber": 0}, "action": {"type": "expire"}}]}  # fmt: skip
    ecr.CfnRepository(
        stack,
        "Legacy",
        repository_name="legacy",
        lifecycle_policy=ecr.CfnRepository.LifecyclePolicyProperty(lifecycle_policy_text=json.dumps(bad)),
    )
    app.synth()
    return outdir


def test_validate_names_the_stack_logical_id_rule_and_field_of_an_invalid_plain_repository_policy(
    broken_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = main(["validate", "--cdk-out", str(broken_assembly)])

    # then
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "Prod/Registry/Legacy (repository 'legacy'): invalid lifecycle policy (1 problem)",
        "Prod/Registry/Legacy (repository 'legacy'): rule 1 (priority 1): selection.countNumber: must be an integer "
        "from 1 to 2147483647, got 0 [V11]",
    ]


@pytest.fixture
def edited_assembly(fleet_assembly: Path, tmp_path: Path) -> Path:
    """A copy of the fleet assembly whose ``api`` guard has ``MaxExpiringImages: "-1"`` (no asset folders)."""
    copy = tmp_path / "edited.out"
    shutil.copytree(fleet_assembly, copy, ignore=shutil.ignore_patterns("asset.*"))
    template_path = copy / "Fleet.template.json"
    template = json.loads(template_path.read_text(encoding="utf-8"))
    (logical_id,) = [lid for lid in template["Resources"] if lid.startswith("ApiGuard")]
    template["Resources"][logical_id]["Properties"]["MaxExpiringImages"] = "-1"
    template_path.write_text(json.dumps(template), encoding="utf-8")
    return copy


def test_validate_and_preview_report_a_guard_property_the_deploy_would_refuse(
    stand_in: EcrStandIn, edited_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    validated = main(["validate", "--cdk-out", str(edited_assembly)])
    validate_err = capsys.readouterr().err
    previewed = preview_assembly(stand_in, edited_assembly, "--repository", "api")
    preview_err = capsys.readouterr().err

    # then
    assert validated == 1
    assert validate_err.startswith("Fleet/ApiGuard")
    assert ": MaxExpiringImages: must be an integer from 0 to 2147483647, got '-1'" in validate_err
    assert previewed == 1
    assert preview_err.splitlines()[-1] == (
        "error: api: the deploy would refuse these properties: MaxExpiringImages: must be an integer from 0 to "
        "2147483647, got '-1'"
    )


def test_a_folder_without_a_manifest_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # when
    validated = main(["validate", "--cdk-out", str(tmp_path)])
    validate_err = capsys.readouterr().err
    previewed = main(["preview", "--cdk-out", str(tmp_path), "--region", "us-east-1"])
    preview_err = capsys.readouterr().err

    # then
    expected = f"error: {tmp_path}: no manifest.json: not a cloud assembly (run cdk synth first)\n"
    assert (validated, validate_err) == (1, expected)
    assert (previewed, preview_err) == (1, expected)


def test_the_reader_finds_nested_stage_stacks_with_their_environment(fleet_assembly: Path) -> None:
    # when
    assembly = read_assembly(fleet_assembly)

    # then
    stacks = {stack.display_name: (stack.stack_name, stack.account, stack.region) for stack in assembly.stacks}
    assert stacks == {
        "Fleet": ("Fleet", "123456789012", "us-east-1"),
        "Prod/Svc": ("Prod-Svc", "123456789012", "us-east-1"),
        "Dev/Tools": ("Dev-Tools", None, None),
    }
    guards = {str(g.location).rsplit("/", 1)[0] + ":" + (g.repository_name or "?"): g for g in assembly.guards()}
    assert guards["Prod/Svc:svc"].repository_in_stack is True
    assert guards["Fleet:api"].repository_in_stack is False
    assert guards["Dev/Tools:tools"].registry_id is None
    assert guards["Fleet:api"].registry_id == "123456789012"
    assert guards["Fleet:?"].unresolved is not None
