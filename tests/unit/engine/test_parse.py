"""Parsing (text, mapping), JSON syntax errors, the model built, canonical text and equivalence."""

from __future__ import annotations

import json

import pytest
from engine_helpers import policy, rule

from ecr_lifecycle_guard.engine import (
    Action,
    Policy,
    Rule,
    Selection,
    canonical_policy_text,
    parse_policy,
    policies_equivalent,
    validate_policy,
)
from ecr_lifecycle_guard.errors import PolicyValidationError

TAGGED = rule(20, tag_status="tagged", patterns=["feature-*"], number=5, description="features")
UNTAGGED = rule(10, tag_status="untagged", count_type="sinceImagePushed", number=14)


def test_json_syntax_error_names_line_and_column() -> None:
    # given
    text = '{\n  "rules": [\n    {"rulePriority": 1,}\n  ]\n}'
    # when
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(text)
    # then
    assert str(caught.value) == (
        "invalid lifecycle policy: policy: not valid JSON: Expecting property name enclosed in double quotes "
        "at line 3, column 24 [JSON]"
    )
    assert caught.value.issues[0].check == "JSON"


def test_a_str_is_always_json_text_never_a_path() -> None:
    # given: a string that looks like a file name
    # when
    issues = validate_policy("policy.json")
    # then
    assert [issue.check for issue in issues] == ["JSON"]


def test_parse_raises_with_every_issue() -> None:
    # given
    document = policy(rule(1, number=0), rule(2, tag_status="untagged"), rule(2, tag_status="tagged", patterns=["a"]))
    # when
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(document)
    # then
    assert [issue.check for issue in caught.value.issues] == ["V5", "V11", "V4"]
    assert str(caught.value).startswith("invalid lifecycle policy (3 problems):\n  rule 1 (priority 1): ")


def test_parse_builds_the_model_with_rules_sorted_by_priority() -> None:
    # given
    text = json.dumps(policy(TAGGED, UNTAGGED))
    # when
    parsed = parse_policy(text)
    # then
    assert parsed == Policy(
        rules=(
            Rule(10, Selection("untagged", "sinceImagePushed", 14, count_unit="days"), Action("expire")),
            Rule(
                20,
                Selection("tagged", "imageCountMoreThan", 5, tag_pattern_list=("feature-*",)),
                Action("expire"),
                description="features",
            ),
        )
    )


def test_parse_returns_a_policy_unchanged() -> None:
    parsed = parse_policy(policy(UNTAGGED))
    assert parse_policy(parsed) is parsed


def test_transition_rule_keeps_its_target_storage_class() -> None:
    parsed = parse_policy(policy(rule(1, count_type="sinceImagePulled", number=90, action="transition")))
    assert parsed.rules[0].action == Action("transition", "archive")


def test_canonical_text_sorts_rules_orders_keys_and_is_compact() -> None:
    # given: rules out of order, keys out of order, indented
    shuffled = {"rules": [{"action": {"type": "expire"}, **{k: v for k, v in reversed(TAGGED.items())}}, UNTAGGED]}
    # when
    text = canonical_policy_text(json.dumps(shuffled, indent=4))
    # then
    assert text == (
        '{"rules":[{"rulePriority":10,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed",'
        '"countUnit":"days","countNumber":14},"action":{"type":"expire"}},{"rulePriority":20,"description":"features",'
        '"selection":{"tagStatus":"tagged","tagPatternList":["feature-*"],"countType":"imageCountMoreThan",'
        '"countNumber":5},"action":{"type":"expire"}}]}'
    )


def test_canonical_text_keeps_non_ascii_descriptions_as_characters() -> None:
    text = canonical_policy_text(policy(rule(1, description="nettoyage à 14 jours")))
    assert '"description":"nettoyage à 14 jours"' in text


def test_canonical_text_is_idempotent() -> None:
    once = canonical_policy_text(policy(TAGGED, UNTAGGED))
    assert canonical_policy_text(once) == once


