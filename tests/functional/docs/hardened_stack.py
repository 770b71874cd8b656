"""The app docs/security.md's "Testing your code" checks: a guard with every hardening prop set and a
permissions boundary, on which the three cdk-nag packs report nothing (its rehearsal-context)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec


class HardenedStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id, env=cdk.Environment(account="111111111111", region="eu-west-1"))
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id="vpc-0a1b2c3d",
            availability_zones=["eu-west-1a", "eu-west-1b"],
            private_subnet_ids=["subnet-0aaa", "subnet-0bbb"],
        )
        iam.PermissionsBoundary.of(self).apply(
            iam.ManagedPolicy.from_managed_policy_name(self, "Boundary", "platform-boundary")
        )
        GuardedLifecyclePolicy(
            self,
            "ImagesLifecycle",
            repository_name="service-images",
            rules=[LifecycleRuleSpec.keep_last(200)],
            log_encryption_key=kms.Key(self, "GuardLogs", enable_key_rotation=True),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[ec2.SecurityGroup.from_security_group_id(self, "Egress", "sg-0123456789abcdef0")],
        )
