"""BoundedCfnResource: crhelper's own failure paths still answer once, in time, with a safe physical id."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from unittest.mock import Mock

import pytest
from cfn_events import load_event

from guard_handler.sender import BoundedCfnResource, ResponseSender


@dataclass
class Context:
    remaining_seconds: float
    aws_request_id: str = "lambda-req-9"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:guard-handler"

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


@pytest.fixture
def sender() -> Mock:
    return Mock(spec=ResponseSender)


@pytest.fixture
def helper(sender: Mock) -> BoundedCfnResource:
    return BoundedCfnResource(sender=sender, clock=time.monotonic, log_level="INFO", sleep_on_delete=0)


def sent(sender: Mock) -> list[dict[str, Any]]:
    return [call.args[1] for call in sender.send.call_args_list]


def test_a_create_that_raises_answers_with_the_failed_create_marker_not_a_random_id(
    helper: BoundedCfnResource, sender: Mock
) -> None:
    # given
    def broken(event: Any, context: Any) -> str:
        raise RuntimeError("x" * 500)

    helper.create(broken)
    event = load_event("create")
    # when
    helper(event, Context(30))
    # then
    [body] = sent(sender)
    assert body["Status"] == "FAILED"
    assert body["PhysicalResourceId"] == f"ecr-lifecycle-guard:failed-create:{event['RequestId']}"
    assert len(body["Reason"]) <= 200


def test_an_update_that_raises_keeps_the_physical_id(helper: BoundedCfnResource, sender: Mock) -> None:
    # given
    def broken(event: Any, context: Any) -> str:
        raise RuntimeError("boom")

    helper.update(broken)
    # when
    helper(load_event("update"), Context(30))
    # then
    [body] = sent(sender)
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "123456789012/app")


def test_a_handler_that_overruns_is_answered_failed_once_before_the_deadline(sender: Mock) -> None:
    # given
    helper = BoundedCfnResource(sender=sender, clock=time.monotonic, timeout_margin=0.6, sleep_on_delete=0)

    def slow(event: Any, context: Any) -> str:
        time.sleep(1.0)
        return "123456789012/app"

    helper.create(slow)
    context = Context(1.5)
    # when
    helper(load_event("create"), context)
    # then
    [body] = sent(sender)
    assert body["Status"] == "FAILED"
    assert body["Reason"] == "the handler ran out of time; details in log, request lambda-req-9"
    assert sender.send.call_args.kwargs["deadline"] <= context.deadline


def test_reject_answers_failed_with_the_reason(helper: BoundedCfnResource, sender: Mock) -> None:
    # given
    event = load_event("create", drop=("StackId",))
    # when
    helper.reject(event, Context(30), "malformed event: StackId: must be a stack ARN, got None")
    # then
    [body] = sent(sender)
    assert body["Reason"] == "malformed event: StackId: must be a stack ARN, got None"
    assert body["PhysicalResourceId"] == f"ecr-lifecycle-guard:failed-create:{event['RequestId']}"
    assert sender.send.call_args.args[0] == event["ResponseURL"]
