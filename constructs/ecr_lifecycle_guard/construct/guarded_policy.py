"""``GuardedLifecyclePolicy``: preview an ECR lifecycle policy, gate the deploy on the preview, then put it.

Examples
--------
>>> from aws_cdk import App, Stack, aws_ecr
>>> from ecr_lifecycle_guard.construct.rules import LifecycleRuleSpec
>>> stack = Stack(App(), "Demo")
>>> guard = GuardedLifecyclePolicy(stack, "Guard", repository=aws_ecr.Repository(stack, "Repo"),
...                                rules=[LifecycleRuleSpec.keep_last(20)], max_expiring_images=50)
>>> guard.lifecycle_policy_text[:60]
'{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecr_lifecycle_guard.construct.arn_prefixes import parse_arn_prefixes
from ecr_lifecycle_guard.construct.function_settings import (
    DEFAULT_LOG_RETENTION,
    check_runtime,
    function_settings,
    lambda_timeout_seconds,
)
from ecr_lifecycle_guard.construct.guard_props import PolicyInput, PropChecker, render_number
from ecr_lifecycle_guard.construct.provider import GuardProvider
from ecr_lifecycle_guard.construct.role_policies import (
    INLINE_POLICY_LIMIT,
    MANAGED_POLICY_LIMIT,
    MAX_MANAGED_POLICIES,
    PolicyCapacityError,
)
from ecr_lifecycle_guard.construct.rules import RuleInput
from ecr_lifecycle_guard.construct.target import RepositoryTarget, claim, named_target, repository_target
from ecr_lifecycle_guard.contract import (
    DEFAULT_PREVIEW_TIMEOUT_SECONDS,
    RESOURCE_TYPE,
    bool_text,
    parse_bool,
    parse_count,
    parse_percent,
    parse_preview_timeout,
    parse_role_arns,
    parse_tag_patterns,
)
from ecr_lifecycle_guard.errors import PropertyError

__all__ = [
    "DEFAULT_LOG_RETENTION",
    "DEFAULT_PREVIEW_TIMEOUT",
    "DEFAULT_REMOVAL_POLICY",
    "RESOURCE_TYPE",
    "GuardedLifecyclePolicy",
]

#: How long the handler waits for ECR's preview by default.
DEFAULT_PREVIEW_TIMEOUT = Duration.seconds(DEFAULT_PREVIEW_TIMEOUT_SECONDS)
#: The custom resource's service timeout = Lambda timeout + this margin (a response is always sent).
SERVICE_TIMEOUT_MARGIN_SECONDS = 60
#: Default removal policy: the policy the guard owns is deleted (or restored) with the resource.
DEFAULT_REMOVAL_POLICY = RemovalPolicy.DESTROY

_ON_DELETE = {RemovalPolicy.DESTROY: "delete", RemovalPolicy.RETAIN: "retain"}


class GuardedLifecyclePolicy(Construct):
    """Preview an ECR lifecycle policy, block the deploy when the preview crosses a limit, else put it.

    A ``Custom::EcrLifecyclePolicy`` resource runs ECR's own lifecycle-policy preview for the desired
    policy and fails the deploy (leaving the live policy untouched) when the preview would expire or
    archive more than allowed, or an image a workload runs. Safe by default: even with no limit set, a
    policy that would expire every image of a non-empty repository is blocked unless
    ``allow_expire_all=True``, and an image in use by ECS, Lambda or Batch is never expired or archived
    unless ``protect_in_use=False``. The guard owns the policy it puts (a repository tag records the
    owning stack and resource); its delete removes only a policy it still owns.

    Parameters
    ----------
    scope, construct_id
        Where the construct lives.
    repository
        The repository to guard, owned (``aws_ecr.Repository``) or imported (``from_repository_name`` /
        ``from_repository_arn`` / ``from_repository_attributes``), in the stack's region. Exactly one of
        ``repository`` and ``repository_name``. Default: None.
    repository_name
        Name of the repository to guard, for repositories CDK does not model. Default: None.
    registry_id
        The 12-digit registry (account) of ``repository_name``; only with ``repository_name``.
        Default: the stack's account.
        See: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html
    rules
        The policy's rules: ``aws_ecr.LifecycleRule`` (rendered exactly as ``aws_ecr.Repository`` renders
        them) and :class:`LifecycleRuleSpec`. Exactly one of ``rules`` and ``policy``. Default: None.
        See: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
    policy
        A whole ECR lifecycle policy as JSON text or a mapping. Default: None.
    max_expiring_images
        Block when the preview would expire more images than this (an integer from 0). Default: no limit.
        See: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetLifecyclePolicyPreview.html
    max_expiring_percent
        Block when the preview would expire more than this share (0-100) of the images the policy can
        see. Default: no share limit.
    max_transitioning_images
        Block when the preview would move more images than this to archive. Default: no limit.
    protected_tags
        Tag patterns (``*`` globs, as in ``tagPatternList``, at most 4 ``*`` each); block when the preview
        would expire or archive an image with a matching tag. Default: none.
    allow_expire_all
        Allow a policy that would expire every image of a non-empty repository. Default: False.
    preview_only
        Preview and gate but never put, own or delete the policy (a dry run in the deploy). Default: False.
    removal_policy
        ``DESTROY``: on delete, remove the policy the guard owns (or put ``restore_policy``); ``RETAIN``:
        leave it. Default: ``RemovalPolicy.DESTROY``.
    restore_policy
        The policy to put back on delete instead of removing the guard's own (JSON text, a mapping, or a
        list of rules like ``rules``), e.g. the 365-day policy ``cdk bootstrap`` ships for its container
        assets repository. Validated at synth. Default: None (delete removes the policy).
    preview_timeout
        How long to wait for ECR's preview, 30 s to 14 min (whole seconds). The handler function's
        timeout is this plus 60 s (at most 15 min), the custom resource's service timeout 60 s more.
        Default: 5 minutes.
        See: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-customresource.html
    protect_in_use
        Block when the preview would expire or archive an image that an ECS service or task, a Lambda
        function (or a version behind an alias) or an active Batch job definition of the repository's
        account and region uses; also block when those cannot be listed. Default: True.
    in_use_role_arns
        Roles (at most 50) the handler assumes to find workloads in other accounts, e.g. an
        :class:`InUseDiscoveryRole` in each workload account. Default: none.
    repository_arn_prefixes
        Opt in to granting the handler a repository-name prefix (e.g. ``["platform/*"]``) instead of this
        repository's exact ARN when its name starts with one; for fleets beyond what exact ARNs fit in
        IAM's limits. Default: none (exact ARNs).
    runtime, log_retention, log_encryption_key, vpc, vpc_subnets, security_groups
        Settings of the stack's one handler function, shared by its guards: a guard that leaves one unset
        accepts the function's. ``runtime``: Python 3.11 or newer (default: the newest Python runtime the
        installed aws-cdk-lib knows). ``log_retention``: default one month. ``log_encryption_key``: a KMS
        key for the log group (default: none). ``vpc`` / ``vpc_subnets`` / ``security_groups``: VPC
        placement (default: none; the function then needs a route to the AWS APIs).

    Raises
    ------
    PropertyError
        A prop has a value that is not allowed (the message names the construct path, the prop, what
        is allowed and the value found), the repository is guarded already, lives in another region,
        or does not fit in the handler role's IAM policies.
    PolicyValidationError
        The rules, policy or restore policy are not a policy ECR would accept (naming rule and field).
    PropertiesError
        Several props are bad; ``.problems`` lists each.

    Examples
    --------
    >>> from aws_cdk import App, Stack, aws_ecr
    >>> stack = Stack(App(), "Demo")
    >>> guard = GuardedLifecyclePolicy(
    ...     stack, "Guard", repository_name="app", rules=[aws_ecr.LifecycleRule(max_image_count=30)],
    ...     max_expiring_percent=25, protected_tags=["release-*"])
    >>> guard.provider.runtime.name
    'python3.14'
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
        policy: PolicyInput | None = None,
        max_expiring_images: int | None = None,
        max_expiring_percent: float | None = None,
        max_transitioning_images: int | None = None,
        protected_tags: Sequence[str] = (),
        allow_expire_all: bool = False,
        preview_only: bool = False,
        removal_policy: RemovalPolicy = DEFAULT_REMOVAL_POLICY,
        restore_policy: Sequence[RuleInput] | PolicyInput | None = None,
        preview_timeout: Duration | None = None,
        protect_in_use: bool = True,
        in_use_role_arns: Sequence[str] = (),
        repository_arn_prefixes: Sequence[str] = (),
        runtime: lambda_.Runtime | None = None,
        log_retention: logs.RetentionDays | None = None,
        log_encryption_key: kms.IKey | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        check = PropChecker(lambda: self.node.path)
        check.exactly_one(("repository", repository), ("repository_name", repository_name))
        check.exactly_one(("rules", rules), ("policy", policy))
        limits = {
            "max_expiring_images": check.value("max_expiring_images", max_expiring_images, _optional(parse_count)),
            "max_expiring_percent": check.value("max_expiring_percent", max_expiring_percent, _optional(parse_percent)),
            "max_transitioning_images": check.value(
                "max_transitioning_images", max_transitioning_images, _optional(parse_count)
            ),
        }
        tags = check.value("protected_tags", protected_tags, parse_tag_patterns) or ()
        flags = {
            name: check.value(name, value, parse_bool)
            for name, value in (
                ("allow_expire_all", allow_expire_all),
                ("preview_only", preview_only),
                ("protect_in_use", protect_in_use),
            )
        }
        roles = check.value("in_use_role_arns", in_use_role_arns, parse_role_arns) or ()
        prefixes = check.value("repository_arn_prefixes", repository_arn_prefixes, parse_arn_prefixes) or ()
        if removal_policy not in _ON_DELETE:
            check.fail("removal_policy", removal_policy.name, "RemovalPolicy.DESTROY or RETAIN")
        preview_seconds = _preview_seconds(check, preview_timeout)
        if runtime is not None:
            check.value("runtime", runtime, check_runtime)
        one_source = (rules is None) != (policy is None)
        source = "rules" if rules is not None else "policy"
        text = check.policy(source, rules if rules is not None else policy or {}) if one_source else None
        #: The policy a delete puts back (``restore_policy``), canonical; ``None`` when delete removes.
        self.restore_policy_text = None if restore_policy is None else check.policy("restore_policy", restore_policy)
        stack = scope if isinstance(scope, Stack) else Stack.of(self)
        target = _target(self, check, stack, repository, repository_name, registry_id)
        check.raise_if_any()
        assert target is not None
        assert text is not None
        #: The policy the guard puts: the engine's canonical text (validated at synth time).
        self.lifecycle_policy_text: str = text
        claim(self, stack, target)

        lambda_seconds = lambda_timeout_seconds(preview_seconds)
        settings = function_settings(
            {
                "runtime": runtime,
                "log_retention": log_retention,
                "log_encryption_key": log_encryption_key,
                "vpc": vpc,
                "vpc_subnets": vpc_subnets,
                "security_groups": security_groups,
            }
        )
        self.provider = GuardProvider.of(self, stack, settings, timeout_seconds=lambda_seconds)
        _grant(self, target, prefixes, roles if flags["protect_in_use"] else None)
        properties: dict[str, Any] = {
            "ServiceToken": self.provider.service_token,
            "ServiceTimeout": str(lambda_seconds + SERVICE_TIMEOUT_MARGIN_SECONDS),
            "RepositoryName": target.name,
            "RegistryId": target.registry_id,
            "LifecyclePolicyText": self.lifecycle_policy_text,
            "MaxExpiringImages": render_number(limits["max_expiring_images"], max_expiring_images),
            "MaxExpiringPercent": render_number(limits["max_expiring_percent"], max_expiring_percent),
            "MaxTransitioningImages": render_number(limits["max_transitioning_images"], max_transitioning_images),
            "ProtectedTags": list(tags) or None,
            "AllowExpireAll": bool_text(bool(flags["allow_expire_all"])),
            "PreviewOnly": bool_text(bool(flags["preview_only"])),
            "OnDelete": _ON_DELETE[removal_policy],
            "PreviewTimeoutSeconds": str(preview_seconds),
            "ProtectInUse": bool_text(bool(flags["protect_in_use"])),
            "InUseRoleArns": list(roles) or None,
            "RestorePolicyText": self.restore_policy_text,
        }
        #: The ``Custom::EcrLifecyclePolicy`` resource (a plain ``CfnResource``: one construct per guard, not
        #: a ``CustomResource`` wrapping one, so a fleet of hundreds synthesizes faster; same logical id).
        self.resource = CfnResource(
            self,
            "Resource",
            type=RESOURCE_TYPE,
            properties={key: value for key, value in properties.items() if value is not None},
        )

    @property
    def expiring_image_count(self) -> str:
        """Images the preview said the policy expires (token; ``Fn::GetAtt ExpiringImageCount``)."""
        return Token.as_string(self.resource.get_att("ExpiringImageCount"))

    @property
    def transitioning_image_count(self) -> str:
        """Images the preview said the policy moves to archive (token; ``TransitioningImageCount``)."""
        return Token.as_string(self.resource.get_att("TransitioningImageCount"))

    @property
    def policy_applied(self) -> str:
        """``"true"`` when this guard put (or already owns) the live policy (token; ``PolicyApplied``)."""
        return Token.as_string(self.resource.get_att("PolicyApplied"))

    @property
    def preview_status(self) -> str:
        """ECR's final preview status, e.g. ``COMPLETE`` (token; ``PreviewStatus``)."""
        return Token.as_string(self.resource.get_att("PreviewStatus"))


