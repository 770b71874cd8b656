"""Time end to end (issue 8, cases 4, 5 and the dripping response URL): writes near the Lambda deadline,
throttled stack status during a rollback, and a response URL that never finishes its answer.

The answer and the live state must agree: SUCCESS with the new policy live, or FAILED with the old
policy (and owner tag) live — never FAILED with the new policy live. Each test checks the answer, the
live policy and the owner tag afterwards."""

from __future__ import annotations

from handler_harness import CREATE_POLICY, HAND_MADE_POLICY, UPDATE_POLICY, Harness

from ecr_lifecycle_guard.engine import canonical_policy_text

#: Lambda time for the write tests: the writes and the response keep 48 s, so ECR's preview gets ~4 s
#: and the put starts with barely more than its budget left.
NEAR_DEADLINE = 52.0
NO_DISCOVERY = {"ProtectInUse": "false"}


def test_a_put_throttled_until_the_write_budget_is_spent_answers_failed_with_the_old_state(
    harness: Harness,
) -> None:
    # given
    harness.put_policy(HAND_MADE_POLICY)
    harness.ecr.faults.throttle("PutLifecyclePolicy", times=None)
    create = harness.event("create", properties=NO_DISCOVERY)
    # when
    result = harness.invoke(create, timeout_seconds=NEAR_DEADLINE)
    harness.ecr.faults.clear()
    rollback = harness.invoke(
        harness.event("delete", PhysicalResourceId=result.physical_id, properties=create["ResourceProperties"])
    )
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith("PutLifecyclePolicy failed: ThrottlingException: ")
    assert not result.run.timed_out
    assert len(harness.ecr.calls("PutLifecyclePolicy")) > 3
    assert rollback.status == "SUCCESS"
    assert harness.state() == (HAND_MADE_POLICY, None)


def test_a_put_whose_answers_come_too_late_is_checked_and_answered_success_because_it_is_live(
    harness: Harness,
) -> None:
    # given: every put is applied at once but answered only after the client's read timeout
    harness.put_policy(HAND_MADE_POLICY)
    harness.ecr.faults.delay("PutLifecyclePolicy", 30.0, times=None, apply="after")
    # when
    result = harness.invoke(harness.event("create", properties=NO_DISCOVERY), timeout_seconds=NEAR_DEADLINE)
    # then
    assert result.status == "SUCCESS"
    assert not result.run.timed_out
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), "guarded/Guard")


def test_throttled_stack_status_during_a_rollback_is_retried_and_the_rollback_is_not_gated(
    harness: Harness,
) -> None:
    # given: more throttles than the SDK's own five attempts
    harness.invoke(harness.event("create", properties={**NO_DISCOVERY, "LifecyclePolicyText": UPDATE_POLICY}))
    harness.ecr.set_stack_status(harness.stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")
    harness.ecr.faults.throttle("cloudformation:DescribeStacks", times=6)
    rollback = harness.event(
        "update",
        properties={"LifecyclePolicyText": CREATE_POLICY, "MaxExpiringImages": "0"},
        old_properties={**NO_DISCOVERY, "LifecyclePolicyText": UPDATE_POLICY},
    )
    # when
    result = harness.invoke(rollback)
    # then
    assert result.status == "SUCCESS"
    assert result.response is not None
    assert result.response["Data"]["PreviewStatus"] == "SKIPPED_ROLLBACK"
    assert sum(call.throttled for call in harness.ecr.calls("DescribeStacks")) == 6
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), "guarded/Guard")


def test_a_stack_status_that_cannot_be_read_applies_the_gate_and_says_so(harness: Harness) -> None:
    # given
    harness.put_policy(HAND_MADE_POLICY)
    harness.ecr.faults.deny("cloudformation:DescribeStacks")
    gated = harness.event("update", properties={**NO_DISCOVERY, "MaxExpiringImages": "0"})
    # when
    result = harness.invoke(gated)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith("blocked by MaxExpiringImages: 3 images would expire, limit 0")
    assert "; stack status unreadable, so gated; details in log, request " in result.reason
    assert harness.state() == (HAND_MADE_POLICY, None)


def test_a_response_url_that_drips_its_answer_does_not_keep_the_sender(harness: Harness) -> None:
    # given
    harness.rx.fail_next(1, status="drip")
    # when
    result = harness.invoke(harness.event("create", properties=NO_DISCOVERY), timeout_seconds=60)
    # then
    assert result.status == "SUCCESS"
    assert not result.run.timed_out
    assert result.run.duration_seconds < 5
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), "guarded/Guard")
