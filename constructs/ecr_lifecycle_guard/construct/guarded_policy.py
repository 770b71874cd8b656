"""``GuardedLifecyclePolicy``: preview an ECR lifecycle policy, gate the deploy on the preview, then put it.

Examples
--------
>>> from aws_cdk import App, Stack, aws_ecr
>>> stack = Stack(App(), "Demo")
>>> repository = aws_ecr.Repository(stack, "Repo")
>>> guard = GuardedLifecyclePolicy(  # doctest: +SKIP
...     stack, "Guard", repository=repository,
...     rules=[LifecycleRuleSpec.keep_last(20)], max_expiring_images=50)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack, Token, Tokenization
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecr_lifecycle_guard.construct.provider import GuardProvider, newest_python_runtime
from ecr_lifecycle_guard.construct.rules import RuleInput, render_rules
from ecr_lifecycle_guard.construct.target import claim, named_target, repository_target
from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.errors import PolicyValidationError, PropertyError

__all__ = [
    "DEFAULT_LOG_RETENTION",
    "DEFAULT_PREVIEW_TIMEOUT",
    "DEFAULT_REMOVAL_POLICY",
    "RESOURCE_TYPE",
    "GuardedLifecyclePolicy",
]

#: The CloudFormation type of the custom resource.
RESOURCE_TYPE = "Custom::EcrLifecyclePolicy"
#: How long the handler waits for ECR's preview by default.
DEFAULT_PREVIEW_TIMEOUT = Duration.minutes(5)
#: Allowed ``preview_timeout`` range, in seconds (the Lambda timeout must stay within 900 s).
MIN_PREVIEW_TIMEOUT_SECONDS = 30
MAX_PREVIEW_TIMEOUT_SECONDS = 840
#: Lambda timeout = preview timeout + this margin (reading, gating and putting), at most 900 s.
LAMBDA_TIMEOUT_MARGIN_SECONDS = 60
MAX_LAMBDA_TIMEOUT_SECONDS = 900
#: The custom resource's service timeout = Lambda timeout + this margin (a response is always sent).
SERVICE_TIMEOUT_MARGIN_SECONDS = 60
#: Default removal policy: the policy the guard put is deleted with the resource.
DEFAULT_REMOVAL_POLICY = RemovalPolicy.DESTROY
#: Default retention of the handler's log group.
DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH

_DEFAULT_PREVIEW_SECONDS = int(DEFAULT_PREVIEW_TIMEOUT.to_seconds())
_ON_DELETE = {RemovalPolicy.DESTROY: "delete", RemovalPolicy.RETAIN: "retain"}


class GuardedLifecyclePolicy(Construct):
    """Preview an ECR lifecycle policy, block the deploy when the preview crosses a limit, else put it.

    A ``Custom::EcrLifecyclePolicy`` resource runs ECR's own lifecycle-policy preview for the desired
    policy and fails the deploy (leaving the live policy untouched) when the preview would expire or
    archive more than allowed. Safe by default: even with no limit set, a policy that would expire
    every image of a non-empty repository is blocked unless ``allow_expire_all=True``.

    Parameters
    ----------
    scope, construct_id
        Where the construct lives.
    repository
        The repository to guard, owned (``aws_ecr.Repository``) or imported
        (``Repository.from_repository_name``/``from_repository_arn``). Exactly one of ``repository`` and
        ``repository_name``. Default: None.
    repository_name
        Name of the repository to guard, for repositories CDK does not model. Exactly one of
        ``repository`` and ``repository_name``. Default: None.
    registry_id
        The 12-digit registry (account) of ``repository_name``; only with ``repository_name``.
        Default: the stack's account.
        See: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html
    rules
        The policy's rules: ``aws_ecr.LifecycleRule`` (rendered exactly as ``aws_ecr.Repository`` renders
        them) and :class:`LifecycleRuleSpec`. Exactly one of ``rules`` and ``policy``. Default: None.
        See: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
    policy
        A whole ECR lifecycle policy as JSON text or a mapping. Exactly one of ``rules`` and ``policy``.
        Default: None.
    max_expiring_images
        Block when the preview would expire more images than this (an integer >= 0).
        Default: no count limit.
        See: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetLifecyclePolicyPreview.html
    max_expiring_percent
        Block when the preview would expire more than this share (0-100) of the images the policy can
        see. Default: no share limit.
    max_transitioning_images
        Block when the preview would move more images than this to archive (an integer >= 0).
        Default: no transition limit.
    protected_tags
        Tag patterns (``*`` globs, as in ``tagPatternList``); block when the preview would expire or
        archive an image with a matching tag. Default: none.
    allow_expire_all
        Allow a policy that would expire every image of a non-empty repository. Default: False.
    preview_only
        Preview and gate but never put the policy (a dry run in the deploy). Default: False.
    removal_policy
        ``DESTROY`` deletes the policy the guard put when the resource is deleted (only if it is still
        the live policy); ``RETAIN`` leaves it. Default: ``RemovalPolicy.DESTROY``.
    preview_timeout
        How long to wait for ECR's preview, 30 s to 14 min. The handler function's timeout is this plus
        60 s (at most 15 min), the custom resource's service timeout 60 s more. Default: 5 minutes.
        See: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-customresource.html
    runtime
        The handler function's runtime (shared by every guard in the stack).
        Default: the newest Python runtime the installed aws-cdk-lib knows.
    log_retention
        Retention of the handler function's log group (shared by every guard in the stack).
        Default: ``RetentionDays.ONE_MONTH``.

    Raises
    ------
    PropertyError
        A prop has a value that is not allowed (the message names the construct path, the prop, what
        is allowed and the value found), or the repository is already guarded in the app.
    PolicyValidationError
        The rules or policy are not a policy ECR would accept (the message names rule and field).

    Examples
    --------
    >>> from aws_cdk import App, Stack, aws_ecr
    >>> stack = Stack(App(), "Demo")
    >>> guard = GuardedLifecyclePolicy(  # doctest: +SKIP
    ...     stack, "Guard", repository_name="app", rules=[aws_ecr.LifecycleRule(max_image_count=30)],
    ...     max_expiring_percent=25, protected_tags=["release-*"])
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository: ecr.IRepository | None = None,
        repository_name: str | None = None,
        registry_id: str | None = None,
        rules: Sequence[RuleInput] | None = None,
        policy: str | Mapping[str, Any] | None = None,
        max_expiring_images: int | None = None,
        max_expiring_percent: float | None = None,
        max_transitioning_images: int | None = None,
        protected_tags: Sequence[str] = (),
        allow_expire_all: bool = False,
        preview_only: bool = False,
        removal_policy: RemovalPolicy = DEFAULT_REMOVAL_POLICY,
        preview_timeout: Duration | None = None,
        runtime: lambda_.Runtime | None = None,
        log_retention: logs.RetentionDays = DEFAULT_LOG_RETENTION,
    ) -> None:
        super().__init__(scope, construct_id)
        _check_one_of(self, ("repository", repository), ("repository_name", repository_name))
        _check_one_of(self, ("rules", rules), ("policy", policy))
        _check_limits(self, max_expiring_images, max_expiring_percent, max_transitioning_images, protected_tags)
        if removal_policy not in _ON_DELETE:
            raise _prop_error(self, "removal_policy", removal_policy.name, "RemovalPolicy.DESTROY or RETAIN")
        preview_seconds = _preview_timeout_seconds(self, preview_timeout)
        lambda_seconds = min(preview_seconds + LAMBDA_TIMEOUT_MARGIN_SECONDS, MAX_LAMBDA_TIMEOUT_SECONDS)

        #: The policy the guard puts: the engine's canonical text (validated at synth time).
        self.lifecycle_policy_text = _policy_text(self, rules, policy)
        stack = scope if isinstance(scope, Stack) else Stack.of(self)
        if repository is not None:
            if registry_id is not None:
                raise _prop_error(self, "registry_id", registry_id, "set only with repository_name")
            target = repository_target(self, stack, repository)
        else:
            assert repository_name is not None
            target = named_target(self, stack, repository_name, registry_id)
        claim(self, stack, target)

        self.provider = GuardProvider.of(
            self,
            stack,
            runtime=runtime or newest_python_runtime(),
            log_retention=log_retention,
            timeout_seconds=lambda_seconds,
        )
        self.provider.grant_repository(target.arn)
        properties: dict[str, Any] = {
            "RepositoryName": target.name,
            "RegistryId": target.registry_id,
            "LifecyclePolicyText": self.lifecycle_policy_text,
            "MaxExpiringImages": _number_text(max_expiring_images),
            "MaxExpiringPercent": _number_text(max_expiring_percent),
            "MaxTransitioningImages": _number_text(max_transitioning_images),
            "ProtectedTags": list(protected_tags) or None,
            "AllowExpireAll": _bool_text(allow_expire_all),
            "PreviewOnly": _bool_text(preview_only),
            "OnDelete": _ON_DELETE[removal_policy],
            "PreviewTimeoutSeconds": str(preview_seconds),
        }
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=self.provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties={key: value for key, value in properties.items() if value is not None},
            service_timeout=_duration(lambda_seconds + SERVICE_TIMEOUT_MARGIN_SECONDS),
        )

    @property
    def expiring_image_count(self) -> str:
        """Images the preview said the policy expires (token; ``Fn::GetAtt ExpiringImageCount``)."""
        return self.resource.get_att_string("ExpiringImageCount")

    @property
    def transitioning_image_count(self) -> str:
        """Images the preview said the policy moves to archive (token; ``TransitioningImageCount``)."""
        return self.resource.get_att_string("TransitioningImageCount")

    @property
    def policy_applied(self) -> str:
        """``"true"`` when the policy was put, ``"false"`` with ``preview_only`` (token; ``PolicyApplied``)."""
        return self.resource.get_att_string("PolicyApplied")

    @property
    def preview_status(self) -> str:
        """ECR's final preview status, e.g. ``COMPLETE`` (token; ``PreviewStatus``)."""
        return self.resource.get_att_string("PreviewStatus")


