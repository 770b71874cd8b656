"""discover_in_use against an in-memory AWS: sources, lookups, paging, tags, failures and the deadline."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fake_aws import ACCOUNT, HOST, REGION, FakeAws, client_error, digest, service, task

from ecr_lifecycle_guard.inuse import DEADLINE_EXCEEDED, InUseReport, RepositoryRef, Workload, discover_in_use

REPO = RepositoryRef(ACCOUNT, REGION, "team/app")
APP = f"{HOST}/team/app"
OTHER = f"{HOST}/other"
ROLE = "arn:aws:iam::111111111111:role/in-use-reader"


def discover(aws: FakeAws, *, seconds: float = 5.0, sleeps: list[float] | None = None, **kwargs: Any) -> InUseReport:
    pauses = sleeps if sleeps is not None else []
    return discover_in_use(
        REPO, aws, deadline=time.monotonic() + seconds, clock=time.monotonic, sleep=pauses.append, **kwargs
    )


def names(report: InUseReport, image: str) -> list[str]:
    return [str(w) for w in report.workloads_of(image)]


def with_app_images(aws: FakeAws, **tags: int) -> FakeAws:
    aws.images["team/app"] = {tag: digest(n) for tag, n in tags.items()}
    return aws


def test_a_service_counts_for_the_image_its_task_definition_tag_names_now() -> None:
    # given
    aws = with_app_images(FakeAws(), v1=1, v2=2)
    td = aws.task_definition_arn("api:42")
    aws.task_definitions[td] = [f"{APP}:v1", "nginx:1.27"]
    aws.clusters["prod"] = {"services": [service("api", td)], "tasks": []}
    # when
    report = discover(aws)
    # then
    assert names(report, digest(1)) == ["ECS service prod/api (task definition api:42)"]
    assert list(report.images) == [digest(1)]
    assert report.failures == ()
    assert report.workloads_of(digest(1))[0].account == ACCOUNT


def test_running_tasks_count_with_their_pinned_digest_and_teach_their_task_definition() -> None:
    # given the tag v1 moved to image 2 after the task pinned image 1
    aws = with_app_images(FakeAws(), v1=2)
    td = aws.task_definition_arn("api:7")
    running = task("arn:aws:ecs:us-east-1:123456789012:task/prod/t1", td, [(f"{APP}:v1", digest(1))])
    aws.clusters["prod"] = {"services": [service("api", td)], "tasks": [running]}
    # when
    report = discover(aws)
    # then
    assert names(report, digest(1)) == ["ECS task prod/t1 (task definition api:7, service:api)"]
    assert names(report, digest(2)) == [
        "ECS service prod/api (task definition api:7)",
        "ECS task prod/t1 (task definition api:7, service:api)",
    ]
    assert aws.calls["DescribeTaskDefinition"] == 0


def test_a_pending_task_counts_too() -> None:
    # given
    aws = with_app_images(FakeAws())
    td = aws.task_definition_arn("job:1")
    pending = task(
        "arn:aws:ecs:us-east-1:123456789012:task/batch/t9", td, [(f"{APP}@{digest(5)}", None)], status="PENDING"
    )
    aws.clusters["batch"] = {"services": [], "tasks": [pending]}
    # when
    report = discover(aws)
    # then
    assert names(report, digest(5)) == ["ECS task batch/t9 (task definition job:1, service:api)"]


def test_services_sharing_a_task_definition_describe_it_once() -> None:
    # given
    aws = with_app_images(FakeAws(), v3=3)
    td = aws.task_definition_arn("web:3")
    aws.task_definitions[td] = [f"{APP}:v3"]
    aws.clusters["a"] = {"services": [service("web", td)], "tasks": []}
    aws.clusters["b"] = {"services": [service("web", td), service("web2", td)], "tasks": []}
    # when
    report = discover(aws)
    # then
    assert names(report, digest(3)) == [
        "ECS service a/web (task definition web:3)",
        "ECS service b/web (task definition web:3)",
        "ECS service b/web2 (task definition web:3)",
    ]
    assert aws.calls["DescribeTaskDefinition"] == 1


def test_primary_and_active_deployments_count_and_inactive_ones_do_not() -> None:
    # given a rolling update from api:1 to api:2, and an old api:0 deployment already drained
    aws = with_app_images(FakeAws())
    old, new, gone = (aws.task_definition_arn(f"api:{n}") for n in (1, 2, 0))
    for n, td in ((1, old), (2, new), (9, gone)):
        aws.task_definitions[td] = [f"{APP}@{digest(n)}"]
    aws.clusters["prod"] = {
        "services": [service("api", new, old, gone, statuses=("PRIMARY", "ACTIVE", "INACTIVE"))],
        "tasks": [],
    }
    # when
    report = discover(aws)
    # then
    assert set(report.images) == {digest(1), digest(2)}


def test_every_page_of_clusters_services_and_tasks_is_read() -> None:
    # given 5 clusters of 3 services and 3 tasks, answered 2 per page
    aws = with_app_images(FakeAws())
    for c in range(5):
        td = aws.task_definition_arn(f"s{c}:1")
        aws.task_definitions[td] = [f"{APP}@{digest(c)}"]
        tasks = [
            task(f"arn:aws:ecs:us-east-1:123456789012:task/c{c}/t{n}", td, [(f"{APP}@{digest(c)}", None)])
            for n in range(3)
        ]
        aws.clusters[f"c{c}"] = {"services": [service(f"s{n}", td) for n in range(3)], "tasks": tasks}
    # when
    report = discover(aws)
    # then
    assert sum(len(w) for w in report.images.values()) == 5 * (3 + 3)
    assert aws.calls["ListClusters"] == 3
    assert aws.calls["ListServices"] == 5 * 2


def test_lambda_counts_latest_and_the_versions_aliases_point_to() -> None:
    # given
    aws = with_app_images(FakeAws())
    aws.functions["api-fn"] = {
        "$LATEST": f"{APP}@{digest(2)}",
        "1": f"{APP}@{digest(1)}",
        "aliases": {"live": "1", "edge": "$LATEST"},
    }
    aws.functions["plain-fn"] = {"$LATEST": f"{APP}@{digest(3)}", "aliases": {"live": "$LATEST"}}
    # when
    report = discover(aws)
    # then
    assert names(report, digest(1)) == ["Lambda function api-fn:live (version 1)"]
    assert names(report, digest(2)) == ["Lambda function api-fn ($LATEST)", "Lambda function api-fn:edge ($LATEST)"]
    assert names(report, digest(3)) == ["Lambda function plain-fn ($LATEST)"]
    assert aws.calls["ListAliases"] == 1  # plain-fn has no published version, so its aliases run $LATEST


def test_batch_counts_every_image_of_active_job_definitions() -> None:
    # given
    aws = with_app_images(FakeAws())
    aws.job_definitions = [
        {"jobDefinitionName": "etl", "revision": 3, "containerProperties": {"image": f"{APP}@{digest(1)}"}},
        {
            "jobDefinitionName": "etl",
            "revision": 2,
            "status": "INACTIVE",
            "containerProperties": {"image": f"{APP}@{digest(9)}"},
        },
        {
            "jobDefinitionName": "mpi",
            "revision": 1,
            "nodeProperties": {"nodeRangeProperties": [{"container": {"image": f"{APP}@{digest(2)}"}}]},
        },
        {
            "jobDefinitionName": "pod",
            "revision": 1,
            "eksProperties": {"podProperties": {"initContainers": [{"name": "init", "image": f"{APP}@{digest(3)}"}]}},
        },
    ]
    # when
    report = discover(aws)
    # then
    assert names(report, digest(1)) == ["Batch job definition etl:3"]
    assert names(report, digest(2)) == ["Batch job definition mpi:1"]
    assert names(report, digest(3)) == ["Batch job definition pod:1 (container init)"]
    assert digest(9) not in report.images


def test_references_to_other_repositories_and_registries_do_not_count() -> None:
    # given
    aws = with_app_images(FakeAws(), v1=1)
    aws.images["other"] = {"v1": digest(7)}
    aws.job_definitions = [
        {"jobDefinitionName": n, "revision": 1, "containerProperties": {"image": image}}
        for n, image in [
            ("other", f"{OTHER}:v1"),
            ("region", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1"),
            ("hub", "team/app:v1"),
        ]
    ]
    # when
    report = discover(aws)
    # then
    assert report.images == {}
    assert aws.calls["DescribeImages"] == 0


def test_a_tag_naming_no_image_is_unresolved_and_found_tags_cost_few_calls() -> None:
    # given 150 referenced tags, one of which names nothing
    aws = with_app_images(FakeAws(), **{f"t{n}": n for n in range(149)})
    aws.job_definitions = [
        {"jobDefinitionName": f"j{n}", "revision": 1, "containerProperties": {"image": f"{APP}:t{n}"}}
        for n in range(150)
    ]
    # when
    report = discover(aws)
    # then
    assert list(report.unresolved) == ["t149"]
    assert [str(w) for w in report.unresolved["t149"]] == ["Batch job definition j149:1"]
    assert len(report.images) == 149
    assert aws.calls["DescribeImages"] <= 2 + 2 * 7  # two batches, halved down to the missing tag


def test_when_the_repository_does_not_exist_every_tag_is_unresolved() -> None:
    # given
    aws = FakeAws()
    aws.job_definitions = [{"jobDefinitionName": "j", "revision": 1, "containerProperties": {"image": f"{APP}:v1"}}]
    # when
    report = discover(aws)
    # then
    assert list(report.unresolved) == ["v1"]
    assert report.failures == ()


def test_a_denied_source_is_reported_with_the_aws_code_and_the_others_still_count() -> None:
    # given
    aws = with_app_images(FakeAws())
    td = aws.task_definition_arn("api:1")
    aws.clusters["prod"] = {
        "services": [service("api", td)],
        "tasks": [task("t/prod/t1", td, [(f"{APP}@{digest(1)}", None)])],
    }
    aws.errors["ListServices"] = [client_error("AccessDeniedException", "not authorized to perform: ecs:ListServices")]
    # when
    report = discover(aws)
    # then
    assert [str(f) for f in report.failures] == [
        "cannot list ECS services in 123456789012/us-east-1: AccessDeniedException"
    ]
    assert report.failures[0].message == "not authorized to perform: ecs:ListServices"
    assert names(report, digest(1)) == ["ECS task prod/t1 (task definition api:1, service:api)"]


def test_throttling_is_retried_with_growing_pauses() -> None:
    # given
    aws = with_app_images(FakeAws())
    aws.functions["fn"] = {"$LATEST": f"{APP}@{digest(1)}"}
    aws.errors["ListFunctions"] = [client_error("TooManyRequestsException"), client_error("TooManyRequestsException")]
    sleeps: list[float] = []
    # when
    report = discover(aws, sleeps=sleeps)
    # then
    assert names(report, digest(1)) == ["Lambda function fn ($LATEST)"]
    assert sleeps == [0.1, 0.2]
    assert report.failures == ()


def test_throttling_that_outlasts_the_deadline_is_a_deadline_failure() -> None:
    # given every ListClusters call is throttled, and time passes only while discovery pauses
    aws = FakeAws()
    aws.errors["ListClusters"] = [client_error("ThrottlingException") for _ in range(1000)]
    clock = PausedClock()
    # when
    report = discover_in_use(REPO, aws, deadline=1.0, clock=clock, sleep=clock.sleep)
    # then
    assert {(f.source, f.code) for f in report.failures} == {
        ("ECS services", DEADLINE_EXCEEDED),
        ("ECS tasks", DEADLINE_EXCEEDED),
    }
    assert clock.pauses == [0.1, 0.2, 0.4]  # the next pause (0.8 s) would end past the deadline


class PausedClock:
    """A clock that moves only when sleep() is called."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def test_a_source_still_answering_at_the_deadline_is_reported_and_discovery_ends_on_time() -> None:
    # given ListFunctions never answers in time
    aws = with_app_images(FakeAws())
    aws.job_definitions = [
        {"jobDefinitionName": "j", "revision": 1, "containerProperties": {"image": f"{APP}@{digest(1)}"}}
    ]
    aws.blocked["ListFunctions"] = release = threading.Event()
    started = time.monotonic()
    # when
    try:
        report = discover(aws, seconds=0.5)
    finally:
        release.set()
    # then
    assert time.monotonic() - started < 2.0
    assert [(f.source, f.code) for f in report.failures] == [("Lambda functions", DEADLINE_EXCEEDED)]
    assert names(report, digest(1)) == ["Batch job definition j:1"]


