"""CloudFormation's 500-resources-per-stack limit: warn at synth before a stack of guards reaches it.

Each guarded repository adds one ``Custom::EcrLifecyclePolicy`` (and an owned repository one more), so a
fleet of a few hundred repositories per stack nears the limit that CloudFormation (and ``cdk synth``)
enforces. At :data:`RESOURCE_WARNING_THRESHOLD` resources a stack that holds a guard gets the warning
:data:`NEAR_RESOURCE_LIMIT_WARNING` (``Annotations.add_warning_v2``; ``cdk synth --strict`` fails on it,
``Validations.of(stack).acknowledge`` silences it), naming the count and how to spread the fleet.

Examples
--------
>>> from aws_cdk import App, Stack
>>> stack = Stack(App(), "Demo")
>>> count_stack_resources(stack)
0
"""

from __future__ import annotations

import weakref
from typing import Final

from aws_cdk import Annotations, CfnResource, Stack

__all__ = [
    "NEAR_RESOURCE_LIMIT_WARNING",
    "RESOURCE_WARNING_THRESHOLD",
    "STACK_RESOURCE_LIMIT",
    "count_stack_resources",
    "warn_when_near_resource_limit",
]

#: CloudFormation's limit on resources per stack.
STACK_RESOURCE_LIMIT: Final = 500
#: From this many resources on, a stack with guards carries the warning.
RESOURCE_WARNING_THRESHOLD: Final = 450
#: The warning's id (``Annotations.add_warning_v2``).
NEAR_RESOURCE_LIMIT_WARNING: Final = "ecr-lifecycle-guard:stackNearResourceLimit"

_WARNED: weakref.WeakSet[Stack] = weakref.WeakSet()


def count_stack_resources(stack: Stack) -> int:
    """The CloudFormation resources of ``stack`` itself (a nested stack's own resources are not counted).

    One jsii call lists the stack's constructs; each is classified in Python.
    """
    nodes = stack.node.find_all()
    count = sum(1 for node in nodes if isinstance(node, CfnResource))
    for nested in (node for node in nodes if isinstance(node, Stack) and node is not stack):
        count -= sum(1 for node in nested.node.find_all() if isinstance(node, CfnResource))
    return count


def warn_when_near_resource_limit(stack: Stack) -> None:
    """Warn once (per stack) when ``stack`` holds :data:`RESOURCE_WARNING_THRESHOLD` resources or more."""
    if stack in _WARNED:
        return
    count = count_stack_resources(stack)
    if count < RESOURCE_WARNING_THRESHOLD:
        return
    _WARNED.add(stack)
    Annotations.of(stack).add_warning_v2(
        NEAR_RESOURCE_LIMIT_WARNING,
        f"{stack.node.path} holds {count} of CloudFormation's {STACK_RESOURCE_LIMIT} resources per stack (each "
        "guarded repository adds a Custom::EcrLifecyclePolicy); spread the repositories over more stacks before "
        "it stops deploying: one GuardRepositories per stack, or stacks per team/account in CDK stages "
        "(docs/fleet.md, 'Spreading a fleet over stacks')",
    )
