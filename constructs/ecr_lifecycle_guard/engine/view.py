"""A lenient, read-only view of an unvalidated policy document, shared by the checks.

The checks must report every problem at once, so they cannot rely on earlier checks having
passed. :class:`PolicyView` reads whatever is there without raising; each check skips the values
another check is responsible for (wrong type, missing, ``null``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ecr_lifecycle_guard.engine.jsontext import UnreadableNumber
from ecr_lifecycle_guard.errors import Issue

__all__ = ["MAX_COUNT_NUMBER", "MAX_RULE_PRIORITY", "PolicyView", "RuleView", "is_int", "shown", "type_name"]

#: ECR documents no upper bound for ``countNumber``; the conservative reading is a signed 32-bit integer.
MAX_COUNT_NUMBER: Final = 2**31 - 1
#: Nor for ``rulePriority``: the same reading.
MAX_RULE_PRIORITY: Final = 2**31 - 1
_STORAGE_CLASSES: Final = ("standard", "archive")
_EMPTY: Final[Mapping[str, Any]] = {}


def is_int(value: object) -> bool:
    """Whether ``value`` is a JSON integer (``bool`` is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def type_name(value: object) -> str:
    """The JSON type name of a Python value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, UnreadableNumber):
        return "number"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object" if isinstance(value, Mapping) else type(value).__name__


def shown(value: object) -> str:
    """A short JSON rendering of a found value, for messages (never raises, whatever the value).

    Examples
    --------
    >>> shown([1, "a"]), shown(float("nan")), shown(UnreadableNumber("9" * 100)), shown("line\u2028break")
    ('[1, "a"]', 'NaN', '99999999999999999999...(100 digits)', '"line\\\\u2028break"')
    """
    try:
        text = json.dumps(value, ensure_ascii=False)
        if not text.isprintable():  # line or paragraph separators, controls: escape, so a message stays one line
            text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):  # not JSON, or nested too deeply to render
        if isinstance(value, Mapping):
            text = "{...}"
        elif isinstance(value, list | tuple):
            text = "[...]"
        else:
            text = _repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # e.g. an int too long to convert: a message must not fail
        return f"<{type_name(value)}>"
    return text if text.isprintable() else ascii(value)


@dataclass(frozen=True)
class RuleView:
    """One entry of ``rules`` as given (``raw`` is ``{}`` when the entry is not an object)."""

    index: int
    raw: Mapping[str, Any]
    is_object: bool

    @property
    def priority(self) -> int | None:
        """The ``rulePriority`` when it is a valid integer from 1 to :data:`MAX_RULE_PRIORITY`."""
        value = self.raw.get("rulePriority")
        return value if isinstance(value, int) and is_int(value) and 1 <= value <= MAX_RULE_PRIORITY else None

    @property
    def selection(self) -> Mapping[str, Any]:
        """The ``selection`` object, or ``{}`` when it is missing or not an object."""
        value = self.raw.get("selection")
        return value if isinstance(value, Mapping) else _EMPTY

    @property
    def action(self) -> Mapping[str, Any]:
        """The ``action`` object, or ``{}`` when it is missing or not an object."""
        value = self.raw.get("action")
        return value if isinstance(value, Mapping) else _EMPTY

    @property
    def storage_class(self) -> str | None:
        """The selected storage class (absent means ``standard``), or ``None`` when invalid."""
        value = self.selection.get("storageClass", "standard")
        return value if value in _STORAGE_CLASSES else None

    def issue(self, check: str, field: str, message: str) -> Issue:
        """An :class:`Issue` located at ``field`` of this rule (``field`` may be empty)."""
        path = f"rules[{self.index}]" + (f".{field}" if field else "")
        return Issue(check=check, path=path, rule_index=self.index, rule_priority=self.priority, message=message)

    def label(self) -> str:
        """``rule 2 (priority 20)``, for messages that point at another rule."""
        return f"rule {self.index + 1}" + (f" (priority {self.priority})" if self.priority is not None else "")


@dataclass(frozen=True)
class PolicyView:
    """The whole document: ``raw`` as parsed, and a :class:`RuleView` per entry of ``rules``."""

    raw: Any
    rules: tuple[RuleView, ...]

    @classmethod
    def of(cls, raw: Any) -> PolicyView:
        """Build the view of a parsed JSON value."""
        entries = raw.get("rules") if isinstance(raw, Mapping) else None
        if not isinstance(entries, list | tuple):
            entries = ()
        views = tuple(
            RuleView(i, entry if isinstance(entry, Mapping) else _EMPTY, isinstance(entry, Mapping))
            for i, entry in enumerate(entries)
        )
        return cls(raw, views)

    def by_storage_class(self) -> dict[str, list[RuleView]]:
        """Rule views grouped by a valid storage class, in document order."""
        groups: dict[str, list[RuleView]] = {}
        for rule in self.rules:
            if rule.is_object and rule.storage_class is not None:
                groups.setdefault(rule.storage_class, []).append(rule)
        return groups

    def compact_length(self) -> int | None:
        """Length of the compact JSON text (what the canonical text measures), if serialisable."""
        try:
            return len(json.dumps(self.raw, separators=(",", ":"), ensure_ascii=False))
        except (TypeError, ValueError, RecursionError):
            return None

    @staticmethod
    def policy_issue(check: str, path: str, message: str) -> Issue:
        """An :class:`Issue` that belongs to the policy as a whole."""
        return Issue(check=check, path=path, rule_index=None, rule_priority=None, message=message)
