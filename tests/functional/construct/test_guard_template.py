"""The template a stack with guards synthesizes: the custom resources, the one function and its IAM."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template
from construct_helpers import GUARD_TYPE, KEEP_FIVE, KEEP_FIVE_TEXT, ecr_statement, guard_properties, new_stack

from ecr_lifecycle_guard import GuardedLifecyclePolicy
from ecr_lifecycle_guard.construct import DISCOVERY_ACTIONS, ECR_LIFECYCLE_ACTIONS, newest_python_runtime

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
FOREIGN_ARN = "arn:aws:ecr:eu-west-1:222222222222:repository/by-arn"


@pytest.fixture(scope="module")
def template() -> Template:
    stack = new_stack("Guarded", env=ENV)
    owned = ecr.Repository(stack, "OwnedRepo", repository_name="owned-app")
    owned_guard = GuardedLifecyclePolicy(
        stack,
        "Owned",
        repository=owned,
        rules=[ecr.LifecycleRule(max_image_count=5)],
        max_expiring_images=3,
        max_expiring_percent=12.5,
        max_transitioning_images=0,
        protected_tags=["release-*", "latest"],
    )
    GuardedLifecyclePolicy(
        stack,
        "ByName",
        repository=ecr.Repository.from_repository_name(stack, "Named", "by-name"),
        policy=KEEP_FIVE_TEXT,
        preview_only=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    GuardedLifecyclePolicy(
        stack,
        "ByArn",
        repository=ecr.Repository.from_repository_arn(stack, "Foreign", FOREIGN_ARN),
        policy=KEEP_FIVE,
        allow_expire_all=True,
    )
    GuardedLifecyclePolicy(
        stack, "Plain", repository_name="plain", policy=KEEP_FIVE, preview_timeout=cdk.Duration.minutes(10)
    )
    GuardedLifecyclePolicy(stack, "Shared", repository_name="shared/base", registry_id="222222222222", policy=KEEP_FIVE)
    cdk.CfnOutput(stack, "Expiring", value=owned_guard.expiring_image_count)
    cdk.CfnOutput(stack, "Transitioning", value=owned_guard.transitioning_image_count)
    cdk.CfnOutput(stack, "Applied", value=owned_guard.policy_applied)
    cdk.CfnOutput(stack, "Status", value=owned_guard.preview_status)
    return Template.from_stack(stack)


def _single(template: Template, resource_type: str) -> dict[str, Any]:
    (resource,) = template.find_resources(resource_type).values()
    return dict(resource)


def test_every_guard_is_one_custom_resource_of_the_documented_type(template: Template) -> None:
    # then
    template.resource_count_is(GUARD_TYPE, 5)


def test_all_guards_in_a_stack_share_one_function_role_and_log_group(template: Template) -> None:
    # then
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.resource_count_is("AWS::IAM::Role", 1)
    template.resource_count_is("AWS::IAM::Policy", 1)
    template.resource_count_is("AWS::Logs::LogGroup", 1)
    (function_id,) = template.find_resources("AWS::Lambda::Function")
    tokens = {json.dumps(r["Properties"]["ServiceToken"]) for r in template.find_resources(GUARD_TYPE).values()}
    assert tokens == {json.dumps({"Fn::GetAtt": [function_id, "Arn"]})}


def test_properties_are_strings_and_the_policy_text_is_the_canonical_text(template: Template) -> None:
    # when
    properties = guard_properties(template, "Owned")

    # then
    assert {k: v for k, v in properties.items() if k not in ("ServiceToken", "RepositoryName")} == {
        "ServiceTimeout": "420",
        "LifecyclePolicyText": KEEP_FIVE_TEXT,
        "MaxExpiringImages": "3",
        "MaxExpiringPercent": "12.5",
        "MaxTransitioningImages": "0",
        "ProtectedTags": ["release-*", "latest"],
        "AllowExpireAll": "false",
        "PreviewOnly": "false",
        "OnDelete": "delete",
        "PreviewTimeoutSeconds": "300",
        "ProtectInUse": "true",
    }
    (owned_id,) = template.find_resources("AWS::ECR::Repository")
    assert properties["RepositoryName"] == {"Ref": owned_id}


def test_properties_that_are_not_set_are_omitted(template: Template) -> None:
    # when
    properties = guard_properties(template, "Plain")

    # then
    assert set(properties) == {
        "ServiceToken",
        "ServiceTimeout",
        "RepositoryName",
        "LifecyclePolicyText",
        "AllowExpireAll",
        "PreviewOnly",
        "OnDelete",
        "PreviewTimeoutSeconds",
        "ProtectInUse",
    }
    assert properties["RepositoryName"] == "plain"


def test_preview_only_and_retain_removal_policy_are_passed_to_the_handler(template: Template) -> None:
    # when
    properties = guard_properties(template, "ByName")

    # then
    assert (properties["PreviewOnly"], properties["OnDelete"], properties["RepositoryName"]) == (
        "true",
        "retain",
        "by-name",
    )


def test_allow_expire_all_switches_off_the_default_guard(template: Template) -> None:
    # then
    assert guard_properties(template, "ByArn")["AllowExpireAll"] == "true"
    assert guard_properties(template, "Plain")["AllowExpireAll"] == "false"


def test_registry_id_is_sent_for_a_repository_in_another_account(template: Template) -> None:
    # then
    assert (guard_properties(template, "ByArn")["RegistryId"], guard_properties(template, "Shared")["RegistryId"]) == (
        "222222222222",
        "222222222222",
    )
    assert "RegistryId" not in guard_properties(template, "ByName")


def test_ecr_actions_are_granted_on_exactly_the_guarded_repositories(template: Template) -> None:
    # when
    statement = ecr_statement(template)

    # then

    def arn_in_this_account(name: str, account: str = "111111111111") -> dict[str, Any]:
        return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":ecr:eu-west-1:{account}:repository/{name}"]]}

    assert statement["Action"] == list(ECR_LIFECYCLE_ACTIONS)
    assert statement["Resource"] == [
        arn_in_this_account("owned-app"),  # a named owned repository: its ARN written out, no GetAtt
        arn_in_this_account("by-name"),
        FOREIGN_ARN,
        arn_in_this_account("plain"),
        arn_in_this_account("shared/base", account="222222222222"),
    ]


def test_only_in_use_discovery_statements_have_wildcards_and_no_managed_policy_is_attached(
    template: Template,
) -> None:
    # when
    statements = _single(template, "AWS::IAM::Policy")["Properties"]["PolicyDocument"]["Statement"]
    role = _single(template, "AWS::IAM::Role")

    # then
    with_wildcards = {action for s in statements if "*" in json.dumps(s["Resource"]) for action in _actions(s)}
    assert with_wildcards == set(DISCOVERY_ACTIONS)
    assert "ManagedPolicyArns" not in role["Properties"]
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)


def test_handler_reads_only_its_own_stack_and_writes_only_its_own_log_group(template: Template) -> None:
    # when
    statements = _single(template, "AWS::IAM::Policy")["Properties"]["PolicyDocument"]["Statement"]
    (log_group_id,) = template.find_resources("AWS::Logs::LogGroup")

    # then
    assert {
        "Action": "cloudformation:DescribeStacks",
        "Effect": "Allow",
        "Resource": [{"Ref": "AWS::StackId"}],
    } in statements
    assert {
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Effect": "Allow",
        "Resource": [{"Fn::GetAtt": [log_group_id, "Arn"]}],
    } in statements


def test_asynchronous_retries_of_the_function_are_off(template: Template) -> None:
    # then: a retried invocation would replay a create or delete after the answer
    (function_id,) = template.find_resources("AWS::Lambda::Function")
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {"FunctionName": {"Ref": function_id}, "MaximumRetryAttempts": 0, "Qualifier": "$LATEST"},
    )


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_function_runs_on_the_newest_python_runtime_and_logs_to_its_log_group(template: Template) -> None:
    # when
    function = _single(template, "AWS::Lambda::Function")["Properties"]
    (log_group_id,) = template.find_resources("AWS::Logs::LogGroup")

    # then
    assert function["Runtime"] == "python3.14" == newest_python_runtime().name
    assert function["Handler"] == "index.handler"
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}


def test_log_group_keeps_logs_for_one_month_by_default(template: Template) -> None:
    # then
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})


def test_lambda_timeout_covers_the_longest_preview_timeout_and_service_timeouts_follow_each_guard(
    template: Template,
) -> None:
    # then
    assert _single(template, "AWS::Lambda::Function")["Properties"]["Timeout"] == 660
    assert guard_properties(template, "Plain")["ServiceTimeout"] == "720"
    assert guard_properties(template, "Owned")["ServiceTimeout"] == "420"


def test_attributes_are_the_custom_resource_data_fields(template: Template) -> None:
    # when
    outputs = template.to_json()["Outputs"]
    (owned_id,) = [i for i in template.find_resources(GUARD_TYPE) if i.startswith("Owned")]

    # then
    assert {name: output["Value"] for name, output in outputs.items()} == {
        "Expiring": {"Fn::GetAtt": [owned_id, "ExpiringImageCount"]},
        "Transitioning": {"Fn::GetAtt": [owned_id, "TransitioningImageCount"]},
        "Applied": {"Fn::GetAtt": [owned_id, "PolicyApplied"]},
        "Status": {"Fn::GetAtt": [owned_id, "PreviewStatus"]},
    }


def test_longest_preview_timeout_caps_the_lambda_timeout_at_fifteen_minutes() -> None:
    # given
    stack = new_stack()

    # when
    GuardedLifecyclePolicy(
        stack, "Guard", repository_name="app", policy=KEEP_FIVE, preview_timeout=cdk.Duration.minutes(14)
    )

    # then
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Lambda::Function", {"Timeout": 900})
    template.has_resource_properties(GUARD_TYPE, {"ServiceTimeout": "960", "PreviewTimeoutSeconds": "840"})


def test_runtime_and_log_retention_can_be_overridden() -> None:
    # given
    stack = new_stack()

    # when
    GuardedLifecyclePolicy(
        stack,
        "Guard",
        repository_name="app",
        policy=KEEP_FIVE,
        runtime=lambda_.Runtime.PYTHON_3_13,
        log_retention=logs.RetentionDays.ONE_WEEK,
    )

    # then
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Lambda::Function", {"Runtime": "python3.13"})
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 7})
