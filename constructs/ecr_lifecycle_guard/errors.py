"""Exceptions and warnings raised by ecr-lifecycle-guard.

Every error names what is wrong and where: the rule, field or property, what is allowed and the
value found. Standard library only: the Lambda handler imports this module.

Examples
--------
>>> from ecr_lifecycle_guard.errors import Issue, PolicyValidationError
>>> issue = Issue(check="V11", path="rules[0].selection.countNumber", rule_index=0, rule_priority=1,
...               message="must be an integer >= 1, got 0")
>>> str(issue)
'rule 1 (priority 1): selection.countNumber: must be an integer >= 1, got 0 [V11]'
>>> str(PolicyValidationError([issue]))
'invalid lifecycle policy: rule 1 (priority 1): selection.countNumber: must be an integer >= 1, got 0 [V11]'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.gate import GateVerdict

__all__ = [
    "EcrCallError",
    "GateBlockedError",
    "GuardError",
    "ImagesInputError",
    "InUseInputError",
    "InputFileError",
    "Issue",
    "PolicyValidationError",
    "PreviewError",
    "PreviewFailedError",
    "PreviewTimeoutError",
    "PropertiesError",
    "PropertyError",
]

_RULE_PATH = re.compile(r"^rules\[(\d+)\]\.?")


@dataclass(frozen=True)
class Issue:
    """One problem found in a lifecycle policy.

    Parameters
    ----------
    check
        Stable check ID: ``V1`` … ``V17`` from the ECR lifecycle specification, or ``JSON`` for syntax.
    path
        Where the problem is, e.g. ``rules[1].selection.countUnit`` (0-based index) or ``policy``.
    rule_index
        0-based position of the rule in the document as given, when the issue belongs to a rule.
    rule_priority
        The rule's ``rulePriority`` when it could be read.
    message
        What was found and what is allowed.
    """

    check: str
    path: str
    rule_index: int | None
    rule_priority: int | None
    message: str

    @property
    def location(self) -> str:
        """Human location: ``rule 2 (priority 20): selection.countUnit`` or ``policy: rules``."""
        if self.rule_index is None:
            return f"policy: {self.path}" if self.path and self.path != "policy" else "policy"
        where = f"rule {self.rule_index + 1}"
        if self.rule_priority is not None:
            where += f" (priority {self.rule_priority})"
        field = _RULE_PATH.sub("", self.path)
        return f"{where}: {field}" if field else where

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.check}]"


class GuardError(Exception):
    """Root of every error raised by ecr-lifecycle-guard."""


class PolicyValidationError(GuardError, ValueError):
    """The lifecycle policy is not one Amazon ECR would accept.

    All problems are reported at once in :attr:`issues`; ``str()`` gives one line per issue.
    """

    def __init__(self, issues: Iterable[Issue], *, source: str | None = None) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.source = source
        head = f"invalid lifecycle policy{f' in {source}' if source else ''}"
        lines = [str(i) for i in self.issues]
        if len(lines) == 1:
            text = f"{head}: {lines[0]}"
        else:
            text = f"{head} ({len(lines)} problems):\n" + "\n".join(f"  {line}" for line in lines)
        super().__init__(text)


class ImagesInputError(GuardError, ValueError):
    """The images input (``aws ecr describe-images`` output) cannot be read."""

    def __init__(self, source: str, detail: str) -> None:
        self.source = source
        self.detail = detail
        super().__init__(f"{source}: {detail}")


class InputFileError(GuardError, ValueError):
    """An input file (or JSON text) cannot be read: missing, not a file, too large, not UTF-8, not JSON.

    ``source`` says what was read (``images file images.json``); ``detail`` what is wrong and where
    (line and column for JSON syntax). ``str()`` is one line: ``<source>: <detail>``.

    Examples
    --------
    >>> str(InputFileError("policy file p.json", "not valid JSON: Expecting value at line 1, column 1"))
    'policy file p.json: not valid JSON: Expecting value at line 1, column 1'
    """

    def __init__(self, source: str, detail: str) -> None:
        self.source = source
        self.detail = detail
        super().__init__(f"{source}: {detail}")


class InUseInputError(GuardError, ValueError):
    """A file of in-use references (``kubectl get pods -o json`` output or a list) cannot be read.

    ``where`` names the place in the file: ``line 3`` or ``items[2].spec.containers[0].image``.
    """

    def __init__(self, source: str, where: str, detail: str) -> None:
        self.source = source
        self.where = where
        self.detail = detail
        super().__init__(f"{source}: {where}: {detail}" if where else f"{source}: {detail}")


class PropertyError(GuardError, ValueError):
    """A custom-resource property (or construct prop) has a value that is not allowed."""

    def __init__(self, property_name: str, value: Any, allowed: str) -> None:
        self.property = property_name
        self.value = value
        self.allowed = allowed
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        super().__init__(f"{property_name}: must be {allowed}, got {shown}")


class PropertiesError(GuardError, ValueError):
    """One or more custom-resource properties are bad; every problem is reported at once.

    ``problems`` holds one :class:`PropertyError` (or :class:`PolicyValidationError` for a policy
    text) per bad property. ``str()`` names them all; :attr:`summary` is the first one and a count.

    Examples
    --------
    >>> error = PropertiesError([PropertyError("MaxExpiringImages", "-1", "an integer >= 0"),
    ...                          PropertyError("OnDelete", "keep", '"delete" or "retain"')])
    >>> error.summary
    "MaxExpiringImages: must be an integer >= 0, got '-1' (+1 more)"
    """

    def __init__(self, problems: Iterable[PropertyError | PolicyValidationError]) -> None:
        self.problems: tuple[PropertyError | PolicyValidationError, ...] = tuple(problems)
        lines = [_one_line(p) for p in self.problems]
        count = len(lines)
        head = "1 bad property" if count == 1 else f"{count} bad properties"
        super().__init__(f"{head}: " + "; ".join(lines))

    @property
    def summary(self) -> str:
        """The first problem on one line, and how many more there are."""
        if not self.problems:
            return "bad properties"
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return _one_line(self.problems[0]) + more


def _one_line(problem: PropertyError | PolicyValidationError) -> str:
    """A property problem on one line (a policy's first issue, with the property name and a count)."""
    if isinstance(problem, PolicyValidationError) and problem.issues:
        more = f" (+{len(problem.issues) - 1} more)" if len(problem.issues) > 1 else ""
        return f"{problem.source or 'policy'}: {problem.issues[0]}{more}"
    return str(problem).replace("\n", " ")


class GateBlockedError(GuardError):
    """The preview crossed a limit; the policy was not put."""

    def __init__(self, verdict: GateVerdict, repository: str) -> None:
        self.verdict = verdict
        self.repository = repository
        super().__init__(verdict.short_reason(repository))


class PreviewError(GuardError):
    """ECR's lifecycle-policy preview could not be obtained."""

    def __init__(self, repository: str, detail: str) -> None:
        self.repository = repository
        self.detail = detail
        super().__init__(f"preview of {repository}: {detail}")


class PreviewTimeoutError(PreviewError):
    """The preview did not complete within the time allowed."""


class PreviewFailedError(PreviewError):
    """ECR reported the preview as FAILED."""


class EcrCallError(GuardError):
    """An ECR (or CloudFormation) API call failed with an AWS error."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        self.operation = operation
        self.code = code
        self.aws_message = message
        super().__init__(f"{operation} failed: {code}: {message}")
