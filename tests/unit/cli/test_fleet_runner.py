"""Fleet previews: bounded concurrency, outcomes in order, every target answered in time, exit-code precedence."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from ecr_lifecycle_guard.cli.fleet import EXIT_BLOCKED, EXIT_ERROR, EXIT_OK, exit_code, run_fleet
from ecr_lifecycle_guard.cli.preview_job import Outcome, Target, poll_interval_for, run_target
from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
from ecr_lifecycle_guard.gate import GateLimits

LIMITS = GateLimits(allow_expire_all=True, protect_in_use=False)


class SlowEcr:
    """An in-memory ECR whose previews take ``seconds`` and expire nothing; counts previews running at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.started: dict[str, float] = {}
        self.running = 0
        self.most_running = 0

    def start_lifecycle_policy_preview(self, **request: Any) -> None:
        with self.lock:
            self.started[request["repositoryName"]] = time.monotonic()
            self.running += 1
            self.most_running = max(self.most_running, self.running)

    def get_lifecycle_policy_preview(self, **request: Any) -> dict[str, Any]:
        name = request["repositoryName"]
        with self.lock:
            done = time.monotonic() - self.started[name] >= self.seconds
            if done and name in self.started:
                self.running -= 1
                self.started[name] = float("-inf")
        return {
            "status": "COMPLETE" if done else "IN_PROGRESS",
            "lifecyclePolicyText": POLICY_EXAMPLE,
            "previewResults": [],
            "summary": {"expiringImageTotalCount": 0},
        }


class HangingEcr:
    """An ECR that never answers."""

    def start_lifecycle_policy_preview(self, **request: Any) -> None:
        time.sleep(60)


class Access:
    """What ``run_target`` needs of the AWS access: one client for every Region."""

    default_region = "us-east-1"
    extra_references = ()

    def __init__(self, client: Any) -> None:
        self.client = client

    def ecr(self, region: str | None, budget_seconds: float) -> Any:
        return self.client


def targets(count: int, timeout: float = 10.0) -> list[Target]:
    return [Target(f"app-{n:02}", POLICY_EXAMPLE, LIMITS, timeout) for n in range(count)]


def test_no_more_previews_run_at_once_than_the_concurrency_and_outcomes_keep_the_targets_order() -> None:
    # given
    ecr = SlowEcr(seconds=0.2)

    # when
    outcomes = run_fleet(targets(12), Access(ecr), concurrency=3)

    # then
    assert ecr.most_running == 3
    assert [o.target.repository for o in outcomes] == [f"app-{n:02}" for n in range(12)]
    assert {o.status for o in outcomes} == {"PASSED"}


def test_a_preview_that_never_answers_fails_at_its_timeout_and_the_others_still_finish() -> None:
    # given
    hanging, fine = Target("stuck", POLICY_EXAMPLE, LIMITS, 1.0), targets(1)[0]

    class Mixed(Access):
        def ecr(self, region: str | None, budget_seconds: float) -> Any:
            return HangingEcr() if budget_seconds == 1.0 else SlowEcr(seconds=0.0)

    # when
    started = time.monotonic()
    outcomes = run_fleet([hanging, fine], Mixed(None), concurrency=2)
    elapsed = time.monotonic() - started

    # then
    assert [o.status for o in outcomes] == ["FAILED", "PASSED"]
    assert outcomes[0].detail == (
        "preview of stuck: no answer within 1 s (the timeout); the endpoint accepted the request but did not answer "
        "in time"
    )
    assert elapsed < 3.5


def test_run_target_never_raises_an_error_of_the_client() -> None:
    # given
    class Broken:
        def start_lifecycle_policy_preview(self, **request: Any) -> None:
            raise RuntimeError("boom")

    # when
    outcome = run_target(targets(1)[0], Access(Broken()))  # type: ignore[arg-type]

    # then
    assert (outcome.status, outcome.detail) == ("FAILED", "unexpected RuntimeError: boom")


def _outcome(status: str) -> Outcome:
    return Outcome(targets(1)[0], status)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), EXIT_OK),
        (("PASSED", "UNCHANGED", "NEW", "SKIPPED"), EXIT_OK),
        (("PASSED", "FAILED"), EXIT_ERROR),
        (("BLOCKED", "PASSED"), EXIT_BLOCKED),
        (("FAILED", "BLOCKED"), EXIT_BLOCKED),
    ],
    ids=["nothing", "all-pass", "one-failed", "one-blocked", "blocked-wins-over-failed"],
)
def test_exit_code_is_3_for_any_blocked_else_1_for_any_failed_else_0(statuses: tuple[str, ...], expected: int) -> None:
    assert exit_code([_outcome(status) for status in statuses]) == expected


def test_more_concurrent_previews_poll_less_often_to_keep_the_request_rate() -> None:
    assert [poll_interval_for(n) for n in (1, 4, 8, 16)] == [0.1, 0.1, 0.2, 0.4]
