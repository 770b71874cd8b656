"""Guard CDK's own bootstrap repository, and put its 365-day policy back when the guard is deleted."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec
from ecr_lifecycle_guard.construct import CDK_BOOTSTRAP_ASSETS_POLICY, bootstrap_repository_name


class BootstrapAssetsStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        GuardedLifecyclePolicy(
            self,
            "ContainerAssetsLifecycle",
            repository_name=bootstrap_repository_name(self),  # cdk-hnb659fds-container-assets-<account>-<region>
            rules=[
                LifecycleRuleSpec.expire_older_than(365, tag_status=ecr.TagStatus.UNTAGGED),  # the bootstrap rule
                LifecycleRuleSpec.keep_last(500, description="Keep the assets of the last deploys"),
            ],
            max_expiring_percent=25,
            protect_in_use=True,  # (the default) never expire an image a Lambda function or ECS service runs
            restore_policy=CDK_BOOTSTRAP_ASSETS_POLICY,  # on delete, put the bootstrap policy back
        )


if __name__ == "__main__":
    app = cdk.App()
    BootstrapAssetsStack(app, "BootstrapAssets")
    app.synth()


# What this example does on the demo's sample repository (300 images), checked by tests/functional/docs:
# rehearsal: * SUCCESS
