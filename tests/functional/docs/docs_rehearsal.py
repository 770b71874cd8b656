"""Check the documentation's Python blocks the way their markers say (shared by the docs tests).

Every ```` ```python ```` block of README.md and docs/*.md says, in the text after it (up to the next
Python block), how it is checked -- exactly one of:

- ``<!-- rehearsal: <repository> SUCCESS -->`` / ``<!-- rehearsal: <repository> FAILED blocked by ... -->``
  (in a Python file or a block that shows one: ``# rehearsal: ...``; ``*`` stands for every guarded
  repository): synthesized, every guard created by the real handler on the demo's sample repository,
  and each outcome is the one claimed;
- ``<!-- synth-only: <why not rehearsed>: <N> <Type>, ... -->``: executed and synthesized, and the app
  holds exactly N resources of each Type named;
- ``<!-- runs: <file> ... -->``: a complete program, run in a folder holding the files named;
- ``<!-- not-code: <why> -->``: an outline or fragment, not meant to run.

A snippet that is not a whole program runs with ``app``, and ``stack``/``self`` (a stack of ``app``).
``<!-- rehearsal-context: <clause>; ... -->`` in the text before it (since the previous Python block)
gives it more: ``repositories a b`` (created in ``stack`` first), ``stage`` (``stage``, holding
``stack``), ``stack of <example.py>`` (``stack`` is that example's stack), ``names of <file.py or
module>, ...`` (their public names), ``pipeline`` (a CDK Pipelines ``CodePipeline``) and
``<name> = <Python literal>``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import runpy
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import cx_api, pipelines

from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver
from ecr_lifecycle_guard.local.rehearsal import Rehearsal, load_synthesized_stack
from ecr_lifecycle_guard.local.sample import sample_images

REPO_ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
EXAMPLES = sorted((REPO_ROOT / "examples" / "construct").glob("*.py"))

CLAIM = re.compile(r"(?:<!--|#) rehearsal: (\S+) (SUCCESS|FAILED)(?: ([^>\n]*?))?\s*(?:-->|$)", re.M)
CONTEXT = re.compile(r"<!-- rehearsal-context: (.*?)\s*-->", re.S)
SYNTH_ONLY = re.compile(r"<!-- synth-only: (.*?)\s*-->", re.S)
RUNS = re.compile(r"<!-- runs: (.*?)\s*-->", re.S)
NOT_CODE = re.compile(r"<!-- not-code: (.*?)\s*-->", re.S)
RESOURCE_COUNT = re.compile(r"(\d+) ((?:AWS|Custom)::[\w:]+)")
#: A Python block, also indented in a list item (``py`` and ``python3`` count too: none may escape the check).
FENCE = re.compile(r"^( *)```(?:python3?|py)\b[^\n]*\n(.*?)^\1```", re.M | re.S)
#: The account of the pipeline stack ``pipeline`` belongs to (examples/multi_account's registry account).
PIPELINE_ENV = cdk.Environment(account="111111111111", region="eu-west-1")


@dataclass(frozen=True)
class Claim:
    repository: str  # the guarded repository's name, or "*" for every one
    status: str
    reason_start: str


def claims_in(text: str) -> list[Claim]:
    return [Claim(m.group(1), m.group(2), (m.group(3) or "").strip()) for m in CLAIM.finditer(text)]


@dataclass(frozen=True)
class Context:
    """What a snippet is given beyond ``app`` and ``stack`` (parsed from ``<!-- rehearsal-context: ... -->``)."""

    repositories: tuple[str, ...] = ()
    stage: bool = False
    pipeline: bool = False
    stack_of: Path | None = None
    names_of: tuple[str, ...] = ()
    values: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Context:
        repositories: list[str] = []
        names_of: list[str] = []
        values: dict[str, object] = {}
        stage = pipeline = False
        stack_of = None
        for clause in filter(None, (part.strip() for part in text.split(";"))):
            if clause in ("stage", "pipeline"):
                stage, pipeline = stage or clause == "stage", pipeline or clause == "pipeline"
            elif clause.startswith("repositories "):
                repositories += clause.split()[1:]
            elif clause.startswith("names of "):
                names_of += [name.strip() for name in clause.removeprefix("names of ").split(",")]
            elif clause.startswith("stack of "):
                stack_of = REPO_ROOT / clause.removeprefix("stack of ")
            elif re.match(r"\w+ = ", clause):
                name, literal = clause.split(" = ", 1)
                values[name] = ast.literal_eval(literal)
            else:
                raise ValueError(f"rehearsal-context: unknown clause {clause!r}")
        return cls(tuple(repositories), stage, pipeline, stack_of, tuple(names_of), values)


@dataclass(frozen=True)
class DocBlock:
    """One Python block of a document, with the text around it that states how it is checked."""

    document: str  # relative to the repository
    line: int  # of the block's first code line
    code: str  # dedented
    before: str  # the text since the previous Python block (its context)
    after: str  # the text up to the next Python block (its claims and markers)

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"

    @property
    def claims(self) -> list[Claim]:
        return claims_in(self.code) + claims_in(self.after)

    @property
    def checks(self) -> list[str]:
        """How the block is checked, by marker: exactly one for every block."""
        found = ["rehearsal"] if self.claims else []
        markers = (("synth-only", SYNTH_ONLY), ("runs", RUNS), ("not-code", NOT_CODE))
        return found + [name for name, marker in markers for _ in marker.finditer(self.after)]

    @property
    def example(self) -> Path | None:
        """The example file this block shows verbatim (rehearsed from the file itself), if any."""
        return next((path for path in EXAMPLES if path.read_text(encoding="utf-8") == self.code), None)

    @property
    def context(self) -> Context:
        contexts = CONTEXT.findall(self.before)
        assert len(contexts) <= 1, f"{self.id}: more than one rehearsal-context before the block"
        return Context.parse(contexts[0]) if contexts else Context()

    def marker(self, pattern: re.Pattern[str]) -> str:
        (text,) = pattern.findall(self.after)
        return str(text)


def python_blocks(documents: Sequence[Path] = DOCUMENTS) -> list[DocBlock]:
    blocks = []
    for document in documents:
        text = document.read_text(encoding="utf-8")
        fences = list(FENCE.finditer(text))
        for index, fence in enumerate(fences):
            start = fences[index - 1].end() if index else 0
            end = fences[index + 1].start() if index + 1 < len(fences) else len(text)
            blocks.append(
                DocBlock(
                    document=str(document.relative_to(REPO_ROOT)),
                    line=text.count("\n", 0, fence.start(2)) + 1,
                    code=textwrap.dedent(fence.group(2)),
                    before=text[start : fence.start()],
                    after=text[fence.end() : end],
                )
            )
    return blocks


def stack_from_file(example: Path, construct_id: str = "Example") -> Callable[[cdk.App | cdk.Stage], cdk.Stack]:
    spec = importlib.util.spec_from_file_location(f"example_{example.stem}", example)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (stack_class,) = [
        v for v in vars(module).values() if isinstance(v, type) and issubclass(v, cdk.Stack) and v is not cdk.Stack
    ]
    return lambda scope: stack_class(scope, construct_id)


def public_names(source: str) -> dict[str, object]:
    """The names a snippet may use from a repository file (``*.py``) or an installed module."""
    if source.endswith(".py"):
        names = runpy.run_path(str(REPO_ROOT / source), run_name=f"docs_{Path(source).stem}")
        return {name: value for name, value in names.items() if not name.startswith("_")}
    module = importlib.import_module(source)
    return {name: getattr(module, name) for name in module.__all__}


def stack_from_snippet(block: DocBlock) -> Callable[[cdk.App], object]:
    """An app whose stack's body is the block (written as a stack's ``__init__``, or with ``stack``)."""
    context = block.context

    def build(app: cdk.App) -> None:
        scope = cdk.Stage(app, "Stage") if context.stage else app
        stack = stack_from_file(context.stack_of)(scope) if context.stack_of else cdk.Stack(scope, "Example")
        for index, name in enumerate(context.repositories):
            ecr.Repository(stack, f"Repository{index}", repository_name=name)
        names = {name: value for source in context.names_of for name, value in public_names(source).items()}
        names |= {**context.values, "app": app, "stack": stack, "self": stack}
        if context.stage:
            names["stage"] = scope
        if context.pipeline:
            source = pipelines.CodePipelineSource.git_hub("example/platform-images", "main")
            synth = pipelines.ShellStep("Synth", input=source, commands=["npx cdk synth"])
            pipeline_stack = cdk.Stack(app, "Pipeline", env=PIPELINE_ENV)
            names["pipeline"] = pipelines.CodePipeline(pipeline_stack, "Pipeline", synth=synth, cross_account_keys=True)
        # blank lines first: a traceback names the document's own line
        exec(compile("\n" * (block.line - 1) + block.code, block.document, "exec"), names)
        if not stack.node.children:  # the snippet made its own stacks
            scope.node.try_remove_child(stack.node.id)

    return build


def synthesize(build: Callable[[cdk.App], object], outdir: Path) -> cx_api.CloudAssembly:
    app = cdk.App(outdir=str(outdir))
    build(app)
    return app.synth()


def resource_counts(assembly: cx_api.CloudAssembly) -> Counter[str]:
    """Resources by type over every stack of the app, those of its stages included."""
    return Counter(
        resource["Type"]
        for stack in assembly.stacks_recursively
        for resource in stack.template.get("Resources", {}).values()
    )


def stated_counts(marker: str) -> dict[str, int]:
    return {resource_type: int(count) for count, resource_type in RESOURCE_COUNT.findall(marker)}


def rehearse_creates(build: Callable[[cdk.App], object], outdir: Path) -> dict[str, tuple[str, str]]:
    """Synthesize, seed every guarded repository (of every stack, stages included) with the sample images,
    create every guard.

    Returns repository name -> (status, reason) as CloudFormation would have received them.
    """
    assembly = synthesize(build, outdir)
    stacks = [load_synthesized_stack(s.assembly.directory, s.stack_name) for s in assembly.stacks_recursively]
    outcomes: dict[str, tuple[str, str]] = {}
    with EcrStandIn(preview_latency=0.1) as ecr, ResponseReceiver() as receiver:
        rehearsals = [Rehearsal(stack, ecr, receiver) for stack in stacks if stack.guards]
        images = sample_images()
        for rehearsal in rehearsals:
            for guard in rehearsal.guards:
                ecr.create_repository(rehearsal.repository_name(guard), images=images)
        for rehearsal in rehearsals:
            for guard in rehearsal.guards:
                step = rehearsal.create(guard)
                outcomes[rehearsal.repository_name(guard)] = (step.status, step.reason)
    return outcomes


def check_claims(outcomes: dict[str, tuple[str, str]], claims: Sequence[Claim]) -> None:
    """Every guard's outcome is the one claimed (a claim for ``*`` covers the guards without their own)."""
    assert claims, "the example states no rehearsal outcome"
    assert outcomes, "the example guards no repository"
    by_repository = {claim.repository: claim for claim in claims}
    assert set(by_repository) - {"*"} <= set(outcomes), f"claims for unguarded repositories: {by_repository}"
    for repository, (status, reason) in outcomes.items():
        claim = by_repository.get(repository) or by_repository.get("*")
        assert claim is not None, f"no claimed outcome for {repository}: {status} {reason}"
        assert (status, reason.startswith(claim.reason_start)) == (claim.status, True), (repository, status, reason)
