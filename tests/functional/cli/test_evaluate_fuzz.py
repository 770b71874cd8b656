"""Random files never break ``validate`` or ``evaluate``: exit 0, 1 (or 3 with gate options), one line, no traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from evaluate_helpers import IMAGES, NOW, POLICY, files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_lifecycle_guard.cli.main import main

JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["sha256:a", "2025-01-01T00:00:00Z", "ACTIVE", "ARCHIVED", "tagged", "any", "days", "expire"]),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "rules",
                    "imageDetails",
                    "imageDigest",
                    "imageTags",
                    "imagePushedAt",
                    "imageStatus",
                    "rulePriority",
                    "selection",
                    "action",
                    "tagStatus",
                    "countType",
                    "countNumber",
                    "type",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)
FILE_CONTENTS = st.one_of(
    st.binary(max_size=64),
    JSON_VALUES.map(lambda value: json.dumps(value).encode("utf-8")),
    st.lists(JSON_VALUES, max_size=3).map(lambda items: json.dumps({"imageDetails": items}).encode("utf-8")),
)
GATE_ARGS = st.sampled_from([[], ["--max-expiring", "0"], ["--protect", "*"], ["--max-expiring-percent", "50"]])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy_content=FILE_CONTENTS, images_content=FILE_CONTENTS, gate=GATE_ARGS)
def test_random_files_give_exit_0_1_or_3_one_error_line_and_no_traceback(
    capsys: pytest.CaptureFixture[str], policy_content: bytes, images_content: bytes, gate: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        # given
        policy_path, images_path = Path(directory, "p.json"), Path(directory, "i.json")
        policy_path.write_bytes(policy_content)
        images_path.write_bytes(images_content)
        for argv, allowed in (
            (["validate", str(policy_path)], {0, 1}),
            (["evaluate", "--policy", str(policy_path), "--images", str(images_path), "--now", NOW], {0, 1}),
            (
                ["evaluate", "--policy", str(policy_path), "--images", str(images_path), "--now", NOW, "--json", *gate],
                {0, 1, 3} if gate else {0, 1},
            ),
        ):
            # when
            code = main(argv)
            # then
            err = capsys.readouterr().err
            assert code in allowed, (argv, err)
            assert "Traceback" not in err
            if code == 1 and argv[0] == "evaluate":
                assert err.count("\n") == 1, err
                assert err.startswith("error: "), err
            if code == 1 and argv[0] == "validate":
                assert all(str(policy_path) in line for line in err.splitlines()), err


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(images=st.lists(JSON_VALUES, max_size=4), policy_json=JSON_VALUES)
def test_random_documents_passed_straight_to_the_engine_are_named_errors(
    capsys: pytest.CaptureFixture[str], images: list[object], policy_json: object
) -> None:
    # given: a valid policy with random images, and a random policy
    for policy, details in ((POLICY, {"imageDetails": images}), (policy_json, IMAGES)):
        with tempfile.TemporaryDirectory() as directory:
            args = files(Path(directory), policy=policy, images=details)
            # when
            code = main(["evaluate", *args, "--now", NOW])
            # then
            err = capsys.readouterr().err
            assert code in (0, 1)
            assert (err == "") if code == 0 else (err.count("\n") == 1 and "Traceback" not in err)
