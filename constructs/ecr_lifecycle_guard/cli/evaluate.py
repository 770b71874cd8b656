"""``ecr-lifecycle-guard evaluate``: predict ECR's lifecycle preview offline from describe-images output.

``--policy POLICY --images IMAGES [--now ISO-8601] [--json] [gate options]``. IMAGES is the output of
``aws ecr describe-images --filter imageStatus=ANY`` (``{"imageDetails": [...]}`` or the bare list).
The default output is a table of the images the policy acts on, a summary line and warnings;
``--json`` prints the ``GetLifecyclePolicyPreview`` shape with ``explanations`` (digest -> reason)
and ``warnings`` beside it.

With any gate option (``--max-expiring``, ``--max-expiring-percent``, ``--max-transitioning``,
``--protect``, ``--allow-expire-all``: the construct's props, as ``preview`` takes them) the
prediction also goes through the deploy's gate (:func:`ecr_lifecycle_guard.gate.check_gate`; the
images the policy can see are the percentage base and the expire-all guard is on unless
``--allow-expire-all``; in-use protection needs live workloads and is not applied offline): the
verdict follows the table (``"gate"`` in ``--json``) and the exit code is 3 when it blocks.

Exit 0 ok, 1 with one stderr line when a file cannot be read or the policy is invalid, 2 a usage
error, 3 the gate blocks. Files are read by :func:`ecr_lifecycle_guard.cli.jsonio.read_json_file`.

Examples
--------
>>> from ecr_lifecycle_guard.cli.main import main
>>> main(["evaluate", "--policy", "/nonexistent/p.json", "--images", "/nonexistent/i.json"])  # reason on stderr
1
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ecr_lifecycle_guard.cli import render
from ecr_lifecycle_guard.cli.jsonio import dump_json, read_json_file, write_json
from ecr_lifecycle_guard.cli.options import GATE_OPTIONS, add_gate_options, gate_limits_from_args
from ecr_lifecycle_guard.engine import Evaluation, Image, Policy, evaluate, load_images, parse_policy, parse_timestamp
from ecr_lifecycle_guard.errors import GuardError, PolicyValidationError
from ecr_lifecycle_guard.gate import GateVerdict, InUseView, PreviewFigures, PreviewResult, check_gate

__all__ = ["EXIT_BLOCKED", "add_parser", "run"]

EXIT_BLOCKED: Final = 3
_GATE_DESTINATIONS: Final = tuple(option.lstrip("-").replace("-", "_") for option in GATE_OPTIONS)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``evaluate``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_parser(parser.add_subparsers())
    >>> args = parser.parse_args(["evaluate", "--policy", "p.json", "--images", "i.json", "--max-expiring", "5"])
    >>> args.json, args.max_expiring
    (False, 5)
    """
    parser = subparsers.add_parser(
        "evaluate",
        help="predict offline what a policy would expire or archive (optionally through the deploy gate)",
        description="Evaluate a lifecycle policy offline against `aws ecr describe-images` output, as ECR's "
        "preview would. With gate options, apply the deploy's gate too. "
        "Exit 0: ok; 1: unreadable input or invalid policy; 2: usage; 3: the gate blocks.",
    )
    parser.add_argument("--policy", required=True, metavar="POLICY", help="the lifecycle policy JSON file")
    parser.add_argument(
        "--images",
        required=True,
        metavar="IMAGES",
        help="describe-images output (JSON: {imageDetails: [...]} or a list)",
    )
    parser.add_argument("--now", type=_instant, metavar="ISO-8601", help="evaluation time (default: the current time)")
    parser.add_argument("--json", action="store_true", help="print the GetLifecyclePolicyPreview shape as JSON")
    add_gate_options(parser)
    in_use = parser.add_argument_group("in-use protection (offline: workloads come only from files)")
    in_use.add_argument(
        "--in-use-from",
        action="append",
        default=[],
        metavar="FILE",
        help="block when an image these workloads use would be expired or archived: `kubectl get pods -A -o json`"
        " output or one image reference per line (repeatable)",
    )
    in_use.add_argument(
        "--region",
        metavar="REGION",
        help="the images' region, to match references (default: a reference in any region counts)",
    )
    parser.set_defaults(run=run)


