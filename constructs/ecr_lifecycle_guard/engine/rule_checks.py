"""Checks within one rule: shape, required fields, tag lists, count and action fields (spec §2).

Each check is a pure function of a :class:`~ecr_lifecycle_guard.engine.view.PolicyView` yielding
:class:`~ecr_lifecycle_guard.errors.Issue` objects for the rules it concerns; the registry is
:data:`ecr_lifecycle_guard.engine.checks.CHECKS`.

Examples
--------
>>> from ecr_lifecycle_guard.engine.view import PolicyView
>>> doc = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "tagPrefixList": ["v"],
...        "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]}
>>> [issue.check for issue in check_v8_lists_only_with_tagged(PolicyView.of(doc))]
['V8']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ecr_lifecycle_guard.engine.glob import MAX_PATTERN_WILDCARDS
from ecr_lifecycle_guard.engine.view import (
    MAX_COUNT_NUMBER,
    MAX_RULE_PRIORITY,
    PolicyView,
    RuleView,
    is_int,
    shown,
    type_name,
)
from ecr_lifecycle_guard.errors import Issue

__all__ = [
    "MAX_WILDCARDS",
    "MIN_TRANSITIONED_DAYS",
    "SINCE_COUNT_TYPES",
    "check_v2_shape",
    "check_v3_required",
    "check_v7_tagged_needs_one_list",
    "check_v8_lists_only_with_tagged",
    "check_v9_wildcards",
    "check_v10_count_unit",
    "check_v11_count_number",
    "check_v12_combinations",
    "check_v13_target_storage_class",
    "check_v15_transitioned_minimum",
    "check_v17_no_null_or_unknown",
]

MAX_WILDCARDS: Final = MAX_PATTERN_WILDCARDS
MIN_TRANSITIONED_DAYS: Final = 90
SINCE_COUNT_TYPES: Final = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
_ENUMS: Final[dict[str, tuple[str, ...]]] = {
    "tagStatus": ("tagged", "untagged", "any"),
    "storageClass": ("standard", "archive"),
    "countType": ("imageCountMoreThan", *SINCE_COUNT_TYPES),
}
_ACTION_TYPES: Final = ("expire", "transition")
_LISTS: Final = ("tagPatternList", "tagPrefixList")
_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "": ("rules",),
    "rule": ("rulePriority", "description", "selection", "action"),
    "selection": ("tagStatus", *_LISTS, "storageClass", "countType", "countUnit", "countNumber"),
    "action": ("type", "targetStorageClass"),
}
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "rule": ("rulePriority", "selection", "action"),
    "selection": ("tagStatus", "countType", "countNumber"),
    "action": ("type",),
}


def _allowed(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _sel(rule: RuleView, key: str) -> Any:
    return rule.selection.get(key)


def check_v2_shape(view: PolicyView) -> Iterator[Issue]:
    """V2: the document has the shape of a lifecycle policy (objects, arrays, types and enum values)."""
    if not isinstance(view.raw, Mapping):
        yield view.policy_issue(
            "V2", "policy", f"must be a JSON object with a 'rules' array, got {type_name(view.raw)}"
        )
        return
    rules = view.raw.get("rules")
    if rules is not None and not isinstance(rules, list | tuple):
        yield view.policy_issue("V2", "rules", f"must be an array of rule objects, got {type_name(rules)}")
    for rule in view.rules:
        yield from _rule_shape(rule)


def _rule_shape(rule: RuleView) -> Iterator[Issue]:
    if not rule.is_object:
        yield rule.issue("V2", "", "must be an object with rulePriority, selection and action")
        return
    for block in ("selection", "action"):
        value = rule.raw.get(block)
        if value is not None and not isinstance(value, Mapping):
            yield rule.issue("V2", block, f"must be an object, got {type_name(value)}")
    priority = rule.raw.get("rulePriority")
    if priority is not None and rule.priority is None:
        yield rule.issue(
            "V2", "rulePriority", f"must be an integer from 1 to {MAX_RULE_PRIORITY}, got {shown(priority)}"
        )
    description = rule.raw.get("description")
    if description is not None and not isinstance(description, str):
        yield rule.issue("V2", "description", f"must be a string, got {type_name(description)}")
    for key, allowed in _ENUMS.items():
        value = _sel(rule, key)
        if value is not None and value not in allowed:
            yield rule.issue("V2", f"selection.{key}", f"must be one of {_allowed(allowed)}, got {shown(value)}")
    for key in _LISTS:
        yield from _list_shape(rule, key)
    action_type = rule.action.get("type")
    if action_type is not None and action_type not in _ACTION_TYPES:
        yield rule.issue("V2", "action.type", f"must be one of {_allowed(_ACTION_TYPES)}, got {shown(action_type)}")


def _list_shape(rule: RuleView, key: str) -> Iterator[Issue]:
    value = _sel(rule, key)
    if value is None:
        return
    if not isinstance(value, list | tuple):
        yield rule.issue("V2", f"selection.{key}", f"must be an array of strings, got {type_name(value)}")
        return
    for position, entry in enumerate(value):
        if entry is not None and (not isinstance(entry, str) or not entry):
            found = shown(entry) if isinstance(entry, str) else type_name(entry)
            yield rule.issue("V2", f"selection.{key}[{position}]", f"must be a non-empty string, got {found}")


def check_v3_required(view: PolicyView) -> Iterator[Issue]:
    """V3: required fields are present (``rules`` non-empty, and each rule's required fields)."""
    if not isinstance(view.raw, Mapping):
        return
    if "rules" not in view.raw:
        yield view.policy_issue("V3", "rules", "required field is missing (an array of at least one rule)")
    elif isinstance(view.raw["rules"], list | tuple) and not view.raw["rules"]:
        yield view.policy_issue("V3", "rules", "must contain at least one rule, got an empty array")
    for rule in view.rules:
        if not rule.is_object:
            continue
        blocks: tuple[tuple[str, Mapping[str, Any] | None], ...] = (
            ("rule", rule.raw),
            ("selection", rule.raw.get("selection")),
            ("action", rule.raw.get("action")),
        )
        for block, mapping in blocks:
            if not isinstance(mapping, Mapping):
                continue
            prefix = "" if block == "rule" else f"{block}."
            for key in _REQUIRED[block]:
                if key not in mapping:
                    yield rule.issue("V3", f"{prefix}{key}", "required field is missing")


def check_v7_tagged_needs_one_list(view: PolicyView) -> Iterator[Issue]:
    """V7: ``tagged`` needs exactly one of tagPatternList / tagPrefixList, and it must not be empty."""
    for rule in view.rules:
        if _sel(rule, "tagStatus") != "tagged":
            continue
        present = [key for key in _LISTS if _sel(rule, key) is not None]
        if not present:
            yield rule.issue("V7", "selection", "tagStatus tagged needs tagPatternList or tagPrefixList, found neither")
        elif len(present) == 2:
            yield rule.issue("V7", "selection", "tagPatternList and tagPrefixList cannot be combined, found both")
        for key in present:
            value = _sel(rule, key)
            if isinstance(value, list | tuple) and not value:
                yield rule.issue(
                    "V7",
                    f"selection.{key}",
                    "must list at least one entry, got [] (empty lists are rejected: conservative reading)",
                )


def check_v8_lists_only_with_tagged(view: PolicyView) -> Iterator[Issue]:
    """V8: ``untagged`` and ``any`` rules carry neither tag list."""
    for rule in view.rules:
        status = _sel(rule, "tagStatus")
        if status not in ("untagged", "any"):
            continue
        for key in _LISTS:
            if _sel(rule, key) is not None:
                yield rule.issue("V8", f"selection.{key}", f"only allowed with tagStatus tagged, found with {status}")


def check_v9_wildcards(view: PolicyView) -> Iterator[Issue]:
    """V9: at most four ``*`` per tagPatternList entry."""
    for rule in view.rules:
        patterns = _sel(rule, "tagPatternList")
        if not isinstance(patterns, list | tuple):
            continue
        for position, pattern in enumerate(patterns):
            if isinstance(pattern, str) and pattern.count("*") > MAX_WILDCARDS:
                yield rule.issue(
                    "V9",
                    f"selection.tagPatternList[{position}]",
                    f"at most {MAX_WILDCARDS} '*' wildcards per pattern, got {pattern.count('*')} in {shown(pattern)}",
                )


def check_v10_count_unit(view: PolicyView) -> Iterator[Issue]:
    """V10: countUnit is ``days``, required with the ``since*`` count types, forbidden with imageCountMoreThan."""
    for rule in view.rules:
        unit, count_type = _sel(rule, "countUnit"), _sel(rule, "countType")
        if unit is not None and unit != "days":
            yield rule.issue("V10", "selection.countUnit", f"must be 'days', got {shown(unit)}")
        elif unit is not None and count_type == "imageCountMoreThan":
            yield rule.issue("V10", "selection.countUnit", "not allowed with countType imageCountMoreThan")
        elif unit is None and count_type in SINCE_COUNT_TYPES and "countUnit" not in rule.selection:
            yield rule.issue("V10", "selection.countUnit", f"required with countType {count_type} (allowed: 'days')")


def check_v11_count_number(view: PolicyView) -> Iterator[Issue]:
    """V11: countNumber is an integer from 1 to 2,147,483,647."""
    for rule in view.rules:
        number = _sel(rule, "countNumber")
        if number is not None and not (is_int(number) and 1 <= number <= MAX_COUNT_NUMBER):
            yield rule.issue(
                "V11", "selection.countNumber", f"must be an integer from 1 to {MAX_COUNT_NUMBER}, got {shown(number)}"
            )


def check_v12_combinations(view: PolicyView) -> Iterator[Issue]:
    """V12: storageClass, countType and action type form one of the allowed combinations (spec §1.3)."""
    for rule in view.rules:
        count_type, storage_class = _sel(rule, "countType"), rule.storage_class
        action_type = rule.action.get("type")
        if count_type not in _ENUMS["countType"] or storage_class is None:
            continue
        if count_type == "sinceImageTransitioned":
            if storage_class != "archive":
                found = shown(_sel(rule, "storageClass")) if "storageClass" in rule.selection else "none"
                yield rule.issue(
                    "V12", "selection.storageClass", f"must be 'archive' with countType {count_type}, found {found}"
                )
            if action_type == "transition":
                yield rule.issue("V12", "action.type", f"countType {count_type} only allows 'expire', got 'transition'")
            continue
        if storage_class == "archive":
            yield rule.issue(
                "V12",
                "selection.storageClass",
                f"must be 'standard' (or absent) with countType {count_type}, got 'archive'",
            )
        if count_type == "sinceImagePulled" and action_type == "expire":
            yield rule.issue("V12", "action.type", f"countType {count_type} only allows 'transition', got 'expire'")


def check_v13_target_storage_class(view: PolicyView) -> Iterator[Issue]:
    """V13: ``transition`` needs targetStorageClass ``archive``; ``expire`` must not carry one."""
    for rule in view.rules:
        action_type, target = rule.action.get("type"), rule.action.get("targetStorageClass")
        if target is not None and target != "archive":
            yield rule.issue("V13", "action.targetStorageClass", f"must be 'archive', got {shown(target)}")
        elif target is not None and action_type == "expire":
            yield rule.issue("V13", "action.targetStorageClass", "not allowed with action type expire")
        elif action_type == "transition" and "targetStorageClass" not in rule.action:
            yield rule.issue(
                "V13", "action.targetStorageClass", "required with action type transition (allowed: 'archive')"
            )


def check_v15_transitioned_minimum(view: PolicyView) -> Iterator[Issue]:
    """V15: sinceImageTransitioned needs countNumber >= 90 (ECR's 90-day archive minimum)."""
    for rule in view.rules:
        number = _sel(rule, "countNumber")
        if (
            _sel(rule, "countType") == "sinceImageTransitioned"
            and is_int(number)
            and 1 <= number < MIN_TRANSITIONED_DAYS
        ):
            yield rule.issue(
                "V15",
                "selection.countNumber",
                f"must be >= {MIN_TRANSITIONED_DAYS} with countType sinceImageTransitioned (archived images are kept "
                f"at least {MIN_TRANSITIONED_DAYS} days; conservative reading), got {number}",
            )


def check_v17_no_null_or_unknown(view: PolicyView) -> Iterator[Issue]:
    """V17: no ``null`` values and no unknown keys (top level, rules, selection, action)."""
    if not isinstance(view.raw, Mapping):
        return
    yield from _nulls_and_unknowns(view.raw, "", None)
    for rule in view.rules:
        if not rule.is_object:
            continue
        yield from _nulls_and_unknowns(rule.raw, "rule", rule)
        for block in ("selection", "action"):
            if isinstance(rule.raw.get(block), Mapping):
                yield from _nulls_and_unknowns(rule.raw[block], block, rule)
        for key in _LISTS:
            entries = _sel(rule, key)
            if isinstance(entries, list | tuple):
                for position, entry in enumerate(entries):
                    if entry is None:
                        yield rule.issue("V17", f"selection.{key}[{position}]", "null is not allowed")


def _nulls_and_unknowns(mapping: Mapping[str, Any], block: str, rule: RuleView | None) -> Iterator[Issue]:
    known = _KEYS[block]
    prefix = "" if block in ("", "rule") else f"{block}."
    for key, value in mapping.items():
        if key not in known:
            message = f"unknown key {shown(key)} (allowed: {_allowed(known)})"
        elif value is None:
            message = "null is not allowed; omit the field instead"
        else:
            continue
        field = f"{prefix}{key}" if key in known else (prefix.rstrip(".") or "")
        if rule is None:
            yield PolicyView.policy_issue("V17", key if key in known else "policy", message)
        else:
            yield rule.issue("V17", field, message)
