"""Rehearse the guards of a documented example on the demo's sample repository (shared by the docs tests)."""

from __future__ import annotations

import importlib.util
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver
from ecr_lifecycle_guard.local.rehearsal import Rehearsal, load_synthesized_stack
from ecr_lifecycle_guard.local.sample import sample_images

REPO_ROOT = Path(__file__).resolve().parents[3]
#: How a document states what its example does on the sample repository, next to the example:
#: ``<!-- rehearsal: <repository> SUCCESS -->`` or ``<!-- rehearsal: <repository> FAILED blocked by ProtectedTags -->``
#: (in a Python file: ``# rehearsal: <repository> SUCCESS``); ``*`` stands for every guarded repository.
CLAIM = re.compile(r"(?:<!--|#) rehearsal: (\S+) (SUCCESS|FAILED)(?: ([^>\n]*?))?\s*(?:-->|$)", re.M)
#: Repositories a snippet's stack holds before the snippet runs: ``<!-- rehearsal-context: repositories a b -->``.
CONTEXT = re.compile(r"<!-- rehearsal-context: repositories ([^>]*?)\s*-->")


@dataclass(frozen=True)
class Claim:
    repository: str  # the guarded repository's name, or "*" for every one
    status: str
    reason_start: str


def claims_in(text: str) -> list[Claim]:
    return [Claim(m.group(1), m.group(2), (m.group(3) or "").strip()) for m in CLAIM.finditer(text)]


def stack_from_file(example: Path) -> Callable[[cdk.App], cdk.Stack]:
    spec = importlib.util.spec_from_file_location(f"example_{example.stem}", example)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (stack_class,) = [
        v for v in vars(module).values() if isinstance(v, type) and issubclass(v, cdk.Stack) and v is not cdk.Stack
    ]
    return lambda app: stack_class(app, "Example")


def stack_from_snippet(snippet: str, where: str, repositories: Sequence[str] = ()) -> Callable[[cdk.App], cdk.Stack]:
    """A stack whose body is ``snippet`` (README snippets are written as a stack's ``__init__``: ``self``).

    ``repositories`` are created in the stack first (a fleet snippet guards the stack's repositories).
    """

    def build(app: cdk.App) -> cdk.Stack:
        stack = cdk.Stack(app, "Example")
        for index, name in enumerate(repositories):
            ecr.Repository(stack, f"Repository{index}", repository_name=name)
        exec(compile(snippet, where, "exec"), {"self": stack})
        return stack

    return build


def rehearse_creates(build: Callable[[cdk.App], cdk.Stack]) -> dict[str, tuple[str, str]]:
    """Synthesize, seed every guarded repository with the sample images, create every guard.

    Returns repository name -> (status, reason) as CloudFormation would have received them.
    """
    outdir = tempfile.mkdtemp(prefix="docs-rehearsal-")
    app = cdk.App(outdir=outdir)
    stack = build(app)
    app.synth()
    synthesized = load_synthesized_stack(outdir, stack.stack_name)
    outcomes: dict[str, tuple[str, str]] = {}
    with EcrStandIn(preview_latency=0.1) as ecr, ResponseReceiver() as receiver:
        rehearsal = Rehearsal(synthesized, ecr, receiver)
        images = sample_images()
        for guard in rehearsal.guards:
            name = rehearsal.repository_name(guard)
            ecr.create_repository(name, images=images)
        for guard in rehearsal.guards:
            step = rehearsal.create(guard)
            outcomes[rehearsal.repository_name(guard)] = (step.status, step.reason)
    return outcomes


def check_claims(outcomes: dict[str, tuple[str, str]], claims: Sequence[Claim]) -> None:
    """Every guard's outcome is the one claimed (a claim for ``*`` covers the guards without their own)."""
    assert claims, "the example states no rehearsal outcome"
    by_repository = {claim.repository: claim for claim in claims}
    assert set(by_repository) - {"*"} <= set(outcomes), f"claims for unguarded repositories: {by_repository}"
    for repository, (status, reason) in outcomes.items():
        claim = by_repository.get(repository) or by_repository.get("*")
        assert claim is not None, f"no claimed outcome for {repository}: {status} {reason}"
        assert (status, reason.startswith(claim.reason_start)) == (claim.status, True), (repository, status, reason)
