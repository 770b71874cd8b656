"""Ownership end to end (issue 8, cases 1-3 and 8): renames hand over, PreviewOnly never owns or deletes,
a second stack is refused with the owner named, restore-on-delete, and replayed requests change nothing;
a rename that the stack rolls back hands the policy back to the old resource.

Every test checks the answer, the live policy and the owner tag afterwards."""

from __future__ import annotations

import hashlib
import json

import pytest
from handler_harness import CREATE_POLICY, HAND_MADE_POLICY, UPDATE_POLICY, Harness

from ecr_lifecycle_guard.contract import OWNER_TAG_KEY, PREVIOUS_OWNER_TAG_KEY, PREVIOUS_POLICY_TAG_PREFIX
from ecr_lifecycle_guard.engine import canonical_policy_text

CREATED = canonical_policy_text(CREATE_POLICY)
UPDATED = canonical_policy_text(UPDATE_POLICY)
#: CloudFormation deletes what a failed update created while rolling back, or in the cleanup after it.
ROLLBACK_STATUSES = ["UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"]
#: 40 rules with distinct 128-character descriptions: ~13,000 characters that compress to ~2,800
#: base64 characters, more than the 8 x 256 the hand-back record may hold. Expires nothing here.
LARGE_POLICY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": i + 1,
                "description": hashlib.sha256(str(i).encode()).hexdigest() * 2,
                "selection": {"tagStatus": "tagged", "tagPrefixList": [f"keep-{i}"], "countType": "sinceImagePushed",
                              "countUnit": "days", "countNumber": 3650},
                "action": {"type": "expire"},
            }
            for i in range(40)
        ]
    }
)  # fmt: skip


def test_rename_in_one_stack_hands_ownership_over_and_the_old_delete_leaves_the_policy(harness: Harness) -> None:
    # given: CloudFormation replaces Guard by Renamed: create the new resource, then delete the old one
    harness.invoke(harness.event("create"))
    # when
    created = harness.invoke(harness.event("create", LogicalResourceId="Renamed"))
    deleted = harness.invoke(harness.event("delete"))
    # then
    assert created.status == "SUCCESS"
    assert created.response is not None
    assert created.response["Data"]["PreviewStatus"] == "SKIPPED_UNCHANGED"
    assert created.response["Data"]["PolicyApplied"] == "true"
    assert deleted.status == "SUCCESS"
    assert harness.state() == (CREATED, "guarded/Renamed")


def test_the_renamed_resource_later_deletes_the_policy_it_took_over(harness: Harness) -> None:
    # given
    harness.invoke(harness.event("create"))
    harness.invoke(harness.event("create", LogicalResourceId="Renamed"))
    harness.invoke(harness.event("delete"))
    # when
    result = harness.invoke(harness.event("delete", LogicalResourceId="Renamed"))
    # then
    assert result.status == "SUCCESS"
    assert harness.state() == (None, None)


def test_preview_only_never_owns_and_never_deletes_an_equal_policy(harness: Harness) -> None:
    # given: the live policy equals the PreviewOnly guard's text, put by hand
    harness.put_policy(CREATED)
    preview_only = {"PreviewOnly": "true"}
    # when
    created = harness.invoke(harness.event("create", properties=preview_only))
    deleted = harness.invoke(harness.event("delete", properties=preview_only))
    # then
    assert created.status == "SUCCESS"
    assert created.response is not None
    assert created.response["Data"]["PolicyApplied"] == "false"
    assert deleted.status == "SUCCESS"
    assert harness.state() == (CREATED, None)


def test_preview_only_beside_an_owner_in_another_stack_changes_nothing(harness: Harness) -> None:
    # given
    harness.invoke(harness.event("create"))
    other = harness.ecr.create_stack("audit")
    preview_only = {"PreviewOnly": "true", "LifecyclePolicyText": UPDATE_POLICY}
    # when
    created = harness.invoke(harness.event("create", StackId=other, properties=preview_only))
    deleted = harness.invoke(harness.event("delete", StackId=other, properties=preview_only))
    # then
    assert (created.status, deleted.status) == ("SUCCESS", "SUCCESS")
    assert harness.state() == (CREATED, "guarded/Guard")


