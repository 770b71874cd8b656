"""``ecr-lifecycle-guard preview``: ECR's real lifecycle-policy preview plus the custom resource's gate.

For CI pipelines and for anyone about to change a policy. One repository (``--repository NAME``):
validates the policy, runs ECR's preview (start, wait with progress, every result page), looks for
workloads using the images meanwhile (in-use protection, as the handler does, with the caller's
credentials), applies exactly the gate the custom resource applies
(:func:`ecr_lifecycle_guard.gate.check_gate`) and prints the table (or ``--json``) and the verdict.

Many repositories (repeated ``--repository``, ``--repositories GLOB``, ``--all``, or every guard of a
cloud assembly with ``--cdk-out DIR``): the same for each, ``--concurrency`` at a time, with progress
on stderr, then one summary table (or one JSON document).

Exit 0 passes, 3 the gate blocks (any repository), 1 an error (one line on stderr; in a fleet: a
repository could not be previewed and none is blocked), 2 a usage error. ``--timeout`` bounds each
repository's preview, its AWS calls included.

Examples
--------
>>> from ecr_lifecycle_guard.cli.main import main
>>> main(["preview", "--repository", "app", "--policy", "/nonexistent/policy.json"])  # one line on stderr
1
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ecr_lifecycle_guard.aws_errors import describe_error
from ecr_lifecycle_guard.cli import preview_report
from ecr_lifecycle_guard.cli.fleet import DEFAULT_CONCURRENCY, concurrency_option, exit_code, run_fleet
from ecr_lifecycle_guard.cli.jsonio import dump_json, read_json_file
from ecr_lifecycle_guard.cli.options import (
    DEFAULT_CLI_TIMEOUT_SECONDS,
    add_gate_options,
    add_in_use_options,
    gate_limits_from_args,
    in_use_roles_from_args,
    option_type,
    timeout_seconds,
)
from ecr_lifecycle_guard.cli.preview_job import Target, run_bounded, run_target
from ecr_lifecycle_guard.cli.progress import FleetProgress, Progress
from ecr_lifecycle_guard.cli.targets import assembly_targets, list_repositories, matching, repository_glob
from ecr_lifecycle_guard.contract import parse_registry_id, parse_repository_name
from ecr_lifecycle_guard.engine import canonical_policy_text, parse_policy
from ecr_lifecycle_guard.errors import GuardError, PolicyValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.cli.aws_access import AwsAccess
    from ecr_lifecycle_guard.inuse import Workload

__all__ = ["EXIT_BLOCKED", "EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "add_parser", "run"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BLOCKED = 3
#: Ctrl-C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130
_GATE_OPTIONS = ("max_expiring", "max_expiring_percent", "max_transitioning")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``preview`` and its options.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_parser(parser.add_subparsers())
    >>> args = parser.parse_args(["preview", "--repository", "app", "--policy", "p.json"])
    >>> args.repository, args.max_expiring, args.concurrency
    (['app'], None, 4)
    """
    parser = subparsers.add_parser(
        "preview",
        help="run ECR's lifecycle-policy preview and the deploy gate, on one repository or many",
        description=(
            "Preview a lifecycle policy with Amazon ECR and apply the same gate the custom resource applies, "
            "on one repository, many, or every guard of a synthesized CDK app (--cdk-out). "
            "Exit 0: within limits; 3: the gate blocks (any repository); 1: error; 2: usage."
        ),
    )
    chosen = parser.add_argument_group("repositories (at least one of these)")
    chosen.add_argument(
        "--repository",
        action="append",
        default=[],
        metavar="NAME",
        type=option_type("RepositoryName", parse_repository_name),
        help="a repository (repeatable)",
    )
    chosen.add_argument(
        "--repositories",
        action="append",
        default=[],
        type=repository_glob,
        metavar="GLOB",
        help="every repository whose name matches the '*' glob, e.g. 'team-a/*' (repeatable)",
    )
    chosen.add_argument("--all", action="store_true", help="every repository of the registry")
    chosen.add_argument(
        "--cdk-out",
        metavar="DIR",
        help="every guard of this synthesized cloud assembly (stages included), with its own policy and limits; "
        "--repository/--repositories then choose among them",
    )
    parser.add_argument("--policy", metavar="FILE", type=Path, help="lifecycle policy JSON file (not with --cdk-out)")
    parser.add_argument(
        "--registry-id",
        type=option_type("RegistryId", parse_registry_id),
        metavar="ID",
        help="registry (account) id; default: your account",
    )
    add_gate_options(parser)
    add_in_use_options(parser)
    aws = parser.add_argument_group("AWS")
    aws.add_argument(
        "--timeout",
        type=timeout_seconds,
        metavar="SECONDS",
        help=f"longest time for each repository's preview, AWS calls included (1 to 3600; default "
        f"{DEFAULT_CLI_TIMEOUT_SECONDS:g}, or each guard's PreviewTimeoutSeconds with --cdk-out)",
    )
    aws.add_argument(
        "--region", help="AWS Region (default: from the profile or AWS_REGION; a stack's own with --cdk-out)"
    )
    aws.add_argument("--profile", help="named AWS profile")
    aws.add_argument("--endpoint-url", metavar="URL", help="one endpoint for every AWS call, e.g. the local stand-in")
    aws.add_argument(
        "--concurrency",
        type=concurrency_option,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"previews at once over many repositories (1 to 16, default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument("--json", action="store_true", help="print the preview(s) and the verdict(s) as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Choose the repositories, preview and gate each, report; return the exit code."""
    usage = _usage_problem(args)
    if usage is not None:
        print(f"ecr-lifecycle-guard preview: error: {usage}", file=sys.stderr)
        return EXIT_USAGE
    try:
        roles = in_use_roles_from_args(args)
        references = _references(args)
        template = None if args.cdk_out else _policy_template(args, roles)
        access = _access(args, references)
        if template is None:
            targets = assembly_targets(
                args.cdk_out,
                no_in_use=args.no_in_use,
                extra_roles=roles,
                timeout_seconds=args.timeout,
                names=args.repository,
                globs=args.repositories,
            )
        else:
            targets = [replace(template, repository=name) for name in _chosen_names(args, template, access)]
    except (GuardError, OSError, TimeoutError) as error:
        return _fail(_one_line(error))
    except Exception as error:  # botocore's errors (an unknown profile, no region...): one line
        return _fail(describe_error(error))
    if not targets:
        return _fail(_nothing_chosen(args))
    try:
        if _single(args):
            return _run_single(args, targets[0], access)
        return _run_fleet(args, targets, access)
    except KeyboardInterrupt:
        print("error: interrupted: previews already started in ECR finish on their own", file=sys.stderr)
        return EXIT_INTERRUPTED


def _usage_problem(args: argparse.Namespace) -> str | None:
    if not (args.repository or args.repositories or args.all or args.cdk_out):
        return "say which repositories: --repository NAME, --repositories GLOB, --all or --cdk-out DIR"
    if args.no_in_use and (args.in_use_from or args.in_use_role):
        return "--in-use-from and --in-use-role need in-use protection: drop --no-in-use"
    if args.cdk_out:
        given = [f"--{name.replace('_', '-')}" for name in _GATE_OPTIONS if getattr(args, name) is not None]
        given += ["--protect"] if args.protect else []
        given += ["--allow-expire-all"] if args.allow_expire_all else []
        given += [option for option, value in (("--policy", args.policy), ("--all", args.all)) if value]
        if given:
            return f"--cdk-out reads the policy and the limits from the assembly: drop {', '.join(given)}"
        return None
    if args.policy is None:
        return "--policy FILE is required (except with --cdk-out)"
    return None


def _single(args: argparse.Namespace) -> bool:
    return len(args.repository) == 1 and not (args.repositories or args.all or args.cdk_out)


def _nothing_chosen(args: argparse.Namespace) -> str:
    if args.cdk_out:
        return f"no guard (Custom::EcrLifecyclePolicy) in {args.cdk_out} matches the repositories given"
    return "no repository of the registry matches " + ", ".join(repr(glob) for glob in args.repositories or ["*"])


def _references(args: argparse.Namespace) -> list[tuple[str, Workload]]:
    if not args.in_use_from:
        return []
    from ecr_lifecycle_guard.inuse import references_from_file

    return [reference for path in args.in_use_from for reference in references_from_file(path)]


def _read_policy(path: Path) -> str:
    document = read_json_file(path, what="policy file")
    try:
        return canonical_policy_text(parse_policy(document))
    except PolicyValidationError as error:
        raise PolicyValidationError(error.issues, source=str(path)) from None


def _policy_template(args: argparse.Namespace, roles: tuple[str, ...]) -> Target:
    """The target every chosen repository gets (its name filled in later): policy, limits, timeout."""
    policy_text = _read_policy(args.policy)
    limits = gate_limits_from_args(args, protect_in_use=not args.no_in_use)
    timeout = args.timeout or DEFAULT_CLI_TIMEOUT_SECONDS
    return Target("", policy_text, limits, timeout, registry_id=args.registry_id, in_use_roles=roles)


def _access(args: argparse.Namespace, references: list[tuple[str, Workload]]) -> AwsAccess:
    from ecr_lifecycle_guard.cli.aws_access import AwsAccess

    return AwsAccess(
        profile=args.profile,
        region=args.region,
        endpoint_url=args.endpoint_url,
        pool_size=max(10, 2 * args.concurrency + 2),
        extra_references=references,
    )


def _chosen_names(args: argparse.Namespace, template: Target, access: AwsAccess) -> list[str]:
    """``--repository`` names, then the listed repositories ``--repositories``/``--all`` choose (no repeats)."""
    names = list(dict.fromkeys(args.repository))
    if not (args.repositories or args.all):
        return names
    timeout = template.timeout_seconds

    def listing() -> list[str]:
        client = access.ecr(args.region, timeout)
        return list_repositories(client, registry_id=args.registry_id, deadline=time.monotonic() + timeout)

    listed = run_bounded(listing, timeout, "listing the repositories")
    chosen = listed if args.all else matching(listed, args.repositories)
    return list(dict.fromkeys([*names, *chosen]))


def _run_single(args: argparse.Namespace, target: Target, access: AwsAccess) -> int:
    with Progress(f"previewing the policy on '{target.repository}'") as progress:
        outcome = run_target(target, access, progress=progress.update)
    if outcome.status == "FAILED":
        return _fail(outcome.detail)
    if args.json:
        print(dump_json(preview_report.outcome_json(outcome)))
    else:
        print(preview_report.single_report(outcome))
    return EXIT_BLOCKED if outcome.status == "BLOCKED" else EXIT_OK


def _run_fleet(args: argparse.Namespace, targets: list[Target], access: AwsAccess) -> int:
    started = time.monotonic()
    with FleetProgress(len(targets)) as progress:
        outcomes = run_fleet(targets, access, concurrency=args.concurrency, progress=progress)
    seconds = time.monotonic() - started
    for outcome in outcomes:
        if outcome.status == "FAILED":
            print(f"error: {outcome.target.repository}: {outcome.detail}", file=sys.stderr)
    if args.json:
        print(dump_json(preview_report.fleet_json(outcomes, seconds)))
    else:
        print(preview_report.fleet_table(outcomes))
        print(preview_report.fleet_summary(outcomes, seconds))
    return exit_code(outcomes)


def _one_line(error: BaseException) -> str:
    if isinstance(error, PolicyValidationError):
        where = f" in {error.source}" if error.source else ""
        return f"invalid lifecycle policy{where}: " + "; ".join(str(issue) for issue in error.issues)
    if isinstance(error, OSError) and not isinstance(error, TimeoutError):
        where = f" {error.filename}" if error.filename else ""
        return f"cannot read{where}: {error.strerror or error}"
    return " ".join(str(error).split())


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR
