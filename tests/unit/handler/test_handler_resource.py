"""The resource over an in-memory ECR: preview, gate, ownership, failure atomicity and truthful attributes."""

from __future__ import annotations

import pytest
from fake_ecr import (
    ACCOUNT,
    CREATE_POLICY,
    OTHER_POLICY,
    REPOSITORY,
    UPDATE_POLICY,
    FakeContext,
    World,
    canonical,
    event,
    owner_value,
)

from ecr_lifecycle_guard.contract import failed_create_marker
from ecr_lifecycle_guard.gate import REASON_MAX_LENGTH
from ecr_lifecycle_guard.inuse import InUseReport, SourceFailure
from guard_handler.apply import STATUS_UNKNOWN_NOTE
from guard_handler.budget import TimeBudget


@pytest.fixture
def world() -> World:
    return World()


def test_create_previews_gates_claims_and_puts_the_canonical_policy(world: World) -> None:
    # given
    create = event("create")
    # when
    outcome = world.handle(create)
    # then
    assert (outcome.status, outcome.physical_id) == ("SUCCESS", f"{ACCOUNT}/{REPOSITORY}")
    assert world.ecr.policies[REPOSITORY] == canonical(CREATE_POLICY)
    assert world.ecr.owner() == owner_value()
    assert world.ecr.writes() == ["TagResource", "PutLifecyclePolicy"]
    assert outcome.data == {
        "ExpiringImageCount": "1",
        "TransitioningImageCount": "0",
        "InUseImageCount": "0",
        "PolicyApplied": "true",
        "PreviewStatus": "COMPLETE",
    }


def test_unchanged_policy_skips_the_preview_reads_na_and_records_ownership(world: World) -> None:
    # given
    world.ecr.policies[REPOSITORY] = CREATE_POLICY.replace(",", ", ")
    # when
    outcome = world.handle(event("create"))
    # then
    assert outcome.data == {
        "ExpiringImageCount": "n/a",
        "TransitioningImageCount": "n/a",
        "InUseImageCount": "n/a",
        "PolicyApplied": "true",
        "PreviewStatus": "SKIPPED_UNCHANGED",
    }
    assert world.ecr.previewed == []
    assert world.ecr.writes() == ["TagResource"]
    assert world.ecr.owner() == owner_value()


def test_unchanged_policy_already_owned_makes_no_write(world: World) -> None:
    # given
    world.handle(event("create"))
    world.ecr.calls.clear()
    # when
    outcome = world.handle(event("create"))
    # then
    assert outcome.data["PreviewStatus"] == "SKIPPED_UNCHANGED"
    assert world.ecr.writes() == []


def test_another_stacks_owner_fails_the_create_naming_it_and_how_to_hand_over(world: World) -> None:
    # given
    world.handle(event("create", stack="prod"))
    world.ecr.calls.clear()
    create = event("create", stack="staging", properties={"LifecyclePolicyText": UPDATE_POLICY})
    # when
    outcome = world.handle(create)
    # then
    assert outcome.status == "FAILED"
    assert outcome.physical_id == failed_create_marker(create["RequestId"])
    assert outcome.reason.startswith(
        "owned by resource Guard of stack prod; to hand over: set removal_policy=RETAIN there, deploy,"
        " remove it, then deploy this stack"
    )
    assert len(outcome.reason) <= REASON_MAX_LENGTH
    assert world.ecr.writes() == []
    assert (world.ecr.policies[REPOSITORY], world.ecr.owner()) == (canonical(CREATE_POLICY), "prod/Guard")


def test_a_tag_value_the_project_did_not_write_is_not_taken_over(world: World) -> None:
    # given
    world.ecr.tags[REPOSITORY]["ecr-lifecycle-guard:owner"] = "hand-written"
    # when
    outcome = world.handle(event("create"))
    # then
    assert outcome.status == "FAILED"
    assert outcome.reason.startswith("owned by the tag ecr-lifecycle-guard:owner='hand-written'")
    assert REPOSITORY not in world.ecr.policies


def test_a_new_logical_id_in_the_same_stack_takes_ownership_over(world: World) -> None:
    # given
    world.handle(event("create", logical_id="OldGuard"))
    # when
    outcome = world.handle(event("create", logical_id="NewGuard"))
    # then
    assert (outcome.status, outcome.data["PreviewStatus"]) == ("SUCCESS", "SKIPPED_UNCHANGED")
    assert world.ecr.owner() == owner_value(logical_id="NewGuard")


