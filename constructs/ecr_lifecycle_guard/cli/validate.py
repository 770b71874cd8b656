"""``ecr-lifecycle-guard validate POLICY``: check a lifecycle policy the way ECR would.

Exit 0 with one ``OK`` line on stdout when the policy is valid; exit 1 with one line per problem
on stderr when it is not (or when the file cannot be read).

Examples
--------
>>> from ecr_lifecycle_guard.cli.main import main
>>> main(["validate", "/nonexistent/policy.json"])  # prints the reason on stderr
1

A valid file prints ``policy.json: OK (3 rules, 412 characters as sent to ECR)`` and returns 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecr_lifecycle_guard.engine import canonical_policy_text, parse_policy, validate_policy

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``validate``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_parser(parser.add_subparsers())
    >>> parser.parse_args(["validate", "p.json"]).policy
    'p.json'
    """
    parser = subparsers.add_parser(
        "validate",
        help="check a lifecycle policy file against ECR's rules (V1-V17)",
        description="Check a lifecycle policy against every rule ECR applies; report all problems at once.",
    )
    parser.add_argument("policy", metavar="POLICY", help="the lifecycle policy JSON file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate ``args.policy``; print OK or every problem; return 0 or 1."""
    path = Path(args.policy)
    try:
        issues = validate_policy(path)
    except OSError as error:
        print(f"error: cannot read the policy file {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    if issues:
        print(
            f"{path}: invalid lifecycle policy ({len(issues)} problem{'s' if len(issues) > 1 else ''})", file=sys.stderr
        )
        for issue in issues:
            print(f"{path}: {issue}", file=sys.stderr)
        return 1
    policy = parse_policy(path)
    length = len(canonical_policy_text(policy))
    rules = len(policy.rules)
    print(f"{path}: OK ({rules} rule{'s' if rules > 1 else ''}, {length:,} characters as sent to ECR)")
    return 0
