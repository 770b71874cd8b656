"""Guard a whole fleet in one line: every ``aws_ecr.Repository`` in a scope, plus repositories named.

:class:`RepositoryGuardAspect` is a CDK Aspect: added to a scope (a stack, a stage, the app), it gives
every owned ``aws_ecr.Repository`` below it a :class:`GuardedLifecyclePolicy` with one standard policy
and limits, with per-repository ``overrides`` and ``exclude`` (keys: a repository's name or its
construct path). A repository that already has its own guard keeps it. :class:`GuardRepositories` is
the same as a construct: it adds the aspect to its scope (priority ``AspectPriority.MUTATING``, so that
aspects such as ``Tags`` and ``PermissionsBoundary`` also reach the guards' resources) and guards the
``repository_names`` given (repositories CDK does not model) right away. An override or exclusion that
matches no repository fails ``cdk synth`` (a typo would otherwise go unnoticed).

Guards of repositories in the construct's own stack are created under it (their ids are the
repositories' paths in the stack); others (a stage or app scope) next to their repository, as
``<repository id>LifecyclePolicy``.

Examples
--------
>>> import aws_cdk as cdk
>>> from aws_cdk import aws_ecr as ecr
>>> from ecr_lifecycle_guard.construct.rules import LifecycleRuleSpec
>>> stack = cdk.Stack(cdk.App(), "Images")
>>> for team in ("api", "web"):
...     _ = ecr.Repository(stack, team.capitalize(), repository_name=f"platform/{team}")
>>> fleet = GuardRepositories(stack, "Fleet", rules=[LifecycleRuleSpec.keep_last(100)], max_expiring_percent=10,
...                           overrides={"platform/web": {"max_expiring_percent": 50}})
>>> template = cdk.assertions.Template.from_stack(stack)
>>> len(template.find_resources("Custom::EcrLifecyclePolicy"))
2
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Mapping, Sequence
from typing import Any

import jsii
from aws_cdk import AspectPriority, Aspects, IAspect, Stack
from aws_cdk import aws_ecr as ecr
from constructs import Construct, IConstruct, IValidation

from ecr_lifecycle_guard.construct.function_settings import check_runtime, function_settings, lambda_timeout_seconds
from ecr_lifecycle_guard.construct.guarded_policy import GuardedLifecyclePolicy
from ecr_lifecycle_guard.construct.provider import GuardProvider
from ecr_lifecycle_guard.construct.target import claimed_by, is_unresolved
from ecr_lifecycle_guard.contract import DEFAULT_PREVIEW_TIMEOUT_SECONDS, parse_preview_timeout
from ecr_lifecycle_guard.errors import PropertyError

__all__ = ["GUARD_PROPS", "GuardRepositories", "RepositoryGuardAspect"]

#: The props a fleet passes to each guard (every prop of the guard except which repository it guards).
GUARD_PROPS: frozenset[str] = frozenset(
    name
    for name, parameter in inspect.signature(GuardedLifecyclePolicy.__init__).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
) - {"repository", "repository_name", "registry_id"}
_RULE_SOURCES = ("rules", "policy")


@jsii.implements(IAspect)
class RepositoryGuardAspect:
    """Guard every ``aws_ecr.Repository`` the aspect visits with one standard policy and limits.

    Parameters
    ----------
    overrides
        Per repository (key: its name, or its construct path), props that replace the standard ones;
        an override with ``rules`` or ``policy`` replaces the standard rules. Default: none.
    exclude
        Repositories (names or construct paths) to leave unguarded. Default: none.
    home
        Where guards of repositories in the same stack are created. Default: next to each repository.
    guard_props
        Every other :class:`GuardedLifecyclePolicy` prop (``rules`` or ``policy``, limits, function
        settings, ...), applied to every guard.

    Raises
    ------
    PropertyError
        When a prop name is not a guard prop (naming it and the allowed names).
    """

    def __init__(
        self,
        *,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        exclude: Sequence[str] = (),
        home: Construct | None = None,
        **guard_props: Any,
    ) -> None:
        _check_props("RepositoryGuardAspect", guard_props)
        for key, override in (overrides or {}).items():
            _check_props(f"RepositoryGuardAspect overrides[{key!r}]", override)
        if isinstance(exclude, str):
            raise PropertyError("RepositoryGuardAspect exclude", exclude, "a list of repository names or paths")
        self._props = _shared_rules(guard_props)
        self._overrides = {key: _shared_rules(value) for key, value in (overrides or {}).items()}
        self._exclude = frozenset(exclude)
        self._home = home
        self._home_stack: Stack | None = None if home is None else Stack.of(home)
        #: Override and exclude keys that matched a repository.
        self.matched: set[str] = set()
        #: The guards this aspect created.
        self.guards: list[GuardedLifecyclePolicy] = []

    def visit(self, node: IConstruct) -> None:
        """Guard ``node`` if it is an owned ECR repository that is not excluded or guarded already.

        On a stack that holds repositories, the stack's handler function is created first, before its
        children are visited: with CDK's legacy (non-stabilizing) aspect invocation, constructs added to
        an already visited scope are not visited by other aspects (``Tags``, ``PermissionsBoundary``).
        """
        if isinstance(node, Stack):
            self._prepare(node)
            return
        if not isinstance(node, ecr.Repository):
            return
        keys = _keys(node)
        excluded = [key for key in keys if key in self._exclude]
        stack = Stack.of(node)
        if excluded:
            self.matched.update(excluded)
            return
        if claimed_by(stack, node) is not None:
            return
        if self._home is not None and stack is self._home_stack:
            parent, construct_id = self._home, node.node.path[len(stack.node.path) + 1 :]
        else:
            parent, construct_id = _scope_of(node, stack), f"{node.node.id}LifecyclePolicy"
        self.guard(parent, construct_id, keys, repository=node)

    def _prepare(self, stack: Stack) -> None:
        """Create ``stack``'s handler function when the stack holds a repository this aspect may guard."""
        nodes = stack.node.find_all()
        if any(isinstance(node, Stack) and node is not stack for node in nodes):
            repositories = [n for n in nodes if isinstance(n, ecr.Repository) and Stack.of(n) is stack]
        else:
            repositories = [n for n in nodes if isinstance(n, ecr.Repository)]
        if self._exclude:
            repositories = [r for r in repositories if not self._exclude.intersection(_keys(r))]
        if not repositories:
            return
        runtime = self._props.get("runtime")
        if runtime is not None:
            check_runtime("RepositoryGuardAspect runtime", runtime)
        GuardProvider.of(stack, stack, function_settings(self._props), timeout_seconds=_lambda_seconds(self._props))

    def guard(
        self, parent: Construct, construct_id: str, keys: Sequence[str | None], **target: Any
    ) -> GuardedLifecyclePolicy:
        """Create the guard of one repository (``target``: ``repository=`` or ``repository_name=``)."""
        props = dict(self._props)
        for key in keys:
            override = self._overrides.get(key) if key is not None else None
            if override is not None:
                self.matched.add(key)  # type: ignore[arg-type]
                if any(source in override for source in _RULE_SOURCES):
                    for source in _RULE_SOURCES:
                        props.pop(source, None)
                props |= override
        guard = GuardedLifecyclePolicy(parent, construct_id, **target, **props)
        self.guards.append(guard)
        return guard

    def unmatched(self) -> list[str]:
        """Override and exclude keys no repository matched (typos)."""
        keys = set(self._overrides) | self._exclude
        return sorted(keys - self.matched)


