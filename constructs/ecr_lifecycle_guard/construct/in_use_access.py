"""The read-only permissions in-use discovery needs, scoped as tightly as each AWS service allows.

Discovery (``ProtectInUse``) lists the workloads of the guarded repository's account and region: ECS
clusters, services, tasks and task definitions, Lambda functions with their aliases and versions, and
AWS Batch job definitions. Per the Service Authorization Reference:

===========================================  ==============================================================
action                                       resource the action can be scoped to
===========================================  ==============================================================
``ecs:ListClusters``                         none: ``*`` only
``ecs:ListServices``                         none: ``*`` only (condition ``ecs:cluster``)
``ecs:ListTasks``                            ``container-instance``; listing a whole cluster is authorized
                                             on ``*`` (with condition ``ecs:cluster``), so ``*``
``ecs:DescribeTaskDefinition``               none: ``*`` only
``ecs:DescribeServices``                     ``service``: ``arn:<partition>:ecs:<region>:<account>:service/*``
``ecs:DescribeTasks``                        ``task``: ``arn:<partition>:ecs:<region>:<account>:task/*``
``lambda:ListFunctions``                     none: ``*`` only
``lambda:ListAliases``, ``GetFunction``      ``function``: ``arn:<partition>:lambda:<region>:<account>:function:*``
``batch:DescribeJobDefinitions``             none: ``*`` only
===========================================  ==============================================================

Every ``*`` (and every scoped ARN ending in ``*``) raises cdk-nag's ``AwsSolutions-IAM5`` with a finding
per resource; :func:`in_use_grants` names each finding with its reason, and the role's policies
acknowledge exactly those on the policy that holds them. :data:`DISCOVERY_ACTIONS` is also what a
workload account's :class:`~ecr_lifecycle_guard.construct.discovery_role.InUseDiscoveryRole` allows.

Examples
--------
>>> import aws_cdk as cdk
>>> grants = in_use_grants(cdk.Stack(cdk.App(), "Demo"))
>>> [grant.finding for grant in grants][:2]
['Resource::*', 'Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*']
"""

from __future__ import annotations

from typing import Final

from aws_cdk import ArnFormat, Stack

from ecr_lifecycle_guard.construct.role_policies import Grant, nag_resource_finding
from ecr_lifecycle_guard.construct.target import WORST_ACCOUNT_CHARS, WORST_PARTITION_CHARS, WORST_REGION_CHARS

__all__ = [
    "ASSUME_ROLE_ACTIONS",
    "DISCOVERY_ACTIONS",
    "LIST_ONLY_ACTIONS",
    "SCOPED_ACTIONS",
    "assume_role_grant",
    "in_use_grants",
]

#: Actions AWS authorizes only on ``*``.
LIST_ONLY_ACTIONS: Final = (
    "ecs:ListClusters",
    "ecs:ListServices",
    "ecs:ListTasks",
    "ecs:DescribeTaskDefinition",
    "lambda:ListFunctions",
    "batch:DescribeJobDefinitions",
)
#: Actions with a resource type: (service, resource pattern after ``arn:<p>:<service>:<r>:<a>:``, actions).
SCOPED_ACTIONS: Final = (
    ("ecs", "service/*", ("ecs:DescribeServices",)),
    ("ecs", "task/*", ("ecs:DescribeTasks",)),
    ("lambda", "function:*", ("lambda:ListAliases", "lambda:GetFunction")),
)
#: Every action discovery calls (what a workload account's discovery role allows).
DISCOVERY_ACTIONS: Final = LIST_ONLY_ACTIONS + tuple(action for _, _, actions in SCOPED_ACTIONS for action in actions)
#: What the handler needs to look into other accounts.
ASSUME_ROLE_ACTIONS: Final = ("sts:AssumeRole",)

_LIST_ONLY_REASON = (
    "in-use discovery (ProtectInUse): {actions} are read-only list/describe actions that AWS authorizes only "
    "on Resource '*' (Service Authorization Reference; ecs:ListTasks over a whole cluster is authorized on '*')"
)
_SCOPED_REASON = (
    "in-use discovery (ProtectInUse): read-only {actions} on every {service} {kind} of this account and region "
    "(the workloads that may run the guarded images are not known at synth time)"
)


def in_use_grants(stack: Stack) -> list[Grant]:
    """The discovery grants for ``stack``'s account and region, each with its cdk-nag finding and reason.

    The ``*``-only actions form one statement (one finding, ``Resource::*``); each scoped group its own.
    """
    grants = [
        Grant(
            LIST_ONLY_ACTIONS,
            "*",
            finding="Resource::*",
            reason=_LIST_ONLY_REASON.format(actions=", ".join(LIST_ONLY_ACTIONS)),
        )
    ]
    for service, pattern, actions in SCOPED_ACTIONS:
        slash = "/" in pattern
        resource_type, _, resource_name = pattern.partition("/" if slash else ":")
        arn = stack.format_arn(
            service=service,
            resource=resource_type,
            resource_name=resource_name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME if slash else ArnFormat.COLON_RESOURCE_NAME,
        )
        grants.append(
            Grant(
                actions,
                arn,
                chars=_worst_chars(stack, service, pattern),
                finding=nag_resource_finding(stack, arn),
                reason=_SCOPED_REASON.format(actions=", ".join(actions), service=service, kind=resource_type),
            )
        )
    return grants


def assume_role_grant(role_arn: str) -> Grant:
    """``sts:AssumeRole`` on exactly one role ARN (a workload account's discovery role)."""
    return Grant(ASSUME_ROLE_ACTIONS, role_arn)


def _worst_chars(stack: Stack, service: str, pattern: str) -> int:
    """``arn:<partition>:<service>:<region>:<account>:<pattern>`` at its longest."""
    region = stack.region
    account = stack.account
    region_chars = WORST_REGION_CHARS if "${Token[" in region else len(region)
    account_chars = WORST_ACCOUNT_CHARS if "${Token[" in account else len(account)
    return len(f"arn:::{service}:::{pattern}") + WORST_PARTITION_CHARS + region_chars + account_chars
