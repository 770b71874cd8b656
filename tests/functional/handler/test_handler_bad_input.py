"""Bad input end to end: malformed events and every bad property value fail clearly, naming what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from handler_harness import CREATE_POLICY, Harness


@pytest.mark.parametrize(
    ("drop", "changes", "reason"),
    [
        (("StackId",), {}, "malformed event: StackId: must be a stack ARN, got None"),
        ((), {"RequestType": "Upsert"}, "malformed event: RequestType: must be Create, Update or Delete, got 'Upsert'"),
        (("ResourceProperties",), {}, "malformed event: ResourceProperties: must be an object, got None"),
    ],
)
def test_malformed_event_fails_with_a_clear_reason(
    harness: Harness, drop: tuple[str, ...], changes: dict[str, Any], reason: str
) -> None:
    # given
    event = harness.event("create", drop=drop, **changes)
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "FAILED"
    assert result.reason == reason
    assert harness.state() == (None, None)


def test_event_without_response_url_is_logged_and_ends_quietly(harness: Harness) -> None:
    # given
    event = harness.event("create", drop=("ResponseURL",))
    # when
    result = harness.invoke(event)
    # then
    assert result.response is None
    assert "malformed event: ResponseURL: must be an https URL, got None" in result.run.logs
    assert "the event has no ResponseURL; no response can be sent" in result.run.logs


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        (
            "RepositoryName",
            "App!",
            "RepositoryName: must be an ECR repository name (2-256 of a-z 0-9 . _ - /, e.g. team/app), got 'App!'",
        ),
        ("RegistryId", "42", "RegistryId: must be a 12-digit AWS account id, got '42'"),
        ("LifecyclePolicyText", "", "LifecyclePolicyText: must be a lifecycle policy JSON text, got ''"),
        ("MaxExpiringImages", "-3", "MaxExpiringImages: must be an integer from 0 to 2147483647, got '-3'"),
        ("MaxExpiringImages", "9" * 5000, "MaxExpiringImages: must be an integer from 0 to 2147483647, got '999"),
        ("MaxExpiringPercent", "150", "MaxExpiringPercent: must be a number from 0 to 100, got '150'"),
        ("MaxTransitioningImages", "x", "MaxTransitioningImages: must be an integer from 0 to 2147483647, got 'x'"),
        (
            "ProtectedTags",
            "release-*",
            "ProtectedTags: must be a list of at most 100 tag patterns (or its JSON text), got 'release-*'",
        ),
        ("PreviewOnly", "maybe", 'PreviewOnly: must be "true" or "false", got \'maybe\''),
        ("OnDelete", "archive", 'OnDelete: must be "delete" or "retain", got \'archive\''),
        ("PreviewTimeoutSeconds", "900", "PreviewTimeoutSeconds: must be whole seconds from 30 to 840, got '900'"),
        ("AllowExpireAll", "yes", 'AllowExpireAll: must be "true" or "false", got \'yes\''),
        ("MaxExpiringImage", "3", "MaxExpiringImage: must be one of the known properties (AllowExpireAll, "),
        ("LifecyclePolicyText", '{"rules": ' + "[" * 10_000 + "]" * 10_000 + "}", "LifecyclePolicyText: "),
        ("RestorePolicyText", "{" * 10_000, "RestorePolicyText: "),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_every_bad_property_fails_naming_property_allowed_values_and_value(
    harness: Harness, name: str, value: str, reason: str
) -> None:
    # given
    event = harness.event("create", properties={name: value})
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(reason)
    assert result.physical_id == f"ecr-lifecycle-guard:failed-create:{event['RequestId']}"
    assert len(result.reason) <= 200
    assert harness.state() == (None, None)


def test_every_bad_property_is_counted_in_one_answer(harness: Harness) -> None:
    # given
    event = harness.event("create", properties={"MaxExpiringImages": "-1", "OnDelete": "keep", "Colour": "red"})
    # when
    result = harness.invoke(event)
    # then
    assert result.reason.startswith("Colour: must be one of the known properties")
    assert "(+2 more); details in log, request " in result.reason
    assert harness.ecr.calls("ListTagsForResource") == []
    assert harness.state() == (None, None)


def test_invalid_policy_text_names_the_rule_and_the_field(harness: Harness) -> None:
    # given
    bad = CREATE_POLICY.replace(
        '"countType":"sinceImagePushed","countUnit":"days"', '"countType":"imageCountMoreThan","countUnit":"days"'
    )
    # when
    result = harness.invoke(harness.event("create", properties={"LifecyclePolicyText": bad}))
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith("LifecyclePolicyText: rule 1 (priority 1): selection.countUnit")
    assert harness.ecr.calls("StartLifecyclePolicyPreview") == []
    assert harness.state() == (None, None)


def test_the_response_url_never_appears_in_the_logs_even_on_errors(harness: Harness) -> None:
    # given: a request that fails on an AWS error (the repository does not exist)
    event = harness.event("create", properties={"RepositoryName": "missing"})
    # when
    result = harness.invoke(event)
    # then: harness.invoke also checks the signature against every run's logs
    assert result.status == "FAILED"
    assert result.reason.startswith("ListTagsForResource failed: RepositoryNotFoundException: The repository with")
    assert "X-Amz-Signature" not in result.run.logs
