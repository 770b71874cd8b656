"""Preview, gate and then apply Amazon ECR lifecycle policies from AWS CDK.

The construct is loaded lazily so that the Lambda handler, the command line and the policy engine
can import this package without importing ``aws_cdk``.

Examples
--------
>>> from ecr_lifecycle_guard import GuardedLifecyclePolicy, GuardRepositories, InUseDiscoveryRole
>>> GuardedLifecyclePolicy.__module__
'ecr_lifecycle_guard.construct.guarded_policy'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ecr_lifecycle_guard.errors import (
    GateBlockedError,
    GuardError,
    PolicyValidationError,
    PreviewError,
)

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.construct import (
        GuardedLifecyclePolicy,
        GuardRepositories,
        InUseDiscoveryRole,
        LifecycleRuleSpec,
        RepositoryGuardAspect,
    )

__version__ = "0.1.0"

__all__ = [
    "GateBlockedError",
    "GuardError",
    "GuardRepositories",
    "GuardedLifecyclePolicy",
    "InUseDiscoveryRole",
    "LifecycleRuleSpec",
    "PolicyValidationError",
    "PreviewError",
    "RepositoryGuardAspect",
    "__version__",
]

_LAZY = {
    "GuardedLifecyclePolicy",
    "GuardRepositories",
    "InUseDiscoveryRole",
    "LifecycleRuleSpec",
    "RepositoryGuardAspect",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from ecr_lifecycle_guard import construct

        return getattr(construct, name)
    raise AttributeError(f"module 'ecr_lifecycle_guard' has no attribute {name!r}")
