"""Whatever bytes or JSON a file holds, ``validate`` answers 0 or 1 with messages, never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_lifecycle_guard.cli.main import main

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
ANY_JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)
RULE_KEYS = st.sampled_from(
    ["rulePriority", "description", "selection", "action", "tagStatus", "tagPatternList", "tagPrefixList",
     "countType", "countUnit", "countNumber", "storageClass", "type", "targetStorageClass"]
)  # fmt: skip
RULE_VALUES = st.recursive(
    SCALARS | st.sampled_from(["any", "tagged", "untagged", "expire", "transition", "days", "imageCountMoreThan"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(RULE_KEYS, children, max_size=6),
    max_leaves=20,
)
POLICY_LIKE = st.fixed_dictionaries(
    {"rules": st.lists(st.dictionaries(RULE_KEYS, RULE_VALUES, max_size=6), max_size=4)}
)


def run_validate(content: bytes) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "policy.json")
        path.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", str(path)])
    return code, out.getvalue(), err.getvalue()


def assert_answered(code: int, out: str, err: str) -> None:
    assert code in (0, 1)
    assert "Traceback" not in err
    assert (out if code == 0 else err).strip(), "an answer is always printed"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=2048))
def test_random_bytes_get_exit_0_or_1_and_a_message(content: bytes) -> None:
    assert_answered(*run_validate(content))


@given(document=ANY_JSON)
def test_random_json_gets_exit_0_or_1_and_a_message(document: Any) -> None:
    assert_answered(*run_validate(json.dumps(document).encode()))


@given(document=POLICY_LIKE)
def test_random_policy_shaped_json_gets_exit_0_or_1_and_a_message(document: Any) -> None:
    assert_answered(*run_validate(json.dumps(document).encode()))