def _prop_error(guard: Construct, prop: str, value: object, allowed: str) -> PropertyError:
    """The error for a bad prop, naming the guard's construct path (looked up only when failing)."""
    return PropertyError(f"{guard.node.path}: {prop}", value, allowed)


def _policy_text(guard: Construct, rules: Sequence[RuleInput] | None, policy: str | Mapping[str, Any] | None) -> str:
    try:
        return canonical_policy_text(render_rules(list(rules)) if rules is not None else policy or {})
    except PropertyError as error:
        raise _prop_error(guard, error.property, error.value, error.allowed) from None
    except PolicyValidationError as error:
        source = "rules" if rules is not None else "policy"
        raise PolicyValidationError(error.issues, source=f"{guard.node.path} {source}") from None


def _check_one_of(guard: Construct, first: tuple[str, object], second: tuple[str, object]) -> None:
    given = [name for name, value in (first, second) if value is not None]
    if len(given) != 1:
        found = "both" if given else "neither"
        raise _prop_error(guard, f"{first[0]} / {second[0]}", found, f"exactly one of {first[0]} and {second[0]}")


def _check_limits(
    guard: Construct,
    max_expiring_images: int | None,
    max_expiring_percent: float | None,
    max_transitioning_images: int | None,
    protected_tags: Sequence[str],
) -> None:
    counts = (("max_expiring_images", max_expiring_images), ("max_transitioning_images", max_transitioning_images))
    for prop, count in counts:
        if _is_known(count) and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            raise _prop_error(guard, prop, count, "an integer >= 0")
    percent = max_expiring_percent
    if _is_known(percent) and (
        isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 <= percent <= 100
    ):
        raise _prop_error(guard, "max_expiring_percent", percent, "a number from 0 to 100")
    if isinstance(protected_tags, str):
        raise _prop_error(guard, "protected_tags", protected_tags, "a list of tag patterns, not one string")
    for index, pattern in enumerate(protected_tags):
        if not isinstance(pattern, str) or not pattern:
            raise _prop_error(guard, f"protected_tags[{index}]", pattern, "a non-empty tag pattern")


