"""Every documented example is rehearsed: synthesized, run through the real handler on the demo's sample
repository, and its outcome is the one the text next to it states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docs_rehearsal import (
    CONTEXT,
    REPO_ROOT,
    check_claims,
    claims_in,
    rehearse_creates,
    stack_from_file,
    stack_from_snippet,
)

EXAMPLES = sorted((REPO_ROOT / "examples" / "construct").glob("*.py"))
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
#: The README's Python blocks, each with the text up to the next block (where its claims are written).
README_BLOCKS = [
    (m.group(1), README[m.end() : README.find("```python", m.end()) if "```python" in README[m.end() :] else None])
    for m in re.finditer(r"```python\n(.*?)```", README, re.S)
]


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_reaches_the_outcome_it_states(example: Path) -> None:
    # given: the example's own statement of what happens on the sample repository
    claims = claims_in(example.read_text(encoding="utf-8"))
    # when
    outcomes = rehearse_creates(stack_from_file(example))
    # then
    check_claims(outcomes, claims)


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(README_BLOCKS)), ids=lambda i: f"readme-block-{i + 1}")
def test_each_readme_snippet_reaches_the_outcome_the_readme_states(index: int) -> None:
    # given
    snippet, text_after = README_BLOCKS[index]
    before = README[: README.find(snippet)]
    before = before[: before.rfind("```python")]  # the text since the previous block, without this block's fence
    context = CONTEXT.findall(before[before.rfind("```") + 3 :])
    repositories = context[-1].split() if context else []
    # when
    outcomes = rehearse_creates(stack_from_snippet(snippet, "README.md", repositories))
    # then
    check_claims(outcomes, claims_in(text_after))
