"""examples/multi_account: guards in several accounts and regions as CDK stages, synthesized by the real
CDK CLI offline; discovery roles in the workload accounts, guards that assume them in the registry's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from construct_helpers import GUARD_TYPE, REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "multi_account"
CDK_CLI = REPO_ROOT / "node_modules" / ".bin" / "cdk"
REGIONS = ("eu-west-1", "us-east-1")
WORKLOADS = ("222222222222", "333333333333")


@pytest.fixture(scope="module")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("multi-account.out")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # python3 = this venv's
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "JSII_NODE": str(REPO_ROOT / "node_modules" / ".bin" / "node"),
    }
    result = subprocess.run(
        [str(CDK_CLI), "synth", "-q", "-o", str(outdir)],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return outdir


def _templates(stage_dir: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((stage_dir / "manifest.json").read_text())
    return {
        artifact["displayName"]: json.loads((stage_dir / artifact["properties"]["templateFile"]).read_text())
        for artifact in manifest["artifacts"].values()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def _of_type(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


@pytest.mark.slow
def test_the_app_has_one_stage_per_account_and_region(cloud_assembly: Path) -> None:
    # when
    manifest = json.loads((cloud_assembly / "manifest.json").read_text())

    # then
    stages = sorted(name for name, a in manifest["artifacts"].items() if a["type"] == "cdk:cloud-assembly")
    assert stages == sorted(
        [f"assembly-Discovery-{account}-{region}" for account in WORKLOADS for region in REGIONS]
        + [f"assembly-Registry-{region}" for region in REGIONS]
    )


@pytest.mark.slow
@pytest.mark.parametrize("region", REGIONS)
def test_each_registry_stage_guards_every_repository_in_stacks_far_from_500_resources(
    cloud_assembly: Path, region: str
) -> None:
    # when
    templates = _templates(cloud_assembly / f"assembly-Registry-{region}")

    # then
    guards = [g for t in templates.values() for g in _of_type(t, GUARD_TYPE)]
    assert len(guards) == 3 + 150
    assert max(len(t["Resources"]) for t in templates.values()) < 450
    assert all(len(_of_type(t, "AWS::Lambda::Function")) == 1 for t in templates.values())
    roles = {f"arn:aws:iam::{account}:role/ecr-lifecycle-guard-discovery-{region}" for account in WORKLOADS}
    assert all(set(g["Properties"]["InUseRoleArns"]) == roles for g in guards)


@pytest.mark.slow
@pytest.mark.parametrize("region", REGIONS)
def test_each_workload_account_offers_a_discovery_role_per_region_to_the_registry_account(
    cloud_assembly: Path, region: str
) -> None:
    for account in WORKLOADS:
        # when
        (template,) = _templates(cloud_assembly / f"assembly-Discovery-{account}-{region}").values()

        # then
        (role,) = _of_type(template, "AWS::IAM::Role")
        assert role["Properties"]["RoleName"] == f"ecr-lifecycle-guard-discovery-{region}"
        assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
            "AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:root"]]}
        }
