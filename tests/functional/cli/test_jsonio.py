"""Reading JSON input files for every command: one error type, one line, bounded reads; fast or standard output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecr_lifecycle_guard.cli.jsonio import FAST_JSON, MAX_INPUT_BYTES, dump_json, read_json_file, write_json
from ecr_lifecycle_guard.errors import InputFileError


def _detail(path: str | Path, **kwargs: int) -> str:
    with pytest.raises(InputFileError) as caught:
        read_json_file(path, what="images file", **kwargs)
    assert caught.value.source == f"images file {path}"
    assert "\n" not in str(caught.value)
    return caught.value.detail


def test_a_valid_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "i.json"
    path.write_text('{"imageDetails": [{"imageTags": ["é"]}]}', encoding="utf-8")
    assert read_json_file(path, what="images file") == {"imageDetails": [{"imageTags": ["é"]}]}


def test_a_missing_file(tmp_path: Path) -> None:
    assert _detail(tmp_path / "missing.json") == "cannot read the file: No such file or directory"


def test_a_directory(tmp_path: Path) -> None:
    assert _detail(tmp_path) == "cannot read the file: Is a directory"


def test_dev_zero_is_binary_and_read_no_further_than_its_first_chunk() -> None:
    assert _detail("/dev/zero") == "binary data, not JSON text (a NUL byte at line 1, column 1)"


def test_a_file_larger_than_the_limit_is_refused_from_its_size(tmp_path: Path) -> None:
    # given: a sparse file one byte over the default limit (no disk used)
    path = tmp_path / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(MAX_INPUT_BYTES + 1)
    # when / then
    assert _detail(path) == "too large: 268,435,457 bytes, more than the limit of 256 MiB"


def test_a_stream_longer_than_the_limit_is_read_only_up_to_it(tmp_path: Path) -> None:
    # given: a pipe (no size known in advance) carrying more than the limit
    read_end, write_end = os.pipe()
    os.write(write_end, b"[" + b"1," * 60)
    os.close(write_end)
    # when / then
    assert _detail(f"/dev/fd/{read_end}", max_bytes=100) == "too large: more than the limit of 100 bytes"
    os.close(read_end)


def test_a_pipe_within_the_limit_is_read() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b'{"ok": true}')
    os.close(write_end)
    assert read_json_file(f"/dev/fd/{read_end}", what="images file") == {"ok": True}
    os.close(read_end)


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        pytest.param(b'{"a": "caf\xe9"}', "not UTF-8 text: byte 0xe9 at line 1, column 11", id="latin-1"),
        pytest.param(
            b"\x7fELF\x02\x01\x01\x00\x00", "binary data, not JSON text (a NUL byte at line 1, column 8)", id="binary"
        ),
        pytest.param('{"a": 1}'.encode("utf-16"), "UTF-16 text, not UTF-8: save the file as UTF-8", id="utf-16"),
        pytest.param(
            b'{"a": 1,}',
            "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 9",
            id="syntax",
        ),
        pytest.param(b"[" * 100_000, "nested deeper than 512 levels at line 1, column 513", id="deep"),
        pytest.param(b'{"a": [1, NaN]}', "not valid JSON: NaN is not a JSON number at line 1, column 11", id="nan"),
        pytest.param(
            b'{"a": -Infinity}', "not valid JSON: -Infinity is not a JSON number at line 1, column 7", id="inf"
        ),
        pytest.param(
            b"[" + b"1" * 5_000 + b"]",
            "a number with 5,000 digits at line 1, column 2 (at most 4,300 digits are read)",
            id="long-int",
        ),
        pytest.param(
            b'["\\udc00"]',
            "not valid JSON: a lone surrogate escape in a string at line 1, column 2",
            id="lone-surrogate",
        ),
        pytest.param(b"", "not valid JSON: Expecting value at line 1, column 1", id="empty"),
    ],
)
def test_unreadable_content_is_one_line_naming_the_problem_and_where(
    tmp_path: Path, content: bytes, detail: str
) -> None:
    path = tmp_path / "images.json"
    path.write_bytes(content)
    assert _detail(path) == detail


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf[1]")
    assert read_json_file(path, what="policy file") == [1]


def test_an_integer_beyond_64_bits_is_a_float_only_with_the_fast_library(tmp_path: Path) -> None:
    # given
    path = tmp_path / "big.json"
    path.write_text('{"n": 123456789012345678901234567890}', encoding="utf-8")
    # when
    value = read_json_file(path, what="policy file")["n"]
    # then: the one documented difference
    assert value == (1.2345678901234568e29 if FAST_JSON else 123456789012345678901234567890)


def test_output_is_compact_utf8_json_and_falls_back_for_what_the_fast_library_refuses() -> None:
    assert dump_json({"a": [1, "é"], "b": 2**70}) == '{"a":[1,"é"],"b":1180591620717411303424}'


def test_the_same_document_is_written_without_the_fast_library(tmp_path: Path) -> None:
    # given: the command line run as if orjson were not installed (its import fails)
    path = tmp_path / "doc.json"
    path.write_text('{"imageDetails": [{"imageTags": ["é", "v1"], "n": 1.5}]}', encoding="utf-8")
    probe = (
        "import sys; sys.modules['orjson'] = None\n"
        "from ecr_lifecycle_guard.cli.jsonio import FAST_JSON, read_json_file, write_json\n"
        f"assert not FAST_JSON\nwrite_json(read_json_file({str(path)!r}, what='x'))"
    )
    # when
    without = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True).stdout
    # then
    assert without.decode("utf-8") == dump_json(json.loads(path.read_text(encoding="utf-8"))) + "\n"


def test_write_json_to_a_text_stream_without_a_buffer() -> None:
    class Lines:
        def __init__(self) -> None:
            self.text = ""

        def write(self, text: str) -> int:
            self.text += text
            return len(text)

        def flush(self) -> None:
            pass

    out = Lines()
    write_json({"a": 1}, out)  # type: ignore[arg-type]
    assert out.text == '{"a":1}\n'
