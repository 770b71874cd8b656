"""Archive what nobody pulls, expire it from the archive later: typed rules for what CDK's LifecycleRule lacks."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec
from ecr_lifecycle_guard.construct import CountType


class ArchivedImagesStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        GuardedLifecyclePolicy(
            self,
            "ArchiveLifecycle",
            repository=ecr.Repository(self, "Images", repository_name="ml-models"),
            rules=[
                LifecycleRuleSpec.expire_older_than(7, tag_status=ecr.TagStatus.UNTAGGED),
                LifecycleRuleSpec(  # every ECR option is available on the typed rule
                    count_type=CountType.SINCE_IMAGE_PUSHED,
                    count_number=30,
                    tag_pattern_list=["nightly-*"],
                    description="Nightly builds live 30 days",
                ),
                LifecycleRuleSpec.archive_not_pulled_for(90, tag_patterns=["model-*"]),
                LifecycleRuleSpec.expire_archived_after(365),
            ],
            max_transitioning_images=100,  # never archive more than 100 images in one rollout
        )


if __name__ == "__main__":
    app = cdk.App()
    ArchivedImagesStack(app, "ArchivedImages")
    app.synth()


# What this example does on the demo's sample repository (300 images), checked by tests/functional/docs:
# rehearsal: * SUCCESS
