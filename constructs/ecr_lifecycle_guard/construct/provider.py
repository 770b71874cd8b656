"""The handler function shared by every guard in a stack: role, log group, function, IAM.

One :class:`GuardProvider` per stack however many repositories are guarded. Its role is least-privilege:
the ECR lifecycle and tag actions on exactly the guarded repositories' ARNs (each guard adds its own;
:mod:`~ecr_lifecycle_guard.construct.role_policies` keeps the documents within IAM's size limits),
``cloudformation:DescribeStacks`` on its own stack (to recognise a rollback), log writes to its own log
group, and -- when a guard protects images in use -- read-only discovery actions plus ``sts:AssumeRole``
on exactly the roles given. No AWS managed policy is attached.

The function's settings (runtime, log retention and encryption, VPC placement) are shared by the
stack's guards: the first guard sets them up, a later guard that leaves one unset accepts it, and a
later guard that sets one differently fails naming the guard that set the function up.

Examples
--------
>>> from aws_cdk import App, Stack
>>> stack = Stack(App(), "Demo")
>>> provider = GuardProvider.of(stack, stack, FunctionSettings(), timeout_seconds=360)
>>> provider.runtime.name == newest_python_runtime().name
True
"""

from __future__ import annotations

import weakref
from typing import Final

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecr_lifecycle_guard.construct.arn_prefixes import matching_prefix, prefix_grant
from ecr_lifecycle_guard.construct.bundling import handler_code
from ecr_lifecycle_guard.construct.function_settings import (
    DEFAULT_LOG_RETENTION,
    FunctionSettings,
    acknowledge_design_findings,
    allow_logs_to_use,
    conflicting_setting,
    newest_python_runtime,
)
from ecr_lifecycle_guard.construct.in_use_access import assume_role_grant, in_use_grants
from ecr_lifecycle_guard.construct.role_policies import Grant, RolePolicies
from ecr_lifecycle_guard.construct.target import (
    WORST_ACCOUNT_CHARS,
    WORST_PARTITION_CHARS,
    WORST_REGION_CHARS,
    RepositoryTarget,
)
from ecr_lifecycle_guard.errors import PropertyError

__all__ = [
    "DEFAULT_LOG_RETENTION",
    "ECR_LIFECYCLE_ACTIONS",
    "PROVIDER_ID",
    "VPC_ACCESS_ACTIONS",
    "GuardProvider",
    "newest_python_runtime",
]

#: The ECR actions the handler calls, granted on the guarded repositories only (the tag actions keep the
#: ownership tag ``ecr-lifecycle-guard:owner`` on the repository).
ECR_LIFECYCLE_ACTIONS: tuple[str, ...] = (
    "ecr:GetLifecyclePolicy",
    "ecr:PutLifecyclePolicy",
    "ecr:DeleteLifecyclePolicy",
    "ecr:StartLifecyclePolicyPreview",
    "ecr:GetLifecyclePolicyPreview",
    "ecr:DescribeImages",
    "ecr:TagResource",
    "ecr:UntagResource",
    "ecr:ListTagsForResource",
)
#: What a function in a VPC needs to manage its network interfaces (as AWSLambdaVPCAccessExecutionRole).
VPC_ACCESS_ACTIONS: tuple[str, ...] = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
#: The provider's construct id, directly under the stack.
PROVIDER_ID = "EcrLifecycleGuardProvider"
#: Memory of the handler function (it holds at most one preview's results).
HANDLER_MEMORY_MB = 256

#: Longest CloudFormation-made log group name, and stack name.
_WORST_LOG_GROUP_CHARS: Final = 512
_WORST_STACK_NAME_CHARS: Final = 128
_VPC_REASON = (
    "VPC placement (vpc=): Lambda manages the function's network interfaces; ec2:DescribeNetworkInterfaces "
    "and ec2:DescribeSubnets allow only Resource '*' (the same actions as AWSLambdaVPCAccessExecutionRole)"
)
#: The provider of each stack (looked up in Python: a jsii lookup per guard would cost a round trip).
_PROVIDERS: weakref.WeakKeyDictionary[Stack, GuardProvider] = weakref.WeakKeyDictionary()