def _is_known(value: object) -> bool:
    """Set and resolved at synth time (unresolved tokens are left to CloudFormation and the handler)."""
    return value is not None and not Token.is_unresolved(value)


def _preview_timeout_seconds(guard: Construct, timeout: Duration | None) -> int:
    """The preview timeout in whole seconds; a token (a huge negative number) is out of range too."""
    if timeout is None:
        return _DEFAULT_PREVIEW_SECONDS
    seconds = timeout.to_seconds()
    if not MIN_PREVIEW_TIMEOUT_SECONDS <= seconds <= MAX_PREVIEW_TIMEOUT_SECONDS:
        allowed = f"a duration from {MIN_PREVIEW_TIMEOUT_SECONDS} s to {MAX_PREVIEW_TIMEOUT_SECONDS} s"
        raise _prop_error(guard, "preview_timeout", timeout.to_human_string(), allowed)
    return int(seconds)


@functools.cache
def _duration(seconds: int) -> Duration:
    """Durations are immutable: one object per value saves a jsii round trip per guard."""
    return Duration.seconds(seconds)


def _number_text(value: float | None) -> str | None:
    """CloudFormation passes scalars as strings: ``10``, ``12.5``; tokens stay tokens."""
    if value is None:
        return None
    if Token.is_unresolved(value):
        return Tokenization.stringify_number(value)
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _bool_text(value: bool) -> str:
    return "true" if value else "false"
