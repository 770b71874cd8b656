"""Guard a repository CDK does not own (created elsewhere, or in another account's registry)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec


class SharedImagesStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        GuardedLifecyclePolicy(
            self,
            "LegacyLifecycle",
            repository=ecr.Repository.from_repository_name(self, "Legacy", "legacy-app"),
            rules=[LifecycleRuleSpec.keep_last(30)],
            max_expiring_percent=10,  # at most 10 % of the images may go
            preview_only=True,  # first rollout: preview and gate, but do not put the policy yet
        )
        GuardedLifecyclePolicy(
            self,
            "BaseImagesLifecycle",
            repository_name="platform/base",
            registry_id="123456789012",
            policy={
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5},
                        "action": {"type": "expire"},
                    }
                ]
            },
            removal_policy=cdk.RemovalPolicy.RETAIN,  # keep the policy if this stack goes away
        )


if __name__ == "__main__":
    app = cdk.App()
    SharedImagesStack(app, "SharedImages")
    app.synth()


# What this example does on the demo's sample repository (300 images), checked by tests/functional/docs:
# rehearsal: legacy-app FAILED blocked by MaxExpiringPercent
# rehearsal: platform/base SUCCESS