class GuardProvider(Construct):
    """The stack's one handler function, with its role, log group and role policies.

    Use :meth:`of` rather than the constructor: it returns the stack's existing provider.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, configured_by: Construct, settings: FunctionSettings, timeout: int
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.configured_by = configured_by
        self.settings = settings
        self.runtime = settings.effective_runtime
        self._timeout_seconds = timeout
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=settings.effective_log_retention,
            encryption_key=settings.log_encryption_key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        if settings.log_encryption_key is not None:
            allow_logs_to_use(stack, settings.log_encryption_key, self)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="ecr-lifecycle-guard handler: previews, gates and puts ECR lifecycle policies",
        )
        self.policies = RolePolicies(self, self.role)
        self.policies.add_all(self._fixed_grants(stack, settings))
        self.function = lambda_.Function(
            self,
            "Handler",
            runtime=self.runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=handler_code(self.runtime),
            role=self.role,
            log_group=self.log_group,
            memory_size=HANDLER_MEMORY_MB,
            timeout=Duration.seconds(timeout),
            retry_attempts=0,  # CloudFormation invokes asynchronously; a retry would replay a create or delete
            vpc=settings.vpc,
            vpc_subnets=settings.vpc_subnets,
            security_groups=list(settings.security_groups) if settings.security_groups else None,
            description="ecr-lifecycle-guard: Custom::EcrLifecyclePolicy handler",
        )
        acknowledge_design_findings(self.function, self.role)
        #: The function's ARN, the custom resources' service token.
        self.service_token = self.function.function_arn
        self._in_use = False
        self._role_arns: set[str] = set()
        #: How many guards' repositories the role's policies name (exactly or by prefix).
        self.repository_count = 0

    @classmethod
    def of(cls, guard: Construct, stack: Stack, settings: FunctionSettings, *, timeout_seconds: int) -> GuardProvider:
        """The stack's provider, created on first use with the first guard's settings.

        Raises
        ------
        PropertyError
            When a setting differs from the one the stack's function already has.
        """
        existing = _PROVIDERS.get(stack)
        if existing is None:
            created = cls(stack, PROVIDER_ID, configured_by=guard, settings=settings, timeout=timeout_seconds)
            _PROVIDERS[stack] = created
            return created
        existing._require_same(guard, settings)
        existing.require_timeout(timeout_seconds)
        return existing

    def grant(self, grant: Grant) -> None:
        """Add one grant to the role's policies, making the function wait for any new managed policy.

        Raises
        ------
        PolicyCapacityError
            When the role's policies are full.
        """
        before = len(self.policies.managed_policies)
        self.policies.add(grant)
        for policy in self.policies.managed_policies[before:]:
            self.function.node.add_dependency(policy)  # guards invoke the function: only after it may act

    def grant_target(self, target: RepositoryTarget, prefixes: tuple[str, ...], guard: Construct) -> None:
        """Allow the ECR lifecycle and tag actions on one more guard's repository.

        The grant names the repository's exact ARN, or -- when its name starts with one of the opted-in
        ``prefixes`` -- the prefix's ARN (once per prefix and registry).

        Raises
        ------
        PolicyCapacityError
            When the role's policies are full.
        """
        prefix = matching_prefix(prefixes, target.literal_name)
        if prefix is None:
            self.grant(Grant(ECR_LIFECYCLE_ACTIONS, target.arn, chars=target.arn_chars))
        else:
            self.grant(prefix_grant(Stack.of(self), target, prefix, ECR_LIFECYCLE_ACTIONS, guard.node.path))
        self.repository_count += 1

    def protect_in_use(self, role_arns: tuple[str, ...]) -> None:
        """Allow in-use discovery (once per stack) and ``sts:AssumeRole`` on ``role_arns``."""
        if not self._in_use:
            self._in_use = True
            for grant in in_use_grants(Stack.of(self)):
                self.grant(grant)
        for arn in role_arns:
            if arn not in self._role_arns:
                self._role_arns.add(arn)
                self.grant(assume_role_grant(arn))

    def require_timeout(self, seconds: int) -> None:
        """Raise the function's timeout to at least ``seconds`` (a guard with a longer preview timeout)."""
        if seconds > self._timeout_seconds:
            self._timeout_seconds = seconds
            cfn_function = self.function.node.default_child
            assert isinstance(cfn_function, lambda_.CfnFunction)
            cfn_function.timeout = seconds

    def _fixed_grants(self, stack: Stack, settings: FunctionSettings) -> list[Grant]:
        region = len(stack.region) if "${Token[" not in stack.region else WORST_REGION_CHARS
        account = len(stack.account) if "${Token[" not in stack.account else WORST_ACCOUNT_CHARS
        prefix = len("arn:::::") + WORST_PARTITION_CHARS + region + account
        grants = [
            Grant(
                ("cloudformation:DescribeStacks",),
                stack.stack_id,
                chars=prefix + len("cloudformation") + len("stack///") + _WORST_STACK_NAME_CHARS + 36,
            ),
            Grant(
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                self.log_group.log_group_arn,
                chars=prefix + len("logs") + len("log-group::*") + _WORST_LOG_GROUP_CHARS,
            ),
        ]
        if settings.vpc is not None:
            grants.append(Grant(VPC_ACCESS_ACTIONS, "*", finding="Resource::*", reason=_VPC_REASON))
        return grants

    def _require_same(self, guard: Construct, settings: FunctionSettings) -> None:
        conflict = conflicting_setting(self.settings, settings)
        if conflict is not None:
            raise self._conflict(guard, *conflict)

    def _conflict(self, guard: Construct, prop: str, value: str, current: str) -> PropertyError:
        shared = f"guards in a stack share one handler function, set up by {self.configured_by.node.path}"
        return PropertyError(f"{guard.node.path}: {prop}", value, f"{current!r} ({shared})")
