"""The stand-in's token buckets: a burst, then the sustained rate, per account, region and action."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.local.rate_limits import Rate, RateLimiter

ACCOUNT, REGION = "123456789012", "us-east-1"
RATES = st.builds(Rate, per_second=st.floats(min_value=0.5, max_value=50), burst=st.integers(min_value=1, max_value=30))
#: Gaps between calls, in seconds.
GAPS = st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=200)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(rate=RATES, gaps=GAPS)
def test_allowed_calls_never_exceed_the_burst_plus_what_the_rate_refilled(rate: Rate, gaps: list[float]) -> None:
    # given
    clock = Clock()
    limiter = RateLimiter({"ecr:PutImage": rate}, clock=clock)
    # when
    allowed = 0
    for gap in gaps:
        clock.now += gap
        allowed += limiter.take(ACCOUNT, REGION, "ecr:PutImage")
    # then
    assert allowed <= rate.burst + clock.now * rate.per_second


@given(rate=RATES)
def test_after_a_quiet_spell_a_whole_burst_passes_at_once(rate: Rate) -> None:
    # given
    clock = Clock()
    limiter = RateLimiter({"ecr:PutImage": rate}, clock=clock)
    for _ in range(rate.burst + 5):
        limiter.take(ACCOUNT, REGION, "ecr:PutImage")
    # when
    clock.now += rate.burst / rate.per_second + 0.001
    burst = [limiter.take(ACCOUNT, REGION, "ecr:PutImage") for _ in range(rate.burst + 1)]
    # then
    assert burst == [True] * rate.burst + [False]


def test_buckets_are_separate_per_account_region_and_action() -> None:
    # given
    limiter = RateLimiter({"ecr:*": Rate(per_second=1, burst=1)}, clock=Clock())
    limiter.take(ACCOUNT, REGION, "ecr:PutLifecyclePolicy")
    # when
    others = [
        limiter.take("210987654321", REGION, "ecr:PutLifecyclePolicy"),
        limiter.take(ACCOUNT, "eu-west-1", "ecr:PutLifecyclePolicy"),
        limiter.take(ACCOUNT, REGION, "ecr:GetLifecyclePolicy"),
    ]
    # then
    assert others == [True, True, True]
    assert limiter.take(ACCOUNT, REGION, "ecr:PutLifecyclePolicy") is False


def test_an_action_of_its_own_wins_over_the_service_wildcard() -> None:
    # given
    limiter = RateLimiter({"ecr:*": Rate(1, 1), "ecr:BatchGetImage": Rate(2000, 2000)})
    # when
    rates = limiter.rate_for("ecr:BatchGetImage"), limiter.rate_for("ecr:TagResource"), limiter.rate_for("ecs:X")
    # then
    assert rates == (Rate(2000, 2000), Rate(1, 1), None)


@pytest.mark.parametrize(
    ("per_second", "burst", "message"),
    [(0, 1, "Rate.per_second: must be > 0, got 0"), (1, 0, "Rate.burst: must be >= 1, got 0")],
)
def test_a_rate_must_refill_and_hold_at_least_one_token(per_second: float, burst: int, message: str) -> None:
    # given / when / then
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Rate(per_second=per_second, burst=burst)
