"""The writer starts a write only inside the time budget and before the timeout answer, and retries throttling."""

from __future__ import annotations

import threading
import time

import pytest
from fake_ecr import Clock

from ecr_lifecycle_guard.errors import EcrCallError
from guard_handler.budget import Deadline, TimeBudget
from guard_handler.latch import AnswerLatch, Claim
from guard_handler.outcome import WriteNotStartedError
from guard_handler.writes import Writer

BUDGET = TimeBudget()


def writer_for(clock: Clock, seconds_left: float, latch: AnswerLatch | None = None) -> Writer:
    deadline = Deadline(clock=clock, at=clock.now + seconds_left, budget=BUDGET)
    return Writer(latch=latch or AnswerLatch(), deadline=deadline, sleep=clock.sleep)


def throttled(started: list[float], clock: Clock) -> None:
    started.append(clock.now)
    raise EcrCallError("PutLifecyclePolicy", "ThrottlingException", "Rate exceeded")


def test_throttled_attempts_are_retried_only_while_the_attempt_and_its_followups_fit() -> None:
    # given
    clock = Clock(now=0.0)
    writer = writer_for(clock, 60.0)
    started: list[float] = []
    # when
    with pytest.raises(EcrCallError, match="ThrottlingException"):
        writer.write("PutLifecyclePolicy", lambda: throttled(started, clock), followups=1)
    # then: every attempt started with one write, one follow-up and the response reserve still ahead
    assert len(started) > 3
    assert all(t + 2 * BUDGET.write + BUDGET.response_reserve < 60.0 for t in started)
    assert clock.now + 2 * BUDGET.write + BUDGET.response_reserve >= 60.0


def test_no_attempt_starts_when_the_budget_is_already_spent() -> None:
    # given
    clock = Clock(now=0.0)
    writer = writer_for(clock, BUDGET.write + BUDGET.response_reserve)
    # when / then
    with pytest.raises(WriteNotStartedError, match=r"^TagResource not started: too little time left"):
        writer.write("TagResource", lambda: None)


def test_forward_writes_stop_at_the_claim_but_compensations_run_until_the_answer() -> None:
    # given: the timeout answer is claimed (from its own thread) while a sequence runs
    clock = Clock(now=0.0)
    latch = AnswerLatch()
    writer = writer_for(clock, 120.0, latch)
    done: list[str] = []
    claims: list[Claim] = []
    timer = threading.Thread(target=lambda: claims.append(latch.claim_answer(timeout=5.0)))
    with writer.sequence("PutLifecyclePolicy"):
        timer.start()
        while latch.may_write():
            time.sleep(0.01)
        # when
        with pytest.raises(WriteNotStartedError, match="the timeout answer was already claimed"):
            writer.write("PutLifecyclePolicy", lambda: done.append("put"))
        writer.write("TagResource", lambda: done.append("tag back"), compensation=True)
    timer.join()
    # then
    assert done == ["tag back"]
    assert claims[0].settled


def test_an_attempt_with_an_unknown_outcome_is_checked_before_the_write_counts_as_failed() -> None:
    # given: every attempt loses its answer; the first one took effect
    clock = Clock(now=0.0)
    writer = writer_for(clock, 60.0)
    applied: list[str] = []

    def lost_answer() -> None:
        applied.append("put")
        raise EcrCallError("PutLifecyclePolicy", "ReadTimeoutError", "no answer in time")

    # when
    writer.write("PutLifecyclePolicy", lost_answer, took_effect=lambda: bool(applied))
    # then
    assert applied


def test_a_definitive_error_is_not_retried() -> None:
    # given
    clock = Clock(now=0.0)
    writer = writer_for(clock, 120.0)
    attempts: list[int] = []

    def denied() -> None:
        attempts.append(1)
        raise EcrCallError("TagResource", "AccessDeniedException", "not authorized")

    # when
    with pytest.raises(EcrCallError, match="AccessDeniedException"):
        writer.write("TagResource", denied)
    # then
    assert attempts == [1]


def test_a_sequence_cannot_start_once_the_timeout_answer_is_claimed() -> None:
    # given
    latch = AnswerLatch()
    latch.claim_answer(timeout=0.0)
    writer = writer_for(Clock(), 120.0, latch)
    # when / then
    with pytest.raises(WriteNotStartedError), writer.sequence("PutLifecyclePolicy"):
        pass
