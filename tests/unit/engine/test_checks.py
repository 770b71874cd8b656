"""Every validation check V1-V17: compliant and noncompliant cases, with the exact messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from engine_helpers import policy, rule

from ecr_lifecycle_guard.engine import validate_policy
from ecr_lifecycle_guard.engine.checks import CHECKS


def messages(document: Any, check: str) -> list[str]:
    return [str(issue) for issue in validate_policy(document) if issue.check == check]


ANY_LAST = rule(99, tag_status="any", number=5)


def test_registry_lists_v1_to_v17_once_each_in_order() -> None:
    # given / when
    ids = [check_id for check_id, _ in CHECKS]
    # then
    assert ids == [f"V{n}" for n in range(1, 18)]


# --- V1 length -------------------------------------------------------------------------------------------------------


def test_v1_compliant_1_policy_of_ordinary_length() -> None:
    assert messages(policy(rule(1)), "V1") == []


def test_v1_noncompliant_1_canonical_text_over_30720_characters() -> None:
    # given: one valid rule with a description long enough to push the canonical text over the limit
    document = policy(rule(1, description="x" * 30_700))
    compact_length = len(json.dumps(document, separators=(",", ":")))
    # when
    found = messages(document, "V1")
    # then
    assert compact_length > 30_720
    assert found == [
        "policy: the canonical policy text (compact JSON, as sent to ECR) must be 100 to 30,720 characters, "
        f"got {compact_length:,} [V1]"
    ]


def test_v1_measures_the_compact_text_not_the_given_indentation() -> None:
    # given: a short policy padded with whitespace past 100 characters
    text = '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",' + (
        ' "countNumber": 1}, "action": {"type": "expire"}}]}' + " " * 200
    )
    # when
    issues = validate_policy(text)
    # then: its compact form (127 characters) is within the limits
    assert issues == ()


def test_v1_is_only_reported_when_every_other_check_passes() -> None:
    # given: a too-short document that is also structurally invalid
    document = {"rules": [{"rulePriority": 1}]}
    # when
    checks = {issue.check for issue in validate_policy(document)}
    # then
    assert "V1" not in checks
    assert checks == {"V3"}


# --- V2 shape --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            [], ["policy: must be a JSON object with a 'rules' array, got array [V2]"], id="noncompliant-1-array"
        ),
        pytest.param(
            {"rules": "x"}, ["policy: rules: must be an array of rule objects, got string [V2]"], id="noncompliant-2"
        ),
        pytest.param(
            {"rules": [5]},
            ["rule 1: must be an object with rulePriority, selection and action [V2]"],
            id="noncompliant-3",
        ),
        pytest.param(
            policy({**rule(1), "selection": []}),
            ["rule 1 (priority 1): selection: must be an object, got array [V2]"],
            id="noncompliant-4-selection-array",
        ),
        pytest.param(
            policy({**rule(1), "rulePriority": 0}),
            ["rule 1: rulePriority: must be an integer from 1 to 2147483647, got 0 [V2]"],
            id="noncompliant-5-priority-0",
        ),
        pytest.param(
            policy({**rule(1), "rulePriority": True}),
            ["rule 1: rulePriority: must be an integer from 1 to 2147483647, got true [V2]"],
            id="noncompliant-6-priority-bool",
        ),
        pytest.param(
            policy({**rule(1), "rulePriority": "1"}),
            ['rule 1: rulePriority: must be an integer from 1 to 2147483647, got "1" [V2]'],
            id="noncompliant-7-priority-string",
        ),
        pytest.param(
            policy(rule(1, description=None) | {"description": 7}),
            ["rule 1 (priority 1): description: must be a string, got number [V2]"],
            id="noncompliant-8-description",
        ),
        pytest.param(
            policy(rule(1, tag_status="TAGGED")),
            ['rule 1 (priority 1): selection.tagStatus: must be one of tagged, untagged, any, got "TAGGED" [V2]'],
            id="noncompliant-9-tag-status-case",
        ),
        pytest.param(
            policy(rule(1, count_type="imageCountLessThan")),
            [
                "rule 1 (priority 1): selection.countType: must be one of imageCountMoreThan, sinceImagePushed, "
                'sinceImagePulled, sinceImageTransitioned, got "imageCountLessThan" [V2]'
            ],
            id="noncompliant-10-count-type",
        ),
        pytest.param(
            policy(rule(1, storage="glacier")),
            ['rule 1 (priority 1): selection.storageClass: must be one of standard, archive, got "glacier" [V2]'],
            id="noncompliant-11-storage-class",
        ),
        pytest.param(
            policy(rule(1, action="delete")),
            ['rule 1 (priority 1): action.type: must be one of expire, transition, got "delete" [V2]'],
            id="noncompliant-12-action-type",
        ),
        pytest.param(
            policy(rule(1, tag_status="tagged", patterns="v*")),  # type: ignore[arg-type]
            ["rule 1 (priority 1): selection.tagPatternList: must be an array of strings, got string [V2]"],
            id="noncompliant-13-list-type",
        ),
        pytest.param(
            policy(rule(1, tag_status="tagged", prefixes=["v", ""])),
            ['rule 1 (priority 1): selection.tagPrefixList[1]: must be a non-empty string, got "" [V2]'],
            id="noncompliant-14-empty-entry",
        ),
    ],
)
def test_v2_noncompliant_shapes_name_the_field_and_the_type_found(document: Any, expected: list[str]) -> None:
    assert messages(document, "V2") == expected


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(policy(rule(1)), id="compliant-1-minimal"),
        pytest.param(policy(rule(7, tag_status="tagged", patterns=["a*"], description="keep")), id="compliant-2"),
        pytest.param(policy(rule(1, storage="standard")), id="compliant-3-explicit-standard"),
    ],
)
def test_v2_compliant(document: Any) -> None:
    assert messages(document, "V2") == []


# --- V3 required -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param({}, ["policy: rules: required field is missing (an array of at least one rule) [V3]"], id="nc-1"),
        pytest.param(
            {"rules": []}, ["policy: rules: must contain at least one rule, got an empty array [V3]"], id="nc-2"
        ),
        pytest.param(
            {"rules": [{"selection": rule(1)["selection"], "action": {"type": "expire"}}]},
            ["rule 1: rulePriority: required field is missing [V3]"],
            id="nc-3-priority",
        ),
        pytest.param(
            {"rules": [{"rulePriority": 3}]},
            [
                "rule 1 (priority 3): selection: required field is missing [V3]",
                "rule 1 (priority 3): action: required field is missing [V3]",
            ],
            id="nc-4-blocks",
        ),
        pytest.param(
            {"rules": [{"rulePriority": 3, "selection": {}, "action": {}}]},
            [
                "rule 1 (priority 3): selection.tagStatus: required field is missing [V3]",
                "rule 1 (priority 3): selection.countType: required field is missing [V3]",
                "rule 1 (priority 3): selection.countNumber: required field is missing [V3]",
                "rule 1 (priority 3): action.type: required field is missing [V3]",
            ],
            id="nc-5-fields",
        ),
    ],
)
def test_v3_noncompliant_missing_required_fields(document: Any, expected: list[str]) -> None:
    assert messages(document, "V3") == expected


def test_v3_compliant_1_all_required_fields_present() -> None:
    assert messages(policy(rule(1)), "V3") == []


# --- V4 unique priorities --------------------------------------------------------------------------------------------


def test_v4_noncompliant_1_duplicate_priority_names_the_first_rule() -> None:
    document = policy(rule(10, tag_status="untagged"), rule(10))
    assert messages(document, "V4") == [
        "rule 2 (priority 10): rulePriority: 10 is already used by rule 1 (priority 10); priorities must be unique [V4]"
    ]


def test_v4_compliant_1_non_consecutive_priorities() -> None:
    document = policy(rule(10, tag_status="untagged"), rule(990))
    assert messages(document, "V4") == []


# --- V5 any rule last ------------------------------------------------------------------------------------------------


def test_v5_noncompliant_1_any_rule_before_another_rule_of_its_class() -> None:
    document = policy(rule(1), rule(2, tag_status="untagged"))
    assert messages(document, "V5") == [
        "rule 1 (priority 1): selection.tagStatus: the 'any' rule must have the highest rulePriority of the standard "
        "rules, but rule 2 (priority 2) comes after it [V5]"
    ]


def test_v5_noncompliant_2_second_any_rule_of_the_same_class() -> None:
    document = policy(rule(1, number=3), rule(2, number=4))
    assert messages(document, "V5") == [
        "rule 1 (priority 1): selection.tagStatus: the 'any' rule must have the highest rulePriority of the standard "
        "rules, but rule 2 (priority 2) comes after it [V5]"
    ]


def test_v5_compliant_1_any_rule_per_storage_class_as_in_aws_archive_example() -> None:
    # given: AWS's "combining archive and expire rules" example (standard any at 1, archive any at 2)
    document = policy(
        rule(1, count_type="sinceImagePushed", number=30, action="transition"),
        rule(2, storage="archive", count_type="sinceImageTransitioned", number=365),
    )
    # when / then
    assert validate_policy(document) == ()


def test_v5_compliant_2_any_rule_listed_first_but_with_the_highest_priority() -> None:
    document = policy(rule(50), rule(1, tag_status="untagged"))
    assert messages(document, "V5") == []


# --- V6 one untagged rule per storage class --------------------------------------------------------------------------


def test_v6_noncompliant_1_two_untagged_rules_in_standard() -> None:
    document = policy(rule(1, tag_status="untagged"), rule(2, tag_status="untagged", number=3))
    assert messages(document, "V6") == [
        "rule 2 (priority 2): selection.tagStatus: only one untagged rule is allowed per storage class; rule 1 "
        "(priority 1) already selects untagged standard images [V6]"
    ]


def test_v6_compliant_1_untagged_rule_and_any_rule() -> None:
    assert messages(policy(rule(1, tag_status="untagged"), rule(2)), "V6") == []


def test_v6_compliant_2_one_untagged_rule_per_storage_class() -> None:
    document = policy(
        rule(1, tag_status="untagged"),
        rule(2, tag_status="untagged", storage="archive", count_type="sinceImageTransitioned", number=90),
    )
    assert validate_policy(document) == ()


# --- V7 tagged needs exactly one non-empty list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            policy(rule(1, tag_status="tagged")),
            [
                "rule 1 (priority 1): selection: tagStatus tagged needs tagPatternList or tagPrefixList, "
                "found neither [V7]"
            ],
            id="noncompliant-1-neither",
        ),
        pytest.param(
            policy(rule(1, tag_status="tagged", patterns=["a*"], prefixes=["a"])),
            ["rule 1 (priority 1): selection: tagPatternList and tagPrefixList cannot be combined, found both [V7]"],
            id="noncompliant-2-both",
        ),
        pytest.param(
            policy(rule(1, tag_status="tagged", patterns=[])),
            [
                "rule 1 (priority 1): selection.tagPatternList: must list at least one entry, got [] (empty lists are "
                "rejected: conservative reading) [V7]"
            ],
            id="noncompliant-3-empty",
        ),
    ],
)
def test_v7_noncompliant(document: Any, expected: list[str]) -> None:
    assert messages(document, "V7") == expected


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(policy(rule(1, tag_status="tagged", patterns=["prod*"])), id="compliant-1-patterns"),
        pytest.param(policy(rule(1, tag_status="tagged", prefixes=["prod"])), id="compliant-2-prefixes"),
        pytest.param(
            policy(rule(1, tag_status="tagged", prefixes=["a"]), rule(2, tag_status="tagged", patterns=["b*"])),
            id="compliant-3-different-kinds-in-different-rules",
        ),
    ],
)
def test_v7_compliant(document: Any) -> None:
    assert validate_policy(document) == ()


# --- V8 lists only with tagged ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            policy(rule(1, tag_status="untagged", prefixes=["a"])),
            [
                "rule 1 (priority 1): selection.tagPrefixList: only allowed with tagStatus tagged, "
                "found with untagged [V8]"
            ],
            id="noncompliant-1-untagged",
        ),
        pytest.param(
            policy(rule(1, tag_status="any", patterns=["a*"])),
            ["rule 1 (priority 1): selection.tagPatternList: only allowed with tagStatus tagged, found with any [V8]"],
            id="noncompliant-2-any",
        ),
    ],
)
def test_v8_noncompliant(document: Any, expected: list[str]) -> None:
    assert messages(document, "V8") == expected


def test_v8_compliant_1_untagged_without_lists() -> None:
    assert messages(policy(rule(1, tag_status="untagged")), "V8") == []


# --- V9 at most four wildcards ---------------------------------------------------------------------------------------


def test_v9_compliant_1_aws_examples_with_four_wildcards() -> None:
    document = policy(rule(1, tag_status="tagged", patterns=["*test*1*2*3", "test*1*2*3*"]))
    assert validate_policy(document) == ()


def test_v9_noncompliant_1_aws_example_with_six_wildcards() -> None:
    document = policy(rule(1, tag_status="tagged", patterns=["ok*", "test*1*2*3*4*5*6"]))
    assert messages(document, "V9") == [
        "rule 1 (priority 1): selection.tagPatternList[1]: at most 4 '*' wildcards per pattern, got 6 in "
        '"test*1*2*3*4*5*6" [V9]'
    ]


def test_v9_does_not_apply_to_prefixes_where_star_is_literal() -> None:
    document = policy(rule(1, tag_status="tagged", prefixes=["a*b*c*d*e*f"]))
    assert validate_policy(document) == ()


# --- V10 countUnit ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selection_change", "expected"),
    [
        pytest.param(
            {"countType": "imageCountMoreThan", "countUnit": "days"},
            ["rule 1 (priority 1): selection.countUnit: not allowed with countType imageCountMoreThan [V10]"],
            id="noncompliant-1-with-image-count",
        ),
        pytest.param(
            {"countType": "sinceImagePushed"},
            [
                "rule 1 (priority 1): selection.countUnit: required with countType sinceImagePushed "
                "(allowed: 'days') [V10]"
            ],
            id="noncompliant-2-missing",
        ),
        pytest.param(
            {"countType": "sinceImagePushed", "countUnit": "day"},
            ["rule 1 (priority 1): selection.countUnit: must be 'days', got \"day\" [V10]"],
            id="noncompliant-3-aws-old-typo-day",
        ),
    ],
)
def test_v10_noncompliant(selection_change: dict[str, Any], expected: list[str]) -> None:
    # given
    document = rule(1)
    document["selection"] = {"tagStatus": "any", "countNumber": 3, **selection_change}
    # when / then
    assert messages(policy(document), "V10") == expected


@pytest.mark.parametrize("count_type", ["sinceImagePushed", "sinceImagePulled"])
def test_v10_compliant_days_with_since_count_types(count_type: str) -> None:
    action = "transition" if count_type == "sinceImagePulled" else "expire"
    assert validate_policy(policy(rule(1, count_type=count_type, number=3, action=action))) == ()


# --- V11 countNumber -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (-1, "-1"), (2**31, "2147483648"), (1.5, "1.5"), ("3", '"3"'), (True, "true")],
    ids=[f"noncompliant-{n}" for n in range(1, 7)],
)
def test_v11_noncompliant(value: Any, shown: str) -> None:
    document = rule(1)
    document["selection"]["countNumber"] = value
    assert messages(policy(document), "V11") == [
        f"rule 1 (priority 1): selection.countNumber: must be an integer from 1 to 2147483647, got {shown} [V11]"
    ]


@pytest.mark.parametrize("value", [1, 9999, 2**31 - 1], ids=["compliant-1", "compliant-2", "compliant-3-max"])
def test_v11_compliant(value: int) -> None:
    assert validate_policy(policy(rule(1, number=value))) == ()


# --- V12 combinations ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            policy(rule(1, storage="archive")),
            [
                "rule 1 (priority 1): selection.storageClass: must be 'standard' (or absent) with countType "
                "imageCountMoreThan, got 'archive' [V12]"
            ],
            id="noncompliant-1-archive-count",
        ),
        pytest.param(
            policy(rule(1, count_type="sinceImagePulled", number=30)),
            [
                "rule 1 (priority 1): action.type: countType sinceImagePulled only allows 'transition', "
                "got 'expire' [V12]"
            ],
            id="noncompliant-2-pulled-expire",
        ),
        pytest.param(
            policy(rule(1, count_type="sinceImageTransitioned", number=90)),
            [
                "rule 1 (priority 1): selection.storageClass: must be 'archive' with countType sinceImageTransitioned, "
                "found none [V12]"
            ],
            id="noncompliant-3-transitioned-standard",
        ),
        pytest.param(
            policy(rule(1, storage="archive", count_type="sinceImageTransitioned", number=90, action="transition")),
            [
                "rule 1 (priority 1): action.type: countType sinceImageTransitioned only allows 'expire', got "
                "'transition' [V12]"
            ],
            id="noncompliant-4-transitioned-transition",
        ),
    ],
)
def test_v12_noncompliant(document: Any, expected: list[str]) -> None:
    assert messages(document, "V12") == expected


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(policy(rule(1, action="transition")), id="compliant-1-count-transition"),
        pytest.param(policy(rule(1, count_type="sinceImagePushed", number=9, action="transition")), id="compliant-2"),
        pytest.param(policy(rule(1, count_type="sinceImagePulled", number=90, action="transition")), id="compliant-3"),
        pytest.param(
            policy(rule(1, storage="archive", count_type="sinceImageTransitioned", number=365)), id="compliant-4"
        ),
    ],
)
def test_v12_compliant(document: Any) -> None:
    assert validate_policy(document) == ()


# --- V13 targetStorageClass ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param(
            {"type": "transition"},
            [
                "rule 1 (priority 1): action.targetStorageClass: required with action type transition (allowed: "
                "'archive') [V13]"
            ],
            id="noncompliant-1-missing",
        ),
        pytest.param(
            {"type": "transition", "targetStorageClass": "standard"},
            ["rule 1 (priority 1): action.targetStorageClass: must be 'archive', got \"standard\" [V13]"],
            id="noncompliant-2-standard",
        ),
        pytest.param(
            {"type": "expire", "targetStorageClass": "archive"},
            ["rule 1 (priority 1): action.targetStorageClass: not allowed with action type expire [V13]"],
            id="noncompliant-3-with-expire",
        ),
    ],
)
def test_v13_noncompliant(action: dict[str, Any], expected: list[str]) -> None:
    assert messages(policy(rule(1) | {"action": action}), "V13") == expected


def test_v13_compliant_1_transition_to_archive() -> None:
    assert messages(policy(rule(1, action="transition")), "V13") == []


# --- V14 rule count --------------------------------------------------------------------------------------------------


def _tagged_rules(count: int) -> dict[str, Any]:
    return policy(*(rule(n + 1, tag_status="tagged", patterns=[f"t{n}-*"]) for n in range(count)))


def test_v14_compliant_1_fifty_rules() -> None:
    assert validate_policy(_tagged_rules(50)) == ()


def test_v14_noncompliant_1_fifty_one_rules() -> None:
    assert messages(_tagged_rules(51), "V14") == ["policy: rules: at most 50 rules per policy, got 51 [V14]"]


# --- V15 sinceImageTransitioned minimum ------------------------------------------------------------------------------


def test_v15_noncompliant_1_transitioned_under_90_days() -> None:
    document = policy(rule(1, storage="archive", count_type="sinceImageTransitioned", number=89))
    assert messages(document, "V15") == [
        "rule 1 (priority 1): selection.countNumber: must be >= 90 with countType sinceImageTransitioned (archived "
        "images are kept at least 90 days; conservative reading), got 89 [V15]"
    ]


def test_v15_compliant_1_exactly_90_days() -> None:
    assert validate_policy(policy(rule(1, storage="archive", count_type="sinceImageTransitioned", number=90))) == ()


# --- V16 unique prefix sets ------------------------------------------------------------------------------------------


def test_v16_noncompliant_1_same_prefix_set_in_another_order() -> None:
    document = policy(
        rule(1, tag_status="tagged", prefixes=["a", "b"]),
        rule(2, tag_status="tagged", prefixes=["b", "a"], count_type="sinceImagePushed", number=5),
    )
    assert messages(document, "V16") == [
        "rule 2 (priority 2): selection.tagPrefixList: same prefix set as rule 1 (priority 1); the standard rules must "
        "use unique prefix sets (narrow reading of an ambiguous ECR rule) [V16]"
    ]


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(
            policy(rule(1, tag_status="tagged", prefixes=["a"]), rule(2, tag_status="tagged", prefixes=["a", "b"])),
            id="compliant-1-overlapping-sets",
        ),
        pytest.param(
            policy(
                rule(1, tag_status="tagged", prefixes=["a"]),
                rule(
                    2,
                    tag_status="tagged",
                    prefixes=["a"],
                    storage="archive",
                    count_type="sinceImageTransitioned",
                    number=90,
                ),
            ),
            id="compliant-2-other-storage-class",
        ),
        pytest.param(
            policy(rule(1, tag_status="tagged", patterns=["a"]), rule(2, tag_status="tagged", patterns=["a"])),
            id="compliant-3-pattern-lists-are-not-prefixes",
        ),
    ],
)
def test_v16_compliant(document: Any) -> None:
    assert messages(document, "V16") == []


# --- V17 nulls and unknown keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            {"rules": [rule(1)], "version": 1},
            ['policy: unknown key "version" (allowed: rules) [V17]'],
            id="noncompliant-1-top-level-key",
        ),
        pytest.param(
            {"rules": None}, ["policy: rules: null is not allowed; omit the field instead [V17]"], id="noncompliant-2"
        ),
        pytest.param(
            policy(rule(1) | {"name": "x"}),
            ['rule 1 (priority 1): unknown key "name" (allowed: rulePriority, description, selection, action) [V17]'],
            id="noncompliant-3-rule-key",
        ),
        pytest.param(
            policy(rule(1) | {"action": {"type": "expire", "targetStorageClass": None}}),
            ["rule 1 (priority 1): action.targetStorageClass: null is not allowed; omit the field instead [V17]"],
            id="noncompliant-4-cloudposse-158-null-target",
        ),
        pytest.param(
            policy(
                rule(1, tag_status="tagged")
                | {"selection": {**rule(1)["selection"], "tagStatus": "tagged", "tagPrefixList": [None]}}
            ),
            ["rule 1 (priority 1): selection.tagPrefixList[0]: null is not allowed [V17]"],
            id="noncompliant-5-null-entry",
        ),
        pytest.param(
            policy(rule(1) | {"selection": {**rule(1)["selection"], "tagPatternList": None}}),
            ["rule 1 (priority 1): selection.tagPatternList: null is not allowed; omit the field instead [V17]"],
            id="noncompliant-6-null-list",
        ),
    ],
)
def test_v17_noncompliant(document: Any, expected: list[str]) -> None:
    assert messages(document, "V17") == expected


def test_v17_compliant_1_only_known_keys() -> None:
    assert messages(policy(rule(1, description="d", storage="standard")), "V17") == []


# --- all at once -----------------------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_ordered_by_rule_then_check() -> None:
    # given: problems in two rules and at policy level
    document = {
        "rules": [
            rule(1, number=0) | {"extra": 1},
            rule(1, tag_status="untagged", count_type="sinceImagePushed") | {"selection": {"tagStatus": "untagged"}},
        ]
    }
    # when
    found = [(issue.check, issue.rule_index) for issue in validate_policy(document)]
    # then
    assert found == [("V11", 0), ("V17", 0), ("V3", 1), ("V3", 1), ("V4", 1)]
