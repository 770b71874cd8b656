"""Custom-resource properties: strings in, typed values out, and a clear error for every bad value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.errors import PolicyValidationError, PropertyError
from ecr_lifecycle_guard.gate import GateLimits
from guard_handler.properties import (
    DEFAULT_PREVIEW_TIMEOUT_SECONDS,
    POLICY_EXAMPLE,
    event_problem,
    failed_create_marker,
    parse_physical_id,
    parse_properties,
)

ACCOUNT = "123456789012"


def props(**extra: Any) -> dict[str, Any]:
    return {
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "RepositoryName": "team/app",
        "LifecyclePolicyText": POLICY_EXAMPLE,
        **extra,
    }


def test_minimal_properties_take_the_documented_defaults() -> None:
    # given / when
    parsed = parse_properties(props(), default_registry_id=ACCOUNT)
    # then
    assert parsed.physical_id == "123456789012/team/app"
    assert parsed.policy_text == canonical_policy_text(POLICY_EXAMPLE)
    assert parsed.limits == GateLimits()
    assert (parsed.preview_only, parsed.on_delete) == (False, "delete")
    assert parsed.preview_timeout_seconds == DEFAULT_PREVIEW_TIMEOUT_SECONDS


def test_every_property_is_read_from_its_string_form() -> None:
    # given
    given = props(
        RegistryId="210987654321",
        MaxExpiringImages="10",
        MaxExpiringPercent="12.5",
        MaxTransitioningImages="0",
        ProtectedTags=["release-*", "prod"],
        PreviewOnly="true",
        OnDelete="retain",
        PreviewTimeoutSeconds="840",
        AllowExpireAll="TRUE",
    )
    # when
    parsed = parse_properties(given, default_registry_id=ACCOUNT)
    # then
    assert parsed.registry_id == "210987654321"
    assert parsed.limits == GateLimits(10, 12.5, 0, ("release-*", "prod"), allow_expire_all=True)
    assert (parsed.preview_only, parsed.on_delete, parsed.preview_timeout_seconds) == (True, "retain", 840)


def test_protected_tags_are_also_accepted_as_a_json_list_text() -> None:
    # given / when
    parsed = parse_properties(props(ProtectedTags=json.dumps(["v*"])), default_registry_id=ACCOUNT)
    # then
    assert parsed.limits.protected_tags == ("v*",)


def test_empty_optional_strings_mean_not_set() -> None:
    # given / when
    parsed = parse_properties(props(MaxExpiringImages="", PreviewOnly=""), default_registry_id=ACCOUNT)
    # then
    assert parsed.limits.max_expiring_images is None
    assert parsed.preview_only is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "RepositoryName",
            "App",
            "RepositoryName: must be an ECR repository name (2-256 of a-z 0-9 . _ - /), got 'App'",
        ),
        ("RegistryId", "12345", "RegistryId: must be a 12-digit AWS account id, got '12345'"),
        ("LifecyclePolicyText", "", "LifecyclePolicyText: must be a lifecycle policy JSON text, got ''"),
        ("MaxExpiringImages", "-1", "MaxExpiringImages: must be an integer >= 0, got '-1'"),
        ("MaxExpiringImages", "1.5", "MaxExpiringImages: must be an integer >= 0, got '1.5'"),
        ("MaxExpiringPercent", "101", "MaxExpiringPercent: must be a number from 0 to 100, got '101'"),
        ("MaxExpiringPercent", "nan", "MaxExpiringPercent: must be a number from 0 to 100, got 'nan'"),
        ("MaxTransitioningImages", "many", "MaxTransitioningImages: must be an integer >= 0, got 'many'"),
        (
            "ProtectedTags",
            "prod",
            "ProtectedTags: must be a list of non-empty tag patterns (or its JSON text), got 'prod'",
        ),
        ("ProtectedTags", [""], "ProtectedTags: must be a list of non-empty tag patterns (or its JSON text), got ['']"),
        ("PreviewOnly", "yes", 'PreviewOnly: must be "true" or "false", got \'yes\''),
        ("OnDelete", "Retain", 'OnDelete: must be "delete" or "retain", got \'Retain\''),
        ("PreviewTimeoutSeconds", "0", "PreviewTimeoutSeconds: must be an integer from 1 to 840, got '0'"),
        ("PreviewTimeoutSeconds", "900", "PreviewTimeoutSeconds: must be an integer from 1 to 840, got '900'"),
        ("AllowExpireAll", "1", 'AllowExpireAll: must be "true" or "false", got \'1\''),
    ],
)
def test_bad_value_names_property_allowed_values_and_value_found(name: str, value: Any, message: str) -> None:
    # given
    given = props(**{name: value})
    # when
    with pytest.raises(PropertyError) as caught:
        parse_properties(given, default_registry_id=ACCOUNT)
    # then
    assert str(caught.value) == message
    assert caught.value.property == name


def test_unknown_property_is_refused_with_the_known_ones() -> None:
    # given
    given = props(MaxExpiringImage="3")
    # when / then
    with pytest.raises(PropertyError, match=r"^MaxExpiringImage: must be one of the known properties \(AllowExpireAll"):
        parse_properties(given, default_registry_id=ACCOUNT)


def test_missing_repository_name_is_refused() -> None:
    # given
    given = {"LifecyclePolicyText": POLICY_EXAMPLE}
    # when / then
    with pytest.raises(PropertyError, match=r"^RepositoryName: must be an ECR repository name"):
        parse_properties(given, default_registry_id=ACCOUNT)


def test_invalid_policy_names_rule_and_field() -> None:
    # given
    bad = POLICY_EXAMPLE.replace('"countNumber": 14', '"countNumber": 0')
    # when
    with pytest.raises(PolicyValidationError) as caught:
        parse_properties(props(LifecyclePolicyText=bad), default_registry_id=ACCOUNT)
    # then
    assert "rule 1 (priority 1): selection.countNumber" in str(caught.value)


def test_physical_ids_round_trip_and_markers_are_not_ours() -> None:
    # given / when / then
    assert parse_physical_id("123456789012/team/app") == ("123456789012", "team/app")
    assert parse_physical_id(failed_create_marker("r-1")) is None
    assert parse_physical_id("stack_Guard_ABCDEFGH") is None


def test_a_well_formed_event_has_no_problem(create_event: dict[str, Any]) -> None:
    # given / when / then
    assert event_problem(create_event) is None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"RequestType": "Remove"}, "malformed event: RequestType: must be Create, Update or Delete, got 'Remove'"),
        (
            {"ResponseURL": "http://x/?X-Amz-Signature=s"},
            "malformed event: ResponseURL: must be an https URL, got <redacted>",
        ),
        ({"StackId": None}, "malformed event: StackId: must be a stack ARN, got None"),
        ({"ResourceProperties": "x"}, "malformed event: ResourceProperties: must be an object, got 'x'"),
        (
            {"RequestType": "Delete"},
            "malformed event: PhysicalResourceId: must be the resource's physical id, got None",
        ),
    ],
)
def test_malformed_event_is_described(create_event: dict[str, Any], change: dict[str, Any], problem: str) -> None:
    # given
    event = {**create_event, **change}
    # when / then
    assert event_problem(event) == problem


def test_an_event_that_is_not_an_object_is_described() -> None:
    # given / when / then
    assert event_problem(["Create"]) == "malformed event: must be an object, got list"
