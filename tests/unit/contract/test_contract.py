"""The contract: one parser per property, every bad value named, every problem reported at once."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.contract import (
    DEFAULT_PREVIEW_TIMEOUT_SECONDS,
    KNOWN_PROPERTIES,
    MAX_COUNT,
    OWNER_TAG_KEY,
    POLICY_EXAMPLE,
    PREVIOUS_POLICY_MAX_CHUNKS,
    PROPERTY_NAMES,
    TAG_VALUE_MAX,
    GateLimits,
    Owner,
    PreviousPolicy,
    decode_previous_policy,
    encode_previous_policy,
    owner_of_stack,
    parse_count,
    parse_percent,
    parse_physical_id,
    parse_preview_timeout,
    parse_properties,
    parse_repository_name,
    parse_role_arns,
    parse_tag_patterns,
    physical_id,
)
from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.errors import PolicyValidationError, PropertiesError, PropertyError

ACCOUNT = "123456789012"


def props(**extra: Any) -> dict[str, Any]:
    return {"RepositoryName": "team/app", "LifecyclePolicyText": POLICY_EXAMPLE, **extra}


def test_minimal_properties_take_the_documented_defaults() -> None:
    # given / when
    parsed = parse_properties(props(), default_registry_id=ACCOUNT)
    # then
    assert parsed.physical_id == "123456789012/team/app"
    assert parsed.limits == GateLimits()
    assert parsed.limits.protect_in_use is True
    assert (parsed.preview_only, parsed.on_delete, parsed.preview_timeout_seconds) == (
        False,
        "delete",
        DEFAULT_PREVIEW_TIMEOUT_SECONDS,
    )
    assert (parsed.in_use_role_arns, parsed.restore_policy_text) == ((), None)


def test_every_property_is_read_from_its_cloudformation_form() -> None:
    # given
    given_props = props(
        RegistryId="210987654321",
        MaxExpiringImages="10",
        MaxExpiringPercent="12.5",
        MaxTransitioningImages="0",
        ProtectedTags=["release-*", "prod"],
        AllowExpireAll="TRUE",
        PreviewOnly="true",
        OnDelete="retain",
        PreviewTimeoutSeconds="840",
        ProtectInUse="false",
        InUseRoleArns=["arn:aws:iam::111111111111:role/discovery"],
        RestorePolicyText=POLICY_EXAMPLE,
    )
    # when
    parsed = parse_properties(given_props, default_registry_id=ACCOUNT)
    # then
    assert parsed.limits == GateLimits(10, 12.5, 0, ("release-*", "prod"), True, False)
    assert (parsed.preview_only, parsed.on_delete, parsed.preview_timeout_seconds) == (True, "retain", 840)
    assert parsed.in_use_role_arns == ("arn:aws:iam::111111111111:role/discovery",)
    assert parsed.restore_policy_text == parsed.policy_text
    assert set(given_props) <= KNOWN_PROPERTIES
    assert set(PROPERTY_NAMES) == set(given_props) | {"RepositoryName", "LifecyclePolicyText"}


def test_every_bad_property_is_reported_at_once_in_property_order() -> None:
    # given
    bad = {
        "RepositoryName": "Team/App",
        "LifecyclePolicyText": '{"rules": []}',
        "MaxExpiringImages": "1" * 5000,
        "MaxExpiringPercent": "nan",
        "ProtectedTags": ["*a*a*a*a*a*b"],
        "PreviewTimeoutSeconds": "5",
        "Typo": "x",
    }
    # when
    with pytest.raises(PropertiesError) as caught:
        parse_properties(bad, default_registry_id=ACCOUNT)
    # then
    named = [getattr(p, "property", None) or p.source for p in caught.value.problems]
    assert named == [
        "Typo",
        "RepositoryName",
        "LifecyclePolicyText",
        "MaxExpiringImages",
        "MaxExpiringPercent",
        "ProtectedTags[0]",
        "PreviewTimeoutSeconds",
    ]
    assert isinstance(caught.value.problems[2], PolicyValidationError)
    assert caught.value.summary.startswith("Typo: must be one of the known properties (")
    assert caught.value.summary.endswith("(+6 more)")
    assert str(caught.value).startswith("7 bad properties: ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("10", 10), (" 7 ", 7), (3, 3), (5.0, 5), (str(MAX_COUNT), MAX_COUNT), ("1e3", 1000)],
)
def test_counts_accept_integers_in_any_form(value: object, expected: int) -> None:
    assert parse_count("MaxExpiringImages", value) == expected


@pytest.mark.parametrize(
    "value",
    ["-1", "1.5", "nan", "inf", "-inf", "", "ten", True, None, 2.5, float("nan"), str(MAX_COUNT + 1), "9" * 5000],
)
def test_counts_refuse_everything_else_naming_the_property(value: object) -> None:
    with pytest.raises(PropertyError) as caught:
        parse_count("MaxExpiringImages", value)
    assert str(caught.value).startswith("MaxExpiringImages: must be an integer from 0 to 2147483647, got ")


@pytest.mark.parametrize("value", ["nan", "Infinity", "100.01", "-0.1", float("inf"), False])
def test_percentages_are_finite_and_within_0_and_100(value: object) -> None:
    with pytest.raises(PropertyError, match=r"^MaxExpiringPercent: must be a number from 0 to 100"):
        parse_percent("MaxExpiringPercent", value)


@pytest.mark.parametrize(("value", "ok"), [("30", True), ("840", True), ("29", False), ("841", False), ("nan", False)])
def test_the_preview_timeout_has_one_range_everywhere(value: str, ok: bool) -> None:
    if ok:
        assert parse_preview_timeout("PreviewTimeoutSeconds", value) == int(value)
    else:
        with pytest.raises(PropertyError, match="whole seconds from 30 to 840"):
            parse_preview_timeout("PreviewTimeoutSeconds", value)


@pytest.mark.parametrize(
    ("name", "ok"), [("a--b", True), ("a__b", True), ("team/app", True), ("a", False), ("A", False)]
)
def test_repository_names_follow_ecrs_own_pattern(name: str, ok: bool) -> None:
    if ok:
        assert parse_repository_name("RepositoryName", name) == name
    else:
        with pytest.raises(PropertyError):
            parse_repository_name("RepositoryName", name)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("release-*", "ProtectedTags: must be a list of at most 100 tag patterns (or its JSON text)"),
        ([""], "ProtectedTags[0]: must be a tag pattern of 1 to 300 characters"),
        (["a" * 301], "ProtectedTags[0]: must be a tag pattern of 1 to 300 characters"),
        (["ok", "*1*2*3*4*5"], "ProtectedTags[1]: must be a tag pattern with at most 4 '*'"),
        (["x"] * 101, "ProtectedTags: must be a list of at most 100 tag patterns"),
    ],
)
def test_protected_tags_are_limited_like_ecrs_patterns(value: object, message: str) -> None:
    with pytest.raises(PropertyError) as caught:
        parse_tag_patterns("ProtectedTags", value)
    assert str(caught.value).startswith(message)


def test_role_arns_must_be_distinct_iam_role_arns() -> None:
    role = "arn:aws:iam::111111111111:role/discovery"
    with pytest.raises(PropertyError, match=r"InUseRoleArns\[0\]: must be an IAM role ARN"):
        parse_role_arns("InUseRoleArns", ["arn:aws:iam::111111111111:user/bob"])
    with pytest.raises(PropertyError, match="without duplicate"):
        parse_role_arns("InUseRoleArns", [role, role])


@given(
    registry=st.from_regex(r"[0-9]{12}", fullmatch=True),
    name=st.from_regex(r"[a-z0-9]{2,8}(/[a-z0-9]{1,8}){0,2}", fullmatch=True),
)
def test_physical_ids_round_trip(registry: str, name: str) -> None:
    assert parse_physical_id(physical_id(registry, name)) == (registry, name)


@given(
    stack=st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,127}", fullmatch=True),
    logical=st.from_regex(r"[A-Za-z0-9]{1,255}", fullmatch=True),
)
def test_owner_tag_values_fit_ecrs_limit_and_name_the_stack(stack: str, logical: str) -> None:
    # given
    owner = Owner(stack, logical)
    # when
    value = owner.tag_value
    read = Owner.from_tag_value(value)
    # then
    assert len(value) <= 256
    assert read is not None
    assert read.stack_name == stack
    assert read.same_stack(owner)
    if len(f"{stack}/{logical}") <= 256:
        assert read == owner


def test_the_owner_of_an_event_is_its_stack_name_and_logical_id() -> None:
    owner = owner_of_stack("arn:aws:cloudformation:eu-west-1:123456789012:stack/images/0a1b-2c3d", "ApiLifecycle")
    assert owner == Owner("images", "ApiLifecycle")
    assert OWNER_TAG_KEY == "ecr-lifecycle-guard:owner"


#: What ECR accepts in a tag value: letters, digits, spaces and + - = . _ : / @ (AWS tag restrictions).
TAG_VALUE = re.compile(r"[\w\s+\-=.:/@]*")


def _rules(count: int, description: str) -> str:
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": i + 1,
                    "description": f"{description}{i}",
                    "selection": {"tagStatus": "tagged", "tagPrefixList": [f"p{i}"], "countType": "imageCountMoreThan",
                                  "countNumber": 5},
                    "action": {"type": "expire"},
                }
                for i in range(count)
            ]
        }
    )  # fmt: skip


@given(
    count=st.integers(1, 50), description=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
)
def test_a_recorded_previous_policy_fits_ecrs_tag_values_and_reads_back(count: int, description: str) -> None:
    # given
    policy = _rules(count, description)
    # when
    tags = encode_previous_policy(policy)
    # then: either it fits 8 values ECR accepts and reads back canonical, or it is refused whole
    if tags is not None:
        assert 1 <= len(tags) <= PREVIOUS_POLICY_MAX_CHUNKS
        assert all(len(value) <= TAG_VALUE_MAX and TAG_VALUE.fullmatch(value) for value in tags.values())
        assert decode_previous_policy(tags) == PreviousPolicy(canonical_policy_text(policy))


def test_a_previous_policy_needing_more_than_eight_tag_values_is_refused() -> None:
    # given: 50 rules with distinct digests as descriptions (they do not compress)
    large = json.dumps(
        {"rules": [json.loads(_rules(50, ""))["rules"][i] | {"description": hashlib.sha256(bytes([i])).hexdigest() * 3}
                   for i in range(50)]}
    )  # fmt: skip
    # when / then
    assert encode_previous_policy(large) is None
