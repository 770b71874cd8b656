"""JSON files in and out for every command: bounded, strict reads with one clear error, and fast output.

:func:`read_json_file` reads a policy, an images file or any other JSON input with the same rules:
at most ``max_bytes`` (256 MiB by default, never an unbounded read: pipes and ``/dev/zero`` are
fine), UTF-8, strict JSON (no ``NaN``/``Infinity``) nested no deeper than the parser follows. Every
failure — missing file, directory, too large, binary, not UTF-8, not JSON (line and column) — is an
:class:`~ecr_lifecycle_guard.errors.InputFileError` whose text is one line: ``images file x.json: ...``.

With the optional ``orjson`` (``pip install "cdk-ecr-lifecycle-guard[cli]"``) parsing and
:func:`dump_json` are several times faster; without it the standard library does the same job. The
result does not depend on which one ran: input ``orjson`` refuses is read again by the standard
library, whose strict reading decides (and names the problem). One difference remains: ``orjson``
reads an integer beyond 64 bits as a float; no field the tools read accepts such a number either
way (counts and priorities stop at 2,147,483,647, epoch seconds at year 9999).

Examples
--------
>>> dump_json({"b": [1, "é"], "a": None})
'{"b":[1,"é"],"a":null}'
>>> read_json_file("/nonexistent/images.json", what="images file")
Traceback (most recent call last):
...
ecr_lifecycle_guard.errors.InputFileError: images file /nonexistent/images.json: cannot read the file: \
No such file or directory
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from types import ModuleType
from typing import Any, Final, TextIO

from ecr_lifecycle_guard.engine.jsontext import MAX_INPUT_BYTES, decode_text, loads_strict, read_bytes
from ecr_lifecycle_guard.errors import InputFileError

__all__ = ["FAST_JSON", "MAX_INPUT_BYTES", "dump_json", "read_json_file", "write_json"]


def _fast_json() -> ModuleType | None:
    try:
        import orjson
    except ImportError:  # the [cli] extra is optional: the standard library does the same, slower
        return None
    return orjson


_orjson: Final = _fast_json()
#: Whether the fast JSON library (``orjson``) is in use.
FAST_JSON: Final = _orjson is not None


def read_json_file(path: str | os.PathLike[str], *, what: str, max_bytes: int = MAX_INPUT_BYTES) -> Any:
    """Read and parse one JSON input file.

    Parameters
    ----------
    path
        A file, or a pipe or device (``-`` is not special; use ``/dev/stdin``).
    what
        What the file is, for messages: ``"policy file"``, ``"images file"``, ...
    max_bytes
        Refuse larger input (at most ``max_bytes + 1`` bytes are ever read).

    Returns
    -------
    Any
        The parsed document.

    Raises
    ------
    InputFileError
        ``source`` is ``f"{what} {path}"``; ``detail`` says what is wrong, with line and column for JSON.
    """
    source = f"{what} {os.fspath(path)}"
    try:
        data = read_bytes(path, source=source, max_bytes=max_bytes)
    except OSError as error:
        raise InputFileError(source, f"cannot read the file: {error.strerror or error}") from None
    if _orjson is not None:
        try:
            return _orjson.loads(data)
        except _orjson.JSONDecodeError:
            pass  # the standard library's strict reading decides, and names the problem
    return loads_strict(decode_text(data, source=source), source=source)


def dump_json(document: Any) -> str:
    """Compact JSON text (UTF-8 characters kept as they are); the same document with or without ``orjson``.

    ``datetime`` values are written as ISO-8601 text (``datetime.isoformat()``).

    Examples
    --------
    >>> dump_json({"summary": {"expiringImageTotalCount": 3}})
    '{"summary":{"expiringImageTotalCount":3}}'
    """
    if _orjson is not None:
        try:
            text: str = _orjson.dumps(document).decode("utf-8")
        except TypeError:  # orjson.JSONEncodeError: e.g. an integer beyond 64 bits, a lone surrogate
            pass
        else:
            return text
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=_iso)


def _iso(value: object) -> str:
    """``datetime`` values as ISO-8601 text, as ``orjson`` writes them (and ``datetime.isoformat``)."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def write_json(document: Any, stream: TextIO | None = None) -> None:
    """Write :func:`dump_json`'s text and a newline to ``stream`` (default ``sys.stdout``).

    With ``orjson`` the UTF-8 bytes go straight to the stream's binary buffer: a 40 MB preview is
    not held as bytes, text and bytes again.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> write_json({"status": "COMPLETE"}, out)
    >>> out.getvalue()
    '{"status":"COMPLETE"}\\n'
    """
    target = sys.stdout if stream is None else stream
    buffer = getattr(target, "buffer", None)
    if _orjson is not None and buffer is not None:
        try:
            data: bytes = _orjson.dumps(document, option=_orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            pass
        else:
            target.flush()
            buffer.write(data)
            buffer.flush()
            return
    target.write(dump_json(document) + "\n")