def test_a_guard_in_a_second_stack_is_refused_naming_the_owner_and_changes_nothing(harness: Harness) -> None:
    # given
    harness.invoke(harness.event("create"))
    second = harness.ecr.create_stack("second")
    create = harness.event("create", StackId=second, properties={"LifecyclePolicyText": UPDATE_POLICY})
    # when
    refused = harness.invoke(create)
    rollback = harness.invoke(
        harness.event(
            "delete", StackId=second, PhysicalResourceId=refused.physical_id, properties=create["ResourceProperties"]
        )
    )
    # then
    assert refused.status == "FAILED"
    assert refused.reason.startswith(
        "owned by resource Guard of stack guarded; to hand over: set removal_policy=RETAIN there, deploy,"
        " remove it, then deploy this stack; details in log, request "
    )
    assert rollback.status == "SUCCESS"
    assert harness.state() == (CREATED, "guarded/Guard")


def test_the_documented_hand_over_moves_the_policy_to_the_second_stack(harness: Harness) -> None:
    # given
    harness.invoke(harness.event("create"))
    second = harness.ecr.create_stack("second")
    retain = {"OnDelete": "retain"}
    # when: RETAIN in the first stack, deploy; remove it there; deploy the second stack
    updated = harness.invoke(harness.event("update", properties={**retain, "LifecyclePolicyText": CREATE_POLICY}))
    removed = harness.invoke(harness.event("delete", properties=retain))
    moved = harness.invoke(harness.event("create", StackId=second))
    # then
    assert (updated.status, removed.status, moved.status) == ("SUCCESS", "SUCCESS", "SUCCESS")
    assert harness.state() == (CREATED, "second/Guard")


def test_delete_restores_the_given_policy_on_an_adopted_repository(harness: Harness) -> None:
    # given: a repository that shipped its own policy (like CDK's bootstrap repository)
    harness.put_policy(HAND_MADE_POLICY)
    restore = {"RestorePolicyText": HAND_MADE_POLICY, "AllowExpireAll": "true"}
    created = harness.invoke(harness.event("create", properties=restore))
    # when
    deleted = harness.invoke(harness.event("delete", properties=restore))
    # then
    assert (created.status, deleted.status) == ("SUCCESS", "SUCCESS")
    assert harness.state() == (canonical_policy_text(HAND_MADE_POLICY), None)


def test_a_replayed_create_and_a_replayed_delete_change_nothing_more(harness: Harness) -> None:
    # given
    create, delete = harness.event("create"), harness.event("delete")
    # when
    answers = [harness.invoke(create).status, harness.invoke(create).status]
    after_create = harness.state()
    answers += [harness.invoke(delete).status, harness.invoke(delete).status]
    # then
    assert answers == ["SUCCESS"] * 4
    assert after_create == (CREATED, "guarded/Guard")
    assert harness.state() == (None, None)
    assert len(harness.ecr.calls("PutLifecyclePolicy")) == 1
    assert len(harness.ecr.calls("DeleteLifecyclePolicy")) == 1


# --- a rename that the stack rolls back, or completes ---------------------------------------------


@pytest.mark.parametrize("status", ROLLBACK_STATUSES)
def test_a_pure_rename_rolled_back_hands_the_ownership_back_and_keeps_the_policy(harness: Harness, status: str) -> None:
    # given: Guard deployed; the update creates Renamed (same policy), then another resource fails
    harness.invoke(harness.event("create"))
    created = harness.invoke(harness.event("create", LogicalResourceId="Renamed"))
    recorded = harness.ownership_tags()
    harness.ecr.set_stack_status(harness.stack_id, status)
    # when: the rollback deletes Renamed; Guard stays in the stack
    deleted = harness.invoke(harness.event("delete", LogicalResourceId="Renamed"))
    # then
    assert created.status == "SUCCESS"
    assert created.response is not None
    assert created.response["Data"]["PreviewStatus"] == "SKIPPED_UNCHANGED"
    assert recorded == {OWNER_TAG_KEY: "guarded/Renamed", PREVIOUS_OWNER_TAG_KEY: "guarded/Guard"}
    assert deleted.status == "SUCCESS"
    assert harness.state() == (CREATED, "guarded/Guard")
    assert harness.ownership_tags() == {OWNER_TAG_KEY: "guarded/Guard"}


