"""Guard the lifecycle policy of a repository the stack creates, with CDK's own rules."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard import GuardedLifecyclePolicy


class ServiceImagesStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        repository = ecr.Repository(self, "Images", repository_name="service-images")
        guard = GuardedLifecyclePolicy(
            self,
            "ImagesLifecycle",
            repository=repository,  # no lifecycle_rules on the Repository: the guard puts the policy
            rules=[
                ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14)),
                ecr.LifecycleRule(max_image_count=200),
            ],
            max_expiring_images=50,  # block the deploy if the preview would delete more than 50 images
            protected_tags=["release-*", "latest"],  # ... or any image tagged like these
        )
        cdk.CfnOutput(self, "ExpiringImages", value=guard.expiring_image_count)


if __name__ == "__main__":
    app = cdk.App()
    ServiceImagesStack(app, "ServiceImages")
    app.synth()


# What this example does on the demo's sample repository (300 images), checked by tests/functional/docs:
# rehearsal: service-images FAILED blocked by MaxExpiringImages: 108 images would expire, limit 50