def _target(
    guard: Construct,
    check: PropChecker,
    stack: Stack,
    repository: ecr.IRepository | None,
    repository_name: str | None,
    registry_id: str | None,
) -> RepositoryTarget | None:
    """The repository target, or ``None`` with the problem recorded."""
    try:
        if repository is not None:
            if registry_id is not None:
                check.fail("registry_id", registry_id, "set only with repository_name")
                return None
            return repository_target(guard, stack, repository)
        if repository_name is not None:
            return named_target(guard, stack, repository_name, registry_id)
    except PropertyError as error:
        check.problems.append(error)
    return None


def _grant(guard: GuardedLifecyclePolicy, target: RepositoryTarget, prefixes: tuple[str, ...], roles: Any) -> None:
    """Add the guard's permissions to the stack's role: its repository (or prefix), and in-use discovery."""
    provider = guard.provider
    try:
        provider.grant_target(target, prefixes, guard)
        if roles is not None:
            provider.protect_in_use(roles)
    except PolicyCapacityError:
        raise PropertyError(
            f"{guard.node.path}: repository",
            target.literal_name or target.arn,
            f"a repository that fits in the handler role's IAM policies ({INLINE_POLICY_LIMIT:,} inline and "
            f"{MAX_MANAGED_POLICIES} x {MANAGED_POLICY_LIMIT:,} managed characters hold the "
            f"{provider.repository_count} repositories this stack guards already): guard the others from another "
            "stack (docs/fleet.md) or opt in to repository_arn_prefixes",
        ) from None


def _optional(parse: Any) -> Any:
    """``parse`` for a prop whose ``None`` means "not set"."""
    return lambda name, value: None if value is None else parse(name, value)


def _preview_seconds(check: PropChecker, timeout: Duration | None) -> int:
    """The preview timeout in whole seconds; a token (a huge negative number) is out of range too."""
    if timeout is None:
        return DEFAULT_PREVIEW_TIMEOUT_SECONDS
    try:
        return parse_preview_timeout("preview_timeout", timeout.to_seconds(integral=False))
    except PropertyError as error:
        check.fail("preview_timeout", timeout.to_human_string(), error.allowed)
        return DEFAULT_PREVIEW_TIMEOUT_SECONDS