def _instant(text: str) -> datetime:
    try:
        return parse_timestamp(text, "time")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    """Evaluate and print; return 0, 1 (one stderr line), or 3 when gate options were given and block."""
    with _gc_paused():
        try:
            in_use_files = list(args.in_use_from)
            gated = _gated(args) or bool(in_use_files)
            limits = gate_limits_from_args(args, protect_in_use=bool(in_use_files)) if gated else None
            policy = _read_policy(args.policy)
            document = read_json_file(args.images, what="images file")
            repository = _repository(document, args.images)
            registry_id = _registry_id(document)
            images = load_images(document, source=f"images file {args.images}")
            del document  # the parsed file is as large as the images: free it before evaluating
            in_use = _in_use(in_use_files, images, registry_id, args.region, repository) if in_use_files else None
        except PolicyValidationError as error:
            where = f" in {error.source}" if error.source else ""
            return _fail(f"invalid lifecycle policy{where}: " + "; ".join(map(str, error.issues)))
        except GuardError as error:  # InputFileError, ImagesInputError, PropertyError: already one sentence
            return _fail(str(error))
        evaluation = evaluate(policy, images, args.now or datetime.now(UTC))
        verdict = None
        if limits is not None:
            verdict = check_gate(limits, _figures(evaluation), in_use=in_use)
        if args.json:
            output = _evaluation_json(evaluation)
            if verdict is not None:
                output["gate"] = verdict.as_json(repository)
            write_json(output)
        else:
            print(render.evaluation_report(evaluation))
            if verdict is not None:
                print(_verdict_text(verdict, repository))
    return EXIT_BLOCKED if verdict is not None and not verdict.passed else 0


def _evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """:func:`render.evaluation_json`, with ``imagePushedAt`` left as datetimes for :func:`write_json` to render.

    The same document, written faster: formatting 100,000 timestamps in Python costs as much as
    parsing the input; ``orjson`` writes the identical ISO-8601 text in C.
    """
    document = evaluation.to_preview(timestamps="datetime")
    document["explanations"] = {outcome.image.digest: outcome.reason for outcome in evaluation.outcomes}
    document["warnings"] = list(evaluation.warnings)
    return document


def _gated(args: argparse.Namespace) -> bool:
    """Whether any gate option was given (without one, ``evaluate`` only predicts)."""
    values = [getattr(args, name) for name in _GATE_DESTINATIONS]
    return any(value is not None and value is not False and value != [] for value in values)  # 0 is a limit


def _read_policy(path: str) -> Policy:
    document = read_json_file(path, what="policy file")
    if isinstance(document, str):  # a JSON string is a value to check, not policy text to parse again
        document = dump_json(document)
    try:
        return parse_policy(document)
    except PolicyValidationError as error:
        raise PolicyValidationError(error.issues, source=str(path)) from None


def _figures(evaluation: Evaluation) -> PreviewFigures:
    """What the gate reads, as ECR's preview would report it."""
    results = tuple(
        PreviewResult(
            digest=outcome.image.digest,
            tags=outcome.image.tags,
            action=outcome.action.upper(),
            rule_priority=outcome.rule_priority,
            storage_class=outcome.image.storage_class.upper(),
            pushed_at=outcome.image.pushed_at,
        )
        for outcome in evaluation.outcomes
    )
    return PreviewFigures(
        expiring=evaluation.expiring_count,
        transitioning=evaluation.transitioning_count,
        results=results,
        visible_images=evaluation.visible_count,
    )


def _repository(document: Any, images_path: str) -> str:
    """The repository the images come from (describe-images names it in every entry), else the file's name."""
    items = document.get("imageDetails") if isinstance(document, Mapping) else document
    first = items[0] if isinstance(items, list) and items else None
    name = first.get("repositoryName") if isinstance(first, Mapping) else None
    return name if isinstance(name, str) and name else Path(images_path).name


def _registry_id(document: Any) -> str | None:
    """The registry (account) describe-images names in its entries, if any."""
    items = document.get("imageDetails") if isinstance(document, Mapping) else document
    first = items[0] if isinstance(items, list) and items else None
    registry = first.get("registryId") if isinstance(first, Mapping) else None
    return registry if isinstance(registry, str) and registry else None


def _in_use(
    paths: list[str], images: Sequence[Image], registry_id: str | None, region: str | None, repository: str
) -> InUseView:
    """The images the workloads in ``paths`` use, resolved against the evaluated images (no AWS calls)."""
    from ecr_lifecycle_guard.inuse import references_from_file, report_from_references

    references = [reference for path in paths for reference in references_from_file(path)]
    return report_from_references(references, images, registry_id=registry_id, region=region, repository=repository)


def _verdict_text(verdict: GateVerdict, repository: str) -> str:
    if verdict.passed:
        return f"gate: PASSED - {verdict.short_reason(repository)}"
    lines = [f"gate: BLOCKED - {len(verdict.violations)} limit(s) crossed on '{repository}':"]
    lines.extend(f"  {violation}" for violation in verdict.violations)
    return "\n".join(lines)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector.

    Loading 100,000 images creates millions of acyclic objects; generational collections walking
    them cost about a third of the run, and nothing here creates reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _fail(message: str) -> int:
    print("error: " + " ".join(message.splitlines()), file=sys.stderr)
    return 1
