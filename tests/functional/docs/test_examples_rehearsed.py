"""Every Python block of README.md and docs/*.md is checked the way the text after it says (see
docs_rehearsal): rehearsed on the demo's sample repository with the outcome it states, synthesized into
the resources it states, run as a program, or marked as an outline; examples/construct is rehearsed too."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
import pytest
from docs_rehearsal import (
    EXAMPLES,
    RUNS,
    SYNTH_ONLY,
    DocBlock,
    check_claims,
    claims_in,
    python_blocks,
    rehearse_creates,
    resource_counts,
    stack_from_file,
    stack_from_snippet,
    stated_counts,
    synthesize,
)

BLOCKS = python_blocks()
#: Rehearsed here; a block that shows an example file is rehearsed from the file.
SNIPPETS = [block for block in BLOCKS if block.checks == ["rehearsal"] and block.example is None]
SYNTH_ONLY_BLOCKS = [block for block in BLOCKS if block.checks == ["synth-only"]]
PROGRAMS = [block for block in BLOCKS if block.checks == ["runs"]]


def _cdk_out(folder: Path) -> None:
    """The Getting started example, synthesized as ``MyStack`` (the name docs/cli.md uses)."""
    app = cdk.App(outdir=str(folder / "cdk.out"))
    stack_from_file(EXAMPLES[[path.stem for path in EXAMPLES].index("guard_owned_repository")], "MyStack")(app)
    app.synth()


def _write(name: str, document: object) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        (folder / name).write_text(json.dumps(document), encoding="utf-8")

    return write


#: What a program may find in its working folder: ``<!-- runs: policy.json images.json -->``.
FILES: dict[str, Callable[[Path], None]] = {
    "cdk.out": _cdk_out,
    "policy.json": _write(
        "policy.json",
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                    "action": {"type": "expire"},
                }
            ]
        },
    ),
    "images.json": _write(
        "images.json",
        {
            "imageDetails": [
                {"imageDigest": f"sha256:{n:064x}", "imageTags": [f"v{n}"], "imagePushedAt": f"2026-01-0{n}T00:00:00Z"}
                for n in range(1, 4)
            ]
        },
    ),
}


def test_every_python_block_says_how_it_is_checked() -> None:
    # given: a rehearsal claim, synth-only, runs or not-code in the text after each block
    assert len(BLOCKS) >= 20

    # then: exactly one per block, and every context given is one the tests understand
    assert {block.id: block.checks for block in BLOCKS if len(block.checks) != 1} == {}
    assert all(block.context for block in BLOCKS)


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_reaches_the_outcome_it_states(example: Path, tmp_path: Path) -> None:
    # given: the example's own statement of what happens on the sample repository
    claims = claims_in(example.read_text(encoding="utf-8"))
    # when
    outcomes = rehearse_creates(stack_from_file(example), tmp_path)
    # then
    check_claims(outcomes, claims)


@pytest.mark.slow
@pytest.mark.parametrize("block", SNIPPETS, ids=lambda block: block.id)
def test_each_doc_snippet_reaches_the_outcome_its_text_states(block: DocBlock, tmp_path: Path) -> None:
    # when: the snippet in a stack that holds what its rehearsal-context names
    outcomes = rehearse_creates(stack_from_snippet(block), tmp_path)
    # then
    check_claims(outcomes, block.claims)


@pytest.mark.slow
@pytest.mark.parametrize("block", SYNTH_ONLY_BLOCKS, ids=lambda block: block.id)
def test_each_synth_only_snippet_synthesizes_the_resources_it_states(block: DocBlock, tmp_path: Path) -> None:
    # given
    stated = stated_counts(block.marker(SYNTH_ONLY))
    assert stated, f"{block.id}: synth-only states no '<N> <Type>' it makes"
    # when
    counts = resource_counts(synthesize(stack_from_snippet(block), tmp_path))
    # then
    assert {resource_type: counts[resource_type] for resource_type in stated} == stated


@pytest.mark.parametrize("block", PROGRAMS, ids=lambda block: block.id)
def test_each_program_runs_in_a_folder_with_the_files_it_reads(
    block: DocBlock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    for name in block.marker(RUNS).split():
        FILES[name](tmp_path)
    monkeypatch.chdir(tmp_path)
    # when
    exec(compile("\n" * (block.line - 1) + block.code, block.document, "exec"), {"__name__": "__main__"})
    # then: it ran to its end and printed its result
    assert capsys.readouterr().out.strip()
