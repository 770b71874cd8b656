"""Which repository a guard manages: its name, ARN, registry and region, and the rules around it.

A repository may carry only one guard in an app (two would overwrite each other's policy), and an owned
``aws_ecr.Repository`` that has ``lifecycle_rules`` may not be guarded (both would put its policy). The
second check runs at synth time, once per stack, because rules can be added after the guard.

The handler acts in its own region (the stack's): a repository known to live in another region is
refused at construction, naming both regions. When the stack's region is only known at deploy time
(an environment-agnostic stack) and the repository's is written in its ARN, a template ``Rule`` makes
CloudFormation refuse the deploy in any other region before it creates anything.

Facts about a stack (account, region, the app's guarded repositories) are looked up once per stack:
every jsii call costs a round trip to Node.js, and a stack may hold hundreds of guards.

Examples
--------
>>> from aws_cdk import App, Stack
>>> stack = Stack(App(), "Demo")
>>> target = named_target(stack, stack, "team/app", None)
>>> target.name, target.literal_name, target.arn_chars
('team/app', 'team/app', 68)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import jsii
from aws_cdk import CfnRule, CfnRuleAssertion, Fn, Stack
from aws_cdk import aws_ecr as ecr
from constructs import Construct, IConstruct, IValidation

from ecr_lifecycle_guard.construct.stack_limits import warn_when_near_resource_limit
from ecr_lifecycle_guard.contract import parse_registry_id, parse_repository_name, region_of_arn
from ecr_lifecycle_guard.errors import PropertyError

__all__ = [
    "WORST_ACCOUNT_CHARS",
    "WORST_NAME_CHARS",
    "WORST_PARTITION_CHARS",
    "WORST_REGION_CHARS",
    "RepositoryTarget",
    "claim",
    "claimed_by",
    "is_unresolved",
    "named_target",
    "repository_target",
]

#: Every string token CDK encodes contains this marker (``${Token[...]}``).
_TOKEN_MARKER = "${Token["
#: Worst-case rendered lengths of the parts of an ARN that are tokens at synth time: the longest
#: partition (``aws-us-gov``), a region name two characters longer than the longest today (14, e.g.
#: ``ap-southeast-5``), an account id, and ECR's longest repository name.
WORST_PARTITION_CHARS = 10
WORST_REGION_CHARS = 16
WORST_ACCOUNT_CHARS = 12
WORST_NAME_CHARS = 256


@dataclass(frozen=True)
class RepositoryTarget:
    """The guarded repository as the custom resource and the IAM policy see it.

    ``key`` identifies the repository across the app (account, region, name) to refuse a second guard;
    ``subject`` (the repository construct or the plain name) names it in that message; ``arn_chars`` is
    the longest the ARN can render to (tokens at their worst case), for sizing the role's policies;
    ``literal_name`` is the name when known at synth time.
    """

    name: str
    arn: str
    registry_id: str | None
    key: str
    subject: IConstruct | str
    arn_chars: int
    literal_name: str | None


@dataclass
class _StackFacts:
    account: str
    region: str
    partition: str
    claims: dict[str, Construct]
    owned: list[tuple[ecr.Repository, Construct, Any]] = field(default_factory=list)
    region_rules: set[str] = field(default_factory=set)
    account_known: bool = False
    region_known: bool = False

    def __post_init__(self) -> None:
        self.account_known = not is_unresolved(self.account)
        self.region_known = not is_unresolved(self.region)


#: Per-stack facts; per-app claims (keyed by the app's root) live inside them.
_FACTS: weakref.WeakKeyDictionary[Stack, _StackFacts] = weakref.WeakKeyDictionary()
_CLAIMS: weakref.WeakKeyDictionary[IConstruct, dict[str, Construct]] = weakref.WeakKeyDictionary()


def _facts(stack: Stack) -> _StackFacts:
    facts = _FACTS.get(stack)
    if facts is None:
        facts = _StackFacts(stack.account, stack.region, stack.partition, _CLAIMS.setdefault(stack.node.root, {}))
        _FACTS[stack] = facts
        stack.node.add_validation(_StackChecks(stack, facts.owned))
    return facts


def repository_target(guard: Construct, stack: Stack, repository: ecr.IRepository) -> RepositoryTarget:
    """The target for an ``aws_ecr.IRepository``, owned or imported.

    An owned ``aws_ecr.Repository`` is also checked, at synth, for ``lifecycle_rules``; it lives in the
    stack's environment (CDK references a repository only from stacks of the same environment). An
    imported repository's account and region come from its ARN when the ARN is written out
    (``from_repository_arn``, ``from_repository_attributes``), else from its environment.

    Raises
    ------
    PropertyError
        When the repository is in another region than the stack.
    """
    facts = _facts(stack)
    account: str | None = None
    region: str | None = None
    if isinstance(repository, ecr.Repository):
        cfn_properties = jsii.get(repository.node.default_child, "cfnProperties")
        facts.owned.append((repository, guard, cfn_properties.get("lifecyclePolicy")))
        physical_name = cfn_properties.get("repositoryName")
        named = isinstance(physical_name, str) and not is_unresolved(physical_name)
        arn = _arn(facts, None, physical_name) if named else repository.repository_arn
    else:
        arn = repository.repository_arn
        physical_name = repository.repository_name
        if is_unresolved(arn):
            account, region = repository.env.account, repository.env.region
        else:
            account, region = _account_and_region(guard, arn)
        account = None if is_unresolved(account) or account == facts.account else account
        region = None if is_unresolved(region) or region == facts.region else region
        if region is not None:
            _require_stack_region(guard, stack, facts, region, arn)
    literal_name = physical_name if isinstance(physical_name, str) and not is_unresolved(physical_name) else None
    return RepositoryTarget(
        name=repository.repository_name,
        arn=arn,
        registry_id=account,
        key=_key(facts, account, region, literal_name or f"construct {id(repository)}"),
        subject=repository,
        arn_chars=len(arn) if not is_unresolved(arn) else _worst_arn_chars(facts, account, region, literal_name),
        literal_name=literal_name,
    )


def named_target(guard: Construct, stack: Stack, name: str, registry_id: str | None) -> RepositoryTarget:
    """The target for a plain repository name (+ registry id) in the stack's region.

    Raises
    ------
    PropertyError
        When the name is not an ECR repository name or the registry id is not 12 digits.
    """
    if not is_unresolved(name):
        parse_repository_name(f"{guard.node.path}: repository_name", name)
    if registry_id is not None and not is_unresolved(registry_id):
        parse_registry_id(f"{guard.node.path}: registry_id", registry_id)
    facts = _facts(stack)
    arn = _arn(facts, registry_id, name)
    literal_name = None if is_unresolved(name) else name
    return RepositoryTarget(
        name=name,
        arn=arn,
        registry_id=registry_id,
        key=_key(facts, registry_id, None, name),
        subject=name,
        arn_chars=_worst_arn_chars(facts, registry_id, None, literal_name),
        literal_name=literal_name,
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


def claimed_by(stack: Stack, repository: ecr.Repository) -> Construct | None:
    """The guard that already manages an owned repository of ``stack`` (by construct or by name), if any."""
    facts = _facts(stack)
    for owned, guard, _ in facts.owned:
        if owned is repository:
            return guard
    name = jsii.get(repository.node.default_child, "cfnProperties").get("repositoryName")
    if isinstance(name, str) and not is_unresolved(name):
        return facts.claims.get(_key(facts, None, None, name))
    return None


def is_unresolved(text: str | None) -> bool:
    """Whether a string holds a CDK token (every encoded string token contains ``${Token[``; no jsii call)."""
    return text is not None and _TOKEN_MARKER in text


def _require_stack_region(guard: Construct, stack: Stack, facts: _StackFacts, region: str, arn: str) -> None:
    """Refuse a repository of another region; for an environment-agnostic stack, let CloudFormation check."""
    if facts.region_known:
        raise PropertyError(
            f"{guard.node.path}: repository",
            arn,
            f"a repository in the stack's region {facts.region} (this one is in {region}; the handler acts in "
            f"its own region, so guard it from a stack in {region})",
        )
    if region not in facts.region_rules:
        facts.region_rules.add(region)
        CfnRule(
            stack,
            f"EcrLifecycleGuardRegion{''.join(part.capitalize() for part in region.split('-'))}",
            assertions=[
                CfnRuleAssertion(
                    assert_=Fn.condition_equals(stack.region, region),
                    assert_description=(
                        f"ecr-lifecycle-guard: this stack guards a repository in {region} (e.g. "
                        f"{guard.node.path}); deploy it in {region}: the handler acts in its own region"
                    ),
                )
            ],
        )


def _arn(facts: _StackFacts, account: str | None, name: str) -> str:
    """The ARN of a repository of the stack's region (tokens kept: CDK renders the string as ``Fn::Join``)."""
    return f"arn:{facts.partition}:ecr:{facts.region}:{account or facts.account}:repository/{name}"


def _account_and_region(guard: Construct, arn: str) -> tuple[str, str]:
    """The account and region an ECR repository ARN names."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "ecr" or not parts[5].startswith("repository/"):
        raise PropertyError(f"{guard.node.path}: repository", arn, "an ECR repository ARN (arn:aws:ecr:...)")
    return parts[4], region_of_arn(arn)


def _worst_arn_chars(facts: _StackFacts, account: str | None, region: str | None, name: str | None) -> int:
    """Longest rendering of ``arn:<partition>:ecr:<region>:<account>:repository/<name>``."""
    region_text = region or facts.region
    account_text = account or facts.account
    region_chars = WORST_REGION_CHARS if _TOKEN_MARKER in region_text else len(region_text)
    account_chars = WORST_ACCOUNT_CHARS if _TOKEN_MARKER in account_text else len(account_text)
    return (
        len("arn::ecr:::repository/")
        + WORST_PARTITION_CHARS
        + region_chars
        + account_chars
        + (WORST_NAME_CHARS if name is None else len(name))
    )


def _key(facts: _StackFacts, account: str | None, region: str | None, name: str) -> str:
    """One repository, whatever way it was named; no account/region means the stack's."""
    return f"{account or facts.account}|{region or facts.region}|{name}"


@jsii.implements(IValidation)
class _StackChecks:
    """The per-stack synth-time checks: no ``lifecycle_rules`` beside a guard, and the resource-count warning.

    The lifecycle-rules check resolves every guarded repository's lifecycle policy in one call.
    """

    def __init__(self, stack: Stack, owned: list[tuple[ecr.Repository, Construct, Any]]) -> None:
        self._stack = stack
        self._owned = owned

    def validate(self) -> list[str]:
        warn_when_near_resource_limit(self._stack)
        if not self._owned:
            return []
        # A mapping, not a list: resolving drops undefined (no lifecycle_rules) list entries.
        rendered = self._stack.resolve({str(index): policy for index, (_, _, policy) in enumerate(self._owned)})
        return [
            f"{repository.node.path} has lifecycle_rules and is guarded by {guard.node.path}: both put the "
            "repository's lifecycle policy and would overwrite each other; remove lifecycle_rules from the "
            "Repository (move them into the guard's rules=), exclude it from a GuardRepositories fleet, or "
            "remove the guard"
            for index, (repository, guard, _) in enumerate(self._owned)
            if (rendered.get(str(index)) or {}).get("lifecyclePolicyText") is not None
        ]
