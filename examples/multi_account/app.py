#!/usr/bin/env python3
"""A platform team's registry, guarded in two regions, with images that run in two workload accounts.

The shape CDK Pipelines deploys in waves: one ``Stage`` per account and region.

- ``Discovery-<account>-<region>`` (each workload account, each region): an ``InUseDiscoveryRole`` the
  central guards assume to see the ECS services, tasks, Lambda functions and Batch job definitions that
  run the registry's images there. Deploy these first (wave 1).
- ``Registry-<region>`` (the registry account, each region): the repositories and their guards, spread
  over stacks of at most ``REPOSITORIES_PER_STACK`` repositories chosen by name (CloudFormation allows
  500 resources per stack; each guard adds one). Deploy these second (wave 2).

    cd examples/multi_account && ../../node_modules/.bin/cdk synth
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_lifecycle_guard import GuardRepositories, InUseDiscoveryRole, LifecycleRuleSpec

REGISTRY_ACCOUNT = "111111111111"
WORKLOAD_ACCOUNTS = {"payments": "222222222222", "search": "333333333333"}
REGIONS = ("eu-west-1", "us-east-1")
#: Repositories the platform team creates with CDK, and ones created elsewhere (guarded by name).
OWNED_REPOSITORIES = tuple(f"platform/{team}/api" for team in ("payments", "search", "checkout"))
OTHER_REPOSITORIES = tuple(f"platform/legacy/service-{number:03d}" for number in range(150))
REPOSITORIES_PER_STACK = 100
STANDARD_RULES = (
    LifecycleRuleSpec.expire_older_than(14, tag_status=ecr.TagStatus.UNTAGGED),
    LifecycleRuleSpec.keep_last(200),
)


def legacy_stacks(names: tuple[str, ...]) -> dict[int, list[str]]:
    """Each legacy repository's stack, from its own name (its service number's hundreds).

    Not by position in the list: a repository added or removed would move others to another stack,
    which is a guard moving between stacks (refused until handed over).
    """
    stacks: dict[int, list[str]] = {}
    for name in names:
        stacks.setdefault(int(name.rsplit("-", 1)[1]) // REPOSITORIES_PER_STACK, []).append(name)
    return stacks


def discovery_role_name(region: str) -> str:
    """IAM roles are global: one discovery role per region needs one name per region."""
    return f"ecr-lifecycle-guard-discovery-{region}"


class DiscoveryStage(cdk.Stage):
    """A workload account: the read-only role the registry's guards assume."""

    def __init__(self, scope: Construct, construct_id: str, *, env: cdk.Environment) -> None:
        super().__init__(scope, construct_id, env=env)
        stack = cdk.Stack(self, "Discovery")
        InUseDiscoveryRole(
            stack, "Role", trusted_account=REGISTRY_ACCOUNT, role_name=discovery_role_name(str(env.region))
        )


class RegistryStage(cdk.Stage):
    """The registry account in one region: repositories and their guards, a few hundred per stack."""

    def __init__(self, scope: Construct, construct_id: str, *, env: cdk.Environment) -> None:
        super().__init__(scope, construct_id, env=env)
        in_use_roles = [
            InUseDiscoveryRole.arn_in(account, role_name=discovery_role_name(str(env.region)))
            for account in WORKLOAD_ACCOUNTS.values()
        ]
        owned = cdk.Stack(self, "Images")
        for name in OWNED_REPOSITORIES:
            ecr.Repository(owned, name.replace("/", "-"), repository_name=name)
        GuardRepositories(
            owned, "Lifecycle", rules=STANDARD_RULES, max_expiring_percent=20, in_use_role_arns=in_use_roles
        )
        for group, names in legacy_stacks(OTHER_REPOSITORIES).items():
            GuardRepositories(
                cdk.Stack(self, f"Legacy{group}"),
                "Lifecycle",
                repository_names=names,
                rules=STANDARD_RULES,
                max_expiring_percent=20,
                in_use_role_arns=in_use_roles,
            )


def build_app(app: cdk.App) -> cdk.App:
    """Every stage of the example: discovery roles first, then the registry (the order of the waves)."""
    for region in REGIONS:
        for account in WORKLOAD_ACCOUNTS.values():
            DiscoveryStage(app, f"Discovery-{account}-{region}", env=cdk.Environment(account=account, region=region))
    for region in REGIONS:
        RegistryStage(app, f"Registry-{region}", env=cdk.Environment(account=REGISTRY_ACCOUNT, region=region))
    return app


if __name__ == "__main__":
    build_app(cdk.App()).synth()