def test_failed_put_puts_the_previous_owner_tag_back(world: World) -> None:
    # given
    world.handle(event("create", logical_id="OldGuard"))
    world.ecr.fail("PutLifecyclePolicy", "AccessDeniedException")
    # when
    outcome = world.handle(event("update", logical_id="NewGuard"))
    # then
    assert outcome.status == "FAILED"
    assert outcome.reason.startswith("PutLifecyclePolicy failed: AccessDeniedException: injected AccessDeniedException")
    assert world.ecr.owner() == owner_value(logical_id="OldGuard")
    assert world.ecr.policies[REPOSITORY] == canonical(CREATE_POLICY)


def test_failed_claim_changes_nothing(world: World) -> None:
    # given
    world.ecr.fail("TagResource", "AccessDeniedException")
    # when
    outcome = world.handle(event("create"))
    # then
    assert outcome.reason.startswith("TagResource failed: AccessDeniedException")
    assert (world.ecr.owner(), world.ecr.policies.get(REPOSITORY)) == (None, None)


def test_a_throttled_read_back_of_the_claim_is_retried_and_the_create_succeeds(world: World) -> None:
    # given: the owner read passes; the read-back after the claim is throttled three times
    world.ecr.fail("ListTagsForResource", "ThrottlingException", times=3, skip=1)
    # when
    outcome = world.handle(event("create"))
    # then
    assert outcome.status == "SUCCESS"
    assert (world.ecr.owner(), world.ecr.policies.get(REPOSITORY)) == (owner_value(), canonical(CREATE_POLICY))


def test_a_read_back_of_the_claim_that_fails_puts_the_tag_back_and_changes_nothing(world: World) -> None:
    # given: the read-back after the claim is refused
    world.ecr.fail("ListTagsForResource", "AccessDeniedException", skip=1)
    # when
    outcome = world.handle(event("create"))
    # then: FAILED, and the tag the claim wrote is gone again
    assert outcome.reason.startswith("ListTagsForResource failed: AccessDeniedException")
    assert (world.ecr.owner(), world.ecr.policies.get(REPOSITORY)) == (None, None)


def test_a_put_whose_answer_was_lost_is_checked_and_counts_when_it_took_effect(world: World) -> None:
    # given: the put is applied, then the connection drops before the answer
    world.ecr.fail("PutLifecyclePolicy", "InternalFailure", applied=True, times=50)
    # when
    outcome = world.handle(event("create"), FakeContext(remaining_ms=70_000))
    # then
    assert outcome.status == "SUCCESS"
    assert world.ecr.policies[REPOSITORY] == canonical(CREATE_POLICY)
    assert world.ecr.owner() == owner_value()


def test_a_put_throttled_past_the_write_budget_fails_and_leaves_everything_as_it_was(world: World) -> None:
    # given
    world.ecr.policies[REPOSITORY] = OTHER_POLICY
    world.ecr.fail("PutLifecyclePolicy", "ThrottlingException", times=1000)
    # when
    outcome = world.handle(event("update"), FakeContext(remaining_ms=70_000))
    # then
    assert outcome.status == "FAILED"
    assert outcome.reason.startswith("PutLifecyclePolicy failed: ThrottlingException")
    assert (world.ecr.policies[REPOSITORY], world.ecr.owner()) == (OTHER_POLICY, None)
    assert world.latch.truth is not None
    assert world.latch.truth.status == "FAILED"


def test_preview_deadline_leaves_room_for_every_write_and_the_response(world: World) -> None:
    # given
    world.ecr.policies[REPOSITORY] = OTHER_POLICY
    long_timeout = event("create", properties={"PreviewTimeoutSeconds": "840"})
    # when
    outcome = world.handle(long_timeout, FakeContext(remaining_ms=40_000))
    # then: 40 s is less than the 48 s the writes and the response need after the preview
    assert TimeBudget().after_preview == 48.0
    assert outcome.reason.startswith("preview of app: no complete preview within the time allowed")
    assert world.ecr.writes() == []


def test_preview_only_gates_reports_and_never_puts_or_owns(world: World) -> None:
    # given
    preview_only = event("create", properties={"PreviewOnly": "true"})
    # when
    outcome = world.handle(preview_only)
    # then
    assert (outcome.status, outcome.data["PolicyApplied"], outcome.data["ExpiringImageCount"]) == (
        "SUCCESS",
        "false",
        "1",
    )
    assert world.ecr.writes() == []


def test_preview_only_on_an_equal_policy_reports_not_applied(world: World) -> None:
    # given
    world.ecr.policies[REPOSITORY] = CREATE_POLICY
    # when
    outcome = world.handle(event("create", properties={"PreviewOnly": "true"}))
    # then
    assert outcome.data["PolicyApplied"] == "false"
    assert world.ecr.writes() == []


