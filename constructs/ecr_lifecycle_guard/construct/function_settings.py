"""Settings of the stack's one handler function: runtime, logs, VPC; their checks and what they imply.

Guards of a stack share one function, so its settings are shared too: :class:`FunctionSettings` holds
what one guard asked for (``None``: not set), :func:`conflicting_setting` says which setting a later guard
asks for differently from the function's. The runtime must be a Python the bundled handler runs on
(:func:`check_runtime`). A log group key must let CloudWatch Logs use it (:func:`allow_logs_to_use`). The
design's answers to cdk-nag's Serverless and NIST 800-53 R5 packs are acknowledged on the function and its
role (:func:`acknowledge_design_findings`), each with its reason.

Examples
--------
>>> newest_python_runtime().name
'python3.14'
>>> lambda_timeout_seconds(300), lambda_timeout_seconds(840)
(360, 900)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from aws_cdk import Acknowledgment, Annotations, ArnFormat, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecr_lifecycle_guard.errors import PropertyError

__all__ = [
    "DEFAULT_LOG_RETENTION",
    "DESIGN_ACKNOWLEDGMENTS",
    "LAMBDA_TIMEOUT_MARGIN_SECONDS",
    "MAX_LAMBDA_TIMEOUT_SECONDS",
    "MIN_PYTHON_MINOR",
    "FunctionSettings",
    "acknowledge_design_findings",
    "allow_logs_to_use",
    "check_runtime",
    "conflicting_setting",
    "function_settings",
    "lambda_timeout_seconds",
    "newest_python_runtime",
]

#: Default retention of the handler's log group.
DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH
#: The oldest Python the bundled handler runs on (it uses ``datetime.UTC`` and ``typing.Self``).
MIN_PYTHON_MINOR: Final = 11
#: Lambda timeout = preview timeout + this margin (reading, gating and putting), at most 900 s.
LAMBDA_TIMEOUT_MARGIN_SECONDS: Final = 60
MAX_LAMBDA_TIMEOUT_SECONDS: Final = 900

_PYTHON_RUNTIME_NAME = re.compile(r"^PYTHON_3_(\d+)$")
_PYTHON_NAME = re.compile(r"^python3\.(\d+)$")
_NO_DLQ = (
    "CloudFormation invokes the handler asynchronously and waits for its answer; a failed invocation is "
    "answered FAILED by the handler or by the custom resource's ServiceTimeout, and async retries are off. "
    "A dead-letter or failure destination would only store the event, whose pre-signed ResponseURL is a credential"
)
#: Findings of cdk-nag's Serverless and NIST 800-53 R5 packs that follow from the design:
#: (``function`` or ``role``, ``<pack>::<rule id>``, reason).
DESIGN_ACKNOWLEDGMENTS: Final = (
    ("function", "Serverless::Serverless-LambdaDLQ", _NO_DLQ),
    ("function", "Serverless::Serverless-LambdaAsyncFailureDestination", _NO_DLQ),
    ("function", "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ", _NO_DLQ),
    (
        "function",
        "Serverless::Serverless-LambdaTracing",
        "the handler logs one JSON line per step with the request id and the repository; X-Ray tracing would "
        "add xray:PutTraceSegments and xray:PutTelemetryRecords on Resource '*' to the role for a function "
        "that runs only during deploys",
    ),
    (
        "function",
        "NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency",
        "CloudFormation invokes the function once per guarded repository and deploy; reserving concurrency "
        "would take it from the account's unreserved pool (and fail in accounts with a low concurrency limit)",
    ),
    (
        "role",
        "NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy",
        "the role's inline policy holds the permissions of this one function on its own stack, log group and "
        "guarded repositories and is deleted with it; what does not fit inline goes to customer managed policies",
    ),
)


@functools.cache
def newest_python_runtime() -> lambda_.Runtime:
    """The newest Python 3 runtime the installed aws-cdk-lib knows (``PYTHON_3_14`` for 2.275)."""
    minors = [int(m.group(1)) for name in dir(lambda_.Runtime) if (m := _PYTHON_RUNTIME_NAME.match(name))]
    runtime: lambda_.Runtime = getattr(lambda_.Runtime, f"PYTHON_3_{max(minors)}")
    return runtime


def check_runtime(prop: str, runtime: lambda_.Runtime) -> None:
    """Refuse a runtime the bundled handler cannot run on (not Python, or older than 3.11).

    Examples
    --------
    >>> check_runtime("runtime", lambda_.Runtime.PYTHON_3_10)
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.PropertyError: runtime: must be a Python runtime the bundled handler runs on \
(python3.11 or newer: it uses datetime.UTC and typing.Self), got 'python3.10'
    """
    match = _PYTHON_NAME.match(runtime.name)
    if match is None or int(match.group(1)) < MIN_PYTHON_MINOR:
        allowed = (
            f"a Python runtime the bundled handler runs on (python3.{MIN_PYTHON_MINOR} or newer: it uses "
            "datetime.UTC and typing.Self)"
        )
        raise PropertyError(prop, runtime.name, allowed)


def lambda_timeout_seconds(preview_seconds: int) -> int:
    """The function's timeout for a preview timeout: 60 s more, at most Lambda's 900 s."""
    return min(preview_seconds + LAMBDA_TIMEOUT_MARGIN_SECONDS, MAX_LAMBDA_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class FunctionSettings:
    """Settings of the stack's one handler function; ``None`` means "not set by this guard".

    See :class:`~ecr_lifecycle_guard.construct.guarded_policy.GuardedLifecyclePolicy` for each prop.
    """

    runtime: lambda_.Runtime | None = None
    log_retention: logs.RetentionDays | None = None
    log_encryption_key: kms.IKey | None = None
    vpc: ec2.IVpc | None = None
    vpc_subnets: ec2.SubnetSelection | None = None
    security_groups: tuple[ec2.ISecurityGroup, ...] | None = None

    @property
    def effective_runtime(self) -> lambda_.Runtime:
        """The runtime the function gets: the one set, else the newest Python runtime."""
        return self.runtime or newest_python_runtime()

    @property
    def effective_log_retention(self) -> logs.RetentionDays:
        """The log retention the function's log group gets."""
        return self.log_retention or DEFAULT_LOG_RETENTION


