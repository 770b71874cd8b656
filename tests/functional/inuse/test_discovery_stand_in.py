"""discover_in_use over real HTTP against the stand-in's ECS, Lambda, Batch, STS and ECR workloads."""

from __future__ import annotations

import time

import pytest
from inuse_helpers import GUARDED, READER_ROLE, WORKLOAD_ACCOUNT, Discover, workloads

from ecr_lifecycle_guard.inuse import DEADLINE_EXCEEDED, discover_in_use
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage
from ecr_lifecycle_guard.local.workloads import WorkloadSeeder


def test_a_service_running_a_tag_uses_the_image_the_tag_names_now(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given
    seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1"), "public.ecr.aws/nginx/nginx:1.27"])
    # when
    report = discover()
    # then
    assert workloads(report, discover.digest("v1")) == ["ECS service prod/api (task definition api:1)"]
    assert len(report.images) == 1
    assert report.failures == ()


def test_a_service_running_a_digest_uses_that_image(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given
    pinned = discover.digest("v2")
    seeder.ecs_service("prod", "worker", [seeder.image_uri(GUARDED, digest=pinned)], tasks=1)
    # when
    report = discover()
    # then
    assert workloads(report, pinned)[0] == "ECS service prod/worker (task definition worker:1)"
    assert [w.kind for w in report.workloads_of(pinned)] == ["ECS service", "ECS task"]


def test_a_running_task_still_uses_its_image_after_the_tag_moved(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given a service whose tasks started on v1, then v1 is pushed again (the tag moves)
    old = discover.digest("v1")
    seeded = seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1")], tasks=2)
    (new,) = stand_in.add_images(GUARDED, [SeedImage(tags=("v1",))])
    # when
    report = discover()
    # then the tasks keep the old image in use; the service's next tasks would pull the new one
    tasks = [f"ECS task prod/{arn.rsplit('/', 1)[-1]} (task definition api:1, service:api)" for arn in seeded.task_arns]
    assert workloads(report, old) == sorted(tasks)
    assert workloads(report, new) == ["ECS service prod/api (task definition api:1)", *sorted(tasks)]
    assert old in {
        d["imageDigest"] for d in stand_in.client("ecr").describe_images(repositoryName=GUARDED)["imageDetails"]
    }


def test_a_rolling_deployment_keeps_both_task_definitions_in_use(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given
    seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1")])
    seeder.update_ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v2")])
    # when
    report = discover()
    # then
    assert workloads(report, discover.digest("v1")) == ["ECS service prod/api (task definition api:1)"]
    assert workloads(report, discover.digest("v2")) == ["ECS service prod/api (task definition api:2)"]


def test_a_finished_deployment_leaves_only_the_new_image_in_use(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given
    seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1")], tasks=1)
    seeder.update_ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v2")], tasks=1, finish=True)
    # when
    report = discover()
    # then
    assert list(report.images) == [discover.digest("v2")]


def test_a_standalone_pending_task_uses_its_image(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given
    seeder.ecs_task("batch", [seeder.image_uri(GUARDED, "v2")], family="nightly", status="PENDING")
    # when
    report = discover()
    # then
    assert [w.kind for w in report.workloads_of(discover.digest("v2"))] == ["ECS task"]


def test_a_lambda_version_behind_an_alias_keeps_its_image_in_use(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given version 1 was published on v1, then $LATEST moved on to v2
    seeded = seeder.lambda_image_function(
        "api-fn", seeder.image_uri(GUARDED, "v2"), versions=[seeder.image_uri(GUARDED, "v1")], alias="live"
    )
    # when
    report = discover()
    # then
    assert seeded.versions == ("1",)
    assert workloads(report, discover.digest("v1")) == ["Lambda function api-fn:live (version 1)"]
    assert workloads(report, discover.digest("v2")) == ["Lambda function api-fn ($LATEST)"]


def test_a_lambda_function_keeps_the_image_it_resolved_when_deployed(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given the function was deployed on v1, then v1 was pushed again
    old = discover.digest("v1")
    seeder.lambda_image_function("fn", seeder.image_uri(GUARDED, "v1"))
    stand_in.add_images(GUARDED, [SeedImage(tags=("v1",))])
    # when
    report = discover()
    # then
    assert list(report.images) == [old]


def test_active_batch_job_definitions_use_their_images_and_inactive_ones_do_not(
    seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given
    first = seeder.batch_job_definition("etl", seeder.image_uri(GUARDED, "v1"))
    seeder.batch_job_definition("etl", seeder.image_uri(GUARDED, "v2"))
    seeder.deregister_batch_job_definition(first)
    # when
    report = discover()
    # then
    assert list(report.images) == [discover.digest("v2")]
    assert workloads(report, discover.digest("v2")) == ["Batch job definition etl:2"]


def test_the_same_tag_in_another_repository_is_not_in_use(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given
    seeder.ecs_service("prod", "web", [seeder.image_uri("other", "v1")], tasks=1)
    seeder.lambda_image_function("other-fn", seeder.image_uri("other", "v1"))
    seeder.batch_job_definition("other-job", seeder.image_uri("other", "v1"))
    # when
    report = discover()
    # then
    assert report.images == {}
    assert report.unresolved == {}
    assert report.failures == ()


def test_a_tag_that_names_no_image_is_unresolved(seeder: WorkloadSeeder, discover: Discover) -> None:
    # given
    seeder.batch_job_definition("etl", seeder.image_uri(GUARDED, "never-pushed"))
    # when
    report = discover()
    # then
    assert {tag: [str(w) for w in ws] for tag, ws in report.unresolved.items()} == {
        "never-pushed": ["Batch job definition etl:1"]
    }


@pytest.mark.parametrize(
    ("action", "source"),
    [
        ("ecs:ListServices", "ECS services"),
        ("lambda:ListFunctions", "Lambda functions"),
        ("ecs:DescribeTasks", "ECS tasks"),
    ],
)
def test_a_denied_source_is_reported_with_its_name_and_aws_code(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover, action: str, source: str
) -> None:
    # given
    seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1")], tasks=1)
    seeder.lambda_image_function("fn", seeder.image_uri(GUARDED, "v1"))
    stand_in.faults.deny(action)
    # when
    report = discover()
    # then
    (failure,) = report.failures
    assert str(failure) == f"cannot list {source} in 123456789012/us-east-1: AccessDeniedException"
    assert f"is not authorized to perform: {action}" in failure.message
    assert report.images  # the other sources still count


def test_a_workload_account_is_searched_through_an_assumed_role(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given a service in the workload account running the guarded repository's image
    seeder.for_account(WORKLOAD_ACCOUNT).ecs_service("shop", "cart", [seeder.image_uri(GUARDED, "v1")], tasks=1)
    # when
    alone = discover()
    through_role = discover(role_arns=[READER_ROLE])
    # then
    assert alone.images == {}
    found = through_role.workloads_of(discover.digest("v1"))
    assert {(w.kind, w.name.split("/")[0], w.account) for w in found} == {
        ("ECS service", "shop", WORKLOAD_ACCOUNT),
        ("ECS task", "shop", WORKLOAD_ACCOUNT),
    }
    assert [c.params.get("RoleArn") for c in stand_in.calls("AssumeRole")] == [READER_ROLE]


def test_a_role_that_cannot_be_assumed_is_reported(stand_in: EcrStandIn, discover: Discover) -> None:
    # given
    stand_in.faults.deny("sts:AssumeRole")
    # when
    report = discover(role_arns=[READER_ROLE])
    # then
    assert [(f.source, f.account, f.code) for f in report.failures] == [
        (f"assume role {READER_ROLE}", WORKLOAD_ACCOUNT, "AccessDenied")
    ]


def test_throttled_calls_are_retried_until_they_pass(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given
    seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1")])
    stand_in.faults.throttle("ecs:ListClusters", times=3)
    # when
    report = discover()
    # then
    assert report.failures == ()
    assert workloads(report, discover.digest("v1")) == ["ECS service prod/api (task definition api:1)"]


def test_every_source_not_listed_by_the_deadline_is_reported(discover: Discover) -> None:
    # when
    report = discover_in_use(
        discover.repository, discover.clients, deadline=time.monotonic(), clock=time.monotonic, sleep=time.sleep
    )
    # then
    assert sorted((f.source, f.code) for f in report.failures) == [
        ("Batch job definitions", DEADLINE_EXCEEDED),
        ("ECS services", DEADLINE_EXCEEDED),
        ("ECS tasks", DEADLINE_EXCEEDED),
        ("Lambda functions", DEADLINE_EXCEEDED),
    ]


def test_every_page_of_a_large_cluster_is_read(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given one cluster of 120 services (2 pages of 100) running 250 tasks (3 pages)
    image = seeder.image_uri(GUARDED, "v1")
    definition = seeder.ecs_task_definition("shared", [image])
    for n in range(120):
        seeder.ecs_service("big", f"s{n:03}", [], task_definition=definition, tasks=3 if n < 10 else 2)
    # when
    report = discover()
    # then
    kinds = [w.kind for w in report.workloads_of(discover.digest("v1"))]
    assert (kinds.count("ECS service"), kinds.count("ECS task")) == (120, 250)
    assert len(stand_in.calls("ListServices")) == 2
    assert len(stand_in.calls("ListTasks")) == 3
    assert len(stand_in.calls("DescribeTasks")) == 3
    assert len(stand_in.calls("DescribeServices")) == 12
    assert len(stand_in.calls("DescribeTaskDefinition")) == 0  # the tasks showed its images


def test_fifty_clusters_of_forty_services_are_discovered_within_the_deadline(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given 50 clusters (tenants) running the same 40 services, one task each
    definitions = [
        seeder.ecs_task_definition(f"svc{n}", [seeder.image_uri(GUARDED, "v1" if n % 2 else "v2")]) for n in range(40)
    ]
    for cluster in range(50):
        for n, definition in enumerate(definitions):
            seeder.ecs_service(f"tenant{cluster}", f"svc{n}", [], task_definition=definition, tasks=1)
    # when
    report = discover(seconds=60.0)
    # then
    assert report.failures == ()
    services = [w for ws in report.images.values() for w in ws if w.kind == "ECS service"]
    assert len(services) == 50 * 40
    assert report.seconds < 60.0
