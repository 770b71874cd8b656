"""In-use protection end to end (issue 10, "How it is checked"): the real handler, over real HTTP, against the
stand-in's moto workloads (ECS services and tasks, Lambda image functions, Batch job definitions, an assumed
role into a workload account).

Every test checks the answer CloudFormation got and the live policy and owner tag in ECR afterwards: a
blocked deploy leaves both exactly as they were."""

from __future__ import annotations

from typing import Any

import pytest
from handler_harness import (
    ARCHIVE_POLICY,
    CREATE_POLICY,
    HAND_MADE_POLICY,
    OLD_IMAGES_POLICY,
    Harness,
    Invocation,
    policy,
    rule,
)

from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.local import SeedImage
from ecr_lifecycle_guard.local.workloads import WorkloadSeeder

#: The owner tag of the events' resource: stack ``guarded``, logical id ``Guard``.
OWNER = "guarded/Guard"
#: The policy the guard deployed before any workload ran: keep everything for 10 years (expires nothing).
KEEP_ALL = policy(rule(1, "any", 3650))
WORKLOAD_ACCOUNT = "111111111111"
READER_ROLE = f"arn:aws:iam::{WORKLOAD_ACCOUNT}:role/ecr-in-use-reader"
#: The events' PreviewTimeoutSeconds, and the function's timeout the construct derives from it (+60 s).
PREVIEW_TIMEOUT = 60.0
LAMBDA_TIMEOUT = PREVIEW_TIMEOUT + 60.0


@pytest.fixture
def seeder(harness: Harness) -> WorkloadSeeder:
    return WorkloadSeeder(harness.ecr)


def deploy_keep_all(harness: Harness) -> tuple[str | None, str | None]:
    """Create the guard with :data:`KEEP_ALL` (nothing in use yet); the live state it leaves."""
    created = harness.invoke(harness.event("create", properties={"LifecyclePolicyText": KEEP_ALL}))
    assert created.status == "SUCCESS", created.reason
    state = harness.state()
    assert state == (canonical_policy_text(KEEP_ALL), OWNER)
    return state


def update(harness: Harness, policy_text: str, **properties: Any) -> Invocation:
    """Send the update to ``policy_text`` (with further ``properties``) and return its outcome."""
    return harness.invoke(harness.event("update", properties={"LifecyclePolicyText": policy_text, **properties}))


def digest(harness: Harness, tag: str, repository: str = "app") -> str:
    """The digest ``tag`` names now."""
    images = harness.ecr.client("ecr").describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    return str(images["imageDetails"][0]["imageDigest"])


def short(image_digest: str) -> str:
    """A digest as the reason shows it: ``sha256:`` and 12 hex digits."""
    return image_digest[: len("sha256:") + 12]


def in_use_hits(result: Invocation) -> list[tuple[str, dict[str, Any]]]:
    """The log lines listing an in-use image the preview would act on: (message, details)."""
    return [(r["message"], r["details"]) for r in result.log_records if str(r["message"]).startswith("in use:")]


