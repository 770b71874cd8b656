"""Which repository a guard manages: its name, ARN and registry, and the rules around it.

A repository may carry only one guard in an app (two would overwrite each other's policy), and an owned
``aws_ecr.Repository`` that has ``lifecycle_rules`` may not be guarded (both would put its policy). The
second check runs at synth time, once per stack, because rules can be added after the guard.

Facts about a stack (account, region, the app's guarded repositories) are looked up once per stack:
every jsii call costs a round trip to Node.js, and a stack may hold a hundred guards.

Examples
--------
>>> from aws_cdk import App, Stack
>>> stack = Stack(App(), "Demo")
>>> named_target(stack, stack, "app", None).name  # doctest: +SKIP
'app'
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

import jsii
from aws_cdk import Stack, Token
from aws_cdk import aws_ecr as ecr
from constructs import Construct, IConstruct, IValidation

from ecr_lifecycle_guard.errors import PropertyError

__all__ = ["RepositoryTarget", "claim", "named_target", "repository_target"]

_REPOSITORY_NAME = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_REGISTRY_ID = re.compile(r"^\d{12}$")
#: Every string token CDK encodes contains this marker (``${Token[...]}``).
_TOKEN_MARKER = "${Token["


@dataclass(frozen=True)
class RepositoryTarget:
    """The guarded repository as the custom resource and the IAM policy see it.

    ``key`` identifies the repository across the app (account, region, name) to refuse a second guard;
    ``subject`` (the repository construct or the plain name) names it in that message.
    """

    name: str
    arn: str
    registry_id: str | None
    key: str
    subject: IConstruct | str


@dataclass
class _StackFacts:
    account: str
    region: str
    claims: dict[str, Construct]
    owned: list[tuple[ecr.Repository, Construct, Any]] = field(default_factory=list)


#: Per-stack facts; per-app claims (keyed by the app's root) live inside them.
_FACTS: weakref.WeakKeyDictionary[Stack, _StackFacts] = weakref.WeakKeyDictionary()
_CLAIMS: weakref.WeakKeyDictionary[IConstruct, dict[str, Construct]] = weakref.WeakKeyDictionary()


def _facts(stack: Stack) -> _StackFacts:
    facts = _FACTS.get(stack)
    if facts is None:
        facts = _StackFacts(stack.account, stack.region, _CLAIMS.setdefault(stack.node.root, {}))
        _FACTS[stack] = facts
        stack.node.add_validation(_NoLifecycleRulesOnGuardedRepositories(stack, facts.owned))
    return facts


def repository_target(guard: Construct, stack: Stack, repository: ecr.IRepository) -> RepositoryTarget:
    """The target for an ``aws_ecr.IRepository``, owned or imported.

    An owned ``aws_ecr.Repository`` is also checked, at synth, for ``lifecycle_rules``. Its account and
    region are the stack's: CDK references a repository only from stacks of the same environment.
    """
    facts = _facts(stack)
    account: str | None = None
    region: str | None = None
    if isinstance(repository, ecr.Repository):
        cfn_properties = jsii.get(repository.node.default_child, "cfnProperties")
        facts.owned.append((repository, guard, cfn_properties.get("lifecyclePolicy")))
        physical_name = cfn_properties.get("repositoryName")
    else:
        account, region = repository.env.account, repository.env.region
        account = None if _unresolved(account) or account == facts.account else account
        region = None if _unresolved(region) else region
        physical_name = repository.repository_name
    named = isinstance(physical_name, str) and not _unresolved(physical_name)
    return RepositoryTarget(
        name=repository.repository_name,
        arn=repository.repository_arn,
        registry_id=account,
        key=_key(facts, account, region, physical_name if named else f"construct {id(repository)}"),
        subject=repository,
    )


def named_target(guard: Construct, stack: Stack, name: str, registry_id: str | None) -> RepositoryTarget:
    """The target for a plain repository name (+ registry id).

    Raises
    ------
    PropertyError
        When the name is not an ECR repository name or the registry id is not 12 digits.
    """
    if not _unresolved(name) and not (2 <= len(name) <= 256 and _REPOSITORY_NAME.match(name)):
        allowed = "an ECR repository name (2-256 of a-z 0-9 . _ - /)"
        raise PropertyError(f"{guard.node.path}: repository_name", name, allowed)
    if registry_id is not None and not _unresolved(registry_id) and not _REGISTRY_ID.match(registry_id):
        raise PropertyError(f"{guard.node.path}: registry_id", registry_id, "a 12-digit AWS account id")
    facts = _facts(stack)
    arn = stack.format_arn(service="ecr", resource="repository", resource_name=name, account=registry_id)
    return RepositoryTarget(
        name=name,
        arn=arn,
        registry_id=registry_id,
        key=_key(facts, registry_id, None, name),
        subject=name,
    )


def claim(guard: Construct, stack: Stack, target: RepositoryTarget) -> None:
    """Record that ``guard`` manages ``target``; refuse a repository another guard of the app manages.

    Raises
    ------
    PropertyError
        Naming both guards' construct paths.
    """
    claims = _facts(stack).claims
    other = claims.get(target.key)
    if other is not None:
        raise PropertyError(
            f"{guard.node.path}: repository",
            target.subject if isinstance(target.subject, str) else target.subject.node.path,
            f"a repository no other GuardedLifecyclePolicy guards ({other.node.path} already guards it; "
            "two guards would overwrite each other's policy)",
        )
    claims[target.key] = guard


@jsii.implements(IValidation)
class _NoLifecycleRulesOnGuardedRepositories:
    """One synth-time check per stack, resolving every guarded repository's lifecycle policy in one call."""

    def __init__(self, stack: Stack, owned: list[tuple[ecr.Repository, Construct, Any]]) -> None:
        self._stack = stack
        self._owned = owned

    def validate(self) -> list[str]:
        if not self._owned:
            return []
        # A mapping, not a list: resolving drops undefined (no lifecycle_rules) list entries.
        rendered = self._stack.resolve({str(index): policy for index, (_, _, policy) in enumerate(self._owned)})
        return [
            f"{repository.node.path} has lifecycle_rules and is guarded by {guard.node.path}: both put the "
            "repository's lifecycle policy and would overwrite each other; remove lifecycle_rules from the "
            "Repository (move them into the guard's rules=) or remove the guard"
            for index, (repository, guard, _) in enumerate(self._owned)
            if (rendered.get(str(index)) or {}).get("lifecyclePolicyText") is not None
        ]


def _key(facts: _StackFacts, account: str | None, region: str | None, name: str) -> str:
    """One repository, whatever way it was named; no account/region means the stack's."""
    return f"{account or facts.account}|{region or facts.region}|{name}"


def _unresolved(text: str) -> bool:
    """``Token.is_unresolved`` for strings, asked only when the text holds a token marker (saves a jsii call)."""
    return _TOKEN_MARKER in text and Token.is_unresolved(text)
