"""Read JSON input safely: bounded reads, UTF-8 with positions, strict JSON and readable policy numbers.

Every problem is an :class:`~ecr_lifecycle_guard.errors.InputFileError` with one line saying what and
where (line and column), never a ``RecursionError``, an ``OverflowError`` or a bare ``ValueError``:

* :func:`read_bytes` reads at most ``max_bytes + 1`` bytes (a regular file larger than the limit is
  refused from its size alone) and stops at the first NUL byte (binary data, ``/dev/zero``);
* :func:`decode_text` decodes UTF-8 (a leading byte order mark is dropped) and names the first bad byte;
* :func:`loads_strict` parses JSON as RFC 8259 defines it: ``NaN``/``Infinity`` (which Python's
  ``json`` accepts by default), lone surrogates, integers longer than Python converts
  (``sys.get_int_max_str_digits()``) and documents nested deeper than the parser can follow are refused;
* :func:`loads_policy` is the policy engine's reading: numbers Python cannot hold (``NaN``, ``Infinity``,
  too many digits) become :class:`UnreadableNumber` values, so the checks report them at their field.

Examples
--------
>>> loads_strict('{"a": [1, 2.5, "x"]}', source="example")
{'a': [1, 2.5, 'x']}
>>> loads_strict('{"a": NaN}', source="example")
Traceback (most recent call last):
...
ecr_lifecycle_guard.errors.InputFileError: example: not valid JSON: NaN is not a JSON number at line 1, column 7
>>> loads_policy('{"countNumber": NaN}')
{'countNumber': NaN}
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, NoReturn

from ecr_lifecycle_guard.errors import InputFileError

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "UnreadableNumber",
    "decode_text",
    "loads_policy",
    "loads_strict",
    "nesting_exceeds",
    "read_bytes",
]

#: Largest input file read (describe-images output of 100,000 images is about 60 MB as the AWS CLI prints it).
MAX_INPUT_BYTES: Final = 256 * 1024 * 1024
#: Deepest nesting accepted where it is checked exactly (policies); a lifecycle policy needs 5 levels.
MAX_JSON_DEPTH: Final = 512
_CHUNK: Final = 1 << 20
_MIB: Final = 1024 * 1024
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
# Tokens that matter when locating a problem: strings (skipped whole), brackets, numbers and the non-JSON constants.
_TOKEN: Final = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|-?(?:Infinity|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|NaN', re.DOTALL
)
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


class UnreadableNumber:
    """A JSON number Python cannot hold exactly: ``NaN``, ``Infinity``, ``-Infinity`` or too many digits.

    :func:`loads_policy` puts one where the number was, so that a check reports it at its field with
    the text found. It equals nothing but itself and its JSON type is ``number``.

    Examples
    --------
    >>> UnreadableNumber("Infinity")
    Infinity
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text if len(self.text) <= 40 else f"{self.text[:20]}...({len(self.text):,} digits)"


def _size_text(count: int) -> str:
    return f"{count // _MIB} MiB" if count >= _MIB and count % _MIB == 0 else f"{count:,} bytes"


