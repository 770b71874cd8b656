"""Which repositories ``preview`` covers: names, ``*`` globs over the registry, or a cloud assembly's guards.

* ``--repository NAME`` (repeatable), ``--repositories GLOB`` (repeatable, matched against every
  repository of the registry: ``DescribeRepositories``, every page) and ``--all``: one policy
  (``--policy``) and one set of limits (the gate options) for each.
* ``--cdk-out DIR``: every guard of a synthesized cloud assembly, nested stages included
  (:mod:`ecr_lifecycle_guard.cloud_assembly`), each with its own policy, limits, timeout, registry
  and Region — what the next ``cdk deploy`` sends. ``--repository``/``--repositories`` then
  choose among the guards.

Examples
--------
>>> repository_glob("team-*/api")
'team-*/api'
>>> matching(["team-a/api", "team-b/web", "infra"], ["team-*"])
['team-a/api', 'team-b/web']
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from ecr_lifecycle_guard.cli.preview_job import Target
from ecr_lifecycle_guard.cloud_assembly import AssemblyGuard, read_assembly
from ecr_lifecycle_guard.engine import MAX_PATTERN_WILDCARDS, tag_matches
from ecr_lifecycle_guard.gate import GateLimits

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_ecr import ECRClient

__all__ = ["assembly_targets", "list_repositories", "matching", "repository_glob"]

_GLOB: Final = re.compile(r"[a-z0-9._/*-]{1,256}")
_PAGE_SIZE: Final = 1000


def repository_glob(text: str) -> str:
    """``--repositories``: a repository-name glob (``*`` matches any run of characters, ``/`` included).

    Examples
    --------
    >>> repository_glob("Team*")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a repository-name glob (a-z, 0-9, . _ - / and at most 4 '*'), got 'Team*'
    """
    if _GLOB.fullmatch(text) is None or text.count("*") > MAX_PATTERN_WILDCARDS:
        shown = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
        raise argparse.ArgumentTypeError(
            f"must be a repository-name glob (a-z, 0-9, . _ - / and at most {MAX_PATTERN_WILDCARDS} '*'), got {shown}"
        )
    return text


def matching(names: Iterable[str], globs: Sequence[str]) -> list[str]:
    """The names any glob matches, in the given order."""
    return [name for name in names if any(tag_matches(glob, name) for glob in globs)]


def list_repositories(client: ECRClient, *, registry_id: str | None, deadline: float) -> list[str]:
    """Every repository name of the registry (``DescribeRepositories``, every page), sorted.

    Raises
    ------
    TimeoutError
        The pages did not all come before ``deadline`` (``time.monotonic``).
    Exception
        The client's errors, as raised.
    """
    request: dict[str, Any] = {"maxResults": _PAGE_SIZE}
    if registry_id:
        request["registryId"] = registry_id
    names: list[str] = []
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError("listing the repositories (DescribeRepositories) took longer than the timeout")
        page = client.describe_repositories(**request)
        names.extend(str(item["repositoryName"]) for item in page.get("repositories") or ())
        token = page.get("nextToken")
        if not token:
            return sorted(names)
        request["nextToken"] = token


def assembly_targets(
    directory: str,
    *,
    no_in_use: bool,
    extra_roles: Sequence[str],
    timeout_seconds: float | None,
    names: Sequence[str] = (),
    globs: Sequence[str] = (),
) -> list[Target]:
    """One target per guard of the cloud assembly in ``directory`` (optionally only the chosen repositories).

    Parameters
    ----------
    directory
        The ``cdk.out`` folder.
    no_in_use
        ``--no-in-use``: turn in-use protection off for every guard.
    extra_roles
        ``--in-use-role`` ARNs, added to each guard's ``InUseRoleArns``.
    timeout_seconds
        ``--timeout``; default: each guard's ``PreviewTimeoutSeconds``.
    names, globs
        Keep only guards of these repositories (none given: every guard).

    Raises
    ------
    CloudAssemblyError
        The assembly cannot be read.
    """
    targets = [_target(guard, no_in_use, extra_roles, timeout_seconds) for guard in read_assembly(directory).guards()]
    if not names and not globs:
        return targets
    chosen = set(names)
    return [t for t in targets if t.repository in chosen or (globs and matching([t.repository], globs))]


def _target(guard: AssemblyGuard, no_in_use: bool, extra_roles: Sequence[str], timeout: float | None) -> Target:
    properties = guard.properties
    name = guard.repository_name or "?"
    common: dict[str, Any] = {
        "registry_id": guard.registry_id,
        "region": guard.stack.region,
        "source": guard.location,
        "compare_live": True,
        "creates_repository": guard.repository_in_stack,
    }
    if properties is None:
        problems = "; ".join(" ".join(str(problem).split()) for problem in guard.problems)
        refused = f"the deploy would refuse these properties: {problems}"
        return Target(name, "", GateLimits(), timeout or 1.0, problem=refused, **common)
    limits = replace(properties.limits, protect_in_use=False) if no_in_use else properties.limits
    roles = tuple(dict.fromkeys((*properties.in_use_role_arns, *extra_roles)))
    return Target(
        repository=name,
        policy_text=properties.policy_text,
        limits=limits,
        timeout_seconds=timeout or float(properties.preview_timeout_seconds),
        in_use_roles=roles,
        preview_only=properties.preview_only,
        skip_reason=guard.unresolved,
        **common,
    )
