"""Fault injection on the stand-in: throttling, preview outcomes, competing previews, the call record."""

from __future__ import annotations

import time
from typing import Any, Literal

import pytest
from botocore.exceptions import ClientError
from stand_in_helpers import LATENCY, REPO, keep_newest, wait_until_done

from ecr_lifecycle_guard.local import EcrStandIn, SeedImage


@pytest.fixture
def seeded(stand_in: EcrStandIn) -> EcrStandIn:
    stand_in.create_repository(REPO, images=[SeedImage(tags=(f"v{n}",), pushed_days_ago=n + 0.5) for n in range(6)])
    return stand_in


def test_only_the_first_n_calls_are_throttled_with_throttling_exception(seeded: EcrStandIn) -> None:
    # given
    client = seeded.client("ecr", retries={"max_attempts": 0})
    seeded.faults.throttle("StartLifecyclePolicyPreview", times=2)
    errors = []
    # when
    for _ in range(2):
        with pytest.raises(ClientError) as caught:
            client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
        errors.append(caught.value.response)
    third = client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
    # then
    assert [(e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"]) for e in errors] == [
        ("ThrottlingException", 400),
        ("ThrottlingException", 400),
    ]
    assert third["status"] == "IN_PROGRESS"


def test_botocore_retries_recover_from_the_first_throttled_calls(seeded: EcrStandIn) -> None:
    # given
    client = seeded.client("ecr", retries={"mode": "standard", "max_attempts": 4})
    seeded.faults.throttle("GetLifecyclePolicy")
    ecr_put = seeded.client("ecr")
    ecr_put.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
    # when
    answer = client.get_lifecycle_policy(repositoryName=REPO)
    # then
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    calls = seeded.calls("GetLifecyclePolicy")
    assert [call.throttled for call in calls] == [True, False]


def test_throttling_applies_to_cloudformation_calls_too(seeded: EcrStandIn) -> None:
    # given
    stack_id = seeded.create_stack("demo")
    client = seeded.client("cloudformation", retries={"max_attempts": 0})
    seeded.faults.throttle("DescribeStacks")
    # when
    with pytest.raises(ClientError) as caught:
        client.describe_stacks(StackName=stack_id)
    # then
    assert caught.value.response["Error"]["Code"] == "Throttling"
    assert client.describe_stacks(StackName=stack_id)["Stacks"][0]["StackId"] == stack_id


@pytest.mark.parametrize("outcome", ["FAILED", "EXPIRED"])
def test_injected_outcome_ends_the_next_preview_after_its_latency(
    seeded: EcrStandIn, ecr: Any, outcome: Literal["FAILED", "EXPIRED"]
) -> None:
    # given
    seeded.faults.preview_status(REPO, outcome)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
    # when
    during = ecr.get_lifecycle_policy_preview(repositoryName=REPO)["status"]
    answer = wait_until_done(ecr)
    # then
    assert (during, answer["status"], answer["previewResults"]) == ("IN_PROGRESS", outcome, [])
    assert "summary" not in answer


def test_after_an_expired_preview_the_next_start_completes_normally(seeded: EcrStandIn, ecr: Any) -> None:
    # given
    seeded.faults.preview_status(REPO, "EXPIRED")
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
    wait_until_done(ecr)
    # when
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
    answer = wait_until_done(ecr)
    # then
    assert answer["status"] == "COMPLETE"
    assert answer["summary"]["expiringImageTotalCount"] == 4


def test_a_preview_that_never_finishes_stays_in_progress_and_blocks_new_starts(seeded: EcrStandIn, ecr: Any) -> None:
    # given
    seeded.faults.preview_status(REPO, "NEVER")
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
    # when
    time.sleep(LATENCY * 3)
    status = ecr.get_lifecycle_policy_preview(repositoryName=REPO)["status"]
    with pytest.raises(ClientError) as caught:
        ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(2))
    # then
    assert status == "IN_PROGRESS"
    assert caught.value.response["Error"]["Code"] == "LifecyclePolicyPreviewInProgressException"


def test_outcomes_apply_only_to_the_named_repository(seeded: EcrStandIn, ecr: Any) -> None:
    # given
    seeded.create_repository("other", images=[SeedImage(pushed_days_ago=1)])
    seeded.faults.preview_status(REPO, "FAILED")
    # when
    ecr.start_lifecycle_policy_preview(repositoryName="other", lifecyclePolicyText=keep_newest(2))
    # then
    assert wait_until_done(ecr, repository="other")["status"] == "COMPLETE"


def test_competing_preview_blocks_starts_and_reports_its_own_policy(seeded: EcrStandIn, ecr: Any) -> None:
    # given
    theirs, ours = keep_newest(5), keep_newest(2)
    seeded.faults.competing_preview(REPO, theirs, seconds=0.4)
    # when
    with pytest.raises(ClientError) as caught:
        ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=ours)
    seen_during = ecr.get_lifecycle_policy_preview(repositoryName=REPO)
    finished = wait_until_done(ecr)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=ours)
    retried = wait_until_done(ecr)
    # then
    assert caught.value.response["Error"]["Code"] == "LifecyclePolicyPreviewInProgressException"
    assert (seen_during["status"], seen_during["lifecyclePolicyText"]) == ("IN_PROGRESS", theirs)
    assert (finished["lifecyclePolicyText"], finished["summary"]["expiringImageTotalCount"]) == (theirs, 1)
    assert (retried["lifecyclePolicyText"], retried["summary"]["expiringImageTotalCount"]) == (ours, 4)


def test_competing_preview_does_not_show_up_as_a_call(seeded: EcrStandIn) -> None:
    # given
    seeded.faults.competing_preview(REPO, keep_newest(5), seconds=0.1)
    # when
    starts = seeded.calls("StartLifecyclePolicyPreview")
    # then
    assert starts == []


def test_calls_are_recorded_per_operation_with_their_parameters(seeded: EcrStandIn, ecr: Any) -> None:
    # given
    ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # when
    ecr.get_lifecycle_policy(repositoryName=REPO)
    # then
    (put,) = seeded.calls("PutLifecyclePolicy")
    assert put.params == {"repositoryName": REPO, "lifecyclePolicyText": keep_newest(3)}
    assert [call.operation for call in seeded.calls()][-2:] == ["PutLifecyclePolicy", "GetLifecyclePolicy"]
    assert seeded.calls("StartLifecyclePolicyPreview") == []