def read_bytes(path: str | os.PathLike[str], *, source: str, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file, pipe or device, reading at most ``max_bytes + 1`` of them.

    Raises
    ------
    OSError
        The file cannot be opened or read (missing, a directory, no permission).
    InputFileError
        It holds more than ``max_bytes`` bytes, or binary data (a NUL byte; ``/dev/zero``).

    Examples
    --------
    >>> read_bytes("/dev/zero", source="images file /dev/zero")
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.InputFileError: images file /dev/zero: binary data, not JSON text \
(a NUL byte at line 1, column 1)
    """
    with open(path, "rb", buffering=0) as stream:
        info = os.fstat(stream.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", os.fspath(path))
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise InputFileError(
                source, f"too large: {info.st_size:,} bytes, more than the limit of {_size_text(max_bytes)}"
            )
        # A regular file is read in one piece of its own size (no second copy from joining chunks).
        first_read = info.st_size + 1 if stat.S_ISREG(info.st_mode) else _CHUNK
        chunks: list[bytes] = []
        total = 0
        utf16 = False  # UTF-16 text holds NUL bytes; decode_text names it
        while total <= max_bytes:
            chunk = stream.read(min(first_read if total == 0 else _CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            utf16 = utf16 or (total == 0 and (chunk.startswith(_UTF16_BOMS) or _looks_utf16(chunk)))
            if not utf16 and b"\x00" in chunk:
                data = b"".join(chunks) + chunk
                line, column = _byte_position(data, total + chunk.index(b"\x00"))
                raise InputFileError(source, f"binary data, not JSON text (a NUL byte at line {line}, column {column})")
            chunks.append(chunk)
            total += len(chunk)
    if total > max_bytes:
        raise InputFileError(source, f"too large: more than the limit of {_size_text(max_bytes)}")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _looks_utf16(chunk: bytes) -> bool:
    """UTF-16 text without a byte order mark: its first ASCII characters alternate with NUL bytes."""
    zeros = [byte == 0 for byte in chunk[:4]]
    return zeros in ([False, True, False, True], [True, False, True, False])


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode_text(data: bytes, *, source: str) -> str:
    """UTF-8 text (a leading UTF-8 byte order mark dropped); the first undecodable byte is named.

    Examples
    --------
    >>> decode_text(b'{"a": "\\xff"}', source="policy file p.json")
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.InputFileError: policy file p.json: not UTF-8 text: byte 0xff at line 1, column 8
    """
    if data.startswith(_UTF16_BOMS) or _looks_utf16(data):
        raise InputFileError(source, "UTF-16 text, not UTF-8: save the file as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        raise InputFileError(
            source, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, column {column}"
        ) from None


def _position(text: str, index: int) -> str:
    line_start = text.rfind("\n", 0, index) + 1
    return f"line {text.count(chr(10), 0, index) + 1}, column {index - line_start + 1}"


def _tokens(text: str) -> Iterator[re.Match[str]]:
    return _TOKEN.finditer(text)


def _first(text: str, wanted: Callable[[str], bool]) -> int | None:
    """Where the first token outside strings that ``wanted`` accepts starts."""
    return next((match.start() for match in _tokens(text) if wanted(match.group())), None)


def _depth_problem(text: str, limit: int) -> str:
    depth = 0
    for match in _tokens(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return f"nested deeper than {limit} levels at {_position(text, match.start())}"
        elif token in "]}":
            depth -= 1
    return f"nested too deeply to read (more than the parser's limit, at least {limit} levels)"


class _NonFiniteError(ValueError):
    """Internal: :func:`loads_strict` met ``NaN``/``Infinity``."""


def _refuse_constant(name: str) -> NoReturn:
    raise _NonFiniteError(name)


def _int_digits_limit() -> int:
    limit: int = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    return limit


def loads_strict(text: str, *, source: str) -> Any:
    """Parse JSON text as RFC 8259 defines it.

    Raises
    ------
    InputFileError
        Not valid JSON (message and line, column), ``NaN``/``Infinity``, a lone surrogate escape, an
        integer too long to convert, or nesting deeper than the parser follows.

    Examples
    --------
    >>> loads_strict("[" * 10_000 + "]" * 10_000, source="x")
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.InputFileError: x: nested deeper than 512 levels at line 1, column 513
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(source, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except _NonFiniteError as exc:
        where = _first(text, lambda token: token in ("NaN", "Infinity", "-Infinity"))
        at = f" at {_position(text, where)}" if where is not None else ""
        raise InputFileError(source, f"not valid JSON: {exc} is not a JSON number{at}") from None
    except RecursionError:
        raise InputFileError(source, _depth_problem(text, MAX_JSON_DEPTH)) from None
    except ValueError as exc:  # an integer longer than int() converts (sys.set_int_max_str_digits)
        raise InputFileError(source, _number_problem(text, exc)) from None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(text, source)
    return value


def _number_problem(text: str, error: ValueError) -> str:
    limit = _int_digits_limit()
    where = _first(text, lambda token: token.lstrip("-").isdigit() and len(token.lstrip("-")) > limit > 0)
    if where is None:
        return f"cannot read a number: {error}"
    digits = len(_TOKEN.match(text, where).group().lstrip("-"))  # type: ignore[union-attr]
    return f"a number with {digits:,} digits at {_position(text, where)} (at most {limit:,} digits are read)"


def _refuse_lone_surrogates(text: str, source: str) -> None:
    """Refuse a string holding half of a UTF-16 surrogate pair (``"\\ud800"``): it is not Unicode text."""
    for match in _tokens(text):
        token = match.group()
        if token.startswith('"') and "\\u" in token:
            try:
                json.loads(token).encode("utf-8")
            except UnicodeEncodeError:
                raise InputFileError(
                    source, f"not valid JSON: a lone surrogate escape in a string at {_position(text, match.start())}"
                ) from None


def loads_policy(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse policy text; numbers Python cannot hold become :class:`UnreadableNumber` (reported at their field).

    Raises
    ------
    InputFileError
        (``source`` ``"policy"``) not valid JSON, a lone surrogate, or nested deeper than ``max_depth``.

    Examples
    --------
    >>> loads_policy('{"rulePriority": ' + "9" * 5000 + "}")
    {'rulePriority': 99999999999999999999...(5,000 digits)}
    """
    try:
        value = json.loads(text, parse_constant=UnreadableNumber, parse_int=_policy_int)
    except json.JSONDecodeError as exc:
        raise InputFileError("policy", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise InputFileError("policy", _depth_problem(text, max_depth)) from None
    if nesting_exceeds(value, max_depth):
        raise InputFileError("policy", _depth_problem(text, max_depth))
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(text, "policy")
    return value


def _policy_int(digits: str) -> int | UnreadableNumber:
    try:
        return int(digits)
    except ValueError:
        return UnreadableNumber(digits)


def nesting_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays/objects (lists, tuples, mappings) nest deeper than ``limit``; iterative, never recursive.

    Examples
    --------
    >>> nesting_exceeds({"a": [[1]]}, 3), nesting_exceeds({"a": [[1]]}, 2), nesting_exceeds(5, 0)
    (False, True, False)
    """
    level = [value] if _is_container(value) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        nested: list[Any] = []
        for item in level:
            nested.extend(item.values() if isinstance(item, Mapping) else item)
        level = [item for item in nested if _is_container(item)]
        depth += 1
    return False


def _is_container(value: object) -> bool:
    return isinstance(value, Mapping | list | tuple)