def test_switching_an_owner_to_preview_only_releases_ownership_and_keeps_the_policy(world: World) -> None:
    # given
    world.handle(event("create"))
    # when
    outcome = world.handle(event("update", properties={"PreviewOnly": "true", "LifecyclePolicyText": CREATE_POLICY}))
    # then
    assert outcome.data["PolicyApplied"] == "false"
    assert (world.ecr.owner(), world.ecr.policies[REPOSITORY]) == (None, canonical(CREATE_POLICY))


def test_rollback_restores_the_requested_policy_without_preview_and_owns_it(world: World) -> None:
    # given
    world.ecr.policies[REPOSITORY] = UPDATE_POLICY
    world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    rollback = event("update", properties={"LifecyclePolicyText": CREATE_POLICY, "MaxExpiringImages": "0"})
    # when
    outcome = world.handle(rollback)
    # then
    assert outcome.data == {
        "ExpiringImageCount": "n/a",
        "TransitioningImageCount": "n/a",
        "InUseImageCount": "n/a",
        "PolicyApplied": "true",
        "PreviewStatus": "SKIPPED_ROLLBACK",
    }
    assert world.ecr.previewed == []
    assert (world.ecr.policies[REPOSITORY], world.ecr.owner()) == (canonical(CREATE_POLICY), owner_value())


def test_throttled_stack_status_is_retried_beyond_the_sdk_attempts_and_the_rollback_is_not_gated(
    world: World,
) -> None:
    # given
    world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    world.cfn.errors.extend(["Throttling"] * 12)
    rollback = event("update", properties={"MaxExpiringImages": "0"})
    # when
    outcome = world.handle(rollback)
    # then
    assert outcome.data["PreviewStatus"] == "SKIPPED_ROLLBACK"
    assert world.cfn.calls == 13
    assert world.ecr.policies[REPOSITORY] == canonical(UPDATE_POLICY)


def test_a_stack_status_that_stays_unknown_applies_the_gate_and_says_so(world: World) -> None:
    # given
    world.cfn.always = "AccessDenied"
    world.ecr.expiring = 5
    gated = event("update", properties={"MaxExpiringImages": "0"})
    # when
    outcome = world.handle(gated)
    # then
    assert outcome.status == "FAILED"
    assert outcome.reason.startswith("blocked by MaxExpiringImages: 5 images would expire, limit 0")
    assert f"; {STATUS_UNKNOWN_NOTE}; details in log, request lambda-req-1" in outcome.reason
    assert world.ecr.writes() == []


def test_throttling_of_the_stack_status_is_bounded(world: World) -> None:
    # given
    world.cfn.always = "Throttling"
    # when
    outcome = world.handle(event("update"))
    # then: at most 30 s of retries, then the gate applies (and passes here), and the policy is live
    assert outcome.status == "SUCCESS"
    assert 0 < sum(world.clock.slept) <= 31.0
    assert (world.ecr.owner(), world.ecr.policies.get(REPOSITORY)) == (owner_value(), canonical(UPDATE_POLICY))


def test_in_use_images_block_and_unlistable_sources_block(world: World) -> None:
    # given
    failure = SourceFailure("ECS services", ACCOUNT, "us-east-1", "AccessDeniedException", "not authorized")
    world.in_use = InUseReport(images={}, failures=(failure,))
    # when
    outcome = world.handle(event("create"))
    # then
    assert outcome.reason.startswith(f"blocked by InUse: cannot list ECS services in {ACCOUNT}/us-east-1")
    assert world.ecr.writes() == []


def test_protect_in_use_false_reports_in_use_as_not_measured(world: World) -> None:
    # given / when
    outcome = world.handle(event("create", properties={"ProtectInUse": "false"}))
    # then
    assert outcome.data["InUseImageCount"] == "n/a"
    assert outcome.status == "SUCCESS"
    assert (world.ecr.owner(), world.ecr.policies.get(REPOSITORY)) == (owner_value(), canonical(CREATE_POLICY))


def test_every_bad_property_is_reported_at_once_with_the_first_named(world: World) -> None:
    # given
    bad = event("create", properties={"OnDelete": "keep", "MaxExpiringImages": "9" * 5000})
    # when
    outcome = world.handle(bad)
    # then
    assert outcome.reason.startswith("MaxExpiringImages: must be an integer from 0 to 2147483647, got '999")
    assert "(+1 more); details in log, request lambda-req-1" in outcome.reason
    assert world.ecr.calls == []


def test_an_aws_error_of_the_preview_keeps_operation_code_and_ecrs_message(world: World) -> None:
    # given
    world.ecr.fail("StartLifecyclePolicyPreview", "InvalidParameterException")
    # when
    outcome = world.handle(event("create"))
    # then
    assert outcome.reason.startswith(
        "StartLifecyclePolicyPreview failed: InvalidParameterException: injected InvalidParameterException"
    )
    assert world.ecr.writes() == []
