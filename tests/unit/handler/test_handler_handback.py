"""A rename inside a stack over an in-memory ECR: the hand-back record, its compensations and its two endings."""

from __future__ import annotations

import pytest
from fake_ecr import ACCOUNT, CREATE_POLICY, OTHER_POLICY, REPOSITORY, UPDATE_POLICY, World, canonical, event

from ecr_lifecycle_guard.contract import (
    OWNER_TAG_KEY,
    PREVIOUS_OWNER_TAG_KEY,
    PREVIOUS_POLICY_TAG_PREFIX,
    encode_previous_policy,
)

OLD = "guarded/Guard"
NEW = "guarded/Renamed"
CHANGED = {"LifecyclePolicyText": UPDATE_POLICY}


@pytest.fixture
def world() -> World:
    world = World()
    world.handle(event("create"))
    world.ecr.calls.clear()
    world.cfn.calls = 0
    return world


def renamed(world: World, properties: dict[str, str] | None = None) -> None:
    """The update creates ``Renamed`` (taking over from ``Guard``)."""
    assert world.handle(event("create", logical_id="Renamed", properties=properties or {})).status == "SUCCESS"
    world.ecr.calls.clear()
    world.cfn.calls = 0


def test_a_takeover_with_a_change_records_owner_and_policy_in_the_one_tag_call(world: World) -> None:
    # when
    outcome = world.handle(event("create", logical_id="Renamed", properties=CHANGED))
    # then
    assert outcome.status == "SUCCESS"
    assert world.ecr.writes() == ["TagResource", "PutLifecyclePolicy"]
    assert world.ecr.policies[REPOSITORY] == canonical(UPDATE_POLICY)
    assert world.ecr.ownership_tags() == {
        OWNER_TAG_KEY: NEW,
        PREVIOUS_OWNER_TAG_KEY: OLD,
        **(encode_previous_policy(CREATE_POLICY) or {}),
    }


def test_a_failed_put_during_a_takeover_puts_the_tags_back_exactly(world: World) -> None:
    # given
    world.ecr.fail("PutLifecyclePolicy", "AccessDeniedException")
    # when
    outcome = world.handle(event("create", logical_id="Renamed", properties=CHANGED))
    # then
    assert outcome.status == "FAILED"
    assert world.ecr.writes() == ["TagResource", "PutLifecyclePolicy", "TagResource", "UntagResource"]
    assert world.ecr.policies[REPOSITORY] == canonical(CREATE_POLICY)
    assert world.ecr.ownership_tags() == {OWNER_TAG_KEY: OLD}


def test_a_takeover_replaces_a_stale_record_whole(world: World) -> None:
    # given: a record left by an earlier rename whose cleanup never ran, with more chunks than the new one
    world.ecr.tags[REPOSITORY].update({f"{PREVIOUS_POLICY_TAG_PREFIX}{i}": "c3RhbGU=" for i in range(4)})
    world.ecr.tags[REPOSITORY][PREVIOUS_OWNER_TAG_KEY] = "guarded/Older"
    # when: a pure rename (no policy recorded)
    outcome = world.handle(event("create", logical_id="Renamed"))
    # then
    assert outcome.status == "SUCCESS"
    assert world.ecr.writes() == ["TagResource", "UntagResource"]
    assert world.ecr.ownership_tags() == {OWNER_TAG_KEY: NEW, PREVIOUS_OWNER_TAG_KEY: OLD}


def test_a_takeover_that_would_exceed_ecrs_tag_limit_fails_unchanged(world: World) -> None:
    # given: the repository already carries 48 other tags
    world.ecr.tags[REPOSITORY].update({f"team-{i}": "x" for i in range(48)})
    # when
    outcome = world.handle(event("create", logical_id="Renamed", properties=CHANGED))
    # then
    assert outcome.status == "FAILED"
    assert outcome.reason.startswith("TagResource failed: TooManyTagsException")
    assert world.ecr.policies[REPOSITORY] == canonical(CREATE_POLICY)
    assert world.ecr.ownership_tags() == {OWNER_TAG_KEY: OLD}


@pytest.mark.parametrize("status", ["UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"])
def test_the_rollback_delete_hands_back_tags_first_then_the_policy(world: World, status: str) -> None:
    # given
    renamed(world, CHANGED)
    world.cfn.status = status
    # when
    outcome = world.handle(event("delete", logical_id="Renamed", properties=CHANGED))
    # then
    assert outcome.status == "SUCCESS"
    assert world.ecr.writes() == ["TagResource", "UntagResource", "PutLifecyclePolicy"]
    assert (world.ecr.policies[REPOSITORY], world.ecr.ownership_tags()) == (
        canonical(CREATE_POLICY),
        {OWNER_TAG_KEY: OLD},
    )


