"""``ecr-lifecycle-guard preview``: ECR's real lifecycle-policy preview plus the custom resource's gate.

For CI pipelines and for anyone about to change a policy: validates the policy with the engine, runs
ECR's preview through boto3 (start, wait with progress, every result page), applies exactly the gate
the custom resource applies (:func:`ecr_lifecycle_guard.gate.check_gate`), prints the table (or
``--json``) and the verdict. Exit 0 passes, 3 the gate blocks, 1 an error (one line on stderr).

Examples
--------
>>> from ecr_lifecycle_guard.cli.main import main
>>> main(["preview", "--repository", "app", "--policy", "policy.json", "--max-expiring", "50"])  # doctest: +SKIP
0
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecr_lifecycle_guard.cli import render
from ecr_lifecycle_guard.cli.progress import Progress
from ecr_lifecycle_guard.ecr_preview import run_preview
from ecr_lifecycle_guard.engine import canonical_policy_text, parse_policy
from ecr_lifecycle_guard.errors import PolicyValidationError, PreviewError
from ecr_lifecycle_guard.gate import GateLimits, GateVerdict, PreviewFigures, check_gate

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_ecr import ECRClient

__all__ = ["EXIT_BLOCKED", "EXIT_ERROR", "EXIT_OK", "add_parser", "run"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BLOCKED = 3

#: Default seconds to wait for ECR's preview (the custom resource's ``PreviewTimeoutSeconds`` default).
DEFAULT_TIMEOUT_SECONDS = 300.0
#: botocore retries for the preview calls: standard mode, as the handler uses.
_RETRIES = {"mode": "standard", "max_attempts": 5}
_NO_CREDENTIALS = (
    "no AWS credentials found: configure them (aws configure, --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/"
    "AWS_SECRET_ACCESS_KEY)"
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``preview`` and its options.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_parser(parser.add_subparsers())
    >>> parser.parse_args(["preview", "--repository", "app", "--policy", "p.json"]).max_expiring is None
    True
    """
    parser = subparsers.add_parser(
        "preview",
        help="run ECR's lifecycle-policy preview and the deploy gate",
        description=(
            "Preview a lifecycle policy with Amazon ECR and apply the same gate the custom resource applies. "
            "Exit 0: within limits; 3: the gate blocks; 1: error."
        ),
    )
    parser.add_argument("--repository", required=True, metavar="NAME", help="ECR repository name")
    parser.add_argument("--policy", required=True, metavar="FILE", type=Path, help="lifecycle policy JSON file")
    parser.add_argument("--registry-id", metavar="ID", help="registry (account) id; default: your account")
    gate = parser.add_argument_group("gate limits (as the construct's props)")
    gate.add_argument("--max-expiring", type=_non_negative_int, metavar="N", help="block when more than N expire")
    gate.add_argument(
        "--max-expiring-percent", type=_percent, metavar="P", help="block when more than P%% of the images expire"
    )
    gate.add_argument(
        "--max-transitioning", type=_non_negative_int, metavar="N", help="block when more than N are archived"
    )
    gate.add_argument(
        "--protect", nargs="+", default=[], metavar="PATTERN", help="block when an image with a matching tag is hit"
    )
    gate.add_argument(
        "--allow-expire-all", action="store_true", help="allow a policy that expires every image in the repository"
    )
    aws = parser.add_argument_group("AWS")
    aws.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS")
    aws.add_argument("--region", help="AWS Region (default: from the profile or AWS_REGION)")
    aws.add_argument("--profile", help="named AWS profile")
    aws.add_argument("--endpoint-url", metavar="URL", help="ECR endpoint, e.g. the local stand-in")
    parser.add_argument("--json", action="store_true", help="print the preview and the verdict as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate, preview, gate and report; return the exit code (0 pass, 3 blocked, 1 error)."""
    try:
        policy_text = canonical_policy_text(parse_policy(args.policy))
    except PolicyValidationError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot read the policy file {args.policy}: {error.strerror or error}")
    limits = GateLimits(
        max_expiring_images=args.max_expiring,
        max_expiring_percent=args.max_expiring_percent,
        max_transitioning_images=args.max_transitioning,
        protected_tags=tuple(args.protect),
        allow_expire_all=args.allow_expire_all,
    )
    try:
        client = _ecr_client(args)
        with Progress(f"previewing the policy on '{args.repository}'") as progress:
            figures = run_preview(
                client,
                repository=args.repository,
                registry_id=args.registry_id,
                policy_text=policy_text,
                deadline=time.monotonic() + args.timeout,
                clock=time.monotonic,
                sleep=time.sleep,
                count_visible=limits.needs_visible_count,
                progress=progress.update,
            )
    except Exception as error:  # every failure becomes one stderr line, never a traceback
        return _fail(_describe(error))
    verdict = check_gate(limits, figures)
    if args.json:
        print(json.dumps(_as_json(args, figures, verdict), indent=2, default=str))
    else:
        _print_report(args.repository, figures, verdict)
    return EXIT_OK if verdict.passed else EXIT_BLOCKED


def _ecr_client(args: argparse.Namespace) -> ECRClient:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    config = Config(retries=_RETRIES, connect_timeout=10, read_timeout=30)  # type: ignore[arg-type]
    return session.client("ecr", endpoint_url=args.endpoint_url, config=config)


def _describe(error: Exception) -> str:
    """One line saying what went wrong and what to do, for any failure of the preview."""
    from botocore import exceptions as boto

    if isinstance(error, PreviewError):
        return str(error)
    if isinstance(error, boto.NoCredentialsError):
        return _NO_CREDENTIALS
    if isinstance(error, boto.NoRegionError):
        return "no AWS Region: pass --region or set AWS_REGION"
    if isinstance(error, boto.EndpointConnectionError):
        return f"cannot reach ECR: {error}"
    if isinstance(error, boto.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code == "RepositoryNotFoundException":
            return f"repository not found: {message}"
        return f"{error.operation_name} failed: {code}: {message}"
    if isinstance(error, boto.BotoCoreError):
        return str(error)
    return f"unexpected error: {type(error).__name__}: {error}"


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _print_report(repository: str, figures: PreviewFigures, verdict: GateVerdict) -> None:
    print(render.preview_table(figures.results))
    print(render.preview_summary(figures))
    if verdict.passed:
        print(f"gate: PASSED - {verdict.short_reason(repository)}")
    else:
        print(f"gate: BLOCKED - {len(verdict.violations)} limit(s) crossed on '{repository}':")
        for violation in verdict.violations:
            print(f"  {violation}")


def _as_json(args: argparse.Namespace, figures: PreviewFigures, verdict: GateVerdict) -> dict[str, Any]:
    summary: dict[str, Any] = {"expiringImageTotalCount": figures.expiring}
    if figures.transitioning:
        summary["transitioningImageTotalCounts"] = [
            {"targetStorageClass": "ARCHIVE", "imageTotalCount": figures.transitioning}
        ]
    return {
        "repositoryName": args.repository,
        "registryId": args.registry_id,
        "status": "COMPLETE",
        "previewResults": [render.preview_result_json(r) for r in figures.results],
        "summary": summary,
        "visibleImageCount": figures.visible_images,
        "gate": {
            "passed": verdict.passed,
            "reason": verdict.short_reason(args.repository),
            "violations": [
                {"limit": v.limit, "count": v.count, "threshold": v.threshold, "message": v.message}
                for v in verdict.violations
            ],
        },
    }


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 100, got {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 100, got {text!r}")
    return value
