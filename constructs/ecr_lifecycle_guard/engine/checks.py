"""The validation checks V1-V17 of the ECR lifecycle specification (§2): registry and cross-rule checks.

This module holds the checks that look at the policy as a whole or compare rules (V1, V4, V5, V6,
V14, V16) and the registry :data:`CHECKS` (in ID order); the checks within one rule live in
:mod:`~ecr_lifecycle_guard.engine.rule_checks`. Each check reads a
:class:`~ecr_lifecycle_guard.engine.view.PolicyView` and yields
:class:`~ecr_lifecycle_guard.errors.Issue` objects; it skips values that another check owns, so
every problem is reported exactly once. Cause and fix of each check are listed in docs/RULES.md.

Examples
--------
>>> from ecr_lifecycle_guard.engine.view import PolicyView
>>> doc = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
...        "countNumber": 0}, "action": {"type": "expire"}}]}
>>> [str(i) for i in run_checks(PolicyView.of(doc))]
['rule 1 (priority 1): selection.countNumber: must be an integer from 1 to 2147483647, got 0 [V11]']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Final

from ecr_lifecycle_guard.engine.rule_checks import (
    check_v2_shape,
    check_v3_required,
    check_v7_tagged_needs_one_list,
    check_v8_lists_only_with_tagged,
    check_v9_wildcards,
    check_v10_count_unit,
    check_v11_count_number,
    check_v12_combinations,
    check_v13_target_storage_class,
    check_v15_transitioned_minimum,
    check_v17_no_null_or_unknown,
)
from ecr_lifecycle_guard.engine.view import PolicyView, RuleView
from ecr_lifecycle_guard.errors import Issue

__all__ = [
    "CHECKS",
    "MAX_POLICY_LENGTH",
    "MAX_RULES",
    "MIN_POLICY_LENGTH",
    "check_v1_length",
    "check_v4_unique_priority",
    "check_v5_any_rule_last",
    "check_v6_one_untagged_rule",
    "check_v14_rule_count",
    "check_v16_unique_prefix_sets",
    "run_checks",
]

Check = Callable[[PolicyView], Iterator[Issue]]

MIN_POLICY_LENGTH: Final = 100
MAX_POLICY_LENGTH: Final = 30_720
MAX_RULES: Final = 50


def check_v1_length(view: PolicyView) -> Iterator[Issue]:
    """V1: the canonical policy text (what is sent to ECR) is 100 to 30,720 characters.

    Only meaningful for an otherwise valid policy (:func:`run_checks` runs it last).
    """
    length = view.compact_length() if isinstance(view.raw, Mapping) else None
    if length is not None and not MIN_POLICY_LENGTH <= length <= MAX_POLICY_LENGTH:
        yield view.policy_issue(
            "V1",
            "policy",
            f"the canonical policy text (compact JSON, as sent to ECR) must be {MIN_POLICY_LENGTH} to "
            f"{MAX_POLICY_LENGTH:,} characters, got {length:,}",
        )


def check_v4_unique_priority(view: PolicyView) -> Iterator[Issue]:
    """V4: every ``rulePriority`` is unique."""
    seen: dict[int, RuleView] = {}
    for rule in view.rules:
        priority = rule.priority
        if priority is None:
            continue
        if priority in seen:
            yield rule.issue(
                "V4",
                "rulePriority",
                f"{priority} is already used by {seen[priority].label()}; priorities must be unique",
            )
        else:
            seen[priority] = rule


def check_v5_any_rule_last(view: PolicyView) -> Iterator[Issue]:
    """V5: a ``tagStatus: any`` rule has the highest rulePriority among the rules of its storage class."""
    for storage_class, rules in view.by_storage_class().items():
        for rule in rules:
            if rule.selection.get("tagStatus") != "any" or rule.priority is None:
                continue
            later = [r for r in rules if r.priority is not None and r.priority > rule.priority]
            if later:
                yield rule.issue(
                    "V5",
                    "selection.tagStatus",
                    f"the 'any' rule must have the highest rulePriority of the {storage_class} rules, "
                    f"but {later[0].label()} comes after it",
                )


def check_v6_one_untagged_rule(view: PolicyView) -> Iterator[Issue]:
    """V6: at most one ``tagStatus: untagged`` rule per storage class."""
    for storage_class, rules in view.by_storage_class().items():
        untagged = [r for r in rules if r.selection.get("tagStatus") == "untagged"]
        for rule in untagged[1:]:
            yield rule.issue(
                "V6",
                "selection.tagStatus",
                f"only one untagged rule is allowed per storage class; {untagged[0].label()} already selects "
                f"untagged {storage_class} images",
            )


def check_v14_rule_count(view: PolicyView) -> Iterator[Issue]:
    """V14: at most 50 rules."""
    if len(view.rules) > MAX_RULES:
        yield view.policy_issue("V14", "rules", f"at most {MAX_RULES} rules per policy, got {len(view.rules)}")


def check_v16_unique_prefix_sets(view: PolicyView) -> Iterator[Issue]:
    """V16: no two rules of one storage class have the same tagPrefixList set (narrow reading)."""
    for storage_class, rules in view.by_storage_class().items():
        seen: dict[frozenset[str], RuleView] = {}
        for rule in rules:
            prefixes = rule.selection.get("tagPrefixList")
            if not isinstance(prefixes, list | tuple) or not prefixes or not all(isinstance(p, str) for p in prefixes):
                continue
            key = frozenset(prefixes)
            if key in seen:
                yield rule.issue(
                    "V16",
                    "selection.tagPrefixList",
                    f"same prefix set as {seen[key].label()}; the {storage_class} rules must use unique prefix sets "
                    "(narrow reading of an ambiguous ECR rule)",
                )
            else:
                seen[key] = rule


#: Every check, in ID order.
CHECKS: Final[tuple[tuple[str, Check], ...]] = (
    ("V1", check_v1_length),
    ("V2", check_v2_shape),
    ("V3", check_v3_required),
    ("V4", check_v4_unique_priority),
    ("V5", check_v5_any_rule_last),
    ("V6", check_v6_one_untagged_rule),
    ("V7", check_v7_tagged_needs_one_list),
    ("V8", check_v8_lists_only_with_tagged),
    ("V9", check_v9_wildcards),
    ("V10", check_v10_count_unit),
    ("V11", check_v11_count_number),
    ("V12", check_v12_combinations),
    ("V13", check_v13_target_storage_class),
    ("V14", check_v14_rule_count),
    ("V15", check_v15_transitioned_minimum),
    ("V16", check_v16_unique_prefix_sets),
    ("V17", check_v17_no_null_or_unknown),
)


def run_checks(view: PolicyView) -> tuple[Issue, ...]:
    """Run every check and return all issues, ordered by rule position, then check ID.

    V1 measures the canonical text, which only an otherwise valid policy has, so it runs last and
    only when no other check found a problem.

    Examples
    --------
    >>> run_checks(PolicyView.of({"rules": []}))[0].message
    'must contain at least one rule, got an empty array'
    """
    issues = [issue for check_id, check in CHECKS if check_id != "V1" for issue in check(view)]
    if not issues:
        return tuple(check_v1_length(view))
    order = {check_id: n for n, (check_id, _) in enumerate(CHECKS)}
    return tuple(sorted(issues, key=lambda i: (-1 if i.rule_index is None else i.rule_index, order[i.check])))
