"""``ecr-lifecycle-guard evaluate`` through ``cli.main.main``: table, JSON, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from evaluate_helpers import IMAGES, NOW, POLICY, files

from ecr_lifecycle_guard.cli.main import main


def test_table_lists_acted_on_images_with_reasons_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    args = files(tmp_path)
    # when
    code = main(["evaluate", *args, "--now", NOW])
    # then
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    keep_alpha = 'rule 1 (tagged "alpha*", keep 1 newest): rank 2 of 2 in the rule\'s selection'
    assert out.splitlines() == [
        "IMAGE                TAGS            PUSHED            ACTION  RULE  WHY",
        "-------------------  --------------  ----------------  ------  ----  " + "-" * len(keep_alpha),
        f"sha256:aaaaaaaaaaaa  alpha-1,beta-1  2026-01-01 00:00  EXPIRE  1     {keep_alpha}",
        "sha256:bbbbbbbbbbbb  <untagged>      2026-01-02 00:00  EXPIRE  2     "
        "rule 2 (untagged, older than 1 day): pushed 3 days ago",
        "sha256:dddddddddddd  git hash        2026-01-04 00:00  EXPIRE  3     "
        "rule 3 (any, keep 1 newest): rank 2 of 5 in the rule's selection",
        "3 of 5 images acted on: 3 expire, 0 transition to archive (evaluated at 2026-01-05T00:00:00+00:00)",
        "warning: 1 more image(s) cross an age threshold within 24 hours and would be acted on by then (rule 2: 1); "
        "ECR acts within 24 hours of an image meeting the criteria",
    ]


def test_json_is_the_preview_shape_with_explanations_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    args = files(tmp_path)
    # when
    code = main(["evaluate", *args, "--now", NOW, "--json"])
    # then
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["status"] == "COMPLETE"
    assert document["summary"] == {"expiringImageTotalCount": 3}
    assert document["previewResults"][1] == {
        "imageDigest": "sha256:" + "b" * 64,
        "imagePushedAt": "2026-01-02T00:00:00+00:00",
        "action": {"type": "EXPIRE"},
        "appliedRulePriority": 2,
        "storageClass": "STANDARD",
    }
    assert [r["appliedRulePriority"] for r in document["previewResults"]] == [1, 2, 3]
    assert document["explanations"]["sha256:" + "d" * 64] == (
        "rule 3 (any, keep 1 newest): rank 2 of 5 in the rule's selection"
    )
    assert len(document["warnings"]) == 1


def test_nothing_to_do_prints_a_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = files(tmp_path, images=[])
    assert main(["evaluate", *args, "--now", NOW]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "no image would be acted on"


def test_invalid_policy_exits_1_with_the_rule_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    bad = json.loads(json.dumps(POLICY))
    bad["rules"][2]["selection"]["countUnit"] = "days"
    args = files(tmp_path, policy=bad)
    # when
    code = main(["evaluate", *args])
    # then
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        f"error: invalid lifecycle policy in {tmp_path / 'policy.json'}: rule 3 (priority 3): selection.countUnit: "
        "not allowed with countType imageCountMoreThan [V10]\n"
    )


@pytest.mark.parametrize(
    ("images", "detail"),
    [
        pytest.param(
            "[{", "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 3", id="syntax"
        ),
        pytest.param(
            {"images": []}, 'must be describe-images output ({"imageDetails": [...]}) or a list, got object', id="shape"
        ),
        pytest.param(
            [{"imageDigest": "sha256:1", "imagePushedAt": "last week"}],
            'image 1 (sha256:1): imagePushedAt: must be an ISO-8601 timestamp or epoch seconds, got "last week"',
            id="field",
        ),
    ],
)
def test_unreadable_images_file_exits_1_naming_the_file_and_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], images: Any, detail: str
) -> None:
    args = files(tmp_path, images=images)
    assert main(["evaluate", *args]) == 1
    assert capsys.readouterr().err == f"error: images file {tmp_path / 'images.json'}: {detail}\n"


def test_missing_images_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = files(tmp_path)
    args[-1] = str(tmp_path / "missing.json")
    assert main(["evaluate", *args]) == 1
    assert capsys.readouterr().err == (
        f"error: images file {tmp_path / 'missing.json'}: cannot read the file: No such file or directory\n"
    )


def test_bad_now_is_a_usage_error_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["evaluate", *files(tmp_path), "--now", "tomorrow"])
    assert caught.value.code == 2
    assert 'argument --now: time: must be an ISO-8601 timestamp or epoch seconds, got "tomorrow"' in (
        capsys.readouterr().err
    )


def test_the_engine_and_the_evaluate_command_load_neither_boto3_nor_aws_cdk_nor_moto() -> None:
    # given
    probe = (
        "import sys, ecr_lifecycle_guard.engine, ecr_lifecycle_guard.cli.evaluate; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'aws_cdk', 'moto', 'jsii'}))"
    )
    # when
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # then
    assert completed.stdout == "[]\n"


# --- unreadable input: one line on stderr, exit 1, never a traceback ------------------------------------------------


def _error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    return err


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        pytest.param(b'{"imageDetails": ["caf\xe9"]}', "not UTF-8 text: byte 0xe9 at line 1, column 23", id="non-utf8"),
        pytest.param(bytes(range(256)), "binary data, not JSON text (a NUL byte at line 1, column 1)", id="binary"),
        pytest.param(
            b'{"imageDetails": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
            "nested deeper than 512 levels at line 1, column 529",
            id="nested",
        ),
        pytest.param(
            b'[{"imageDigest": "sha256:a", "imagePushedAt": NaN}]',
            "not valid JSON: NaN is not a JSON number at line 1, column 47",
            id="nan",
        ),
        pytest.param(
            b'[{"imageDigest": "sha256:a", "imagePushedAt": Infinity}]',
            "not valid JSON: Infinity is not a JSON number at line 1, column 47",
            id="infinity",
        ),
        pytest.param(
            b'[{"imageDigest": "sha256:a", "imagePushedAt": 1e400}]',
            "image 1 (sha256:a): imagePushedAt: epoch seconds must be a finite number, got Infinity",
            id="overflowing-number",
        ),
        pytest.param(
            b'[{"imageDigest": "sha256:a", "imagePushedAt": 99999999999999}]',
            "image 1 (sha256:a): imagePushedAt: epoch seconds out of range (years 1 to 9999), got 99999999999999",
            id="year-beyond-9999",
        ),
        pytest.param(
            b'[{"imageDigest": "sha256:a", "imagePushedAt": 0, "imageTags": [7]}]',
            "image 1 (sha256:a): imageTags: must be an array of strings, got [7]",
            id="non-string-tag",
        ),
    ],
)
def test_unreadable_images_file_is_one_line_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, detail: str
) -> None:
    # given
    args = files(tmp_path)
    (tmp_path / "images.json").write_bytes(content)
    # when / then
    assert _error_line(capsys, ["evaluate", *args]) == f"error: images file {tmp_path / 'images.json'}: {detail}\n"


def test_dev_zero_as_images_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = files(tmp_path)
    args[-1] = "/dev/zero"
    assert _error_line(capsys, ["evaluate", *args]) == (
        "error: images file /dev/zero: binary data, not JSON text (a NUL byte at line 1, column 1)\n"
    )


def test_an_images_file_over_the_size_limit_is_refused_from_its_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: a sparse file of 256 MiB + 1 byte
    args = files(tmp_path)
    with (tmp_path / "images.json").open("wb") as stream:
        stream.truncate(256 * 1024 * 1024 + 1)
    # when / then
    assert _error_line(capsys, ["evaluate", *args]) == (
        f"error: images file {tmp_path / 'images.json'}: too large: 268,435,457 bytes, more than the limit of 256 MiB\n"
    )


def test_nan_in_the_policy_file_is_refused_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    args = files(tmp_path)
    text = json.dumps(POLICY).replace('"countNumber": 1}', '"countNumber": NaN}', 1)
    (tmp_path / "policy.json").write_text(text, encoding="utf-8")
    column = text.index("NaN") + 1
    # when / then
    assert _error_line(capsys, ["evaluate", *args]) == (
        f"error: policy file {tmp_path / 'policy.json'}: not valid JSON: NaN is not a JSON number at line 1, "
        f"column {column}\n"
    )


def test_a_policy_with_several_problems_is_still_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    bad = json.loads(json.dumps(POLICY))
    bad["rules"][0]["selection"]["countNumber"] = 2_147_483_648
    bad["rules"][2]["selection"]["countUnit"] = "days"
    args = files(tmp_path, policy=bad)
    # when / then
    assert _error_line(capsys, ["evaluate", *args]) == (
        f"error: invalid lifecycle policy in {tmp_path / 'policy.json'}: rule 1 (priority 1): selection.countNumber: "
        "must be an integer from 1 to 2147483647, got 2147483648 [V11]; rule 3 (priority 3): selection.countUnit: "
        "not allowed with countType imageCountMoreThan [V10]\n"
    )


def test_the_largest_count_number_evaluates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given: untagged images older than 2,147,483,647 days (an age before year 1): none, but still shielded
    largest = json.loads(json.dumps(POLICY))
    largest["rules"][1]["selection"]["countNumber"] = 2_147_483_647
    args = files(tmp_path, policy=largest)
    # when
    code = main(["evaluate", *args, "--now", NOW, "--json"])
    # then
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["appliedRulePriority"] for r in document["previewResults"]] == [1, 3]


def test_evaluating_at_year_one_acts_on_no_image_by_age(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    args = files(tmp_path)
    # when
    code = main(["evaluate", *args, "--now", "0001-01-01T00:00:00Z"])
    # then: the keep rules still act, the age rule cannot
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "2 of 5 images acted on: 2 expire, 0 transition to archive (evaluated at 0001-01-01T00:00:00+00:00)"
    )


@pytest.mark.parametrize(
    ("now", "detail"),
    [
        pytest.param("nan", 'must be an ISO-8601 timestamp or epoch seconds, got "nan"', id="nan"),
        pytest.param(
            "10000-01-01T00:00:00Z",
            'must be an ISO-8601 timestamp or epoch seconds, got "10000-01-01T00:00:00Z"',
            id="year-10000",
        ),
        pytest.param(
            "0001-01-01T00:00:00+05:00",
            'out of range once in UTC (years 1 to 9999), got "0001-01-01T00:00:00+05:00"',
            id="before-year-1",
        ),
    ],
)
def test_an_unusable_now_is_a_usage_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], now: str, detail: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["evaluate", *files(tmp_path), "--now", now])
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert err.endswith(f"error: argument --now: time: {detail}\n")
    assert "Traceback" not in err


def test_json_output_is_the_render_module_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given: the command writes timestamps through the JSON writer; render builds them as text
    from datetime import datetime

    from ecr_lifecycle_guard.cli.render import evaluation_json
    from ecr_lifecycle_guard.engine import evaluate, load_images, parse_policy

    expected = evaluation_json(evaluate(parse_policy(POLICY), load_images(IMAGES), datetime.fromisoformat(NOW)))
    # when
    assert main(["evaluate", *files(tmp_path), "--now", NOW, "--json"]) == 0
    # then
    assert json.loads(capsys.readouterr().out) == expected
