"""The stand-in's workloads behave as AWS does where moto 5.2.5 does not: paging, limits, digests, tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from inuse_helpers import GUARDED, Discover

from ecr_lifecycle_guard.local import EcrStandIn, SeedImage
from ecr_lifecycle_guard.local.workloads import WorkloadSeeder


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    details = raised.value.response["Error"]
    return details["Code"], details["Message"]


def test_list_services_answers_ten_per_page_by_default_with_a_next_token(
    stand_in: EcrStandIn, seeder: WorkloadSeeder
) -> None:
    # given
    definition = seeder.ecs_task_definition("web", [seeder.image_uri(GUARDED, "v1")])
    for n in range(13):
        seeder.ecs_service("prod", f"web{n:02}", [], task_definition=definition)
    ecs = stand_in.client("ecs")
    # when
    first = ecs.list_services(cluster="prod")
    second = ecs.list_services(cluster="prod", nextToken=first["nextToken"])
    # then
    assert (len(first["serviceArns"]), len(second["serviceArns"])) == (10, 3)
    assert "nextToken" not in second
    assert len(set(first["serviceArns"]) | set(second["serviceArns"])) == 13


def test_a_made_up_next_token_is_refused(stand_in: EcrStandIn, seeder: WorkloadSeeder) -> None:
    # given
    seeder.ecs_cluster("prod")
    # when
    with pytest.raises(ClientError) as raised:
        stand_in.client("ecs").list_tasks(cluster="prod", nextToken="not-a-token")
    # then
    assert error_of(raised) == ("InvalidParameterException", "Invalid token.")


def test_describe_services_takes_at_most_ten_services(stand_in: EcrStandIn, seeder: WorkloadSeeder) -> None:
    # given
    seeder.ecs_cluster("prod")
    # when
    with pytest.raises(ClientError) as raised:
        stand_in.client("ecs").describe_services(cluster="prod", services=[f"s{n}" for n in range(11)])
    # then
    assert error_of(raised) == ("InvalidParameterException", "services can have at most 10 items.")


def test_describe_tasks_takes_at_most_a_hundred_tasks_and_reports_unknown_ones(
    stand_in: EcrStandIn, seeder: WorkloadSeeder
) -> None:
    # given
    seeded = seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1")], tasks=1)
    ecs = stand_in.client("ecs")
    # when
    with pytest.raises(ClientError) as raised:
        ecs.describe_tasks(cluster="prod", tasks=[f"t{n}" for n in range(101)])
    answer = ecs.describe_tasks(cluster="prod", tasks=[*seeded.task_arns, "0000"])
    # then
    assert error_of(raised) == ("InvalidParameterException", "tasks can have at most 100 items.")
    assert [t["taskArn"] for t in answer["tasks"]] == list(seeded.task_arns)
    assert answer["failures"] == [{"arn": "0000", "reason": "MISSING"}]


def test_a_task_has_a_running_container_per_definition_with_the_digest_it_pinned(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given
    seeded = seeder.ecs_service(
        "prod", "api", [seeder.image_uri(GUARDED, "v1"), "docker.io/library/nginx:1.27"], tasks=1
    )
    ecs = stand_in.client("ecs")
    # when: described five times (moto used to stop a task on the fourth)
    answers = [ecs.describe_tasks(cluster="prod", tasks=list(seeded.task_arns)) for _ in range(5)]
    # then
    (task,) = answers[-1]["tasks"]
    assert task["lastStatus"] == "RUNNING"
    assert [(c["name"], c.get("imageDigest"), c["lastStatus"], c["taskArn"]) for c in task["containers"]] == [
        ("c0", discover.digest("v1"), "RUNNING", task["taskArn"]),
        ("c1", None, "RUNNING", task["taskArn"]),
    ]


def test_list_tasks_lists_only_the_named_cluster(stand_in: EcrStandIn, seeder: WorkloadSeeder) -> None:
    # given clusters whose names contain one another
    for cluster in ("c1", "c10"):
        seeder.ecs_service(cluster, "api", [seeder.image_uri(GUARDED, "v1")], tasks=2)
    # when
    arns = stand_in.client("ecs").list_tasks(cluster="c1")["taskArns"]
    # then
    assert len(arns) == 2
    assert all(":task/c1/" in arn for arn in arns)


def test_pushing_a_tag_again_leaves_the_previous_image_untagged(stand_in: EcrStandIn, discover: Discover) -> None:
    # given
    before = discover.digest("v1")
    # when
    (after,) = stand_in.add_images(GUARDED, [SeedImage(tags=("v1",))])
    # then
    details = {
        d["imageDigest"]: d.get("imageTags", [])
        for d in stand_in.client("ecr").describe_images(repositoryName=GUARDED)["imageDetails"]
    }
    assert details[before] == []
    assert details[after] == ["v1"]


def test_a_lambda_image_resolves_in_a_nested_repository_to_its_digest(
    stand_in: EcrStandIn, seeder: WorkloadSeeder, discover: Discover
) -> None:
    # given
    seeder.lambda_image_function("fn", seeder.image_uri(GUARDED, "v2"), versions=[seeder.image_uri(GUARDED, "v1")])
    functions = stand_in.client("lambda")
    # when
    latest = functions.get_function(FunctionName="fn")
    version = functions.get_function(FunctionName="fn", Qualifier="1")
    # then
    repository = seeder.image_uri(GUARDED).rsplit(":", 1)[0]
    assert latest["Code"]["ResolvedImageUri"] == f"{repository}@{discover.digest('v2')}"
    assert latest["Configuration"]["CodeSha256"] == discover.digest("v2").removeprefix("sha256:")
    assert version["Code"]["ImageUri"] == seeder.image_uri(GUARDED, "v1")
    assert version["Code"]["ResolvedImageUri"] == f"{repository}@{discover.digest('v1')}"


def test_a_lambda_image_that_does_not_exist_is_refused(stand_in: EcrStandIn, seeder: WorkloadSeeder) -> None:
    # given
    role = "arn:aws:iam::123456789012:role/stand-in-workloads"
    seeder.lambda_image_function("first", seeder.image_uri(GUARDED, "v1"))  # creates the role
    # when
    with pytest.raises(ClientError) as raised:
        stand_in.client("lambda").create_function(
            FunctionName="fn", Role=role, PackageType="Image", Code={"ImageUri": seeder.image_uri(GUARDED, "nope")}
        )
    # then
    assert error_of(raised)[0] == "InvalidParameterValueException"


def test_list_functions_answers_fifty_per_page(stand_in: EcrStandIn, seeder: WorkloadSeeder) -> None:
    # given
    for n in range(55):
        seeder.lambda_image_function(f"fn{n:02}", seeder.image_uri(GUARDED, "v1"))
    functions = stand_in.client("lambda")
    # when
    first = functions.list_functions()
    second = functions.list_functions(Marker=first["NextMarker"])
    # then
    assert (len(first["Functions"]), len(second["Functions"])) == (50, 5)
    assert "NextMarker" not in second


def test_describe_job_definitions_is_paged(stand_in: EcrStandIn, seeder: WorkloadSeeder) -> None:
    # given
    for n in range(3):
        seeder.batch_job_definition(f"job{n}", seeder.image_uri(GUARDED, "v1"))
    batch = stand_in.client("batch")
    # when
    pages: list[dict[str, Any]] = [batch.describe_job_definitions(status="ACTIVE", maxResults=2)]
    pages.append(batch.describe_job_definitions(status="ACTIVE", maxResults=2, nextToken=pages[0]["nextToken"]))
    # then
    assert [len(page["jobDefinitions"]) for page in pages] == [2, 1]


def test_updating_a_service_starts_a_primary_deployment_and_keeps_the_old_one_active(
    stand_in: EcrStandIn, seeder: WorkloadSeeder
) -> None:
    # given
    seeder.ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v1")])
    # when
    seeder.update_ecs_service("prod", "api", [seeder.image_uri(GUARDED, "v2")])
    # then
    (service,) = stand_in.client("ecs").describe_services(cluster="prod", services=["api"])["services"]
    assert [(d["status"], d["taskDefinition"].rsplit("/", 1)[-1]) for d in service["deployments"]] == [
        ("PRIMARY", "api:2"),
        ("ACTIVE", "api:1"),
    ]
