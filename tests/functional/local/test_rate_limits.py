"""Per-operation rate limits of the stand-in: token buckets answered with the service's throttling error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecr_lifecycle_guard.local import ECR_RATE_LIMITS, EcrStandIn, Rate

#: Slow buckets so a test can empty one and watch it refill: 3 at once, then one every 0.5 s.
SLOW = {"ecr:DescribeRepositories": Rate(per_second=2, burst=3), "cloudformation:DescribeStacks": Rate(1, 2)}


@pytest.fixture
def limited() -> Iterator[EcrStandIn]:
    with EcrStandIn(rate_limits=SLOW) as running:
        yield running


def _outcomes(call: Any, count: int) -> list[str]:
    outcomes = []
    for _ in range(count):
        try:
            call()
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(f"{error.response['Error']['Code']} {error.response['ResponseMetadata']['HTTPStatusCode']}")
    return outcomes


def test_a_burst_passes_then_calls_are_throttled_with_throttling_exception(limited: EcrStandIn) -> None:
    # given
    ecr = limited.client("ecr", retries={"max_attempts": 0})
    # when
    outcomes = _outcomes(ecr.describe_repositories, 5)
    # then
    assert outcomes == ["ok", "ok", "ok", "ThrottlingException 400", "ThrottlingException 400"]


def test_the_bucket_refills_at_the_sustained_rate(limited: EcrStandIn) -> None:
    # given
    ecr = limited.client("ecr", retries={"max_attempts": 0})
    _outcomes(ecr.describe_repositories, 4)
    # when
    time.sleep(0.6)  # 2/s: one token back after 0.5 s, the second not before 1 s
    outcomes = _outcomes(ecr.describe_repositories, 2)
    # then
    assert outcomes == ["ok", "ThrottlingException 400"]


def test_throttled_calls_are_recorded_as_rate_limited(limited: EcrStandIn) -> None:
    # given
    ecr = limited.client("ecr", retries={"max_attempts": 0})
    # when
    _outcomes(ecr.describe_repositories, 4)
    # then
    calls = limited.calls("ecr:DescribeRepositories")
    assert [(call.throttled, call.fault, call.status) for call in calls] == [
        (False, None, 200),
        (False, None, 200),
        (False, None, 200),
        (True, "rate-limit", 400),
    ]
    assert calls[-1].applied_at is None


def test_each_operation_has_its_own_bucket_and_unlisted_operations_are_not_limited(limited: EcrStandIn) -> None:
    # given
    ecr = limited.client("ecr", retries={"max_attempts": 0})
    _outcomes(ecr.describe_repositories, 4)
    # when
    others = _outcomes(lambda: ecr.describe_registry(), 10)
    # then
    assert others == ["ok"] * 10


def test_cloudformation_describe_stacks_is_throttled_with_the_query_protocol_code(limited: EcrStandIn) -> None:
    # given
    stack_id = limited.create_stack("demo")
    cloudformation = limited.client("cloudformation", retries={"max_attempts": 0})
    # when
    outcomes = _outcomes(lambda: cloudformation.describe_stacks(StackName=stack_id), 3)
    # then
    assert outcomes == ["ok", "ok", "Throttling 400"]


def test_botocore_standard_retries_get_through_a_throttled_burst(limited: EcrStandIn) -> None:
    # given
    ecr = limited.client("ecr", retries={"mode": "standard", "max_attempts": 10})
    # when
    answers = [ecr.describe_repositories() for _ in range(6)]
    # then
    assert sum(answer["ResponseMetadata"]["RetryAttempts"] for answer in answers) >= 1
    assert any(call.throttled for call in limited.calls("DescribeRepositories"))


def test_the_stand_ins_own_setup_calls_are_never_limited(stand_in: EcrStandIn) -> None:
    # given
    stand_in.enable_rate_limits({"ecr:CreateRepository": Rate(per_second=0.1, burst=1)})
    # when
    arns = [stand_in.create_repository(f"app{n}") for n in range(3)]
    # then
    assert len(arns) == 3
    assert [(call.setup, call.throttled) for call in stand_in.calls("CreateRepository")] == [(True, False)] * 3


def test_rate_limits_can_be_enabled_and_disabled_while_running(stand_in: EcrStandIn) -> None:
    # given
    ecr = stand_in.client("ecr", retries={"max_attempts": 0})
    stand_in.enable_rate_limits({"ecr:DescribeRepositories": Rate(per_second=0.1, burst=1)})
    limited = _outcomes(ecr.describe_repositories, 2)
    # when
    stand_in.disable_rate_limits()
    unlimited = _outcomes(ecr.describe_repositories, 3)
    # then
    assert (limited, unlimited) == (["ok", "ThrottlingException 400"], ["ok", "ok", "ok"])


def test_ecr_rate_limits_use_the_published_image_rates_and_an_assumed_rate_for_the_rest() -> None:
    # given: ECR's Service Quotas page (image operations) and our assumption (everything else)
    published = {name: rate.per_second for name, rate in ECR_RATE_LIMITS.items() if rate.source.startswith("published")}
    # when
    lifecycle = {
        ECR_RATE_LIMITS[f"ecr:{name}"] for name in ("GetLifecyclePolicyPreview", "StartLifecyclePolicyPreview")
    }
    # then
    assert published == {
        "ecr:BatchCheckLayerAvailability": 1000,
        "ecr:BatchGetImage": 2000,
        "ecr:CompleteLayerUpload": 100,
        "ecr:GetAuthorizationToken": 500,
        "ecr:GetDownloadUrlForLayer": 3000,
        "ecr:InitiateLayerUpload": 100,
        "ecr:PutImage": 10,
        "ecr:UploadLayerPart": 500,
    }
    assert lifecycle == {Rate(per_second=20, burst=20, source="assumed: no published rate")}
    assert ECR_RATE_LIMITS["ecr:*"] == ECR_RATE_LIMITS["ecr:GetLifecyclePolicy"]
    assert ECR_RATE_LIMITS["cloudformation:DescribeStacks"].source.startswith("assumed")
