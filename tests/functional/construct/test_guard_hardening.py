"""Hardening a platform team asks for: a KMS key for the logs, VPC placement, a permissions boundary;
shared by the stack's guards; what cdk-nag's AwsSolutions, Serverless and NIST 800-53 R5 packs say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks
from construct_helpers import KEEP_FIVE, all_role_documents, cfn_lint, statements_with, validation_violations

from ecr_lifecycle_guard import GuardedLifecyclePolicy
from ecr_lifecycle_guard.construct.provider import VPC_ACCESS_ACTIONS
from ecr_lifecycle_guard.errors import PropertyError

ENV = cdk.Environment(account="111111111111", region="eu-west-1")


def _imported_vpc(stack: cdk.Stack, construct_id: str = "Vpc", vpc_id: str = "vpc-0a1b2c3d") -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        construct_id,
        vpc_id=vpc_id,
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0aaa", "subnet-0bbb"],
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A hardened stack and a plain one, checked by three cdk-nag packs in one synth."""
    outdir = tmp_path_factory.mktemp("hardening")
    app = cdk.App(outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), NIST80053R5Checks(app))
    hardened = cdk.Stack(app, "Hardened", env=ENV)
    vpc = _imported_vpc(hardened)
    key = kms.Key(hardened, "LogKey", enable_key_rotation=True)
    group = ec2.SecurityGroup.from_security_group_id(hardened, "Egress", "sg-0123456789abcdef0")
    iam.PermissionsBoundary.of(hardened).apply(
        iam.ManagedPolicy.from_managed_policy_name(hardened, "Boundary", "platform-boundary")
    )
    GuardedLifecyclePolicy(
        hardened,
        "Api",
        repository_name="api",
        policy=KEEP_FIVE,
        log_encryption_key=key,
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        security_groups=[group],
    )
    GuardedLifecyclePolicy(hardened, "Web", repository_name="web", policy=KEEP_FIVE)  # inherits the settings
    plain = cdk.Stack(app, "Plain", env=ENV)
    GuardedLifecyclePolicy(plain, "Api", repository_name="api-plain", policy=KEEP_FIVE)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    return {"outdir": outdir, "app": app}


def _template(synthesized: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(Template.from_json(_read(synthesized["outdir"] / f"{name}.template.json")).to_json())


def _read(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _of_type(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


def test_the_log_group_is_encrypted_with_the_key_and_the_key_lets_cloudwatch_logs_use_it(
    synthesized: dict[str, Any],
) -> None:
    # given
    template = _template(synthesized, "Hardened")
    (key_id,) = [i for i, r in template["Resources"].items() if r["Type"] == "AWS::KMS::Key"]

    # when
    (log_group,) = _of_type(template, "AWS::Logs::LogGroup")
    (key,) = _of_type(template, "AWS::KMS::Key")

    # then
    assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    logs_statements = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if "Service" in s.get("Principal", {})]
    assert logs_statements == [
        {
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": {
                        "Fn::Join": [
                            "",
                            ["arn:", {"Ref": "AWS::Partition"}, ":logs:eu-west-1:111111111111:log-group:*"],
                        ]
                    }
                }
            },
            "Effect": "Allow",
            "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
            "Resource": "*",
        }
    ]


def test_the_function_runs_in_the_vpc_with_the_network_interface_permissions_and_no_managed_policy(
    synthesized: dict[str, Any],
) -> None:
    # given
    template = _template(synthesized, "Hardened")

    # when
    (function,) = _of_type(template, "AWS::Lambda::Function")
    (role,) = _of_type(template, "AWS::IAM::Role")
    documents = all_role_documents(template)

    # then
    assert function["Properties"]["VpcConfig"] == {
        "SecurityGroupIds": ["sg-0123456789abcdef0"],
        "SubnetIds": ["subnet-0aaa", "subnet-0bbb"],
    }
    assert [s["Resource"] for s in statements_with(documents, "ec2:CreateNetworkInterface")] == [["*"]]
    assert statements_with(documents, "ec2:CreateNetworkInterface")[0]["Action"] == list(VPC_ACCESS_ACTIONS)
    assert "ManagedPolicyArns" not in role["Properties"]


def test_a_permissions_boundary_of_the_stack_lands_on_the_handler_role(synthesized: dict[str, Any]) -> None:
    # when
    (role,) = _of_type(_template(synthesized, "Hardened"), "AWS::IAM::Role")

    # then
    assert role["Properties"]["PermissionsBoundary"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:policy/platform-boundary"]]
    }


def test_the_hardened_stack_passes_aws_solutions_serverless_and_nist_800_53_r5(synthesized: dict[str, Any]) -> None:
    # when
    violations = validation_violations(synthesized["outdir"])

    # then: what remains belongs to the plain stack, and is the user's choice (see docs/security.md)
    found = sorted((v["ruleName"], c["constructPath"]) for v in violations for c in v.get("violatingConstructs", []))
    assert found == [
        ("NIST.800.53.R5-CloudWatchLogGroupEncrypted", "Plain/EcrLifecycleGuardProvider/Logs/Resource"),
        ("NIST.800.53.R5-LambdaInsideVPC", "Plain/EcrLifecycleGuardProvider/Handler/Resource"),
    ]


def test_cfn_lint_finds_nothing_in_the_hardened_template(synthesized: dict[str, Any]) -> None:
    # when
    result = cfn_lint([synthesized["outdir"] / "Hardened.template.json"])

    # then
    assert (result.returncode, result.stdout) == (0, "")


def test_a_guard_asking_for_another_vpc_than_the_stacks_function_has_is_refused() -> None:
    # given
    stack = cdk.Stack(cdk.App(), "Stack", env=ENV)
    GuardedLifecyclePolicy(stack, "First", repository_name="one", policy=KEEP_FIVE, vpc=_imported_vpc(stack))

    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(
            stack, "Second", repository_name="two", policy=KEEP_FIVE, vpc=_imported_vpc(stack, "Other", "vpc-0ffff")
        )
    assert str(raised.value) == (
        "Stack/Second: vpc: must be 'Stack/Vpc' (guards in a stack share one handler function, set up by "
        "Stack/First), got 'Stack/Other'"
    )


def test_a_guard_asking_for_a_log_key_the_function_does_not_have_is_refused() -> None:
    # given
    stack = cdk.Stack(cdk.App(), "Stack", env=ENV)
    GuardedLifecyclePolicy(stack, "First", repository_name="one", policy=KEEP_FIVE)

    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(
            stack, "Second", repository_name="two", policy=KEEP_FIVE, log_encryption_key=kms.Key(stack, "Key")
        )
    assert str(raised.value) == (
        "Stack/Second: log_encryption_key: must be 'not set' (guards in a stack share one handler function, "
        "set up by Stack/First), got 'Stack/Key'"
    )
