"""DescribeImages on the stand-in reports ECR's archive fields and honours filter.imageStatus."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from stand_in_helpers import REPO

from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

DAY = 86400.0
SEEDS = [
    SeedImage(tags=("live",), pushed_days_ago=1, last_pulled_days_ago=0.5),
    SeedImage(tags=("cold",), pushed_days_ago=200, status="ARCHIVED", archived_days_ago=100),
    SeedImage(tags=("waking",), pushed_days_ago=300, status="ACTIVATING", archived_days_ago=150, activated_days_ago=0),
]


@pytest.mark.parametrize(
    ("image_filter", "expected_tags"),
    [
        ({}, [["live"]]),
        ({"imageStatus": "ACTIVE"}, [["live"]]),
        ({"imageStatus": "ARCHIVED"}, [["cold"]]),
        ({"imageStatus": "ACTIVATING"}, [["waking"]]),
        ({"imageStatus": "ANY"}, [["live"], ["cold"], ["waking"]]),
    ],
)
def test_image_status_filter_defaults_to_active_images(
    stand_in: EcrStandIn, ecr: Any, image_filter: dict[str, str], expected_tags: list[list[str]]
) -> None:
    # given
    stand_in.create_repository(REPO, images=SEEDS)
    # when
    details = ecr.describe_images(repositoryName=REPO, filter=image_filter)["imageDetails"]
    # then
    assert [d["imageTags"] for d in details] == expected_tags


def test_seeded_times_and_status_are_reported(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    stand_in.create_repository(REPO, images=SEEDS)
    now = time.time()
    # when
    live, cold, waking = ecr.describe_images(repositoryName=REPO, filter={"imageStatus": "ANY"})["imageDetails"]
    # then
    assert live["imageStatus"] == "ACTIVE"
    assert live["imagePushedAt"].timestamp() == pytest.approx(now - DAY, abs=60)
    assert live["lastRecordedPullTime"].timestamp() == pytest.approx(now - DAY / 2, abs=60)
    assert "lastArchivedAt" not in live
    assert (cold["imageStatus"], "lastRecordedPullTime" in cold) == ("ARCHIVED", False)
    assert cold["lastArchivedAt"].timestamp() == pytest.approx(now - 100 * DAY, abs=60)
    assert waking["imageStatus"] == "ACTIVATING"
    assert waking["lastActivatedAt"].timestamp() == pytest.approx(now, abs=60)


def test_exact_push_time_and_untagged_images_are_seeded(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    pushed = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    # when
    stand_in.create_repository(REPO, images=[SeedImage(pushed_at=pushed)])
    # then
    (detail,) = ecr.describe_images(repositoryName=REPO)["imageDetails"]
    assert detail["imagePushedAt"] == pushed
    assert "imageTags" not in detail


def test_every_seeded_image_gets_its_own_digest_and_all_its_tags(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    seeds = [SeedImage(tags=(f"v{n}", f"build-{n}")) for n in range(20)]
    # when
    digests = stand_in.add_images(stand_in.create_repository(REPO) and REPO, seeds)
    # then
    details = ecr.describe_images(repositoryName=REPO)["imageDetails"]
    assert sorted(d["imageDigest"] for d in details) == sorted(set(digests))
    assert sorted(sorted(d["imageTags"]) for d in details) == sorted([f"build-{n}", f"v{n}"] for n in range(20))


def test_a_few_hundred_images_seed_in_under_two_seconds(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    seeds = [SeedImage(tags=(f"v{n}",), pushed_days_ago=n) for n in range(300)]
    started = time.monotonic()
    # when
    stand_in.create_repository(REPO, images=seeds)
    # then
    assert time.monotonic() - started < 2.0
    assert len(ecr.describe_images(repositoryName=REPO)["imageDetails"]) == 300
