"""Workload, SourceFailure and InUseReport: how they read in reasons and logs."""

from __future__ import annotations

import json

import pytest

from ecr_lifecycle_guard.inuse import InUseReport, SourceFailure, Workload

API = Workload("ECS service", "prod/api", "task definition api:42", account="123456789012", region="us-east-1")


@pytest.mark.parametrize(
    ("workload", "text"),
    [
        (API, "ECS service prod/api (task definition api:42)"),
        (Workload("Lambda function", "api-fn:live", "version 7"), "Lambda function api-fn:live (version 7)"),
        (Workload("Batch job definition", "jobdef:3"), "Batch job definition jobdef:3"),
    ],
)
def test_a_workload_reads_as_kind_name_and_detail(workload: Workload, text: str) -> None:
    # then
    assert str(workload) == text


def test_a_source_failure_names_the_source_the_place_and_the_aws_code() -> None:
    # given
    failure = SourceFailure(
        "ECS tasks", "123456789012", "eu-west-1", "AccessDeniedException", "User: x is not authorized"
    )
    # then
    assert str(failure) == "cannot list ECS tasks in 123456789012/eu-west-1: AccessDeniedException"


def test_the_report_log_is_json_and_samples_many_workloads() -> None:
    # given
    many = tuple(Workload("ECS task", f"prod/t{n}") for n in range(30))
    failure = SourceFailure("Lambda functions", "123456789012", "us-east-1", "DeadlineExceeded", "late")
    report = InUseReport(images={"sha256:aa": many}, failures=(failure,), unresolved={"gone": (API,)}, seconds=1.23456)
    # when
    log = json.loads(json.dumps(report.as_log(sample_size=5)))
    # then
    assert log["images"] == [
        {"digest": "sha256:aa", "workloads": [f"ECS task prod/t{n}" for n in range(5)], "count": 30}
    ]
    assert log["unresolved"][0]["tag"] == "gone"
    assert log["failures"][0]["code"] == "DeadlineExceeded"
    assert log["seconds"] == 1.235


def test_the_report_cannot_be_changed_after_it_is_made() -> None:
    # given
    images = {"sha256:aa": (API,)}
    report = InUseReport(images=images, failures=[])
    # when
    images["sha256:bb"] = (API,)
    # then
    assert list(report.images) == ["sha256:aa"]
    assert report.failures == ()
    assert report.complete
    with pytest.raises(TypeError):
        report.images["sha256:cc"] = (API,)  # type: ignore[index]
