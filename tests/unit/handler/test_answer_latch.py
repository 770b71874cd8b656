"""The timeout answer and the main thread never both act, and the timeout answer says what is live.

These tests run crhelper's real timer thread against a handler function that writes slowly, with a
fake sender that records what would go to CloudFormation.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import Mock

import pytest
from cfn_events import load_event

from guard_handler.latch import AnswerLatch
from guard_handler.outcome import Outcome
from guard_handler.sender import BoundedCfnResource, ResponseSender

DATA = {"PolicyApplied": "true", "PreviewStatus": "COMPLETE"}


@dataclass
class Context:
    remaining_seconds: float
    aws_request_id: str = "lambda-req-7"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:guard-handler"
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@pytest.fixture
def sender() -> Mock:
    return Mock(spec=ResponseSender)


def helper_with(sender: Mock, latch: AnswerLatch) -> BoundedCfnResource:
    return BoundedCfnResource(
        sender=sender, clock=time.monotonic, latch=latch, timeout_margin=0.8, send_reserve=0.1, sleep_on_delete=0
    )


def bodies(sender: Mock) -> list[dict[str, Any]]:
    return [call.args[1] for call in sender.send.call_args_list]


def test_a_write_in_flight_is_waited_for_and_its_success_is_answered_not_failed(sender: Mock) -> None:
    # given: the timer fires at 0.75 s while a put that lands at 1.0 s is in flight
    latch = AnswerLatch()
    helper = helper_with(sender, latch)

    def slow_put(event: Any, context: Any) -> str:
        assert latch.begin_write()
        time.sleep(1.0)
        latch.record(Outcome("SUCCESS", "123456789012/app", data=DATA))
        latch.end_write()
        helper.Data = DATA
        return "123456789012/app"

    helper.create(slow_put)
    # when
    helper(load_event("create"), Context(1.5))
    # then
    [body] = bodies(sender)
    assert (body["Status"], body["PhysicalResourceId"], body["Data"]) == ("SUCCESS", "123456789012/app", DATA)


def test_no_write_starts_after_the_timeout_answer_is_claimed(sender: Mock) -> None:
    # given
    latch = AnswerLatch()
    helper = helper_with(sender, latch)
    started: list[bool] = []

    def late_write(event: Any, context: Any) -> str:
        time.sleep(1.0)
        started.append(latch.begin_write())
        return "123456789012/app"

    helper.create(late_write)
    event = load_event("create")
    # when
    helper(event, Context(1.5))
    # then
    assert started == [False]
    [body] = bodies(sender)
    assert body["Status"] == "FAILED"
    assert body["Reason"] == "the handler ran out of time; details in log, request lambda-req-7"
    assert body["PhysicalResourceId"] == f"ecr-lifecycle-guard:failed-create:{event['RequestId']}"


def test_a_compensation_may_still_run_while_the_timeout_answer_waits() -> None:
    # given
    latch = AnswerLatch()
    assert latch.begin_write()
    claim: list[Any] = []
    timer = threading.Thread(target=lambda: claim.append(latch.claim_answer(timeout=2.0)))
    # when
    timer.start()
    time.sleep(0.1)
    forward, compensation = latch.may_write(), latch.may_write(compensation=True)
    latch.end_write()
    timer.join()
    # then
    assert (forward, compensation) == (False, True)
    assert claim[0].settled
    assert claim[0].truth is None
    assert latch.may_write(compensation=True) is False


def test_the_main_thread_answers_alone_when_it_finishes_first(sender: Mock) -> None:
    # given
    latch = AnswerLatch()
    helper = helper_with(sender, latch)
    helper.create(lambda event, context: "123456789012/app")
    # when
    helper(load_event("create"), Context(1.5))
    time.sleep(0.9)
    # then
    assert [b["Status"] for b in bodies(sender)] == ["SUCCESS"]


def test_the_handler_does_not_return_before_the_timeout_answer_is_sent() -> None:
    # given: sending the timeout answer takes 0.3 s; the main thread finishes its work meanwhile
    delivered: list[float] = []
    sender = Mock(spec=ResponseSender)
    sender.send.side_effect = lambda *args, **kwargs: (time.sleep(0.3), delivered.append(time.monotonic()))
    helper = helper_with(sender, AnswerLatch())
    helper.create(lambda event, context: (time.sleep(0.85), "123456789012/app")[1])
    # when
    helper(load_event("create"), Context(1.5))
    returned = time.monotonic()
    # then
    assert len(delivered) == 1
    assert delivered[0] <= returned