def function_settings(props: Mapping[str, Any]) -> FunctionSettings:
    """The handler-function settings among a guard's props (absent or ``None``: not set)."""
    groups = props.get("security_groups")
    return FunctionSettings(
        runtime=props.get("runtime"),
        log_retention=props.get("log_retention"),
        log_encryption_key=props.get("log_encryption_key"),
        vpc=props.get("vpc"),
        vpc_subnets=props.get("vpc_subnets"),
        security_groups=None if groups is None else tuple(groups),
    )


def conflicting_setting(current: FunctionSettings, asked: FunctionSettings) -> tuple[str, str, str] | None:
    """The first setting ``asked`` sets differently from ``current``: (prop, asked value, current value)."""
    if asked.runtime is not None and asked.runtime.name != current.effective_runtime.name:
        return "runtime", asked.runtime.name, current.effective_runtime.name
    if asked.log_retention is not None and asked.log_retention != current.effective_log_retention:
        return "log_retention", asked.log_retention.name, current.effective_log_retention.name
    for field in fields(FunctionSettings)[2:]:
        given, mine = getattr(asked, field.name), getattr(current, field.name)
        if given is not None and not _same(given, mine):
            return field.name, _describe(given), _describe(mine)
    return None


def allow_logs_to_use(stack: Stack, key: kms.IKey, provider: Construct) -> None:
    """Let CloudWatch Logs use ``key`` for this account's log groups in the region (its key policy).

    An imported key's policy cannot be changed from here: the provider gets a warning saying what the
    key policy must allow.
    """
    added = key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )
    if not added.statement_added:
        Annotations.of(provider).add_warning_v2(
            "ecr-lifecycle-guard:logEncryptionKeyPolicy",
            "log_encryption_key is an imported key: its key policy must allow the service principal "
            "logs.<region>.amazonaws.com to use it for this account's log groups, or the log group cannot be created",
        )


def acknowledge_design_findings(function: lambda_.Function, role: iam.Role) -> None:
    """Acknowledge :data:`DESIGN_ACKNOWLEDGMENTS` on the function and its role."""
    for construct, rule, reason in DESIGN_ACKNOWLEDGMENTS:
        Validations.of(function if construct == "function" else role).acknowledge(
            Acknowledgment(id=rule, reason=reason)
        )


def _same(given: object, current: object) -> bool:
    if isinstance(given, tuple) and isinstance(current, tuple):
        return len(given) == len(current) and all(a is b for a, b in zip(given, current, strict=True))
    return given is current or (current is not None and given == current)


def _describe(value: object) -> str:
    """A setting as a conflict message shows it: construct paths, or the struct's fields."""
    if value is None:
        return "not set"
    if isinstance(value, tuple):
        return ", ".join(_describe(item) for item in value)
    node = getattr(value, "node", None)  # constructs, and interfaces of imported ones (IVpc, IKey, ...)
    if node is not None:
        return str(node.path)
    return str(value)
