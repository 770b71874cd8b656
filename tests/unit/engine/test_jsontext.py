"""Reading JSON text safely: strict JSON for input files, readable numbers for policies, bounded nesting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.engine.jsontext import (
    MAX_JSON_DEPTH,
    UnreadableNumber,
    decode_text,
    loads_policy,
    loads_strict,
    nesting_exceeds,
)
from ecr_lifecycle_guard.errors import InputFileError

SOURCE = "images file x.json"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        pytest.param("[1,", "not valid JSON: Expecting value at line 1, column 4", id="syntax"),
        pytest.param('{"a":\n  NaN}', "not valid JSON: NaN is not a JSON number at line 2, column 3", id="nan"),
        pytest.param("[Infinity]", "not valid JSON: Infinity is not a JSON number at line 1, column 2", id="inf"),
        pytest.param(
            '["NaN", -Infinity]',
            "not valid JSON: -Infinity is not a JSON number at line 1, column 9",
            id="minus-inf-after-a-string-holding-nan",
        ),
        pytest.param(
            "[" * 10_000 + "]" * 10_000, f"nested deeper than {MAX_JSON_DEPTH} levels at line 1, column 513", id="deep"
        ),
        pytest.param(
            '{"n": ' + "7" * 5_000 + "}",
            "a number with 5,000 digits at line 1, column 7 (at most 4,300 digits are read)",
            id="long-integer",
        ),
        pytest.param(
            '["ok \\\\ud800", "\\ud800"]',
            "not valid JSON: a lone surrogate escape in a string at line 1, column 16",
            id="lone-surrogate",
        ),
    ],
)
def test_strict_reading_names_the_problem_and_its_position(text: str, detail: str) -> None:
    with pytest.raises(InputFileError) as caught:
        loads_strict(text, source=SOURCE)
    assert str(caught.value) == f"{SOURCE}: {detail}"


def test_strict_reading_keeps_valid_surrogate_pairs_and_escaped_backslashes() -> None:
    assert loads_strict('["\\ud83d\\ude00", "\\\\ud800"]', source=SOURCE) == ["\U0001f600", "\\ud800"]


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        pytest.param(b'{"a": "\xff"}', "not UTF-8 text: byte 0xff at line 1, column 8", id="bad-byte"),
        pytest.param(b"[1,\n 2,\n \xc3]", "not UTF-8 text: byte 0xc3 at line 3, column 2", id="truncated"),
        pytest.param("[1]".encode("utf-16"), "UTF-16 text, not UTF-8: save the file as UTF-8", id="utf-16-bom"),
        pytest.param("[1]".encode("utf-16-le"), "UTF-16 text, not UTF-8: save the file as UTF-8", id="utf-16"),
    ],
)
def test_text_must_be_utf8(data: bytes, detail: str) -> None:
    with pytest.raises(InputFileError) as caught:
        decode_text(data, source=SOURCE)
    assert caught.value.detail == detail


def test_a_utf8_byte_order_mark_is_dropped() -> None:
    assert decode_text(b"\xef\xbb\xbf[1]", source=SOURCE) == "[1]"


def test_policy_reading_turns_numbers_python_cannot_hold_into_values_the_checks_report() -> None:
    # when
    value = loads_policy('{"a": NaN, "b": -Infinity, "c": ' + "1" * 5_000 + ', "d": 12}')
    # then
    assert [type(value[key]) for key in "abc"] == [UnreadableNumber] * 3
    assert [repr(value[key]) for key in "abc"] == ["NaN", "-Infinity", "11111111111111111111...(5,000 digits)"]
    assert value["d"] == 12


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        pytest.param('{"rules": [}', "not valid JSON: Expecting value at line 1, column 12", id="syntax"),
        pytest.param("[" * 10_000 + "]" * 10_000, "nested deeper than 512 levels at line 1, column 513", id="deep"),
        pytest.param("[" * 600 + "]" * 600, "nested deeper than 512 levels at line 1, column 513", id="parsable-deep"),
    ],
)
def test_policy_reading_refuses_what_is_not_a_document(text: str, detail: str) -> None:
    with pytest.raises(InputFileError) as caught:
        loads_policy(text)
    assert caught.value.detail == detail


@given(st.integers(0, 40), st.integers(0, 40))
def test_nesting_is_measured_without_recursion(depth: int, limit: int) -> None:
    # given: alternate arrays and objects
    value: object = 1
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    # when / then
    assert nesting_exceeds(value, limit) == (depth > limit)


def test_nesting_of_a_document_deeper_than_the_interpreter_recursion_limit() -> None:
    value: list[object] = []
    for _ in range(100_000):
        value = [value]
    assert nesting_exceeds(value, MAX_JSON_DEPTH)
