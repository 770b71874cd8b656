"""Trust at synth: a runtime the handler runs on, the stack's region only, every bad prop named at once,
the ownership tag actions, and the policy a delete puts back (CDK's bootstrap repository)."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from construct_helpers import GUARD_TYPE, KEEP_FIVE, KEEP_FIVE_TEXT, REPO_ROOT, ecr_statement, new_stack

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec, PolicyValidationError
from ecr_lifecycle_guard.construct import CDK_BOOTSTRAP_ASSETS_POLICY, ECR_LIFECYCLE_ACTIONS
from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.errors import PropertiesError, PropertyError

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
RUNTIME_ALLOWED = (
    "a Python runtime the bundled handler runs on (python3.11 or newer: it uses datetime.UTC and typing.Self)"
)
BOOTSTRAP_TEMPLATE = REPO_ROOT / "node_modules" / "aws-cdk" / "lib" / "api" / "bootstrap" / "bootstrap-template.yaml"


@pytest.mark.parametrize(
    "runtime", [lambda_.Runtime.PYTHON_3_9, lambda_.Runtime.PYTHON_3_10, lambda_.Runtime.NODEJS_22_X]
)
def test_a_runtime_the_bundled_handler_cannot_run_on_is_refused_naming_it(runtime: lambda_.Runtime) -> None:
    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(new_stack(), "Guard", repository_name="app", policy=KEEP_FIVE, runtime=runtime)
    assert str(raised.value) == f"Stack/Guard: runtime: must be {RUNTIME_ALLOWED}, got {runtime.name!r}"


def test_python_3_11_is_the_oldest_runtime_accepted() -> None:
    # given
    stack = new_stack()

    # when
    GuardedLifecyclePolicy(stack, "Guard", repository_name="app", policy=KEEP_FIVE, runtime=lambda_.Runtime.PYTHON_3_11)

    # then
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"Runtime": "python3.11"})


def test_a_repository_imported_by_arn_from_another_region_is_refused_naming_both_regions() -> None:
    # given
    stack = new_stack(env=ENV)
    arn = "arn:aws:ecr:us-west-2:111111111111:repository/app"
    repository = ecr.Repository.from_repository_arn(stack, "Elsewhere", arn)

    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(stack, "Guard", repository=repository, policy=KEEP_FIVE)
    assert str(raised.value) == (
        "Stack/Guard: repository: must be a repository in the stack's region eu-west-1 (this one is in us-west-2; "
        "the handler acts in its own region, so guard it from a stack in us-west-2), "
        "got 'arn:aws:ecr:us-west-2:111111111111:repository/app'"
    )


def test_attributes_naming_another_region_are_refused_although_cdk_gives_them_the_stacks_environment() -> None:
    # given
    stack = new_stack(env=ENV)
    repository = ecr.Repository.from_repository_attributes(
        stack,
        "Elsewhere",
        repository_arn="arn:aws:ecr:ap-south-1:222222222222:repository/app",
        repository_name="app",
    )

    # when / then
    with pytest.raises(PropertyError, match=r"^Stack/Guard: repository: .* \(this one is in ap-south-1; "):
        GuardedLifecyclePolicy(stack, "Guard", repository=repository, policy=KEEP_FIVE)


def test_an_environment_agnostic_stack_lets_cloudformation_refuse_another_region_before_creating_anything() -> None:
    # given
    stack = new_stack()
    arn = "arn:aws:ecr:us-west-2:222222222222:repository/app"

    # when
    GuardedLifecyclePolicy(
        stack, "Guard", repository=ecr.Repository.from_repository_arn(stack, "Repo", arn), policy=KEEP_FIVE
    )

    # then
    rules = Template.from_stack(stack).to_json()["Rules"]
    assert rules["EcrLifecycleGuardRegionUsWest2"] == {
        "Assertions": [
            {
                "Assert": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-west-2"]},
                "AssertDescription": "ecr-lifecycle-guard: this stack guards a repository in us-west-2 (e.g. "
                "Stack/Guard); deploy it in us-west-2: the handler acts in its own region",
            }
        ]
    }


def test_every_bad_prop_of_a_guard_is_reported_in_one_error() -> None:
    # when
    with pytest.raises(PropertiesError) as raised:
        GuardedLifecyclePolicy(
            new_stack(),
            "Guard",
            repository_name="Bad Name",
            policy=KEEP_FIVE,
            max_expiring_images=float("nan"),
            max_expiring_percent=float("inf"),
            protected_tags=["*a*a*a*a*a"],
            in_use_role_arns=["not-an-arn"],
        )

    # then
    assert str(raised.value) == (
        "5 bad properties: "
        "Stack/Guard: max_expiring_images: must be an integer from 0 to 2147483647, got nan; "
        "Stack/Guard: max_expiring_percent: must be a number from 0 to 100, got inf; "
        "Stack/Guard: protected_tags[0]: must be a tag pattern with at most 4 '*', got '*a*a*a*a*a'; "
        "Stack/Guard: in_use_role_arns[0]: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), "
        "got 'not-an-arn'; "
        "Stack/Guard: repository_name: must be an ECR repository name (2-256 of a-z 0-9 . _ - /, e.g. team/app), "
        "got 'Bad Name'"
    )
    assert [problem.property for problem in raised.value.problems] == [
        "Stack/Guard: max_expiring_images",
        "Stack/Guard: max_expiring_percent",
        "Stack/Guard: protected_tags[0]",
        "Stack/Guard: in_use_role_arns[0]",
        "Stack/Guard: repository_name",
    ]


@pytest.mark.parametrize("name", ["a--b", "a__b", "team/a--b"])
def test_repository_names_follow_ecrs_own_pattern(name: str) -> None:
    # given
    stack = new_stack()

    # when
    GuardedLifecyclePolicy(stack, "Guard", repository_name=name, policy=KEEP_FIVE)

    # then
    Template.from_stack(stack).has_resource_properties(GUARD_TYPE, {"RepositoryName": name})


def test_the_role_may_tag_the_guarded_repositories_to_record_ownership() -> None:
    # given
    stack = new_stack(env=ENV)

    # when
    GuardedLifecyclePolicy(stack, "Guard", repository_name="app", policy=KEEP_FIVE)

    # then
    statement = ecr_statement(Template.from_stack(stack))
    assert {"ecr:TagResource", "ecr:UntagResource", "ecr:ListTagsForResource"} <= set(statement["Action"])
    assert statement["Action"] == list(ECR_LIFECYCLE_ACTIONS)


@pytest.mark.parametrize(
    "restore",
    [KEEP_FIVE, KEEP_FIVE_TEXT, [LifecycleRuleSpec.keep_last(5)]],
    ids=["mapping", "json text", "rules"],
)
def test_restore_policy_is_sent_canonical_in_any_form(restore: object) -> None:
    # given
    stack = new_stack()

    # when
    GuardedLifecyclePolicy(stack, "Guard", repository_name="app", policy=KEEP_FIVE, restore_policy=restore)  # type: ignore[arg-type]

    # then
    Template.from_stack(stack).has_resource_properties(GUARD_TYPE, {"RestorePolicyText": KEEP_FIVE_TEXT})


def test_an_invalid_restore_policy_fails_synth_naming_it() -> None:
    # when / then
    with pytest.raises(
        PolicyValidationError,
        match=r"^invalid lifecycle policy in Stack/Guard restore_policy: rule 1 \(priority 1\): selection.countNumber:",
    ):
        GuardedLifecyclePolicy(
            new_stack(),
            "Guard",
            repository_name="app",
            policy=KEEP_FIVE,
            restore_policy=[LifecycleRuleSpec.keep_last(0)],
        )


def test_the_bootstrap_policy_is_the_one_the_installed_cdk_cli_bootstraps_with() -> None:
    # given
    template = yaml.safe_load(Path(BOOTSTRAP_TEMPLATE).read_text())

    # when
    shipped = template["Resources"]["ContainerAssetsRepository"]["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]

    # then
    assert json.loads(shipped) == CDK_BOOTSTRAP_ASSETS_POLICY
    assert canonical_policy_text(shipped) == canonical_policy_text(CDK_BOOTSTRAP_ASSETS_POLICY)
