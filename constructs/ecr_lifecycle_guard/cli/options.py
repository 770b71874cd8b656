"""Command-line options that mirror the custom resource's properties, parsed by the shared contract.

``preview`` and ``evaluate`` take the same gate options; each is read by the very parser the handler
uses for the matching property (:mod:`ecr_lifecycle_guard.contract`), so a value the deploy would
refuse is refused here too, with the same words.

Examples
--------
>>> parser = argparse.ArgumentParser(prog="x")
>>> add_gate_options(parser)
>>> args = parser.parse_args(["--max-expiring", "10", "--protect", "release-*", "latest"])
>>> gate_limits_from_args(args, protect_in_use=False)
GateLimits(max_expiring_images=10, max_expiring_percent=None, max_transitioning_images=None, \
protected_tags=('release-*', 'latest'), allow_expire_all=False, protect_in_use=False)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Final, TypeVar

from ecr_lifecycle_guard.contract import (
    MAX_IN_USE_ROLES,
    GateLimits,
    parse_count,
    parse_percent,
    parse_role_arns,
    parse_seconds,
    parse_tag_patterns,
)
from ecr_lifecycle_guard.errors import PropertyError

__all__ = [
    "CLI_TIMEOUT_MAX_SECONDS",
    "CLI_TIMEOUT_MIN_SECONDS",
    "DEFAULT_CLI_TIMEOUT_SECONDS",
    "GATE_OPTIONS",
    "add_gate_options",
    "add_in_use_options",
    "gate_limits_from_args",
    "in_use_roles_from_args",
    "option_type",
    "timeout_seconds",
]

#: ``--timeout`` of ``preview``: the deploy's default preview timeout; the command line may wait longer
#: than a Lambda function can (up to an hour) but never without bound.
DEFAULT_CLI_TIMEOUT_SECONDS: Final = 300.0
CLI_TIMEOUT_MIN_SECONDS: Final = 1.0
CLI_TIMEOUT_MAX_SECONDS: Final = 3600.0
#: Each gate option and the custom-resource property it mirrors.
GATE_OPTIONS: Final = {
    "--max-expiring": "MaxExpiringImages",
    "--max-expiring-percent": "MaxExpiringPercent",
    "--max-transitioning": "MaxTransitioningImages",
    "--protect": "ProtectedTags",
    "--allow-expire-all": "AllowExpireAll",
}
_T = TypeVar("_T")


def option_type(property_name: str, parse: Callable[[str, object], _T]) -> Callable[[str], _T]:
    """An argparse ``type`` that reads an option with the contract's parser for ``property_name``.

    Examples
    --------
    >>> option_type("MaxExpiringImages", parse_count)("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer from 0 to 2147483647, got 'nan' (as MaxExpiringImages)
    """

    def read(text: str) -> _T:
        try:
            return parse(property_name, text)
        except PropertyError as error:
            shown = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
            raise argparse.ArgumentTypeError(f"must be {error.allowed}, got {shown} (as {property_name})") from None

    read.__name__ = property_name  # argparse names the type in its "invalid <type> value" fallback
    return read


def timeout_seconds(text: str) -> float:
    """``--timeout``: finite seconds from 1 to 3600.

    Examples
    --------
    >>> timeout_seconds("5")
    5.0
    """
    try:
        return parse_seconds("--timeout", text, minimum=CLI_TIMEOUT_MIN_SECONDS, maximum=CLI_TIMEOUT_MAX_SECONDS)
    except PropertyError as error:
        raise argparse.ArgumentTypeError(f"must be {error.allowed}, got {text!r}") from None


def _one_pattern(text: str) -> str:
    patterns = option_type("ProtectedTags", parse_tag_patterns)(f'["{_json_escape(text)}"]')
    return patterns[0]


def _json_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def add_gate_options(parser: argparse.ArgumentParser) -> None:
    """Add the gate's limits (as the construct's props) to ``parser``."""
    gate = parser.add_argument_group("gate limits (the construct's props; exit 3 when they block)")
    gate.add_argument(
        "--max-expiring",
        type=option_type("MaxExpiringImages", parse_count),
        metavar="N",
        help="block when more than N images would expire",
    )
    gate.add_argument(
        "--max-expiring-percent",
        type=option_type("MaxExpiringPercent", parse_percent),
        metavar="P",
        help="block when more than P%% of the images the policy can see would expire",
    )
    gate.add_argument(
        "--max-transitioning",
        type=option_type("MaxTransitioningImages", parse_count),
        metavar="N",
        help="block when more than N images would be archived",
    )
    gate.add_argument(
        "--protect",
        nargs="+",
        default=[],
        type=_one_pattern,
        metavar="PATTERN",
        help="block when an image with a tag matching a '*' glob would be expired or archived",
    )
    gate.add_argument(
        "--allow-expire-all",
        action="store_true",
        help="allow a policy that expires every image in the repository (blocked by default)",
    )


def gate_limits_from_args(args: argparse.Namespace, *, protect_in_use: bool) -> GateLimits:
    """The :class:`GateLimits` the options describe.

    Raises
    ------
    PropertyError
        The options together break a limit's bounds (e.g. too many ``--protect`` patterns).
    """
    return GateLimits(
        max_expiring_images=args.max_expiring,
        max_expiring_percent=args.max_expiring_percent,
        max_transitioning_images=args.max_transitioning,
        protected_tags=tuple(args.protect),
        allow_expire_all=args.allow_expire_all,
        protect_in_use=protect_in_use,
    )


def _one_role(text: str) -> str:
    roles = option_type("InUseRoleArns", parse_role_arns)(f'["{_json_escape(text)}"]')
    return roles[0]


def add_in_use_options(parser: argparse.ArgumentParser) -> None:
    """Add in-use protection (the construct's ``protect_in_use`` and ``in_use_role_arns``) to ``parser``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="x")
    >>> add_in_use_options(parser)
    >>> args = parser.parse_args(["--in-use-role", "arn:aws:iam::111111111111:role/reader", "--no-in-use"])
    >>> args.no_in_use, in_use_roles_from_args(args), args.in_use_from
    (True, ('arn:aws:iam::111111111111:role/reader',), [])
    """
    group = parser.add_argument_group(
        "in-use protection (the construct's protect_in_use; on by default, with your credentials)"
    )
    group.add_argument(
        "--no-in-use",
        action="store_true",
        help="do not look for workloads using the images (ProtectInUse=false)",
    )
    group.add_argument(
        "--in-use-from",
        action="append",
        default=[],
        metavar="FILE",
        help="also count the images in FILE as in use: `kubectl get pods -A -o json` output or one image "
        "reference per line (repeatable)",
    )
    group.add_argument(
        "--in-use-role",
        action="append",
        default=[],
        type=_one_role,
        metavar="ARN",
        help="also look for workloads in the account of this IAM role, assumed with your credentials (repeatable)",
    )


def in_use_roles_from_args(args: argparse.Namespace) -> tuple[str, ...]:
    """The ``--in-use-role`` ARNs, checked together (at most :data:`~ecr_lifecycle_guard.contract.MAX_IN_USE_ROLES`).

    Raises
    ------
    PropertyError
        More roles than the contract allows.
    """
    roles: list[str] = list(args.in_use_role)
    if len(roles) > MAX_IN_USE_ROLES:
        raise PropertyError("--in-use-role", f"{len(roles)} roles", f"at most {MAX_IN_USE_ROLES} roles")
    return tuple(roles)
