"""The handler function shared by every guard in a stack: role, log group, function, IAM.

One :class:`GuardProvider` per stack however many repositories are guarded. Its role is least-privilege:
the ECR lifecycle actions on exactly the guarded repositories' ARNs (each guard adds its own),
``cloudformation:DescribeStacks`` on its own stack (to recognise a rollback) and log writes to its own
log group. No AWS managed policy is attached.

Examples
--------
>>> from aws_cdk import App, Stack, aws_logs
>>> stack = Stack(App(), "Demo")
>>> provider = GuardProvider.of(stack, stack, runtime=newest_python_runtime(),  # doctest: +SKIP
...     log_retention=aws_logs.RetentionDays.ONE_MONTH, timeout_seconds=360)
>>> provider.grant_repository("arn:aws:ecr:us-east-1:123456789012:repository/app")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import re
import weakref

import jsii
from aws_cdk import Duration, IStableListProducer, Lazy, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecr_lifecycle_guard.construct.bundling import handler_code
from ecr_lifecycle_guard.errors import PropertyError

__all__ = ["ECR_LIFECYCLE_ACTIONS", "GuardProvider", "newest_python_runtime"]

#: The ECR actions the handler calls, granted on the guarded repositories only.
ECR_LIFECYCLE_ACTIONS: tuple[str, ...] = (
    "ecr:GetLifecyclePolicy",
    "ecr:PutLifecyclePolicy",
    "ecr:DeleteLifecyclePolicy",
    "ecr:StartLifecyclePolicyPreview",
    "ecr:GetLifecyclePolicyPreview",
    "ecr:DescribeImages",
)

#: The provider's construct id, directly under the stack.
PROVIDER_ID = "EcrLifecycleGuardProvider"
#: Memory of the handler function (it holds at most one preview's results).
HANDLER_MEMORY_MB = 256

_PYTHON_RUNTIME_NAME = re.compile(r"^PYTHON_3_(\d+)$")
#: The provider of each stack (looked up in Python: a jsii lookup per guard would cost a round trip).
_PROVIDERS: weakref.WeakKeyDictionary[Stack, GuardProvider] = weakref.WeakKeyDictionary()


@functools.cache
def newest_python_runtime() -> lambda_.Runtime:
    """The newest Python 3 runtime the installed aws-cdk-lib knows (``PYTHON_3_14`` for 2.275).

    Examples
    --------
    >>> newest_python_runtime().name  # doctest: +SKIP
    'python3.14'
    """
    minors = [int(m.group(1)) for name in dir(lambda_.Runtime) if (m := _PYTHON_RUNTIME_NAME.match(name))]
    runtime: lambda_.Runtime = getattr(lambda_.Runtime, f"PYTHON_3_{max(minors)}")
    return runtime


class GuardProvider(Construct):
    """The stack's one handler function, with its role and log group.

    Use :meth:`of` rather than the constructor: it returns the stack's existing provider.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        configured_by: Construct,
        runtime: lambda_.Runtime,
        log_retention: logs.RetentionDays,
        timeout_seconds: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.configured_by = configured_by
        self.runtime = runtime
        self.log_retention = log_retention
        self._timeout_seconds = timeout_seconds
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="ecr-lifecycle-guard handler: previews, gates and puts ECR lifecycle policies",
        )
        self._repository_arns: list[str] = []
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(ECR_LIFECYCLE_ACTIONS), resources=Lazy.list(_ListOf(self._repository_arns))
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["cloudformation:DescribeStacks"], resources=[Stack.of(self).stack_id])
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]
            )
        )
        self.function = lambda_.Function(
            self,
            "Handler",
            runtime=runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=handler_code(runtime),
            role=self.role,
            log_group=self.log_group,
            memory_size=HANDLER_MEMORY_MB,
            timeout=Duration.seconds(timeout_seconds),
            description="ecr-lifecycle-guard: Custom::EcrLifecyclePolicy handler",
        )
        #: The function's ARN, the custom resources' service token.
        self.service_token = self.function.function_arn

    @classmethod
    def of(
        cls,
        guard: Construct,
        stack: Stack,
        *,
        runtime: lambda_.Runtime,
        log_retention: logs.RetentionDays,
        timeout_seconds: int,
    ) -> GuardProvider:
        """The stack's provider, created on first use with the first guard's settings.

        Raises
        ------
        PropertyError
            When ``runtime`` or ``log_retention`` differ from the settings the stack's function already has.
        """
        existing = _PROVIDERS.get(stack)
        if existing is None:
            created = cls(
                stack,
                PROVIDER_ID,
                configured_by=guard,
                runtime=runtime,
                log_retention=log_retention,
                timeout_seconds=timeout_seconds,
            )
            _PROVIDERS[stack] = created
            return created
        if runtime is not existing.runtime and runtime.name != existing.runtime.name:
            raise existing._conflict(guard, "runtime", runtime.name, existing.runtime.name)
        if log_retention != existing.log_retention:
            raise existing._conflict(guard, "log_retention", log_retention.name, existing.log_retention.name)
        existing.require_timeout(timeout_seconds)
        return existing

    def _conflict(self, guard: Construct, prop: str, value: str, current: str) -> PropertyError:
        shared = f"guards in a stack share one handler function, set up by {self.configured_by.node.path}"
        return PropertyError(f"{guard.node.path}: {prop}", value, f"{current!r} ({shared})")

    def grant_repository(self, repository_arn: str) -> None:
        """Allow the ECR lifecycle actions on one more repository (collected in Python, rendered at synth)."""
        self._repository_arns.append(repository_arn)

    def require_timeout(self, seconds: int) -> None:
        """Raise the function's timeout to at least ``seconds`` (a guard with a longer preview timeout)."""
        if seconds > self._timeout_seconds:
            self._timeout_seconds = seconds
            cfn_function = self.function.node.default_child
            assert isinstance(cfn_function, lambda_.CfnFunction)
            cfn_function.timeout = seconds


@jsii.implements(IStableListProducer)
class _ListOf:
    """Renders a Python list at synth: one callback instead of one jsii call per guarded repository."""

    def __init__(self, items: list[str]) -> None:
        self._items = items

    def produce(self, context: object = None) -> list[str]:
        return list(self._items)
