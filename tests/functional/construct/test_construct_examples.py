"""The snippets in examples/construct and the README synthesize, and the docs show the examples verbatim."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from construct_helpers import GUARD_TYPE

REPO_ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO_ROOT / "examples" / "construct").glob("*.py"))
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))


def _stack_class(example: Path) -> type[cdk.Stack]:
    spec = importlib.util.spec_from_file_location(f"example_{example.stem}", example)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (stack_class,) = [
        v for v in vars(module).values() if isinstance(v, type) and issubclass(v, cdk.Stack) and v is not cdk.Stack
    ]
    return stack_class


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_synthesizes_a_guard(example: Path) -> None:
    # given
    stack_class = _stack_class(example)

    # when
    stack = stack_class(cdk.App(), "Example")

    # then
    assert Template.from_stack(stack).find_resources(GUARD_TYPE)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_docs_show_the_example_verbatim(example: Path) -> None:
    # then
    assert [doc.name for doc in DOCS if example.read_text() in doc.read_text()] != []


def test_readme_snippet_synthesizes_the_guard_it_describes() -> None:
    # given: the README's construct snippet, run as the body of a stack (it refers to `self`)
    readme = (REPO_ROOT / "README.md").read_text()
    snippet = readme.split("```python\n", 1)[1].split("```", 1)[0]
    stack = cdk.Stack(cdk.App(), "Readme")

    # when
    exec(compile(snippet, "README.md", "exec"), {"self": stack})

    # then
    guards = Template.from_stack(stack).find_resources(GUARD_TYPE)
    (properties,) = (guard["Properties"] for guard in guards.values())
    assert properties["RepositoryName"] == "service-images"
    assert properties["MaxExpiringImages"] == "50"
    assert properties["ProtectedTags"] == ["latest", "prod-*"]
    assert '"countType":"sinceImagePulled"' in properties["LifecyclePolicyText"]
