"""Create and Update end to end: preview, gate, claim, put; the live policy and the owner tag are untouched
whenever the gate blocks."""

from __future__ import annotations

from typing import Any

import pytest
from handler_harness import (
    ARCHIVE_POLICY,
    CREATE_POLICY,
    HAND_MADE_POLICY,
    OLD_IMAGES_POLICY,
    UPDATE_POLICY,
    Harness,
    policy,
    rule,
)

from ecr_lifecycle_guard.engine import canonical_policy_text, policies_equivalent
from ecr_lifecycle_guard.local import SeedImage

#: The owner tag of the events' resource: stack ``guarded``, logical id ``Guard``.
OWNER = "guarded/Guard"


def test_create_previews_applies_the_policy_and_records_ownership(harness: Harness) -> None:
    # given
    event = harness.event("create")
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "SUCCESS"
    assert result.physical_id == "123456789012/app"
    assert result.response is not None
    assert result.response["Data"] == {
        "ExpiringImageCount": "3",
        "TransitioningImageCount": "0",
        "InUseImageCount": "0",
        "PolicyApplied": "true",
        "PreviewStatus": "COMPLETE",
    }
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), OWNER)
    assert harness.previews_started() == 1


BLOCKING_LIMITS = [
    pytest.param(
        CREATE_POLICY,
        {"MaxExpiringImages": "2"},
        "blocked by MaxExpiringImages: 3 images would expire, limit 2 (repository 'app')",
        id="MaxExpiringImages",
    ),
    pytest.param(
        CREATE_POLICY,
        {"MaxExpiringPercent": "40"},
        "blocked by MaxExpiringPercent: 50.0% would expire (3 of 6 images), limit 40% (repository 'app')",
        id="MaxExpiringPercent",
    ),
    pytest.param(
        ARCHIVE_POLICY,
        {"MaxTransitioningImages": "1"},
        "blocked by MaxTransitioningImages: 4 images would be archived, limit 1 (repository 'app')",
        id="MaxTransitioningImages",
    ),
    pytest.param(
        OLD_IMAGES_POLICY,
        {"ProtectedTags": '["release-*"]'},
        "blocked by ProtectedTags: pattern 'release-*' matches tag 'release-1' (1 image would be expired, limit 0)"
        " (repository 'app')",
        id="ProtectedTags-as-JSON-text",
    ),
    pytest.param(
        OLD_IMAGES_POLICY,
        {"ProtectedTags": ["release-*"]},
        "blocked by ProtectedTags: pattern 'release-*' matches tag 'release-1' (1 image would be expired, limit 0)"
        " (repository 'app')",
        id="ProtectedTags",
    ),
]


@pytest.mark.parametrize(("policy_text", "limits", "reason"), BLOCKING_LIMITS)
def test_blocked_create_leaves_the_existing_policy_byte_identical_and_its_rollback_delete_changes_nothing(
    harness: Harness, policy_text: str, limits: dict[str, Any], reason: str
) -> None:
    # given
    harness.put_policy(HAND_MADE_POLICY)
    before = harness.live_policy()
    create = harness.event("create", properties={"LifecyclePolicyText": policy_text, **limits})
    # when
    blocked = harness.invoke(create)
    rollback = harness.invoke(
        harness.event("delete", PhysicalResourceId=blocked.physical_id, properties=create["ResourceProperties"])
    )
    # then
    assert blocked.status == "FAILED"
    assert blocked.reason.startswith(reason + "; details in log, request ")
    assert len(blocked.reason) <= 200
    assert blocked.physical_id == f"ecr-lifecycle-guard:failed-create:{create['RequestId']}"
    assert rollback.status == "SUCCESS"
    assert harness.state() == (before, None) == (HAND_MADE_POLICY, None)


def test_blocked_create_on_a_repository_without_policy_leaves_none(harness: Harness) -> None:
    # given
    event = harness.event("create", properties={"MaxExpiringImages": "0"})
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "FAILED"
    assert harness.state() == (None, None)


def test_default_guard_refuses_to_expire_every_image_unless_allowed(harness: Harness) -> None:
    # given
    harness.ecr.create_repository("old", images=[SeedImage(pushed_days_ago=30 + i) for i in range(3)])
    expire_all = {"RepositoryName": "old", "LifecyclePolicyText": OLD_IMAGES_POLICY}
    # when
    refused = harness.invoke(harness.event("create", properties=expire_all))
    allowed = harness.invoke(harness.event("create", properties={**expire_all, "AllowExpireAll": "true"}))
    # then
    assert refused.status == "FAILED"
    assert refused.reason.startswith("blocked by ExpireAll: this policy would expire every image in the repository")
    assert allowed.status == "SUCCESS"
    assert policies_equivalent(harness.live_policy("old") or "", OLD_IMAGES_POLICY)


