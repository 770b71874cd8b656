"""The AWS CDK side: the ``GuardedLifecyclePolicy`` construct and typed lifecycle rules.

Examples
--------
>>> from ecr_lifecycle_guard.construct import GuardedLifecyclePolicy, LifecycleRuleSpec  # doctest: +SKIP
"""

from __future__ import annotations

from ecr_lifecycle_guard.construct.guarded_policy import (
    DEFAULT_LOG_RETENTION,
    DEFAULT_PREVIEW_TIMEOUT,
    DEFAULT_REMOVAL_POLICY,
    RESOURCE_TYPE,
    GuardedLifecyclePolicy,
)
from ecr_lifecycle_guard.construct.provider import ECR_LIFECYCLE_ACTIONS, GuardProvider, newest_python_runtime
from ecr_lifecycle_guard.construct.rules import CountType, LifecycleRuleSpec, RuleAction, RuleInput, StorageClass

__all__ = [
    "DEFAULT_LOG_RETENTION",
    "DEFAULT_PREVIEW_TIMEOUT",
    "DEFAULT_REMOVAL_POLICY",
    "ECR_LIFECYCLE_ACTIONS",
    "RESOURCE_TYPE",
    "CountType",
    "GuardProvider",
    "GuardedLifecyclePolicy",
    "LifecycleRuleSpec",
    "RuleAction",
    "RuleInput",
    "StorageClass",
    "newest_python_runtime",
]
