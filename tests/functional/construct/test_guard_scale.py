"""Hundreds of repositories per stack: the role's policies stay within IAM's limits and name exactly the
guarded repositories, one function per stack, a warning near 500 resources, a clear error beyond capacity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks
from construct_helpers import (
    INLINE_LIMIT,
    MANAGED_LIMIT,
    acknowledged,
    all_role_documents,
    cfn_lint,
    iam_chars,
    resources_of,
    role_documents,
    statements_with,
    wildcard_findings,
)

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec
from ecr_lifecycle_guard.construct import NEAR_RESOURCE_LIMIT_WARNING
from ecr_lifecycle_guard.construct.in_use_access import in_use_grants
from ecr_lifecycle_guard.construct.role_policies import Grant, RolePolicies
from ecr_lifecycle_guard.errors import PropertyError

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
RULES = (LifecycleRuleSpec.expire_older_than(14, tag_status=ecr.TagStatus.UNTAGGED), LifecycleRuleSpec.keep_last(100))
#: Realistic names (the issue's example: platform/team-07/service-123-images).
NAMED = [f"platform/team-{index % 20:02d}/service-{index:03d}-images" for index in range(300)]
OWNED = [f"platform/owned-{index:03d}/service-images" for index in range(200)]
SHARED = [f"shared/base-{index:02d}" for index in range(50)]
#: Names near ECR's 256-character limit: few fit in a policy.
LONG = [f"platform/{'x' * 230}-{index:04d}" for index in range(400)]


@pytest.fixture(scope="module")
def fleet() -> dict[str, Any]:
    """Stack Named: 300 repositories by name (env known). Stack Owned: 200 owned + 50 by name (env-agnostic)."""
    app = cdk.App()
    named = cdk.Stack(app, "Named", env=ENV)
    for index, name in enumerate(NAMED):
        GuardedLifecyclePolicy(named, f"Guard{index}", repository_name=name, rules=RULES)
    owned = cdk.Stack(app, "Owned")
    for index, name in enumerate(OWNED):
        repository = ecr.Repository(owned, f"Repo{index}", repository_name=name)
        GuardedLifecyclePolicy(owned, f"Guard{index}", repository=repository, rules=RULES)
    for index, name in enumerate(SHARED):
        GuardedLifecyclePolicy(owned, f"Shared{index}", repository_name=name, rules=RULES)
    assembly = app.synth()
    return {
        "Named": (assembly.get_stack_by_name("Named"), ENV),
        "Owned": (assembly.get_stack_by_name("Owned"), None),
    }


def _guard_each(stack: cdk.Stack, names: list[str], guards: list[GuardedLifecyclePolicy]) -> None:
    for index, name in enumerate(names):
        guards.append(GuardedLifecyclePolicy(stack, f"Guard{index}", repository_name=name, rules=RULES))


def _arn(name: str, region: str = "eu-west-1", account: str = "111111111111") -> str:
    return json.dumps(
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":ecr:{region}:{account}:repository/{name}"]]}
    )


def _agnostic_arn(name: str) -> str:
    return json.dumps(
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":ecr:",
                    {"Ref": "AWS::Region"},
                    ":",
                    {"Ref": "AWS::AccountId"},
                    f":repository/{name}",
                ],
            ]
        }
    )


@pytest.mark.parametrize("stack_name", ["Named", "Owned"])
def test_every_role_policy_fits_iams_limits_with_tokens_at_their_longest(
    fleet: dict[str, Any], stack_name: str
) -> None:
    # given
    artifact, env = fleet[stack_name]
    resources = artifact.template["Resources"]

    # when
    inline, managed = role_documents(artifact.template)

    # then
    assert sum(iam_chars(document, resources, env) for document in inline) <= INLINE_LIMIT
    assert [chars for chars in (iam_chars(d, resources, env) for d in managed) if chars > MANAGED_LIMIT] == []
    assert 1 <= len(managed) <= 10


def test_the_role_names_exactly_the_guarded_repositories_by_name(fleet: dict[str, Any]) -> None:
    # given
    artifact, _ = fleet["Named"]

    # when
    granted = resources_of(statements_with(all_role_documents(artifact.template), "ecr:PutLifecyclePolicy"))

    # then
    assert sorted(json.dumps(arn) for arn in granted) == sorted(_arn(name) for name in NAMED)


def test_the_role_names_exactly_the_owned_repositories_and_the_named_ones(fleet: dict[str, Any]) -> None:
    # given
    artifact, _ = fleet["Owned"]
    resources = artifact.template["Resources"]
    names = [r["Properties"]["RepositoryName"] for r in resources.values() if r["Type"] == "AWS::ECR::Repository"]

    # when
    granted = resources_of(statements_with(all_role_documents(artifact.template), "ecr:PutLifecyclePolicy"))

    # then
    assert sorted(names) == sorted(OWNED)
    assert sorted(json.dumps(arn) for arn in granted) == sorted(_agnostic_arn(n) for n in OWNED + SHARED)


@pytest.mark.parametrize("stack_name", ["Named", "Owned"])
def test_one_function_per_stack_and_it_waits_for_every_managed_policy(fleet: dict[str, Any], stack_name: str) -> None:
    # given
    resources = fleet[stack_name][0].template["Resources"]

    # when
    functions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    managed = {i for i, r in resources.items() if r["Type"] == "AWS::IAM::ManagedPolicy"}

    # then
    assert len(functions) == 1
    assert managed <= set(functions[0]["DependsOn"])


def test_cfn_lint_finds_nothing_in_a_stack_whose_role_needs_managed_policies(tmp_path: Path) -> None:
    # given: long names, so that 60 guards fill the inline policy and two managed ones
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Long", env=ENV)
    _guard_each(stack, LONG[:60], [])

    # when
    template = app.synth().get_stack_by_name("Long")
    result = cfn_lint([Path(template.template_full_path)])

    # then
    assert len(role_documents(template.template)[1]) == 2
    assert (result.returncode, result.stdout) == (0, "")


def test_a_wildcard_finding_is_acknowledged_on_the_managed_policy_it_lands_in(tmp_path: Path) -> None:
    # given: a role whose inline policy holds one statement; discovery grants go to managed policies
    app = cdk.App(outdir=str(tmp_path), context={"aws:cdk:enable-path-metadata": True})
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "Small", env=ENV)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    policies = RolePolicies(stack, role, inline_budget=250)

    # when
    policies.add(Grant(("ecr:DescribeImages",), "arn:aws:ecr:eu-west-1:111111111111:repository/app"))
    policies.add_all(in_use_grants(stack))
    template = app.synth().get_stack_by_name("Small").template  # cdk-nag 3 raises on any unacknowledged finding

    # then
    managed = {
        r["Metadata"]["aws:cdk:path"].removesuffix("/Resource"): wildcard_findings(r["Properties"]["PolicyDocument"])
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
    }
    acknowledged_iam5 = {
        path: {rule for rule in rules if rule.startswith("AwsSolutions-IAM5")}
        for path, rules in acknowledged(app).items()
    }
    assert managed
    assert {path: acknowledged_iam5.get(path, set()) for path in managed} == managed


def test_a_stack_near_500_resources_warns_naming_the_count_and_the_way_out(fleet: dict[str, Any]) -> None:
    # when
    warnings = {
        name: [m.entry.data for m in artifact.messages if m.level.name == "WARNING"]
        for name, (artifact, _) in fleet.items()
    }

    # then
    count = len(fleet["Owned"][0].template["Resources"])
    assert count >= 450
    assert warnings == {
        "Named": [],
        "Owned": [
            f"Owned holds {count} of CloudFormation's 500 resources per stack (each guarded repository adds a "
            "Custom::EcrLifecyclePolicy); spread the repositories over more stacks before it stops deploying: one "
            "GuardRepositories per stack, or stacks per team/account in CDK stages (docs/fleet.md, 'Spreading a "
            f"fleet over stacks') [ack: {NEAR_RESOURCE_LIMIT_WARNING}]"
        ],
    }


def test_beyond_what_fits_in_iam_the_guard_fails_saying_how_many_fit_and_what_to_do() -> None:
    # given
    stack = cdk.Stack(cdk.App(), "Long", env=ENV)
    guards: list[GuardedLifecyclePolicy] = []

    # when
    with pytest.raises(PropertyError) as raised:
        _guard_each(stack, LONG, guards)

    # then
    guarded = len(guards)
    assert 150 < guarded < len(LONG)
    assert str(raised.value) == (
        f"Long/Guard{guarded}: repository: must be a repository that fits in the handler role's IAM policies "
        f"(10,240 inline and 10 x 6,144 managed characters hold the {guarded} repositories this stack guards "
        "already): guard the others from another stack (docs/fleet.md) or opt in to repository_arn_prefixes, "
        f"got {repr(LONG[guarded])[:57]}..."
    )


def test_an_opted_in_arn_prefix_lets_the_same_fleet_fit_with_one_grant() -> None:
    # given
    stack = cdk.Stack(cdk.App(), "Long", env=ENV)

    # when
    for index, name in enumerate(LONG):
        GuardedLifecyclePolicy(
            stack, f"Guard{index}", repository_name=name, rules=RULES, repository_arn_prefixes=["platform/*"]
        )

    # then
    template = cdk.assertions.Template.from_stack(stack).to_json()
    granted = resources_of(statements_with(all_role_documents(template), "ecr:PutLifecyclePolicy"))
    assert [json.dumps(arn) for arn in granted] == [_arn("platform/*")]
