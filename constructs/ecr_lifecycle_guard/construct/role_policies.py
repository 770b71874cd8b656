"""The handler role's permissions, packed into policies that stay within IAM's size limits.

IAM limits a role to 10,240 characters of inline policy (all inline policies together, whitespace not
counted) and each customer managed policy to 6,144 characters, with at most 10 managed policies attached
by default. One statement naming 200 realistic repository ARNs is already 17,000 characters, so
:class:`RolePolicies` packs grants (actions on one resource each) into documents in order: the role's
inline default policy first, then customer managed policies attached to the role, each filled until its
worst-case rendered size (tokens at their longest: see :mod:`ecr_lifecycle_guard.construct.target`) would
cross its limit. Every resource stays named exactly; when all documents are full, :meth:`RolePolicies.add`
raises :class:`PolicyCapacityError` saying how many grants fit.

Statements are rendered at synth from Python lists (one jsii call per statement, not per resource).
A grant may name the cdk-nag finding its resource raises (``AwsSolutions-IAM5[Resource::...]``); it is
acknowledged, with the grant's reason, on the document the grant lands in.

Examples
--------
>>> import aws_cdk as cdk
>>> from aws_cdk import aws_iam as iam
>>> stack = cdk.Stack(cdk.App(), "Demo")
>>> role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
>>> policies = RolePolicies(stack, role)
>>> policies.add(Grant(("ecr:GetLifecyclePolicy",), "arn:aws:ecr:us-east-1:123456789012:repository/app"))
>>> policies.document_count, policies.grant_count
(1, 1)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import jsii
from aws_cdk import Acknowledgment, IStableListProducer, Lazy, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from ecr_lifecycle_guard.errors import GuardError

__all__ = [
    "INLINE_POLICY_LIMIT",
    "MANAGED_POLICY_LIMIT",
    "MAX_MANAGED_POLICIES",
    "Grant",
    "PolicyCapacityError",
    "RolePolicies",
    "nag_resource_finding",
]

#: IAM's limit on the aggregate size of a role's inline policies (characters, whitespace not counted).
INLINE_POLICY_LIMIT: Final = 10_240
#: IAM's limit on the size of one customer managed policy.
MANAGED_POLICY_LIMIT: Final = 6_144
#: IAM's default limit on managed policies attached to one role.
MAX_MANAGED_POLICIES: Final = 10
#: Characters kept free in every document (rounding in the estimates).
_SAFETY_MARGIN: Final = 64
#: ``{"Statement":[],"Version":"2012-10-17"}``
_DOCUMENT_OVERHEAD: Final = len(json.dumps({"Statement": [], "Version": "2012-10-17"}, separators=(",", ":")))


class PolicyCapacityError(GuardError):
    """The role's policies cannot name one more resource within IAM's limits.

    ``grant_count`` is how many grants the documents hold (how many fit).
    """

    def __init__(self, grant_count: int) -> None:
        self.grant_count = grant_count
        super().__init__(
            f"the handler role's policies are full: {grant_count} grants fit in IAM's limits "
            f"({INLINE_POLICY_LIMIT:,} inline + {MAX_MANAGED_POLICIES} x {MANAGED_POLICY_LIMIT:,} managed characters)"
        )


@dataclass(frozen=True)
class Grant:
    """Allow ``actions`` on one ``resource`` (an ARN, possibly with tokens, or ``*``).

    ``chars`` is the longest the resource renders to (default: its length as written); ``finding`` the
    cdk-nag finding it raises (e.g. ``Resource::*``) and ``reason`` why it is acceptable.
    """

    actions: tuple[str, ...]
    resource: str
    chars: int | None = None
    finding: str | None = None
    reason: str | None = None

    @property
    def rendered_chars(self) -> int:
        """The resource's worst-case length in the document (with its quotes and a comma)."""
        return (len(self.resource) if self.chars is None else self.chars) + 3


@dataclass
class _Document:
    construct: IConstruct
    budget: int
    add_statement: Any
    used: int = _DOCUMENT_OVERHEAD
    statements: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def cost(self, grant: Grant) -> int:
        if grant.resource in self.statements.get(grant.actions, ()):
            return 0
        opening = 0 if grant.actions in self.statements else _statement_overhead(grant.actions)
        return opening + grant.rendered_chars


