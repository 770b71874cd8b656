"""Checking a guard's props with the custom resource's contract, and rendering them as its properties.

Every prop value goes through the same parser the handler applies to the property
(:mod:`ecr_lifecycle_guard.contract`), named after the construct path and the prop, so a value the handler
would refuse fails ``cdk synth`` instead, with the same bounds. :class:`PropChecker` collects every
problem of a guard and :meth:`PropChecker.raise_if_any` reports them together: one problem as its
:class:`~ecr_lifecycle_guard.errors.PropertyError` (or
:class:`~ecr_lifecycle_guard.errors.PolicyValidationError`), several as one
:class:`~ecr_lifecycle_guard.errors.PropertiesError` listing them all.

Values CDK leaves to deploy time (tokens, e.g. ``CfnParameter(...).value_as_number``) are passed on
unchecked; the handler checks what it receives.

Examples
--------
>>> from ecr_lifecycle_guard.contract import parse_count, parse_percent
>>> checker = PropChecker(lambda: "Stack/Guard")
>>> checker.value("max_expiring_images", float("nan"), parse_count)
>>> checker.value("max_expiring_percent", 250, parse_percent)
>>> checker.raise_if_any()
Traceback (most recent call last):
...
ecr_lifecycle_guard.errors.PropertiesError: 2 bad properties: Stack/Guard: max_expiring_images: must be an \
integer from 0 to 2147483647, got nan; Stack/Guard: max_expiring_percent: must be a number from 0 to 100, got 250
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from aws_cdk import Token, Tokenization

from ecr_lifecycle_guard.construct.rules import RuleInput, render_rules
from ecr_lifecycle_guard.contract import number_text
from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.errors import PolicyValidationError, PropertiesError, PropertyError

__all__ = ["PolicyInput", "PropChecker", "render_number"]

_T = TypeVar("_T")
#: Canonical text of a tuple of rules, by the tuple's id (the tuple is kept, so its id stays its own).
_RULES_TEXT: dict[int, tuple[tuple[RuleInput, ...], str]] = {}
#: CDK's number tokens are encoded far below this.
_TOKEN_NUMBERS_BELOW = -1e280
#: What ``policy=`` / ``restore_policy=`` accept besides rules: JSON text or a mapping.
PolicyInput = str | Mapping[str, Any]


class PropChecker:
    """Collects the problems of one guard's props.

    Parameters
    ----------
    where
        Returns the guard's construct path (asked only when a problem is found: a jsii call).
    """

    def __init__(self, where: Callable[[], str]) -> None:
        self._where = where
        self._path: str | None = None
        self.problems: list[PropertyError | PolicyValidationError] = []

    @property
    def path(self) -> str:
        """The guard's construct path."""
        if self._path is None:
            self._path = self._where()
        return self._path

    def value(self, prop: str, value: object, parse: Callable[[str, Any], _T]) -> _T | None:
        """``parse(prop, value)``; a problem is recorded (and ``None`` returned) unless the value is a token."""
        try:
            return parse(prop, value)
        except PropertyError as error:
            if _is_token(value):
                return None
            self.problems.append(self.named(error))
            return None

    def fail(self, prop: str, value: object, allowed: str) -> None:
        """Record a problem with ``prop``."""
        self.problems.append(PropertyError(f"{self.path}: {prop}", value, allowed))

    def named(self, error: PropertyError) -> PropertyError:
        """``error`` with the guard's path in front of its property name."""
        return PropertyError(f"{self.path}: {error.property}", error.value, error.allowed)

    def policy(self, prop: str, source: Sequence[RuleInput] | PolicyInput) -> str | None:
        """The canonical policy text of rules (a list) or a policy (JSON text or a mapping)."""
        try:
            if isinstance(source, str | Mapping):
                return canonical_policy_text(source)
            cached = _RULES_TEXT.get(id(source))
            if cached is not None and cached[0] is source:
                return cached[1]
            text = canonical_policy_text(render_rules(list(source)))
            if isinstance(source, tuple):  # immutable: a fleet's guards share one tuple of rules
                _RULES_TEXT[id(source)] = (source, text)
            return text
        except PropertyError as error:
            self.problems.append(self.named(error))
        except PolicyValidationError as error:
            self.problems.append(PolicyValidationError(error.issues, source=f"{self.path} {prop}"))
        return None

    def exactly_one(self, first: tuple[str, object], second: tuple[str, object]) -> None:
        """Record a problem unless exactly one of the two props is set."""
        given = [name for name, value in (first, second) if value is not None]
        if len(given) != 1:
            found = "both" if given else "neither"
            self.fail(f"{first[0]} / {second[0]}", found, f"exactly one of {first[0]} and {second[0]}")

    def raise_if_any(self) -> None:
        """Raise the one problem, or all of them together.

        Raises
        ------
        PropertyError, PolicyValidationError
            When there is exactly one problem.
        PropertiesError
            When there are several (``.problems`` lists them).
        """
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise PropertiesError(self.problems)


def render_number(parsed: float | None, given: object) -> str | None:
    """A limit as the custom resource receives it: ``"10"``, ``"12.5"``, a token's text, or ``None``."""
    if parsed is not None:
        return number_text(parsed)
    if given is not None and _is_token(given):
        return Tokenization.stringify_number(given)  # type: ignore[arg-type]
    return None


def _is_token(value: object) -> bool:
    """A number or string CDK resolves at deploy time.

    CDK encodes a number token as a huge negative double (about -1.9e289); only such numbers (and strings
    holding ``${Token[``) are asked about. Non-finite numbers never reach jsii: NaN is not JSON and kills
    its kernel process.
    """
    if isinstance(value, str):
        return "${Token[" in value and bool(Token.is_unresolved(value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value < _TOKEN_NUMBERS_BELOW and bool(Token.is_unresolved(value))
