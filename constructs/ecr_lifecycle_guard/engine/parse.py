"""Read a lifecycle policy (JSON text, mapping or file), validate it and build the model.

Examples
--------
>>> text = ('{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", '
...         '"countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}, '
...         '"action": {"type": "expire"}}]}')
>>> parse_policy(text).rules[0].selection.count_number
14
>>> validate_policy('{"rules": [}')[0].check
'JSON'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final, TypeAlias

from ecr_lifecycle_guard.engine.checks import run_checks
from ecr_lifecycle_guard.engine.jsontext import MAX_JSON_DEPTH, decode_text, loads_policy, nesting_exceeds, read_bytes
from ecr_lifecycle_guard.engine.model import Action, Policy, Rule, Selection
from ecr_lifecycle_guard.engine.view import PolicyView
from ecr_lifecycle_guard.errors import InputFileError, Issue, PolicyValidationError

__all__ = ["MAX_POLICY_FILE_BYTES", "PolicySource", "parse_policy", "validate_policy"]

PolicySource: TypeAlias = "str | Mapping[str, Any] | os.PathLike[str] | Policy"
#: Largest policy file read from a path (ECR's own limit on the text is 30,720 characters).
MAX_POLICY_FILE_BYTES: Final = 1024 * 1024


def _json_issue(message: str) -> Issue:
    return Issue(check="JSON", path="policy", rule_index=None, rule_priority=None, message=message)


def _load(source: PolicySource) -> tuple[Any, str | None]:
    """The parsed JSON value and a name for messages; raises PolicyValidationError on unreadable JSON.

    Text is read by :func:`~ecr_lifecycle_guard.engine.jsontext.loads_policy`: numbers Python cannot
    hold (``NaN``, ``Infinity``, thousands of digits) reach the checks, which name their field.
    """
    name: str | None = None
    if isinstance(source, os.PathLike):
        name = os.fspath(source)
        try:
            text = decode_text(read_bytes(source, source=name, max_bytes=MAX_POLICY_FILE_BYTES), source=name)
        except InputFileError as exc:
            raise PolicyValidationError([_json_issue(exc.detail)], source=name) from None
    elif isinstance(source, str):
        text = source
    else:
        if nesting_exceeds(source, MAX_JSON_DEPTH):
            raise PolicyValidationError([_json_issue(f"nested deeper than {MAX_JSON_DEPTH} levels")])
        return source, None
    try:
        return loads_policy(text), name
    except InputFileError as exc:
        raise PolicyValidationError([_json_issue(exc.detail)], source=name) from None


def validate_policy(source: PolicySource) -> tuple[Issue, ...]:
    """Every problem ECR would reject in a lifecycle policy (empty when it is valid).

    Parameters
    ----------
    source
        JSON text (a ``str`` is always text), a mapping, a path (``os.PathLike``) or a :class:`Policy`.

    Returns
    -------
    tuple[Issue, ...]
        All issues, ordered by rule position then check ID; a JSON syntax error is the only issue.

    Raises
    ------
    OSError
        When a path cannot be opened or read (a file that is too large, binary or not UTF-8 is a JSON issue).

    Examples
    --------
    >>> [i.check for i in validate_policy({"rules": [{"rulePriority": 0}]})]
    ['V2', 'V3', 'V3']
    """
    if isinstance(source, Policy):
        return ()
    try:
        raw, _ = _load(source)
    except PolicyValidationError as exc:
        return exc.issues
    return run_checks(PolicyView.of(raw))


def parse_policy(source: PolicySource) -> Policy:
    """Parse and validate a lifecycle policy into a :class:`Policy` (rules sorted by priority).

    Parameters
    ----------
    source
        JSON text (a ``str`` is always text), a mapping, a path (``os.PathLike``) or a :class:`Policy`
        (returned unchanged).

    Returns
    -------
    Policy
        The validated policy.

    Raises
    ------
    PolicyValidationError
        With every issue found (``.issues``); a JSON syntax error names its line and column, and
        ``NaN``, ``Infinity`` or a number with thousands of digits is reported at its field.
    OSError
        When a path cannot be opened or read.

    Examples
    --------
    >>> policy = parse_policy({"rules": [{"rulePriority": 5, "selection": {"tagStatus": "tagged",
    ...     "tagPatternList": ["v*"], "countType": "imageCountMoreThan", "countNumber": 3},
    ...     "action": {"type": "expire"}}]})
    >>> policy.rules[0].selection.tag_pattern_list
    ('v*',)
    """
    if isinstance(source, Policy):
        return source
    raw, name = _load(source)
    issues = run_checks(PolicyView.of(raw))
    if issues:
        raise PolicyValidationError(issues, source=name)
    rules = sorted((_build_rule(entry) for entry in raw["rules"]), key=lambda rule: rule.rule_priority)
    return Policy(rules=tuple(rules))


def _tuple_or_none(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _build_rule(entry: Mapping[str, Any]) -> Rule:
    """Build a rule from an entry the checks accepted (types and enums are already known to be right)."""
    selection, action = entry["selection"], entry["action"]
    return Rule(
        rule_priority=entry["rulePriority"],
        description=entry.get("description"),
        selection=Selection(
            tag_status=selection["tagStatus"],
            tag_pattern_list=_tuple_or_none(selection.get("tagPatternList")),
            tag_prefix_list=_tuple_or_none(selection.get("tagPrefixList")),
            storage_class=selection.get("storageClass"),
            count_type=selection["countType"],
            count_unit=selection.get("countUnit"),
            count_number=selection["countNumber"],
        ),
        action=Action(type=action["type"], target_storage_class=action.get("targetStorageClass")),
    )
