"""Canonical policy text and comparison of two policies by meaning.

The canonical text is what the tools send to ECR: compact JSON, rules sorted by ``rulePriority``,
absent fields omitted (never ``null``), keys in a fixed order. Comparison follows Terraform's
``equivalentLifecyclePolicyJSON``, extended to the archive fields.

Examples
--------
>>> a = ('{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan",'
...      '"countNumber":5},"action":{"type":"expire"}}]}')
>>> b = ('{"rules":[{"action":{"type":"expire"},"selection":{"countNumber":5,"countType":"imageCountMoreThan",'
...      '"storageClass":"standard","tagStatus":"any"},"rulePriority":1}]}')
>>> policies_equivalent(a, b)
True
>>> canonical_policy_text(b) == a  # an explicit storageClass is kept: canonical text omits only absent fields
False
>>> canonical_policy_text(b.replace('"storageClass":"standard",', "")) == a
True
"""

from __future__ import annotations

import json
from typing import Any

from ecr_lifecycle_guard.engine.model import Policy, Rule
from ecr_lifecycle_guard.engine.parse import PolicySource, parse_policy
from ecr_lifecycle_guard.errors import PolicyValidationError

__all__ = ["canonical_policy_text", "policies_equivalent", "policy_to_dict"]


def _rule_to_dict(rule: Rule) -> dict[str, Any]:
    sel, action = rule.selection, rule.action
    selection: dict[str, Any] = {"tagStatus": sel.tag_status}
    optional: tuple[tuple[str, Any], ...] = (
        ("tagPatternList", None if sel.tag_pattern_list is None else list(sel.tag_pattern_list)),
        ("tagPrefixList", None if sel.tag_prefix_list is None else list(sel.tag_prefix_list)),
        ("storageClass", sel.storage_class),
    )
    selection.update((key, value) for key, value in optional if value is not None)
    selection["countType"] = sel.count_type
    if sel.count_unit is not None:
        selection["countUnit"] = sel.count_unit
    selection["countNumber"] = sel.count_number
    rendered: dict[str, Any] = {"rulePriority": rule.rule_priority}
    if rule.description is not None:
        rendered["description"] = rule.description
    rendered["selection"] = selection
    rendered["action"] = {"type": action.type}
    if action.target_storage_class is not None:
        rendered["action"]["targetStorageClass"] = action.target_storage_class
    return rendered


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The policy as a JSON-ready dict in canonical key order.

    Examples
    --------
    >>> from ecr_lifecycle_guard.engine.model import Action, Rule, Selection
    >>> rule = Rule(1, Selection("untagged", "sinceImagePushed", 7, count_unit="days"), Action("expire"))
    >>> policy_to_dict(Policy((rule,)))["rules"][0]["selection"]
    {'tagStatus': 'untagged', 'countType': 'sinceImagePushed', 'countUnit': 'days', 'countNumber': 7}
    """
    return {"rules": [_rule_to_dict(rule) for rule in sorted(policy.rules, key=lambda r: r.rule_priority)]}


def canonical_policy_text(source: PolicySource) -> str:
    """The canonical (normalised) text of a valid policy; idempotent.

    Parameters
    ----------
    source
        JSON text, mapping, path or :class:`Policy`.

    Returns
    -------
    str
        Compact JSON, rules sorted by priority, absent fields omitted, fixed key order.

    Raises
    ------
    PolicyValidationError
        When the policy is not valid.

    Examples
    --------
    >>> text = canonical_policy_text({"rules": [{"action": {"type": "expire"}, "rulePriority": 2,
    ...     "selection": {"countNumber": 1, "countType": "imageCountMoreThan", "tagStatus": "any"}}]})
    >>> text == canonical_policy_text(text)
    True
    """
    return json.dumps(policy_to_dict(parse_policy(source)), separators=(",", ":"), ensure_ascii=False)


def _meaning(policy: Policy) -> tuple[tuple[Any, ...], ...]:
    return tuple(
        (
            rule.rule_priority,
            rule.description,
            rule.selection.tag_status,
            None if rule.selection.tag_pattern_list is None else frozenset(rule.selection.tag_pattern_list),
            None if rule.selection.tag_prefix_list is None else frozenset(rule.selection.tag_prefix_list),
            rule.selection.effective_storage_class,
            rule.selection.count_type,
            rule.selection.count_unit,
            rule.selection.count_number,
            rule.action.type,
            rule.action.target_storage_class,
        )
        for rule in sorted(policy.rules, key=lambda r: r.rule_priority)
    )


def policies_equivalent(a: PolicySource, b: PolicySource) -> bool:
    """Whether two policies mean the same; never raises.

    Rule order does not matter (rules are compared by priority), an absent ``storageClass`` equals
    ``standard``, tag lists are compared as sets (their entries are ANDed) and descriptions are
    compared (ECR stores them). A side that cannot be read or is invalid makes the answer ``False``.

    Examples
    --------
    >>> policies_equivalent("not json", "not json")
    False
    """
    try:
        return _meaning(parse_policy(a)) == _meaning(parse_policy(b))
    except (PolicyValidationError, OSError, TypeError, ValueError):
        return False
