#!/usr/bin/env python3
"""Example app: roll out an ECR lifecycle policy only if ECR's preview stays within limits.

    cdk synth                                   # creates the repository "ecr-lifecycle-guard-demo" and guards it
    cdk synth -c repository=my-service          # guards an existing repository instead
    cdk synth -c maxExpiringImages=25 -c maxExpiringPercent=20 -c protectedTags=release-*,latest -c previewOnly=true

Context keys: ``repository``, ``maxExpiringImages``, ``maxExpiringPercent``, ``maxTransitioningImages``,
``protectedTags`` (comma-separated) and ``previewOnly``. With no limit, the guard still blocks a policy
that would expire every image of a non-empty repository.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec
from ecr_lifecycle_guard.errors import PropertyError

STACK_NAME = "EcrLifecycleGuardDemo"
DEMO_REPOSITORY_NAME = "ecr-lifecycle-guard-demo"


class GuardedRepositoryStack(cdk.Stack):
    """A repository (created, or an existing one by name) whose lifecycle policy is previewed and gated."""

    def __init__(self, scope: Construct, construct_id: str, *, description: str | None = None) -> None:
        super().__init__(scope, construct_id, description=description)
        existing = self.node.try_get_context("repository")
        repository = (
            ecr.Repository.from_repository_name(self, "Repository", existing)
            if existing
            else ecr.Repository(self, "Repository", repository_name=DEMO_REPOSITORY_NAME)
        )
        guard = GuardedLifecyclePolicy(
            self,
            "LifecyclePolicy",
            repository=repository,
            rules=[
                ecr.LifecycleRule(
                    description="Expire untagged images after 14 days",
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=cdk.Duration.days(14),
                ),
                LifecycleRuleSpec.archive_not_pulled_for(
                    90, tag_patterns=["release-*"], description="Archive releases nobody pulled for 90 days"
                ),
                LifecycleRuleSpec.keep_last(100, description="Keep the 100 most recent images"),
            ],
            max_expiring_images=_count(self, "maxExpiringImages"),
            max_expiring_percent=_percent(self, "maxExpiringPercent"),
            max_transitioning_images=_count(self, "maxTransitioningImages"),
            protected_tags=[tag for tag in str(self.node.try_get_context("protectedTags") or "").split(",") if tag],
            preview_only=str(self.node.try_get_context("previewOnly") or "false").lower() == "true",
        )
        cdk.CfnOutput(self, "ExpiringImageCount", value=guard.expiring_image_count)
        cdk.CfnOutput(self, "TransitioningImageCount", value=guard.transitioning_image_count)
        cdk.CfnOutput(self, "PolicyApplied", value=guard.policy_applied)


def _count(stack: cdk.Stack, key: str) -> int | None:
    value = stack.node.try_get_context(key)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise PropertyError(f"context {key}", value, "an integer >= 0") from None


def _percent(stack: cdk.Stack, key: str) -> float | None:
    value = stack.node.try_get_context(key)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise PropertyError(f"context {key}", value, "a number from 0 to 100") from None


def build_app(app: cdk.App | None = None) -> cdk.App:
    """Add the example stack to ``app`` (a new ``App`` by default) and return the app."""
    app = app or cdk.App()
    GuardedRepositoryStack(app, STACK_NAME, description="ecr-lifecycle-guard example: a guarded ECR lifecycle policy")
    return app


if __name__ == "__main__":
    build_app().synth()