def test_create_resent_by_cloudformation_is_idempotent(harness: Harness) -> None:
    # given
    event = harness.event("create")
    first = harness.invoke(event)
    # when
    again = harness.invoke(event)
    # then
    assert (first.status, again.status) == ("SUCCESS", "SUCCESS")
    assert again.physical_id == first.physical_id
    assert again.response is not None
    assert again.response["Data"]["PreviewStatus"] == "SKIPPED_UNCHANGED"
    assert harness.previews_started() == 1
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), OWNER)


def test_no_op_update_makes_no_preview_call_and_reports_no_counts(harness: Harness) -> None:
    # given
    harness.put_policy(UPDATE_POLICY)
    # when
    result = harness.invoke(harness.event("update"))
    # then
    assert result.status == "SUCCESS"
    assert result.physical_id == "123456789012/app"
    assert result.response is not None
    assert result.response["Data"] == {
        "ExpiringImageCount": "n/a",
        "TransitioningImageCount": "n/a",
        "InUseImageCount": "n/a",
        "PolicyApplied": "true",
        "PreviewStatus": "SKIPPED_UNCHANGED",
    }
    assert harness.previews_started() == 0
    assert harness.state() == (UPDATE_POLICY, OWNER)


def test_update_applies_the_new_policy(harness: Harness) -> None:
    # given
    harness.put_policy(canonical_policy_text(CREATE_POLICY))
    # when
    result = harness.invoke(harness.event("update"))
    # then
    assert result.status == "SUCCESS"
    assert harness.state() == (canonical_policy_text(UPDATE_POLICY), OWNER)


def test_blocked_update_keeps_the_live_policy_and_the_physical_id(harness: Harness) -> None:
    # given
    old = canonical_policy_text(CREATE_POLICY)
    harness.put_policy(old)
    event = harness.event("update", properties={"MaxExpiringImages": "1"})
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "FAILED"
    assert result.physical_id == "123456789012/app"
    assert result.reason.startswith("blocked by MaxExpiringImages: 3 images would expire, limit 1")
    assert harness.state() == (old, None)


def test_update_during_stack_rollback_restores_the_previous_policy_without_preview(harness: Harness) -> None:
    # given
    harness.put_policy(canonical_policy_text(UPDATE_POLICY))
    harness.ecr.set_stack_status(harness.stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")
    rollback = harness.event(
        "update",
        properties={"LifecyclePolicyText": CREATE_POLICY, "MaxExpiringImages": "0"},
        old_properties={"LifecyclePolicyText": UPDATE_POLICY},
    )
    # when
    result = harness.invoke(rollback)
    # then
    assert result.status == "SUCCESS"
    assert result.response is not None
    assert result.response["Data"]["PreviewStatus"] == "SKIPPED_ROLLBACK"
    assert harness.previews_started() == 0
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), OWNER)


def test_repository_change_gives_a_new_physical_id_and_the_old_delete_removes_the_old_policy(
    harness: Harness,
) -> None:
    # given
    harness.ecr.create_repository("next", images=[SeedImage(pushed_days_ago=30), SeedImage(pushed_days_ago=1)])
    harness.invoke(harness.event("create"))
    update = harness.event("update", properties={"RepositoryName": "next"})
    # when
    moved = harness.invoke(update)
    cleanup = harness.invoke(harness.event("delete", properties=update["OldResourceProperties"]))
    # then
    assert moved.status == "SUCCESS"
    assert moved.physical_id == "123456789012/next"
    assert harness.state("next") == (canonical_policy_text(UPDATE_POLICY), OWNER)
    assert cleanup.status == "SUCCESS"
    assert harness.state("app") == (None, None)


def test_preview_only_reports_but_never_puts_or_owns(harness: Harness) -> None:
    # given
    event = harness.event("create", properties={"PreviewOnly": "true"})
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "SUCCESS"
    assert result.response is not None
    assert result.response["Data"]["PolicyApplied"] == "false"
    assert result.response["Data"]["ExpiringImageCount"] == "3"
    assert harness.state() == (None, None)
    assert harness.ecr.calls("PutLifecyclePolicy") == []


def test_archive_rules_are_previewed_and_put(harness: Harness) -> None:
    # given
    archive_then_expire = policy(rule(1, "any", 20, action="transition"))
    # when
    result = harness.invoke(harness.event("create", properties={"LifecyclePolicyText": archive_then_expire}))
    # then
    assert result.status == "SUCCESS"
    assert result.response is not None
    assert result.response["Data"]["TransitioningImageCount"] == "4"
    assert policies_equivalent(harness.live_policy() or "", archive_then_expire)
    assert harness.owner_tag() == OWNER
