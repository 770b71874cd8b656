"""In-use protection, construct side: the properties, read-only discovery IAM scoped as tightly as AWS
allows, sts:AssumeRole on exactly the roles given, exactly the acknowledged cdk-nag findings, and the
workload account's discovery role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks
from construct_helpers import (
    GUARD_TYPE,
    KEEP_FIVE,
    acknowledged,
    all_role_documents,
    cfn_lint,
    guard_properties,
    resources_of,
    statements_with,
    validation_violations,
    wildcard_findings,
)

from ecr_lifecycle_guard import GuardedLifecyclePolicy, InUseDiscoveryRole
from ecr_lifecycle_guard.construct.in_use_access import DISCOVERY_ACTIONS, LIST_ONLY_ACTIONS
from ecr_lifecycle_guard.errors import PropertyError

CENTRAL = cdk.Environment(account="111111111111", region="eu-west-1")
WORKLOAD = cdk.Environment(account="222222222222", region="eu-west-1")
ROLE_A = "arn:aws:iam::222222222222:role/ecr-lifecycle-guard-discovery"
ROLE_B = "arn:aws:iam::333333333333:role/ecr-lifecycle-guard-discovery"
ROLE_C = "arn:aws:iam::444444444444:role/team/discovery"


def _actions(statement: dict[str, Any]) -> tuple[str, ...]:
    action = statement["Action"]
    return (action,) if isinstance(action, str) else tuple(action)


def _join(service: str, resource: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":{service}:eu-west-1:111111111111:{resource}"]]}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("in-use")
    app = cdk.App(outdir=str(outdir), context={"aws:cdk:enable-path-metadata": True})
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    central = cdk.Stack(app, "Central", env=CENTRAL)
    GuardedLifecyclePolicy(central, "Api", repository_name="api", policy=KEEP_FIVE, in_use_role_arns=[ROLE_A, ROLE_B])
    GuardedLifecyclePolicy(central, "Web", repository_name="web", policy=KEEP_FIVE, in_use_role_arns=[ROLE_B, ROLE_C])
    GuardedLifecyclePolicy(central, "Scratch", repository_name="scratch", policy=KEEP_FIVE, protect_in_use=False)
    opted_out = cdk.Stack(app, "OptedOut", env=CENTRAL)
    GuardedLifecyclePolicy(opted_out, "Scratch", repository_name="scratch2", policy=KEEP_FIVE, protect_in_use=False)
    workload = cdk.Stack(app, "Workload", env=WORKLOAD)
    InUseDiscoveryRole(workload, "ByAccount", trusted_account="111111111111", role_name="discovery-a")
    InUseDiscoveryRole(
        workload, "ByRole", trusted_role_arn="arn:aws:iam::111111111111:role/central-guard", role_name="discovery-b"
    )
    assembly = app.synth()  # cdk-nag 3 raises ValidationFailed on any unacknowledged finding
    return {
        "outdir": outdir,
        "app": app,
        "templates": {name: assembly.get_stack_by_name(name).template for name in ("Central", "OptedOut", "Workload")},
    }


def test_the_properties_carry_protection_and_the_roles(synthesized: dict[str, Any]) -> None:
    # given
    template = cdk.assertions.Template.from_json(synthesized["templates"]["Central"])

    # then
    assert (guard_properties(template, "Api")["ProtectInUse"], guard_properties(template, "Api")["InUseRoleArns"]) == (
        "true",
        [ROLE_A, ROLE_B],
    )
    assert guard_properties(template, "Scratch")["ProtectInUse"] == "false"
    assert "InUseRoleArns" not in guard_properties(template, "Scratch")


def test_discovery_is_read_only_and_scoped_to_the_account_and_region_where_aws_allows(
    synthesized: dict[str, Any],
) -> None:
    # given
    documents = all_role_documents(synthesized["templates"]["Central"])

    # when
    discovery = {
        _actions(statement): statement["Resource"]
        for statement in (statement for document in documents for statement in document["Statement"])
        if set(_actions(statement)) & set(DISCOVERY_ACTIONS)
    }

    # then
    assert discovery == {
        LIST_ONLY_ACTIONS: ["*"],
        ("ecs:DescribeServices",): [_join("ecs", "service/*")],
        ("ecs:DescribeTasks",): [_join("ecs", "task/*")],
        ("lambda:ListAliases", "lambda:GetFunction"): [_join("lambda", "function:*")],
    }
    assert all(action.split(":")[1].startswith(("List", "Describe", "Get")) for action in DISCOVERY_ACTIONS)


def test_the_handler_may_assume_exactly_the_roles_given(synthesized: dict[str, Any]) -> None:
    # when
    documents = all_role_documents(synthesized["templates"]["Central"])

    # then
    assert sorted(resources_of(statements_with(documents, "sts:AssumeRole"))) == [ROLE_A, ROLE_B, ROLE_C]


def test_a_stack_whose_guards_all_opt_out_gets_no_discovery_permissions(synthesized: dict[str, Any]) -> None:
    # when
    documents = all_role_documents(synthesized["templates"]["OptedOut"])

    # then
    assert [s for s in statements_with(documents, "ecs:ListClusters")] == []
    assert statements_with(documents, "sts:AssumeRole") == []


def test_aws_solutions_reports_nothing_unacknowledged(synthesized: dict[str, Any]) -> None:
    # then
    assert validation_violations(synthesized["outdir"]) == []


def test_exactly_the_wildcard_findings_are_acknowledged_each_on_its_policy_with_a_reason(
    synthesized: dict[str, Any],
) -> None:
    # given
    app = synthesized["app"]
    expected: dict[str, set[str]] = {}
    for template in synthesized["templates"].values():
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                findings = wildcard_findings(resource["Properties"]["PolicyDocument"])
                if findings:
                    path = resource["Metadata"]["aws:cdk:path"].removesuffix("/Resource")
                    expected[path] = findings
                    assert logical_id

    # when
    iam5 = {
        path: {rule: reason for rule, reason in rules.items() if rule.startswith("AwsSolutions-IAM5")}
        for path, rules in acknowledged(app).items()
    }

    # then
    assert {path: set(rules) for path, rules in iam5.items() if rules} == expected
    assert all(len(reason) > 40 for rules in iam5.values() for reason in rules.values())
    assert set(expected) == {
        "Central/EcrLifecycleGuardProvider/Role/DefaultPolicy",
        "Workload/ByAccount/Role/DefaultPolicy",
        "Workload/ByRole/Role/DefaultPolicy",
    }


def test_the_discovery_role_trusts_only_the_central_account_or_role(synthesized: dict[str, Any]) -> None:
    # given
    resources = synthesized["templates"]["Workload"]["Resources"]

    # when
    trust = {
        resource["Properties"]["RoleName"]: resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::Role"
    }

    # then
    assert trust["discovery-a"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:root"]]}},
        }
    ]
    assert trust["discovery-b"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:role/central-guard"},
        }
    ]


def test_the_discovery_role_allows_exactly_the_discovery_actions(synthesized: dict[str, Any]) -> None:
    # given
    resources = synthesized["templates"]["Workload"]["Resources"]

    # when
    actions = [
        sorted(
            action
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]
            for action in _actions(statement)
        )
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::Policy"
    ]

    # then
    assert actions == [sorted(DISCOVERY_ACTIONS), sorted(DISCOVERY_ACTIONS)]


def test_the_discovery_role_needs_exactly_one_trust() -> None:
    # given
    stack = cdk.Stack(cdk.App(), "Workload")

    # when / then
    with pytest.raises(PropertyError) as raised:
        InUseDiscoveryRole(stack, "Role")
    assert str(raised.value) == (
        "Workload/Role: trusted_role_arn / trusted_account: must be exactly one of trusted_role_arn and "
        "trusted_account, got 'neither'"
    )


def test_the_discovery_role_arn_is_known_before_it_exists() -> None:
    # then
    assert InUseDiscoveryRole.arn_in("222222222222", role_name="discovery-eu-west-1") == (
        "arn:aws:iam::222222222222:role/discovery-eu-west-1"
    )


def test_cfn_lint_finds_nothing_in_the_templates(synthesized: dict[str, Any]) -> None:
    # given
    outdir: Path = synthesized["outdir"]

    # when
    result = cfn_lint([outdir / f"{name}.template.json" for name in synthesized["templates"]])

    # then
    assert (result.returncode, result.stdout) == (0, "")


def test_every_guard_is_a_custom_resource_with_protection_on_by_default(synthesized: dict[str, Any]) -> None:
    # then
    guards = [r for r in synthesized["templates"]["Central"]["Resources"].values() if r["Type"] == GUARD_TYPE]
    assert sorted(guard["Properties"]["ProtectInUse"] for guard in guards) == ["false", "true", "true"]