class GuardRepositories(Construct):
    """Guard every ``aws_ecr.Repository`` in ``scope`` and the ``repository_names`` given, in one line.

    Parameters
    ----------
    scope, construct_id
        Where the construct lives; its aspect covers every repository below ``scope``.
    repository_names
        Repositories CDK does not model (imported, bootstrap, another team's) to guard as well, in the
        stack's region. Default: none.
    registry_id
        The registry of ``repository_names``. Default: the stack's account.
    overrides
        Per repository (name or construct path), props that replace the standard ones. Default: none.
    exclude
        Repositories (names or construct paths) to leave unguarded. Default: none.
    guard_props
        Every other :class:`GuardedLifecyclePolicy` prop: ``rules`` or ``policy``, the limits,
        ``protect_in_use``, function settings, ... applied to every guard.

    Attributes
    ----------
    aspect
        The :class:`RepositoryGuardAspect` added to ``scope``; ``aspect.guards`` lists the guards (after
        synth for the repositories found).

    Raises
    ------
    PropertyError
        A prop name is not a guard prop; any guard's own errors (naming its path).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository_names: Sequence[str] = (),
        registry_id: str | None = None,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        exclude: Sequence[str] = (),
        **guard_props: Any,
    ) -> None:
        super().__init__(scope, construct_id)
        if isinstance(repository_names, str):
            raise PropertyError(f"{self.node.path}: repository_names", repository_names, "a list of repository names")
        self.aspect = RepositoryGuardAspect(overrides=overrides, exclude=exclude, home=self, **guard_props)
        for name in repository_names:
            if name in exclude:
                self.aspect.matched.add(name)
            else:
                self.aspect.guard(self, name, [name], repository_name=name, registry_id=registry_id)
        Aspects.of(scope).add(self.aspect, priority=AspectPriority.MUTATING)
        self.node.add_validation(_EveryKeyMatched(self, self.aspect))

    @property
    def guards(self) -> list[GuardedLifecyclePolicy]:
        """The guards created so far (the repositories found are guarded when the app synthesizes)."""
        return list(self.aspect.guards)


@jsii.implements(IValidation)
class _EveryKeyMatched:
    def __init__(self, fleet: GuardRepositories, aspect: RepositoryGuardAspect) -> None:
        self._fleet = fleet
        self._aspect = aspect

    def validate(self) -> list[str]:
        return [
            f"{self._fleet.node.path}: overrides/exclude key {key!r} matches no repository in the scope (expected "
            "a repository name or construct path)"
            for key in self._aspect.unmatched()
        ]


def _scope_of(repository: ecr.Repository, stack: Stack) -> Construct:
    """The repository's parent (a guard of it is created next to it)."""
    scope = repository.node.scope
    return scope if isinstance(scope, Construct) else stack