def test_an_unreadable_stack_status_hands_back_rather_than_delete(world: World) -> None:
    # given
    renamed(world, CHANGED)
    world.cfn.always = "AccessDenied"
    # when
    outcome = world.handle(event("delete", logical_id="Renamed", properties=CHANGED))
    # then
    assert outcome.status == "SUCCESS"
    assert (world.ecr.policies[REPOSITORY], world.ecr.ownership_tags()) == (
        canonical(CREATE_POLICY),
        {OWNER_TAG_KEY: OLD},
    )


def test_a_throttled_stack_status_is_retried_before_deciding(world: World) -> None:
    # given: a pure rename; DescribeStacks throttled 5 times, then the update's normal removal of the guard
    renamed(world)
    world.cfn.errors.extend(["Throttling"] * 5)
    # when
    outcome = world.handle(event("delete", logical_id="Renamed"))
    # then: not a rollback -> the normal delete, and the record goes with the owner tag (one call)
    assert outcome.status == "SUCCESS"
    assert world.cfn.calls == 6
    assert world.ecr.writes() == ["UntagResource", "DeleteLifecyclePolicy"]
    assert (world.ecr.policies.get(REPOSITORY), world.ecr.ownership_tags()) == (None, {})


@pytest.mark.parametrize("failing", ["UntagResource", "PutLifecyclePolicy"])
def test_a_failed_hand_back_leaves_everything_as_it_was(world: World, failing: str) -> None:
    # given
    renamed(world, CHANGED)
    before = (dict(world.ecr.policies), world.ecr.ownership_tags())
    world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    world.ecr.fail(failing, "AccessDeniedException")
    # when
    outcome = world.handle(event("delete", logical_id="Renamed", properties=CHANGED))
    # then
    assert outcome.status == "FAILED"
    assert (dict(world.ecr.policies), world.ecr.ownership_tags()) == before


def test_a_hand_back_removes_the_policy_when_none_was_recorded() -> None:
    # given: Guard owns a repository without a policy (out of band); Renamed takes over and puts one
    world = World()
    world.handle(event("create"))
    del world.ecr.policies[REPOSITORY]
    renamed(world)
    assert world.ecr.ownership_tags()[f"{PREVIOUS_POLICY_TAG_PREFIX}0"] == "none"
    world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    # when
    outcome = world.handle(event("delete", logical_id="Renamed"))
    # then
    assert outcome.status == "SUCCESS"
    assert (world.ecr.policies.get(REPOSITORY), world.ecr.ownership_tags()) == (None, {OWNER_TAG_KEY: OLD})


def test_a_damaged_record_hands_back_the_ownership_and_leaves_the_policy(world: World) -> None:
    # given
    renamed(world, CHANGED)
    world.ecr.tags[REPOSITORY][f"{PREVIOUS_POLICY_TAG_PREFIX}0"] = "bm90IHpsaWI="
    world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    # when
    outcome = world.handle(event("delete", logical_id="Renamed", properties=CHANGED))
    # then
    assert outcome.status == "SUCCESS"
    assert (world.ecr.policies[REPOSITORY], world.ecr.ownership_tags()) == (
        canonical(UPDATE_POLICY),
        {OWNER_TAG_KEY: OLD},
    )


def test_the_cleanup_delete_of_the_old_resource_drops_the_record_in_one_call(world: World) -> None:
    # given
    renamed(world, CHANGED)
    world.cfn.status = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    # when
    outcome = world.handle(event("delete"))
    # then
    assert (outcome.status, outcome.physical_id) == ("SUCCESS", f"{ACCOUNT}/{REPOSITORY}")
    assert world.ecr.writes() == ["UntagResource"]
    assert world.cfn.calls == 0
    assert (world.ecr.policies[REPOSITORY], world.ecr.ownership_tags()) == (
        canonical(UPDATE_POLICY),
        {OWNER_TAG_KEY: NEW},
    )


def test_preview_only_never_touches_the_record(world: World) -> None:
    # given
    renamed(world, CHANGED)
    record = {k: v for k, v in world.ecr.ownership_tags().items() if k != OWNER_TAG_KEY}
    # when: Renamed becomes PreviewOnly (releases its ownership), then is removed
    updated = world.handle(event("update", logical_id="Renamed", properties={**CHANGED, "PreviewOnly": "true"}))
    deleted = world.handle(event("delete", logical_id="Renamed", properties={**CHANGED, "PreviewOnly": "true"}))
    # then
    assert (updated.status, deleted.status) == ("SUCCESS", "SUCCESS")
    assert (world.ecr.policies[REPOSITORY], world.ecr.ownership_tags()) == (canonical(UPDATE_POLICY), record)


def test_another_policy_put_out_of_band_is_still_replaced_by_the_recorded_one(world: World) -> None:
    # given
    renamed(world, CHANGED)
    world.ecr.policies[REPOSITORY] = OTHER_POLICY
    world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    # when
    outcome = world.handle(event("delete", logical_id="Renamed", properties=CHANGED))
    # then: the stack goes back to Guard, which expects its policy
    assert outcome.status == "SUCCESS"
    assert (world.ecr.policies[REPOSITORY], world.ecr.owner()) == (canonical(CREATE_POLICY), OLD)
