"""One line for a fleet: every repository in the stack, plus repositories created elsewhere."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard import GuardRepositories, LifecycleRuleSpec


class PlatformImagesStack(cdk.Stack):
    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        for team in ("payments", "search", "checkout"):
            ecr.Repository(self, f"{team.capitalize()}Api", repository_name=f"platform/{team}/api")
        ecr.Repository(self, "Scratch", repository_name="platform/scratch")
        GuardRepositories(
            self,
            "Lifecycle",
            rules=[
                LifecycleRuleSpec.expire_older_than(14, tag_status=ecr.TagStatus.UNTAGGED),
                LifecycleRuleSpec.keep_last(200),
            ],
            max_expiring_percent=20,
            protected_tags=["release-*"],
            repository_names=["platform/base-images"],  # created outside this app
            overrides={"platform/search/api": {"max_expiring_percent": 50}},
            exclude=["platform/scratch"],
        )


if __name__ == "__main__":
    app = cdk.App()
    PlatformImagesStack(app, "PlatformImages")
    app.synth()


# What this example does on the demo's sample repository (300 images), checked by tests/functional/docs:
# rehearsal: platform/search/api FAILED blocked by ProtectedTags: pattern 'release-*'
# rehearsal: * FAILED blocked by MaxExpiringPercent