def _keys(repository: ecr.Repository) -> list[str | None]:
    """How overrides and exclusions name a repository: its (literal) name and its construct path."""
    name = jsii.get(repository.node.default_child, "cfnProperties").get("repositoryName")
    return [name if isinstance(name, str) and not is_unresolved(name) else None, repository.node.path]


def _lambda_seconds(props: Mapping[str, Any]) -> int:
    """The function timeout the standard props ask for (a bad preview timeout is reported by the guards)."""
    timeout = props.get("preview_timeout")
    seconds = DEFAULT_PREVIEW_TIMEOUT_SECONDS
    if timeout is not None:
        with contextlib.suppress(PropertyError):
            seconds = parse_preview_timeout("preview_timeout", timeout.to_seconds(integral=False))
    return lambda_timeout_seconds(seconds)


def _shared_rules(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with ``rules`` as one tuple: every guard then shares its rendering (rendered once)."""
    shared = dict(props)
    if isinstance(shared.get("rules"), list):
        shared["rules"] = tuple(shared["rules"])
    return shared


def _check_props(where: str, props: Mapping[str, Any]) -> None:
    unknown = sorted(set(props) - GUARD_PROPS)
    if unknown:
        raise PropertyError(where, unknown, f"GuardedLifecyclePolicy props ({', '.join(sorted(GUARD_PROPS))})")
