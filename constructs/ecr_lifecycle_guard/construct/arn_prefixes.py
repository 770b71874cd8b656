"""Opt-in ARN prefixes: grant the handler a repository-name prefix instead of each repository's exact ARN.

By default the handler's role names exactly the guarded repositories. A platform team that guards more
repositories per stack than exact ARNs fit in IAM's limits (or that prefers a shorter policy) can opt in
per guard with ``repository_arn_prefixes=["platform/*"]``: a guard whose repository name starts with
``platform/`` is then granted ``arn:<partition>:ecr:<region>:<registry>:repository/platform/*`` (once per
stack and registry) instead of its own ARN. That grant also allows every other repository under the
prefix, which is why it is never the default; cdk-nag's ``AwsSolutions-IAM5`` finding for it is
acknowledged with the opt-in as the reason.

Examples
--------
>>> parse_arn_prefixes("repository_arn_prefixes", ["platform/*", "team-07-*"])
('platform/*', 'team-07-*')
>>> matching_prefix(("platform/*",), "platform/api")
'platform/*'
>>> matching_prefix(("platform/*",), "other/api") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from aws_cdk import Stack

from ecr_lifecycle_guard.construct.role_policies import Grant, nag_resource_finding
from ecr_lifecycle_guard.construct.target import RepositoryTarget
from ecr_lifecycle_guard.errors import PropertyError

__all__ = ["matching_prefix", "parse_arn_prefixes", "prefix_grant"]

_PREFIX: Final = re.compile(r"[a-z0-9][a-z0-9._/-]{0,254}\*")
_ALLOWED: Final = "a repository name prefix ending in one '*' (e.g. 'platform/*' or 'team-07-*')"


def parse_arn_prefixes(name: str, value: object) -> tuple[str, ...]:
    """A list of repository-name prefixes, each ending in a single ``*``.

    Raises
    ------
    PropertyError
        Naming the entry and what is allowed.
    """
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise PropertyError(name, value, f"a list of prefixes, each {_ALLOWED}")
    for index, prefix in enumerate(value):
        if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
            raise PropertyError(f"{name}[{index}]", prefix, _ALLOWED)
    return tuple(value)


def matching_prefix(prefixes: tuple[str, ...], repository_name: str | None) -> str | None:
    """The first prefix the (literal) repository name starts with; ``None`` for none or an unknown name."""
    if repository_name is None:
        return None
    return next((prefix for prefix in prefixes if repository_name.startswith(prefix[:-1])), None)


def prefix_grant(stack: Stack, target: RepositoryTarget, prefix: str, actions: tuple[str, ...], guard: str) -> Grant:
    """The grant of ``actions`` on every repository under ``prefix`` in the target's registry."""
    arn = stack.format_arn(service="ecr", resource="repository", resource_name=prefix, account=target.registry_id)
    return Grant(
        actions,
        arn,
        chars=target.arn_chars - len(target.literal_name or "") + len(prefix),
        finding=nag_resource_finding(stack, arn),
        reason=(
            f"repository_arn_prefixes={[prefix]!r} opted in (e.g. by {guard}): the handler may act on every "
            f"repository named {prefix} so that a large fleet fits IAM's policy size limits"
        ),
    )