class RolePolicies:
    """The role's documents: its inline default policy, then up to :data:`MAX_MANAGED_POLICIES` managed ones.

    Parameters
    ----------
    scope
        Where the managed policies are created (``RepositoryPolicy1``, ``RepositoryPolicy2``, ...).
    role
        The role the documents belong to.
    inline_budget
        Characters of inline policy this packer may use. Default: :data:`INLINE_POLICY_LIMIT`.
    """

    def __init__(self, scope: Construct, role: iam.Role, *, inline_budget: int = INLINE_POLICY_LIMIT) -> None:
        self._scope = scope
        self._role = role
        self._documents: list[_Document] = []
        self._inline_budget = inline_budget
        self.grant_count = 0

    @property
    def document_count(self) -> int:
        """How many documents hold grants (the inline one included)."""
        return len(self._documents)

    @property
    def managed_policies(self) -> list[IConstruct]:
        """The managed policies created so far (a function that must wait for its permissions depends on them)."""
        return [document.construct for document in self._documents[1:]]

    def add(self, grant: Grant) -> None:
        """Place ``grant`` in the first document it fits in, opening a managed policy when none has room.

        Raises
        ------
        PolicyCapacityError
            When :data:`MAX_MANAGED_POLICIES` managed policies are full.
        """
        for document in self._documents:
            cost = document.cost(grant)
            if document.used + cost <= document.budget:
                self._place(document, grant, cost)
                return
        if len(self._documents) > MAX_MANAGED_POLICIES:
            raise PolicyCapacityError(self.grant_count)
        document = self._open_document()
        cost = document.cost(grant)
        if document.used + cost > document.budget:
            raise PolicyCapacityError(self.grant_count)
        self._place(document, grant, cost)

    def add_all(self, grants: Sequence[Grant]) -> None:
        """:meth:`add` each grant in order."""
        for grant in grants:
            self.add(grant)

    def _open_document(self) -> _Document:
        if not self._documents:
            document = _Document(self._role, self._inline_budget - _SAFETY_MARGIN, self._role.add_to_principal_policy)
        else:
            policy = iam.ManagedPolicy(
                self._scope,
                f"RepositoryPolicy{len(self._documents)}",
                description="ecr-lifecycle-guard handler: permissions beyond the role's inline policy",
                roles=[self._role],
            )
            document = _Document(policy, MANAGED_POLICY_LIMIT - _SAFETY_MARGIN, policy.add_statements)
        self._documents.append(document)
        return document

    def _place(self, document: _Document, grant: Grant, cost: int) -> None:
        if cost == 0:
            return
        resources = document.statements.get(grant.actions)
        if resources is None:
            resources = document.statements[grant.actions] = []
            document.add_statement(
                iam.PolicyStatement(actions=list(grant.actions), resources=Lazy.list(_ListOf(resources)))
            )
        resources.append(grant.resource)
        document.used += cost
        self.grant_count += 1
        if grant.finding is not None:
            self._acknowledge(document, grant.finding, grant.reason or "")

    def _acknowledge(self, document: _Document, finding: str, reason: str) -> None:
        reasons = document.reasons.setdefault(finding, [])
        if reason in reasons:
            return
        reasons.append(reason)
        target = document.construct
        if target is self._role:  # findings are reported on the role's default policy
            target = self._role.node.find_child("DefaultPolicy")
        Validations.of(target).acknowledge(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason="; ".join(reasons))
        )


def nag_resource_finding(stack: Stack, resource: str) -> str:
    """The cdk-nag finding (``Resource::...``) a wildcard resource raises, as cdk-nag flattens it.

    cdk-nag renders ``Ref`` as ``<Name>``, ``Fn::GetAtt`` as ``<Resource.Attribute>`` and joins ``Fn::Join``.
    """
    return f"Resource::{_flatten(stack.resolve(resource))}"


def _flatten(node: Any) -> str:
    """Mirror of cdk-nag's ``flattenCfnReference`` (utils/flatten-cfn-reference.ts)."""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(_flatten(item) for item in items)
        if "Fn::Sub" in node:
            return _flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
        if "Ref" in node:
            return f"<{_flatten(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def _statement_overhead(actions: tuple[str, ...]) -> int:
    """Size of a statement with no resources, and the comma before it."""
    action: str | list[str] = actions[0] if len(actions) == 1 else list(actions)
    return len(json.dumps({"Action": action, "Effect": "Allow", "Resource": []}, separators=(",", ":"))) + 1


@jsii.implements(IStableListProducer)
class _ListOf:
    """Renders a Python list at synth: one callback instead of one jsii call per resource."""

    def __init__(self, items: list[str]) -> None:
        self._items = items

    def produce(self, context: object = None) -> list[str]:
        return list(self._items)
