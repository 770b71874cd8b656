"""The rehearsal drives a synthesized guard through CloudFormation's requests against the stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver, SeedImage
from ecr_lifecycle_guard.local.rehearsal import Rehearsal, RehearsalError, SynthesizedStack, load_synthesized_stack

REPOSITORY = "small-app"
STACK = "RehearsalSmall"
UNTAGGED_AFTER_14_DAYS = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "expire untagged images after 14 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}
KEEP_NEWEST_TWO = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2},
                "action": {"type": "expire"},
            }
        ]
    }
)
KEEP_NEWEST_EIGHT = KEEP_NEWEST_TWO.replace('"countNumber": 2', '"countNumber": 8')
IMAGES = [
    *(SeedImage(pushed_days_ago=30 + i) for i in range(3)),
    *(SeedImage(tags=(f"v1.0.{i}",), pushed_days_ago=i) for i in range(7)),
]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedStack:
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr

    from ecr_lifecycle_guard import GuardedLifecyclePolicy

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, STACK)
    repository = ecr.Repository(stack, "Repo", repository_name=REPOSITORY)
    GuardedLifecyclePolicy(stack, "Guard", repository=repository, policy=UNTAGGED_AFTER_14_DAYS, max_expiring_images=5)
    app.synth()
    return load_synthesized_stack(outdir)


@pytest.fixture
def rehearsal(synthesized: SynthesizedStack) -> Iterator[tuple[Rehearsal, EcrStandIn]]:
    with EcrStandIn(preview_latency=0.1) as stand_in, ResponseReceiver() as receiver:
        rehearsal = Rehearsal(synthesized, stand_in, receiver)
        stand_in.create_repository(rehearsal.repository_name(rehearsal.guards[0]), images=IMAGES)
        yield rehearsal, stand_in


def test_guard_properties_are_resolved_and_sent_as_strings(rehearsal: tuple[Rehearsal, EcrStandIn]) -> None:
    # given
    running, _ = rehearsal
    guard = running.guards[0]

    # when
    properties = running.properties(guard)

    # then
    assert properties["RepositoryName"] == REPOSITORY
    assert properties["MaxExpiringImages"] == "5"
    assert properties["ServiceToken"].startswith("arn:aws:lambda:us-east-1:123456789012:function:")


def test_create_blocked_update_rollback_and_delete_leave_the_expected_policy(
    rehearsal: tuple[Rehearsal, EcrStandIn],
) -> None:
    # given
    running, _ = rehearsal
    guard = running.guards[0]

    # when
    create, update, rollback, delete = running.rehearse({guard: {"LifecyclePolicyText": KEEP_NEWEST_TWO}})

    # then
    assert (create.status, create.physical_id) == ("SUCCESS", f"123456789012/{REPOSITORY}")
    assert create.data["ExpiringImageCount"] == "3"
    assert create.live_policy is not None
    assert policies_equivalent(create.live_policy, json.dumps(UNTAGGED_AFTER_14_DAYS))
    assert update.status == "FAILED"
    assert "MaxExpiringImages: 8 images would expire, limit 5" in update.reason
    assert update.live_policy == create.live_policy
    assert (rollback.label, rollback.status, rollback.live_policy) == (
        "Update (rollback)",
        "SUCCESS",
        create.live_policy,
    )
    assert (delete.status, delete.live_policy) == ("SUCCESS", None)


def test_rollback_restores_the_previous_policy_without_a_preview(rehearsal: tuple[Rehearsal, EcrStandIn]) -> None:
    # given
    running, stand_in = rehearsal
    guard = running.guards[0]
    created = running.create(guard)
    applied = running.update(guard, {"LifecyclePolicyText": KEEP_NEWEST_EIGHT})
    previews_before = len(stand_in.calls("StartLifecyclePolicyPreview"))

    # when
    restored = running.rollback(guard)

    # then
    assert applied.status == "SUCCESS"
    assert applied.live_policy is not None
    assert policies_equivalent(applied.live_policy, KEEP_NEWEST_EIGHT)
    assert restored.status == "SUCCESS"
    assert restored.live_policy == created.live_policy
    assert len(stand_in.calls("StartLifecyclePolicyPreview")) == previews_before


def test_rollback_before_any_update_is_refused(rehearsal: tuple[Rehearsal, EcrStandIn]) -> None:
    # given
    running, _ = rehearsal
    guard = running.guards[0]
    running.create(guard)

    # when / then
    with pytest.raises(RehearsalError, match="nothing to roll back"):
        running.rollback(guard)


def test_a_folder_without_a_cloud_assembly_is_reported(tmp_path: Path) -> None:
    # when / then
    with pytest.raises(RehearsalError, match=r"manifest.json not found: run cdk synth first"):
        load_synthesized_stack(tmp_path)


def test_an_unknown_stack_name_lists_the_stacks_found(synthesized: SynthesizedStack) -> None:
    # when / then
    with pytest.raises(RehearsalError, match="expected stack 'Other', found none"):
        load_synthesized_stack(synthesized.cdk_out, "Other")
