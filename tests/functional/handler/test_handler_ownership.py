"""Ownership end to end (issue 8, cases 1-3 and 8): renames hand over, PreviewOnly never owns or deletes,
a second stack is refused with the owner named, restore-on-delete, and replayed requests change nothing.

Every test checks the answer, the live policy and the owner tag afterwards."""

from __future__ import annotations

from handler_harness import CREATE_POLICY, HAND_MADE_POLICY, UPDATE_POLICY, Harness

from ecr_lifecycle_guard.engine import canonical_policy_text

CREATED = canonical_policy_text(CREATE_POLICY)


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
