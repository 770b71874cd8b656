"""Rename and move rehearsed from real syntheses of two app versions (issue 8, cases 1 and 3).

* Rename: version 2 renames the guard. CloudFormation creates the new resource, then deletes the old
  one, both in the same stack: the rehearsal runs the union of both templates, as CloudFormation holds
  it during that update. The policy must stay live, owned by the new resource.
* Move: version 2 moves the guard to another stack. Its create is refused (naming the owner) until the
  documented hand-over is done in the first stack.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver, SeedImage
from ecr_lifecycle_guard.local.rehearsal import Rehearsal, SynthesizedStack, load_synthesized_stack

REPOSITORY = "rehearsed"
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
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
IMAGES = [*(SeedImage(pushed_days_ago=30 + i) for i in range(2)), SeedImage(tags=("v1",), pushed_days_ago=1)]


def synthesize(outdir: Path, stack_name: str, guard_id: str) -> SynthesizedStack:
    """One app version: ``stack_name`` holds the guard ``guard_id`` on repository ``rehearsed``."""
    import aws_cdk as cdk

    from ecr_lifecycle_guard import GuardedLifecyclePolicy

    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, stack_name)
    GuardedLifecyclePolicy(stack, guard_id, repository_name=REPOSITORY, policy=POLICY)
    app.synth()
    return load_synthesized_stack(outdir, stack_name=stack_name)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SynthesizedStack]:
    return {
        "v1": synthesize(tmp_path_factory.mktemp("v1"), "Images", "Guard"),
        "renamed": synthesize(tmp_path_factory.mktemp("renamed"), "Images", "LifecycleGuard"),
        "moved": synthesize(tmp_path_factory.mktemp("moved"), "Platform", "Guard"),
    }


@pytest.fixture
def aws() -> Iterator[tuple[EcrStandIn, ResponseReceiver]]:
    with EcrStandIn(preview_latency=0.1) as ecr, ResponseReceiver() as receiver:
        ecr.create_repository(REPOSITORY, images=IMAGES)
        yield ecr, receiver


def owner_tag(ecr: EcrStandIn) -> str | None:
    arn = f"arn:aws:ecr:{ecr.region}:{ecr.account_id}:repository/{REPOSITORY}"
    tags = ecr.client("ecr").list_tags_for_resource(resourceArn=arn)["tags"]
    return next((t["Value"] for t in tags if t["Key"] == "ecr-lifecycle-guard:owner"), None)


def test_renaming_the_guard_keeps_the_policy_and_hands_ownership_to_the_new_resource(
    versions: dict[str, SynthesizedStack], aws: tuple[EcrStandIn, ResponseReceiver]
) -> None:
    # given: version 1 deployed; CloudFormation now holds the old and the renamed guard in one stack
    ecr, receiver = aws
    v1, renamed = versions["v1"], versions["renamed"]
    [old], [new] = v1.guards, renamed.guards
    during_update = dataclasses.replace(
        renamed, template={**renamed.template, "Resources": {**renamed.resources, old: v1.resources[old]}}
    )
    rehearsal = Rehearsal(during_update, ecr, receiver)
    deployed = rehearsal.create(old)
    # when: create the replacement, then delete the old resource
    created = rehearsal.create(new)
    deleted = rehearsal.delete(old)
    # then
    assert (deployed.status, created.status, deleted.status) == ("SUCCESS", "SUCCESS", "SUCCESS")
    assert created.data["PreviewStatus"] == "SKIPPED_UNCHANGED"
    assert deleted.live_policy is not None
    assert policies_equivalent(deleted.live_policy, POLICY)
    assert owner_tag(ecr) == f"Images/{new}"


def test_moving_the_guard_to_another_stack_is_refused_until_handed_over(
    versions: dict[str, SynthesizedStack], aws: tuple[EcrStandIn, ResponseReceiver]
) -> None:
    # given: version 1 deployed in stack Images
    ecr, receiver = aws
    first, second = Rehearsal(versions["v1"], ecr, receiver), Rehearsal(versions["moved"], ecr, receiver)
    [guard] = first.guards
    [moved] = second.guards
    first.create(guard)
    # when
    refused = second.create(moved)
    handed = [first.update(guard, {"OnDelete": "retain"}), first.delete(guard)]
    taken = second.create(moved)
    # then
    assert refused.status == "FAILED"
    assert refused.reason.startswith(f"owned by resource {guard} of stack Images; to hand over: set removal_policy")
    assert refused.live_policy is not None
    assert policies_equivalent(refused.live_policy, POLICY)
    assert [step.status for step in handed] == ["SUCCESS", "SUCCESS"]
    assert taken.status == "SUCCESS"
    assert taken.live_policy is not None
    assert policies_equivalent(taken.live_policy, POLICY)
    assert owner_tag(ecr) == f"Platform/{moved}"