def test_canonical_text_of_an_invalid_policy_raises() -> None:
    with pytest.raises(PolicyValidationError):
        canonical_policy_text(policy(rule(1, number=0)))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(policy(TAGGED, UNTAGGED), policy(UNTAGGED, TAGGED), id="rule-order"),
        pytest.param(policy(rule(1)), policy(rule(1, storage="standard")), id="absent-storage-class-is-standard"),
        pytest.param(
            policy(rule(1, tag_status="tagged", prefixes=["a", "b"])),
            policy(rule(1, tag_status="tagged", prefixes=["b", "a"])),
            id="tag-lists-as-sets",
        ),
        pytest.param(json.dumps(policy(UNTAGGED), indent=2), parse_policy(policy(UNTAGGED)), id="text-vs-policy"),
    ],
)
def test_equivalent_policies(a: object, b: object) -> None:
    assert policies_equivalent(a, b)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(policy(rule(1, description="a")), policy(rule(1, description="b")), id="description"),
        pytest.param(policy(rule(1)), policy(rule(2)), id="priority"),
        pytest.param(policy(rule(1, number=1)), policy(rule(1, number=2)), id="count-number"),
        pytest.param(
            policy(rule(1, tag_status="tagged", prefixes=["a"])),
            policy(rule(1, tag_status="tagged", patterns=["a"])),
            id="prefix-vs-pattern",
        ),
        pytest.param(policy(rule(1)), policy(rule(1, action="transition")), id="action"),
        pytest.param("not json", "not json", id="unparsable"),
        pytest.param(policy(rule(1, number=0)), policy(rule(1, number=0)), id="invalid"),
        pytest.param(None, policy(rule(1)), id="not-a-policy-at-all"),
    ],
)
def test_not_equivalent_policies_and_never_raises(a: object, b: object) -> None:
    assert not policies_equivalent(a, b)  # type: ignore[arg-type]


# --- robust input: every bad document is an issue naming its field, never an interpreter error ------------------


def _one_issue(source: object) -> str:
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(source)  # type: ignore[arg-type]
    (issue,) = caught.value.issues
    return str(issue)


def test_a_policy_nested_ten_thousand_levels_deep_is_a_json_issue() -> None:
    text = '{"rules": ' + "[" * 10_000 + "]" * 10_000 + "}"
    assert _one_issue(text) == "policy: nested deeper than 512 levels at line 1, column 522 [JSON]"


def test_a_deeply_nested_mapping_is_a_json_issue() -> None:
    # given
    nested: object = 1
    for _ in range(5_000):
        nested = [nested]
    # when / then
    assert _one_issue({"rules": nested}) == "policy: nested deeper than 512 levels [JSON]"


def test_a_count_number_of_five_thousand_digits_is_reported_at_its_field() -> None:
    text = json.dumps(policy(rule(1, number=1))).replace('"countNumber": 1', '"countNumber": ' + "9" * 5_000)
    assert _one_issue(text) == (
        "rule 1 (priority 1): selection.countNumber: must be an integer from 1 to 2147483647, "
        "got 99999999999999999999...(5,000 digits) [V11]"
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_literals_are_refused_at_their_field(literal: str) -> None:
    text = json.dumps(policy(rule(1, number=1))).replace('"countNumber": 1', f'"countNumber": {literal}')
    assert _one_issue(text) == (
        f"rule 1 (priority 1): selection.countNumber: must be an integer from 1 to 2147483647, got {literal} [V11]"
    )


def test_non_finite_description_and_priority_name_their_fields() -> None:
    # given
    text = json.dumps(policy(rule(1, description="x"))).replace('"rulePriority": 1', '"rulePriority": NaN')
    text = text.replace('"description": "x"', '"description": Infinity')
    # when
    issues = validate_policy(text)
    # then
    assert [str(issue) for issue in issues] == [
        "rule 1: rulePriority: must be an integer from 1 to 2147483647, got NaN [V2]",
        "rule 1: description: must be a string, got number [V2]",
    ]


@pytest.mark.parametrize("number", [1, 2_147_483_647])
def test_count_number_up_to_the_signed_32_bit_limit_is_accepted(number: int) -> None:
    assert parse_policy(policy(rule(1, number=number))).rules[0].selection.count_number == number


@pytest.mark.parametrize("number", [2_147_483_648, 10**30])
def test_count_number_beyond_the_signed_32_bit_limit_is_v11_with_the_value(number: int) -> None:
    assert _one_issue(policy(rule(1, number=number))) == (
        f"rule 1 (priority 1): selection.countNumber: must be an integer from 1 to 2147483647, got {number} [V11]"
    )


def test_rule_priority_beyond_the_signed_32_bit_limit_is_v2() -> None:
    assert _one_issue(policy(rule(2**31))) == (
        "rule 1: rulePriority: must be an integer from 1 to 2147483647, got 2147483648 [V2]"
    )


def test_a_json_string_is_checked_as_text_once() -> None:
    # given: the text of a JSON string whose content is a valid policy
    text = json.dumps(json.dumps(policy(rule(1))))
    # when / then
    assert _one_issue(text) == "policy: must be a JSON object with a 'rules' array, got string [V2]"
