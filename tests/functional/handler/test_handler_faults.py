"""Faults end to end: preview FAILED / EXPIRED / never finishing, competing previews, throttling, and a
response URL that fails; the response always arrives (or the sender gives up) before the Lambda deadline."""

from __future__ import annotations

import pytest
from handler_harness import CREATE_POLICY, OLD_IMAGES_POLICY, Harness

from ecr_lifecycle_guard.engine import canonical_policy_text


def test_preview_failed_by_ecr_fails_the_resource(harness: Harness) -> None:
    # given
    harness.ecr.faults.preview_status("app", "FAILED")
    # when
    result = harness.invoke(harness.event("create"))
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith("preview of app: ECR reported the preview as FAILED")
    assert harness.live_policy() is None


def test_an_expired_preview_is_started_again_and_succeeds(harness: Harness) -> None:
    # given
    harness.ecr.faults.preview_status("app", "EXPIRED")
    # when
    result = harness.invoke(harness.event("create"))
    # then
    assert result.status == "SUCCESS"
    assert harness.previews_started() == 2
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), "guarded/Guard")


@pytest.mark.parametrize("outcome", ["NEVER", "EXPIRED"])
def test_preview_that_never_completes_fails_while_the_writes_and_the_answer_still_fit(
    harness: Harness, outcome: str
) -> None:
    # given: 52 s of Lambda time, of which the writes and the response keep 48 s
    harness.ecr.faults.preview_status("app", outcome, times=100)  # type: ignore[arg-type]
    event = harness.event("create", properties={"PreviewTimeoutSeconds": "840"})
    # when
    result = harness.invoke(event, timeout_seconds=52)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith("preview of app: no complete preview within the time allowed")
    assert result.run.duration_seconds < 6
    assert harness.state() == (None, None)


def test_preview_is_bounded_by_the_lambda_time_left_and_the_response_still_arrives(harness: Harness) -> None:
    # given
    harness.ecr.faults.preview_status("app", "NEVER")
    event = harness.event("create", properties={"PreviewTimeoutSeconds": "840"})
    # when
    result = harness.invoke(event, timeout_seconds=13)
    # then
    assert result.status == "FAILED"
    assert not result.run.timed_out
    assert result.run.duration_seconds < 13 - 5
    assert harness.state() == (None, None)  # nothing was claimed or put


def test_competing_preview_of_another_policy_is_waited_for_then_ours_runs(harness: Harness) -> None:
    # given
    harness.ecr.faults.competing_preview("app", OLD_IMAGES_POLICY, seconds=3.0)
    # when
    result = harness.invoke(harness.event("create"))
    # then
    assert result.status == "SUCCESS"
    assert result.response is not None
    assert result.response["Data"]["ExpiringImageCount"] == "3"
    assert harness.previews_started() >= 2
    assert harness.live_policy() is not None


THROTTLED = (
    "ListTagsForResource",
    "GetLifecyclePolicy",
    "DescribeStacks",
    "StartLifecyclePolicyPreview",
    "GetLifecyclePolicyPreview",
    "DescribeImages",
    "TagResource",
    "PutLifecyclePolicy",
)


def test_throttled_calls_recover(harness: Harness) -> None:
    # given
    for operation in THROTTLED:
        harness.ecr.faults.throttle(operation)
    # when
    result = harness.invoke(harness.event("create"))
    # then
    assert result.status == "SUCCESS"
    assert result.response is not None
    assert result.response["Data"]["PreviewStatus"] == "COMPLETE"
    assert [op for op in THROTTLED if any(call.throttled for call in harness.ecr.calls(op))] == list(THROTTLED)
    assert harness.live_policy() is not None
    assert harness.owner_tag() == "guarded/Guard"


@pytest.mark.parametrize("failure", [500, "drop"])
def test_response_url_failures_are_retried(harness: Harness, failure: int | str) -> None:
    # given
    harness.rx.fail_next(2, status=failure)  # type: ignore[arg-type]
    # when
    result = harness.invoke(harness.event("create"))
    # then
    assert result.status == "SUCCESS"
    assert result.attempts == 3
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), "guarded/Guard")


def test_response_sending_gives_up_before_the_lambda_deadline(harness: Harness) -> None:
    # given
    harness.rx.fail_next(1000, status=503)
    # when
    result = harness.invoke(harness.event("delete"), timeout_seconds=6)
    # then
    assert result.response is None
    assert result.attempts > 3
    assert not result.run.timed_out
    assert "gave up sending the response before the Lambda deadline" in result.run.logs
    assert harness.state() == (None, None)  # the repository had no policy of this resource to delete
