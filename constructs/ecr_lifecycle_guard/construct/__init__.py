"""The AWS CDK side: the ``GuardedLifecyclePolicy`` construct, fleets of guards and typed lifecycle rules.

Examples
--------
>>> from ecr_lifecycle_guard.construct import GuardedLifecyclePolicy, GuardRepositories, LifecycleRuleSpec
>>> LifecycleRuleSpec.keep_last(5).count_number
5
"""

from __future__ import annotations

from ecr_lifecycle_guard.construct.bootstrap import CDK_BOOTSTRAP_ASSETS_POLICY, bootstrap_repository_name
from ecr_lifecycle_guard.construct.discovery_role import DEFAULT_DISCOVERY_ROLE_NAME, InUseDiscoveryRole
from ecr_lifecycle_guard.construct.fleet import GuardRepositories, RepositoryGuardAspect
from ecr_lifecycle_guard.construct.function_settings import DEFAULT_LOG_RETENTION, newest_python_runtime
from ecr_lifecycle_guard.construct.guarded_policy import (
    DEFAULT_PREVIEW_TIMEOUT,
    DEFAULT_REMOVAL_POLICY,
    RESOURCE_TYPE,
    GuardedLifecyclePolicy,
)
from ecr_lifecycle_guard.construct.in_use_access import DISCOVERY_ACTIONS
from ecr_lifecycle_guard.construct.provider import ECR_LIFECYCLE_ACTIONS, GuardProvider
from ecr_lifecycle_guard.construct.rules import CountType, LifecycleRuleSpec, RuleAction, RuleInput, StorageClass
from ecr_lifecycle_guard.construct.stack_limits import NEAR_RESOURCE_LIMIT_WARNING, RESOURCE_WARNING_THRESHOLD

__all__ = [
    "CDK_BOOTSTRAP_ASSETS_POLICY",
    "DEFAULT_DISCOVERY_ROLE_NAME",
    "DEFAULT_LOG_RETENTION",
    "DEFAULT_PREVIEW_TIMEOUT",
    "DEFAULT_REMOVAL_POLICY",
    "DISCOVERY_ACTIONS",
    "ECR_LIFECYCLE_ACTIONS",
    "NEAR_RESOURCE_LIMIT_WARNING",
    "RESOURCE_TYPE",
    "RESOURCE_WARNING_THRESHOLD",
    "CountType",
    "GuardProvider",
    "GuardRepositories",
    "GuardedLifecyclePolicy",
    "InUseDiscoveryRole",
    "LifecycleRuleSpec",
    "RepositoryGuardAspect",
    "RuleAction",
    "RuleInput",
    "StorageClass",
    "bootstrap_repository_name",
    "newest_python_runtime",
]
