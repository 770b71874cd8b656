"""``InUseDiscoveryRole``: the read-only role a workload account offers the central guard's handler.

A platform team's registry account holds the images; workloads in other accounts run them. The guard's
handler (in the registry account) finds those workloads by assuming one role per workload account
(``in_use_role_arns=``) and listing ECS, Lambda and Batch there. Deploy this construct in each workload
account, in the region of the registry (the handler looks in its own region): it creates that role with
exactly the discovery actions of :mod:`~ecr_lifecycle_guard.construct.in_use_access`, scoped to the
account and region where AWS allows it, and cdk-nag's findings for the ``*`` it needs acknowledged.

Examples
--------
>>> import aws_cdk as cdk
>>> stack = cdk.Stack(cdk.App(), "Workload", env=cdk.Environment(account="222222222222", region="eu-west-1"))
>>> role = InUseDiscoveryRole(stack, "Discovery", trusted_account="111111111111")
>>> InUseDiscoveryRole.arn_in("222222222222")
'arn:aws:iam::222222222222:role/ecr-lifecycle-guard-discovery'
"""

from __future__ import annotations

import re
from typing import Final

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

from ecr_lifecycle_guard.construct.in_use_access import in_use_grants
from ecr_lifecycle_guard.construct.role_policies import RolePolicies
from ecr_lifecycle_guard.contract import parse_registry_id, parse_role_arns
from ecr_lifecycle_guard.errors import PropertyError

__all__ = ["DEFAULT_DISCOVERY_ROLE_NAME", "InUseDiscoveryRole"]

#: The role's name unless given: the same in every workload account, so the central stack can name the ARNs.
DEFAULT_DISCOVERY_ROLE_NAME: Final = "ecr-lifecycle-guard-discovery"
_ROLE_NAME: Final = re.compile(r"[\w+=,.@-]{1,64}")


class InUseDiscoveryRole(Construct):
    """A read-only role in a workload account that the central guard's handler assumes to find workloads.

    Parameters
    ----------
    scope, construct_id
        Where the construct lives (a stack in the workload account, in the registry's region).
    trusted_role_arn
        The central handler role's ARN: only it may assume this role. The role must exist before this
        stack is deployed (IAM checks a trust policy's principal). Exactly one of ``trusted_role_arn``
        and ``trusted_account``.
    trusted_account
        The registry account: principals of that account whose own IAM policy allows
        ``sts:AssumeRole`` on this role may assume it (the guard's handler role allows exactly the ARNs
        in ``in_use_role_arns``). Works in any deploy order.
    role_name
        The role's name. Default: :data:`DEFAULT_DISCOVERY_ROLE_NAME`. One role per region needs a
        name per region.

    Attributes
    ----------
    role
        The ``aws_iam.Role``; ``role.role_arn`` goes into the central guards' ``in_use_role_arns``.

    Raises
    ------
    PropertyError
        When neither or both of the trust props are set, or one is not a role ARN / account id.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        trusted_role_arn: str | None = None,
        trusted_account: str | None = None,
        role_name: str = DEFAULT_DISCOVERY_ROLE_NAME,
    ) -> None:
        super().__init__(scope, construct_id)
        principal: iam.IPrincipal
        if (trusted_role_arn is None) == (trusted_account is None):
            raise PropertyError(
                f"{self.node.path}: trusted_role_arn / trusted_account",
                "both" if trusted_role_arn is not None else "neither",
                "exactly one of trusted_role_arn and trusted_account",
            )
        if trusted_role_arn is not None:
            (arn,) = parse_role_arns(f"{self.node.path}: trusted_role_arn", [trusted_role_arn])
            principal = iam.ArnPrincipal(arn)
        else:
            principal = iam.AccountPrincipal(parse_registry_id(f"{self.node.path}: trusted_account", trusted_account))
        if "${Token[" not in role_name and not _ROLE_NAME.fullmatch(role_name):
            raise PropertyError(
                f"{self.node.path}: role_name", role_name, "an IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-)"
            )
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            assumed_by=principal,
            description="ecr-lifecycle-guard: read-only discovery of the workloads that run images (ProtectInUse)",
        )
        RolePolicies(self, self.role).add_all(in_use_grants(Stack.of(self)))
        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id="NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy",
                reason="the role's only policy: read-only discovery actions for the ecr-lifecycle-guard handler, "
                "deleted with the role",
            )
        )

    @staticmethod
    def arn_in(account: str, *, role_name: str = DEFAULT_DISCOVERY_ROLE_NAME, partition: str = "aws") -> str:
        """The ARN of the discovery role in ``account`` (for the central guards' ``in_use_role_arns``)."""
        return f"arn:{partition}:iam::{account}:role/{role_name}"
