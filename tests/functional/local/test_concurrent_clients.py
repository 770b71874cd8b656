"""Sixty concurrent clients preview and put policies through the stand-in under ECR's rate limits."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from stand_in_helpers import keep_newest

from ecr_lifecycle_guard.local import ECR_RATE_LIMITS, EcrStandIn, SeedImage

GUARDS = 60
LATENCY = 0.5
POLL_SECONDS = 0.5
IMAGES = [SeedImage(tags=(f"v{n}",), pushed_days_ago=n + 0.5) for n in range(8)]


def _guard(stand_in: EcrStandIn, repository: str) -> tuple[str, int]:
    """What one guard does: preview, wait for it, put the policy; returns (status, expiring count)."""
    ecr: Any = stand_in.client("ecr", retries={"mode": "standard", "max_attempts": 10})
    ecr.start_lifecycle_policy_preview(repositoryName=repository, lifecyclePolicyText=keep_newest(3))
    while (answer := ecr.get_lifecycle_policy_preview(repositoryName=repository))["status"] == "IN_PROGRESS":
        time.sleep(POLL_SECONDS)
    ecr.put_lifecycle_policy(repositoryName=repository, lifecyclePolicyText=keep_newest(3))
    return answer["status"], answer["summary"]["expiringImageTotalCount"]


def test_sixty_guards_at_once_all_complete_under_rate_limits_with_standard_retries() -> None:
    # given
    with EcrStandIn(preview_latency=LATENCY, rate_limits=ECR_RATE_LIMITS) as stand_in:
        names = [f"fleet/service-{n:02}" for n in range(GUARDS)]
        stand_in.create_repositories(names, images=IMAGES)
        # when
        with ThreadPoolExecutor(max_workers=GUARDS) as pool:
            outcomes = list(pool.map(lambda name: _guard(stand_in, name), names))
        # then
        assert outcomes == [("COMPLETE", 5)] * GUARDS
        ecr = stand_in.client("ecr")
        assert {ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"] for name in names} == {
            keep_newest(3)
        }
        starts = stand_in.calls("StartLifecyclePolicyPreview")
        assert sum(not call.throttled for call in starts) == GUARDS
        assert any(call.fault == "rate-limit" for call in stand_in.calls())
        assert all(call.status is not None for call in stand_in.calls())
