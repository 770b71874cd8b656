"""The example stack: an ECR repository whose lifecycle policy is previewed and gated before it is applied.

``app.py`` (the CDK app of this checkout, with ``cdk.json``) synthesizes it, and so does
``ecr-lifecycle-guard demo`` when it does not run the CDK CLI: one stack, one policy.

The stack creates the repository ``ecr-lifecycle-guard-demo`` and guards it, or guards an existing one
(context ``repository``). Its policy has three rules: expire untagged images after 14 days, archive
``release-*`` images nobody pulled for 90 days, keep the 100 most recent images. The gate's limits come
from the CDK context: ``maxExpiringImages``, ``maxExpiringPercent``, ``maxTransitioningImages``,
``protectedTags`` (comma-separated) and ``previewOnly`` (``true``).

This module imports ``aws_cdk``; nothing the Lambda handler imports loads it.

Examples
--------
>>> app = build_app(cdk.App(context={"maxExpiringPercent": "20", "protectedTags": "latest"}))
>>> sorted(app.synth().get_stack_by_name(STACK_NAME).template["Outputs"])
['ExpiringImageCount', 'PolicyApplied', 'TransitioningImageCount']
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec
from ecr_lifecycle_guard.contract import parse_count, parse_percent

__all__ = ["DEMO_REPOSITORY_NAME", "STACK_NAME", "GuardedRepositoryStack", "build_app"]

#: The example stack's name (its template is ``<outdir>/EcrLifecycleGuardDemo.template.json``).
STACK_NAME = "EcrLifecycleGuardDemo"
#: The repository the stack creates when the context names no existing one.
DEMO_REPOSITORY_NAME = "ecr-lifecycle-guard-demo"


class GuardedRepositoryStack(cdk.Stack):
    """A repository (created, or an existing one by name) whose lifecycle policy is previewed and gated.

    Parameters
    ----------
    scope
        The app (or stage) the stack belongs to.
    construct_id
        The stack's id, also its name.
    description
        The stack's description.

    Raises
    ------
    PropertyError
        When a limit in the context is not a number (the message names the context key).

    Examples
    --------
    >>> app = cdk.App(context={"repository": "my-service", "maxExpiringImages": "25"})
    >>> stack = GuardedRepositoryStack(app, STACK_NAME)
    >>> stack.guard.lifecycle_policy_text.startswith('{"rules":')
    True
    """

    def __init__(self, scope: Construct, construct_id: str, *, description: str | None = None) -> None:
        super().__init__(scope, construct_id, description=description)
        existing = self.node.try_get_context("repository")
        repository = (
            ecr.Repository.from_repository_name(self, "Repository", existing)
            if existing
            else ecr.Repository(self, "Repository", repository_name=DEMO_REPOSITORY_NAME)
        )
        #: The guard of the repository.
        self.guard = guard = GuardedLifecyclePolicy(
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


def build_app(app: cdk.App | None = None) -> cdk.App:
    """Add the example stack to ``app`` (a new ``App`` by default) and return the app.

    Parameters
    ----------
    app
        The app to add the stack to, e.g. ``cdk.App(outdir=..., context=...)``; default: a new ``App``
        (which reads the output folder and the context the CDK CLI passes).

    Examples
    --------
    >>> [stack.node.id for stack in build_app(cdk.App()).node.children]
    ['EcrLifecycleGuardDemo']
    """
    app = app or cdk.App()
    GuardedRepositoryStack(app, STACK_NAME, description="ecr-lifecycle-guard example: a guarded ECR lifecycle policy")
    return app


def _count(stack: cdk.Stack, key: str) -> int | None:
    value = stack.node.try_get_context(key)
    return None if value is None else parse_count(f"context {key}", value)


def _percent(stack: cdk.Stack, key: str) -> float | None:
    value = stack.node.try_get_context(key)
    return None if value is None else parse_percent(f"context {key}", value)