def test_an_update_expiring_the_tag_an_ecs_service_runs_is_blocked_and_the_policy_stays(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given
    before = deploy_keep_all(harness)
    seeder.ecs_service("prod", "api", [seeder.image_uri("app", "release-1")])
    release = digest(harness, "release-1")
    # when
    result = update(harness, OLD_IMAGES_POLICY)
    # then
    assert result.status == "FAILED", result.reason
    assert result.reason.startswith(
        f"blocked by InUse: image 'release-1' ({short(release)}) (expire) used by ECS service prod/api"
        " (task definition api:1) (repository 'app'); details in log, request "
    ), result.reason
    assert len(result.reason) <= 200
    assert result.physical_id == "123456789012/app"
    assert harness.state() == before


def test_a_create_expiring_the_digest_an_ecs_service_pins_is_blocked_and_no_policy_is_put(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given an untagged image, 20 days old, that a service runs by digest
    (pinned,) = harness.ecr.add_images("app", [SeedImage(pushed_days_ago=20)])
    seeder.ecs_service("prod", "worker", [seeder.image_uri("app", digest=pinned)])
    create = harness.event("create", properties={"LifecyclePolicyText": CREATE_POLICY})
    # when
    result = harness.invoke(create)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(
        f"blocked by InUse: image {short(pinned)} (expire) used by ECS service prod/worker (task definition worker:1)"
    )
    assert result.physical_id == f"ecr-lifecycle-guard:failed-create:{create['RequestId']}"
    assert harness.state() == (None, None)


def test_running_tasks_keep_the_old_image_in_use_after_their_tag_moved(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given the service's tasks started on release-1; then release-1 was pushed again (the old image is untagged)
    before = deploy_keep_all(harness)
    old = digest(harness, "release-1")
    seeded = seeder.ecs_service("prod", "api", [seeder.image_uri("app", "release-1")], tasks=2)
    harness.ecr.add_images("app", [SeedImage(tags=("release-1",))])
    assert digest(harness, "release-1") != old
    # when the policy would expire the old (now untagged, 40 days old) image
    result = update(harness, OLD_IMAGES_POLICY)
    # then
    task_ids = {arn.rsplit("/", 1)[-1] for arn in seeded.task_arns}
    assert result.status == "FAILED"
    assert result.reason.startswith(f"blocked by InUse: image {short(old)} (expire) used by ECS task prod/")
    named_task = result.reason.removeprefix(f"blocked by InUse: image {short(old)} (expire) used by ECS task prod/")
    assert named_task.split(" ", 1)[0] in task_ids
    assert harness.state() == before


def test_a_lambda_version_behind_an_alias_blocks_expiring_its_image(harness: Harness, seeder: WorkloadSeeder) -> None:
    # given version 1 (alias live) was published on release-1; $LATEST has moved on to v2
    before = deploy_keep_all(harness)
    seeder.lambda_image_function(
        "api-fn", seeder.image_uri("app", "v2"), versions=[seeder.image_uri("app", "release-1")], alias="live"
    )
    release = digest(harness, "release-1")
    # when
    result = update(harness, OLD_IMAGES_POLICY)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(
        f"blocked by InUse: image 'release-1' ({short(release)}) (expire) used by Lambda function api-fn:live"
        " (version 1) (repository 'app'); details in log, request "
    )
    assert harness.state() == before


def test_an_active_batch_job_definition_blocks_a_create_over_a_hand_made_policy(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given
    harness.put_policy(HAND_MADE_POLICY)
    seeder.batch_job_definition("etl", seeder.image_uri("app", "release-1"))
    release = digest(harness, "release-1")
    # when
    result = harness.invoke(harness.event("create", properties={"LifecyclePolicyText": OLD_IMAGES_POLICY}))
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(
        f"blocked by InUse: image 'release-1' ({short(release)}) (expire) used by Batch job definition etl:1"
        " (repository 'app'); details in log, request "
    )
    assert harness.state() == (HAND_MADE_POLICY, None)


def test_an_archive_rule_hitting_an_in_use_image_is_blocked(harness: Harness, seeder: WorkloadSeeder) -> None:
    # given
    before = deploy_keep_all(harness)
    seeder.ecs_service("prod", "api", [seeder.image_uri("app", "release-1")])
    release = digest(harness, "release-1")
    # when everything older than 20 days would move to archive (archived images cannot be pulled)
    result = update(harness, ARCHIVE_POLICY)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(
        f"blocked by InUse: image 'release-1' ({short(release)}) (transition) used by ECS service prod/api"
    )
    assert len(result.reason) <= 200  # the rest of the workload's text may be cut: the log has it whole
    assert harness.state() == before


def test_the_same_tag_in_another_repository_is_not_in_use_here_and_the_update_applies(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given every workload runs release-1 of repository 'other', not of 'app'
    deploy_keep_all(harness)
    harness.ecr.create_repository("other", images=[SeedImage(tags=("release-1",), pushed_days_ago=40)])
    seeder.ecs_service("prod", "web", [seeder.image_uri("other", "release-1")], tasks=1)
    seeder.lambda_image_function("other-fn", seeder.image_uri("other", "release-1"))
    seeder.batch_job_definition("other-job", seeder.image_uri("other", "release-1"))
    # when
    result = update(harness, OLD_IMAGES_POLICY)
    # then
    assert result.status == "SUCCESS", result.reason
    assert result.response is not None
    assert result.response["Data"]["InUseImageCount"] == "0"
    assert result.response["Data"]["ExpiringImageCount"] == "4"
    assert harness.state() == (canonical_policy_text(OLD_IMAGES_POLICY), OWNER)
    assert harness.live_policy("other") is None


def test_an_in_use_image_the_policy_keeps_does_not_block(harness: Harness, seeder: WorkloadSeeder) -> None:
    # given the workloads run v2 (2 days old), which the policy keeps
    deploy_keep_all(harness)
    seeder.ecs_service("prod", "api", [seeder.image_uri("app", "v2")], tasks=1)
    seeder.batch_job_definition("etl", seeder.image_uri("app", "v2"))
    # when
    result = update(harness, OLD_IMAGES_POLICY)
    # then
    assert result.status == "SUCCESS", result.reason
    assert result.response is not None
    assert result.response["Data"]["InUseImageCount"] == "1"
    assert result.response["Data"]["ExpiringImageCount"] == "4"
    assert harness.state() == (canonical_policy_text(OLD_IMAGES_POLICY), OWNER)
    assert in_use_hits(result) == []


def test_protect_in_use_false_applies_the_policy_without_looking_for_workloads(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given
    deploy_keep_all(harness)
    seeder.ecs_service("prod", "api", [seeder.image_uri("app", "release-1")], tasks=1)
    calls_before = len(harness.ecr.calls())
    # when
    result = update(harness, OLD_IMAGES_POLICY, ProtectInUse="false")
    # then
    assert result.status == "SUCCESS", result.reason
    assert result.response is not None
    assert result.response["Data"] == {
        "ExpiringImageCount": "4",
        "TransitioningImageCount": "0",
        "InUseImageCount": "n/a",
        "PolicyApplied": "true",
        "PreviewStatus": "COMPLETE",
    }
    assert harness.state() == (canonical_policy_text(OLD_IMAGES_POLICY), OWNER)
    calls = harness.ecr.calls()[calls_before:]
    assert [call.action for call in calls if call.service in ("ecs", "lambda", "batch", "sts")] == []
    assert [call.operation for call in calls if call.operation == "StartLifecyclePolicyPreview"] != []


def test_a_source_that_cannot_be_listed_blocks_naming_it_and_the_policy_stays(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given an update that nothing in use stands in the way of, but ECS refuses to list clusters
    before = deploy_keep_all(harness)
    seeder.ecs_service("prod", "api", [seeder.image_uri("app", "v2")], tasks=1)
    harness.ecr.faults.deny("ecs:ListClusters")
    # when
    denied = update(harness, OLD_IMAGES_POLICY)
    state_after_denied = harness.state()
    harness.ecr.faults.clear()
    allowed = update(harness, OLD_IMAGES_POLICY)
    # then
    assert denied.status == "FAILED"
    assert denied.reason.startswith(
        "blocked by InUse: cannot list ECS tasks in 123456789012/us-east-1: AccessDeniedException (+1 more)"
        " (repository 'app'); details in log, request "
    )
    (gate,) = [r for r in denied.log_records if r["message"].startswith("the gate blocked")]
    assert gate["details"]["violations"] == [
        "InUse: cannot list ECS tasks in 123456789012/us-east-1: AccessDeniedException",
        "InUse: cannot list ECS services in 123456789012/us-east-1: AccessDeniedException",
    ]
    assert state_after_denied == before
    assert allowed.status == "SUCCESS", allowed.reason
    assert harness.state() == (canonical_policy_text(OLD_IMAGES_POLICY), OWNER)


def test_a_workload_in_another_account_found_through_an_assumed_role_blocks(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given a service in the workload account runs release-1 of the guarded repository
    before = deploy_keep_all(harness)
    seeder.for_account(WORKLOAD_ACCOUNT).ecs_service("shop", "cart", [seeder.image_uri("app", "release-1")])
    release = digest(harness, "release-1")
    # when
    result = update(harness, OLD_IMAGES_POLICY, InUseRoleArns=[READER_ROLE])
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(
        f"blocked by InUse: image 'release-1' ({short(release)}) (expire) used by ECS service shop/cart"
    )
    assert len(result.reason) <= 200
    assert [call.params.get("RoleArn") for call in harness.ecr.calls("AssumeRole")] == [READER_ROLE]
    assert harness.state() == before


def test_the_log_lists_every_in_use_hit_with_the_rule_that_would_act_on_it(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given release-1 (rule 1 would expire it) runs in a service, an untagged image (rule 2) in a function
    before = deploy_keep_all(harness)
    (untagged,) = harness.ecr.add_images("app", [SeedImage(pushed_days_ago=20)])
    seeder.ecs_service("prod", "api", [seeder.image_uri("app", "release-1")])
    seeder.lambda_image_function("jobs", seeder.image_uri("app", digest=untagged))
    release = digest(harness, "release-1")
    two_rules = policy(rule(1, "tagged", 14, tagPatternList=["release-*"]), rule(2, "untagged", 14))
    # when
    result = update(harness, two_rules)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(
        f"blocked by InUse: image 'release-1' ({short(release)}) (expire) used by ECS service prod/api"
    )
    hits = sorted(in_use_hits(result), key=lambda hit: hit[1]["rule_priority"])
    assert [(message, details["rule_priority"], details["workloads"]) for message, details in hits] == [
        (f"in use: rule 1 would expire image {release}", 1, ["ECS service prod/api (task definition api:1)"]),
        (f"in use: rule 2 would expire image {untagged}", 2, ["Lambda function jobs ($LATEST)"]),
    ]
    assert harness.state() == before


def test_fifty_clusters_of_forty_services_are_discovered_and_answered_within_the_lambda_timeout(
    harness: Harness, seeder: WorkloadSeeder
) -> None:
    # given 50 clusters (tenants) running the same 40 services on v2 (kept), one task each, and in the last
    # tenant one more service still on release-1 (which the policy would expire)
    before = deploy_keep_all(harness)
    shared = [seeder.ecs_task_definition(f"svc{n}", [seeder.image_uri("app", "v2")]) for n in range(40)]
    for cluster in range(50):
        for n, definition in enumerate(shared[:-1] if cluster == 49 else shared):
            seeder.ecs_service(f"tenant{cluster}", f"svc{n}", [], task_definition=definition, tasks=1)
    seeder.ecs_service("tenant49", "svc39", [seeder.image_uri("app", "release-1")], family="legacy", tasks=1)
    release = digest(harness, "release-1")
    # when
    result = harness.invoke(
        harness.event("update", properties={"LifecyclePolicyText": OLD_IMAGES_POLICY}), timeout_seconds=LAMBDA_TIMEOUT
    )
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(
        f"blocked by InUse: image 'release-1' ({short(release)}) (expire) used by ECS service tenant49/svc39"
    )
    assert not result.run.timed_out
    assert result.run.duration_seconds < LAMBDA_TIMEOUT
    (gate,) = [r for r in result.log_records if r["message"].startswith("the gate blocked")]
    counts = {entry["digest"]: entry["count"] for entry in gate["details"]["in_use"]["images"]}
    assert counts == {digest(harness, "v2"): 2 * (50 * 40 - 1), release: 2}
    assert gate["details"]["in_use"]["failures"] == []
    assert gate["details"]["in_use"]["seconds"] < PREVIEW_TIMEOUT
    assert harness.state() == before