def test_workload_accounts_are_searched_through_their_roles() -> None:
    # given
    workload_account = FakeAws(account="111111111111")
    workload_account.job_definitions = [
        {"jobDefinitionName": "etl", "revision": 1, "containerProperties": {"image": f"{APP}@{digest(4)}"}}
    ]
    aws = with_app_images(FakeAws(roles={ROLE: workload_account}))
    # when
    report = discover(aws, role_arns=[ROLE])
    # then
    (workload,) = report.workloads_of(digest(4))
    assert (str(workload), workload.account) == ("Batch job definition etl:1", "111111111111")


def test_a_role_that_cannot_be_assumed_is_reported_by_its_arn() -> None:
    # given
    aws = with_app_images(FakeAws(roles={}))
    aws.errors["AssumeRole"] = [client_error("AccessDenied", "not authorized to perform: sts:AssumeRole")]
    # when
    report = discover(aws, role_arns=[ROLE])
    # then
    assert [str(f) for f in report.failures] == [f"cannot assume role {ROLE} in 111111111111/us-east-1: AccessDenied"]


def test_extra_references_count_like_discovered_ones() -> None:
    # given
    aws = with_app_images(FakeAws(), v1=1)
    pod = Workload("Kubernetes pod", "web/api-1", "container api")
    # when
    report = discover(aws, extra_references=[(f"{APP}:v1", pod), (f"docker-pullable://{APP}@{digest(8)}", pod)])
    # then
    assert names(report, digest(1)) == names(report, digest(8)) == ["Kubernetes pod web/api-1 (container api)"]


def test_a_programming_error_in_a_source_is_raised() -> None:
    # given
    aws = FakeAws()
    aws.errors["ListClusters"] = [KeyError("bug")]
    # when / then
    with pytest.raises(KeyError, match="bug"):
        discover(aws)


def test_workloads_deleted_while_discovery_runs_are_skipped_not_failed() -> None:
    # given a function and a cluster that are gone by the time discovery reads them
    aws = with_app_images(FakeAws())
    aws.functions["gone-fn"] = {"$LATEST": f"{APP}@{digest(1)}"}
    aws.functions["fn"] = {"$LATEST": f"{APP}@{digest(2)}"}
    aws.clusters["gone"] = {"services": [], "tasks": []}
    aws.errors["GetFunction"] = [client_error("ResourceNotFoundException", "Function not found")]
    aws.errors["ListTasks"] = [client_error("ClusterNotFoundException", "Cluster not found.")]
    # when
    report = discover(aws)
    # then
    assert report.failures == ()
    assert len(report.images) == 1
    assert aws.calls["ListServices"] == 0
