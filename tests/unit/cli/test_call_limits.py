"""botocore settings derived from the time a command has: no call can outlast it by itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.cli.aws_access import MAX_ATTEMPTS, call_limits

BUDGETS = st.floats(min_value=1.0, max_value=3600.0, allow_nan=False)


@given(budget=BUDGETS)
def test_connect_and_read_timeouts_never_exceed_the_budget(budget: float) -> None:
    # when
    limits = call_limits(budget)

    # then
    assert 0 < limits["connect_timeout"] <= budget
    assert 0 < limits["read_timeout"] <= budget
    assert 2 <= limits["retries"]["max_attempts"] <= MAX_ATTEMPTS
    assert limits["retries"]["mode"] == "standard"


def test_a_five_second_budget_waits_five_seconds_per_call_and_tries_twice() -> None:
    assert call_limits(5.0) == {
        "connect_timeout": 5.0,
        "read_timeout": 5.0,
        "retries": {"mode": "standard", "max_attempts": 2},
    }


def test_a_long_budget_keeps_short_timeouts_and_more_attempts() -> None:
    assert call_limits(300.0) == {
        "connect_timeout": 5.0,
        "read_timeout": 30.0,
        "retries": {"mode": "standard", "max_attempts": 5},
    }
