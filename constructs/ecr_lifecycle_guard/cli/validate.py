"""``ecr-lifecycle-guard validate [POLICY ...] [--cdk-out DIR]``: check lifecycle policies the way ECR would.

Files: each is read with a size and depth limit (:func:`ecr_lifecycle_guard.cli.jsonio.read_json_file`)
and checked against every rule ECR applies (V1-V17). ``--cdk-out DIR``: every lifecycle policy of a
synthesized cloud assembly (stages included) — each guard's (``Custom::EcrLifecyclePolicy``, with its
other properties checked by the shared contract) and each plain ``AWS::ECR::Repository``'s
``LifecyclePolicy`` — named by stack and logical id.

Exit 0 with one ``OK`` line per policy on stdout when all are valid; exit 1 when any is not (each
problem on stderr, naming its file or its stack and logical id, the rule and the field), or when a
file cannot be read. Several files in one call suit pre-commit (``.pre-commit-hooks.yaml``).

Examples
--------
>>> from ecr_lifecycle_guard.cli.main import main
>>> main(["validate", "/nonexistent/policy.json"])  # prints the reason on stderr
1

A valid file prints ``policy.json: OK (3 rules, 412 characters as sent to ECR)`` and returns 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ecr_lifecycle_guard.cli.jsonio import read_json_file
from ecr_lifecycle_guard.cloud_assembly import PolicyEntry, read_assembly
from ecr_lifecycle_guard.engine import canonical_policy_text, parse_policy, validate_policy
from ecr_lifecycle_guard.errors import GuardError, Issue, PolicyValidationError

__all__ = ["add_parser", "run"]

_SHOWN_EXPRESSION = 80


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``validate``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_parser(parser.add_subparsers())
    >>> parser.parse_args(["validate", "a.json", "b.json"]).policies
    ['a.json', 'b.json']
    """
    parser = subparsers.add_parser(
        "validate",
        help="check lifecycle policy files, or every policy of a cloud assembly, against ECR's rules (V1-V17)",
        description="Check lifecycle policies against every rule ECR applies; report all problems at once. "
        "Exit 0: all valid; 1: any invalid or unreadable.",
    )
    parser.add_argument("policies", nargs="*", metavar="POLICY", help="lifecycle policy JSON files")
    parser.add_argument(
        "--cdk-out",
        metavar="DIR",
        help="also check every lifecycle policy of this synthesized cloud assembly (guards and plain repositories)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate every file and the assembly's policies; print OK or every problem; return 0 or 1."""
    if not args.policies and not args.cdk_out:
        print("ecr-lifecycle-guard validate: error: give POLICY files or --cdk-out DIR", file=sys.stderr)
        return 2
    valid = [_check_file(path) for path in args.policies]
    if args.cdk_out:
        valid.append(_check_assembly(args.cdk_out))
    return 0 if all(valid) else 1


def _check_file(path: str) -> bool:
    try:
        document = read_json_file(path, what="policy file")
    except OSError as error:
        _error(f"cannot read the policy file {path}: {error.strerror or error}")
        return False
    except GuardError as error:
        message = " ".join(str(error).split())
        _error(message if path in message else f"{path}: {message}")
        return False
    return _report(path, document)


def _report(where: str, document: Any) -> bool:
    """Print OK (stdout) or every problem (stderr) for one policy; whether it is valid."""
    issues = validate_policy(document)
    if issues:
        _print_issues(where, issues)
        return False
    policy = parse_policy(document)
    length = len(canonical_policy_text(policy))
    rules = len(policy.rules)
    print(f"{where}: OK ({rules} rule{'s' if rules != 1 else ''}, {length:,} characters as sent to ECR)")
    return True


def _print_issues(where: str, issues: Sequence[Issue]) -> None:
    count = len(issues)
    print(f"{where}: invalid lifecycle policy ({count} problem{'s' if count > 1 else ''})", file=sys.stderr)
    for issue in issues:
        print(f"{where}: {issue}", file=sys.stderr)


def _check_assembly(directory: str) -> bool:
    try:
        assembly = read_assembly(directory)
    except GuardError as error:
        _error(" ".join(str(error).split()))
        return False
    entries = assembly.lifecycle_policies()
    if not entries:
        print(f"{directory}: no lifecycle policy in {len(assembly.stacks)} stack(s)")
    valid = [_check_entry(entry) for entry in entries]
    problems = {str(guard.location): guard.problems for guard in assembly.guards()}
    for where, found in problems.items():
        for problem in found:
            if isinstance(problem, PolicyValidationError):
                continue  # reported with the policy, rule by rule
            print(f"{where}: {problem}", file=sys.stderr)
            valid.append(False)
    return all(valid)


def _label(entry: PolicyEntry) -> str:
    name = f" '{entry.repository_name}'" if entry.repository_name else ""
    kind = "guard of repository" if entry.kind == "guard" else "repository"
    return f"{entry.location} ({kind}{name})"


def _check_entry(entry: PolicyEntry) -> bool:
    where = _label(entry)
    if not isinstance(entry.policy_text, str):
        shown = json.dumps(entry.policy_text)
        if len(shown) > _SHOWN_EXPRESSION:
            shown = shown[: _SHOWN_EXPRESSION - 3] + "..."
        print(
            f"warning: {where}: LifecyclePolicyText is resolved at deploy time ({shown}): not checked", file=sys.stderr
        )
        return True
    return _report(where, entry.policy_text)


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
