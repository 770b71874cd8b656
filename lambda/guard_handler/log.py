"""JSON log lines for the custom-resource handler (standard library only).

One JSON object per line with ``level``, ``timestamp``, ``location``, ``message``, ``service``,
``request_id``, ``cold_start``, ``RequestType``, ``LogicalResourceId``, ``repository`` and ``phase``;
structured details passed as ``extra={"details": {...}}`` are added under ``details``. The pre-signed
``ResponseURL`` is a credential: it is never logged, and the formatter masks it should any text
contain it.

Examples
--------
>>> import logging
>>> context = LogContext()
>>> formatter = JsonFormatter(context)
>>> record = logging.LogRecord("guard", logging.INFO, "x.py", 1, "hello", None, None)
>>> json.loads(formatter.format(record))["message"]
'hello'
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["SERVICE", "JsonFormatter", "LogContext", "configure_logging"]

#: The ``service`` field of every line.
SERVICE = "ecr-lifecycle-guard"
_MASK = "<redacted>"


class LogContext:
    """The per-invocation fields every line carries, and the secrets no line may contain.

    Examples
    --------
    >>> context = LogContext()
    >>> context.begin("req-1", {"RequestType": "Create", "LogicalResourceId": "Guard"}, secret="https://x?sig")
    >>> context.fields()["cold_start"], context.mask("url https://x?sig")
    (True, 'url <redacted>')
    """

    def __init__(self) -> None:
        self._invocations = 0
        self._fields: dict[str, Any] = {"request_id": None, "cold_start": None}
        self._secrets: tuple[str, ...] = ()

    def begin(self, request_id: str | None, event: Mapping[str, Any], *, secret: str | None) -> None:
        """Start an invocation: reset the fields from the event (never the event itself)."""
        self._invocations += 1
        self._fields = {
            "request_id": request_id,
            "cold_start": self._invocations == 1,
            "RequestType": event.get("RequestType"),
            "LogicalResourceId": event.get("LogicalResourceId"),
            "repository": None,
            "phase": "start",
        }
        self._secrets = _secret_forms(secret)

    def set(self, **fields: str | None) -> None:
        """Update fields such as ``repository`` or ``phase`` for the following lines."""
        self._fields.update(fields)

    def fields(self) -> dict[str, Any]:
        """A copy of the current fields."""
        return dict(self._fields)

    def mask(self, text: str) -> str:
        """``text`` with every form of the secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, _MASK)
        return text


def _secret_forms(secret: str | None) -> tuple[str, ...]:
    """The URL and its query string (the signature part), longest first; empty when no secret."""
    if not secret:
        return ()
    forms = [secret]
    if "?" in secret:
        query = secret.split("?", 1)[1]
        if query:
            forms.append(query)
    return tuple(forms)


class JsonFormatter(logging.Formatter):
    """Render records as one JSON object per line, with the invocation's fields."""

    def __init__(self, context: LogContext, service: str = SERVICE) -> None:
        super().__init__()
        self._context = context
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "location": f"{record.name}.{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "service": self._service,
            **self._context.fields(),
        }
        details = getattr(record, "details", None)
        if details is not None:
            line["details"] = details
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return self._context.mask(json.dumps(line, default=str))


def configure_logging(context: LogContext, *, level: int = logging.INFO) -> None:
    """Format every root handler's lines as JSON (adding a stdout handler when there is none).

    The Lambda Python runtime installs its own root handler; a plain ``python`` process has none.

    Examples
    --------
    >>> root = logging.getLogger()
    >>> saved = root.level, [(handler, handler.formatter) for handler in root.handlers]
    >>> configure_logging(LogContext())
    >>> all(isinstance(handler.formatter, JsonFormatter) for handler in root.handlers)
    True
    >>> root.setLevel(saved[0])
    >>> for handler, formatter in saved[1]:
    ...     handler.setFormatter(formatter)
    >>> root.handlers[:] = [handler for handler, _ in saved[1]]
    """
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stdout))
    formatter = JsonFormatter(context)
    for handler in root.handlers:
        handler.setFormatter(formatter)
    root.setLevel(level)