def test_a_rename_with_a_policy_change_rolled_back_puts_the_old_policy_back(harness: Harness) -> None:
    # given: Guard deployed with the create policy; Renamed takes over and puts the update policy
    harness.invoke(harness.event("create"))
    changed = {"LifecyclePolicyText": UPDATE_POLICY}
    created = harness.invoke(harness.event("create", LogicalResourceId="Renamed", properties=changed))
    after_create = (harness.state(), set(harness.ownership_tags()))
    harness.ecr.set_stack_status(harness.stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")
    # when
    deleted = harness.invoke(harness.event("delete", LogicalResourceId="Renamed", properties=changed))
    # then
    assert created.status == "SUCCESS"
    assert after_create == (
        (UPDATED, "guarded/Renamed"),
        {OWNER_TAG_KEY, PREVIOUS_OWNER_TAG_KEY, f"{PREVIOUS_POLICY_TAG_PREFIX}0"},
    )
    assert deleted.status == "SUCCESS"
    assert harness.state() == (CREATED, "guarded/Guard")
    assert harness.ownership_tags() == {OWNER_TAG_KEY: "guarded/Guard"}


def test_a_completed_rename_drops_the_record_and_a_later_removal_deletes_the_policy(harness: Harness) -> None:
    # given: Guard deployed; Renamed takes over with a policy change
    harness.invoke(harness.event("create"))
    changed = {"LifecyclePolicyText": UPDATE_POLICY}
    harness.invoke(harness.event("create", LogicalResourceId="Renamed", properties=changed))
    # when: the update succeeds and its cleanup deletes Guard; later Renamed is removed from the stack
    harness.ecr.set_stack_status(harness.stack_id, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    cleanup = harness.invoke(harness.event("delete"))
    after_cleanup = (harness.state(), harness.ownership_tags())
    harness.ecr.set_stack_status(harness.stack_id, "UPDATE_IN_PROGRESS")
    removed = harness.invoke(harness.event("delete", LogicalResourceId="Renamed", properties=changed))
    # then
    assert cleanup.status == "SUCCESS"
    assert after_cleanup == ((UPDATED, "guarded/Renamed"), {OWNER_TAG_KEY: "guarded/Renamed"})
    assert removed.status == "SUCCESS"
    assert harness.state() == (None, None)
    assert harness.ownership_tags() == {}


def test_a_rename_with_a_change_is_refused_when_the_old_policy_is_too_large_to_keep(harness: Harness) -> None:
    # given: Guard deployed with a policy too large for the hand-back record
    large = {"LifecyclePolicyText": LARGE_POLICY}
    deployed = harness.invoke(harness.event("create", properties=large))
    before = (harness.state(), harness.ownership_tags())
    previews = harness.previews_started()
    # when: Renamed takes over with another policy; the failed create is rolled back
    refused = harness.invoke(harness.event("create", LogicalResourceId="Renamed"))
    rollback = harness.invoke(
        harness.event("delete", LogicalResourceId="Renamed", PhysicalResourceId=refused.physical_id)
    )
    # then
    assert deployed.status == "SUCCESS"
    assert refused.status == "FAILED"
    assert refused.reason.startswith(
        "deploy the rename alone first, then the policy change: the policy of guarded/Guard is too large to keep in"
        " tags for a rollback; details in log, request "
    )
    assert rollback.status == "SUCCESS"
    assert before == ((canonical_policy_text(LARGE_POLICY), "guarded/Guard"), {OWNER_TAG_KEY: "guarded/Guard"})
    assert (harness.state(), harness.ownership_tags()) == before
    assert harness.previews_started() == previews
