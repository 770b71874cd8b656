"""Delete over an in-memory ECR: only an owned policy is removed (or restored), and FAILED means unchanged."""

from __future__ import annotations

import pytest
from fake_ecr import ACCOUNT, CREATE_POLICY, OTHER_POLICY, REPOSITORY, World, canonical, event, owner_value

from ecr_lifecycle_guard.contract import failed_create_marker


@pytest.fixture
def world() -> World:
    return World()


def test_delete_removes_the_owned_policy_and_releases_ownership(world: World) -> None:
    # given
    world.handle(event("create"))
    world.ecr.calls.clear()
    # when
    outcome = world.handle(event("delete"))
    # then
    assert (outcome.status, outcome.physical_id) == ("SUCCESS", f"{ACCOUNT}/{REPOSITORY}")
    assert world.ecr.writes() == ["UntagResource", "DeleteLifecyclePolicy"]
    assert (world.ecr.policies.get(REPOSITORY), world.ecr.owner()) == (None, None)


def test_delete_puts_the_restore_policy_instead_of_deleting(world: World) -> None:
    # given
    restore = {"RestorePolicyText": OTHER_POLICY}
    world.handle(event("create", properties=restore))
    # when
    world.handle(event("delete", properties=restore))
    # then
    assert (world.ecr.policies[REPOSITORY], world.ecr.owner()) == (canonical(OTHER_POLICY), None)


def test_a_failed_delete_puts_the_owner_tag_back(world: World) -> None:
    # given
    world.handle(event("create"))
    world.ecr.fail("DeleteLifecyclePolicy", "AccessDeniedException")
    # when
    outcome = world.handle(event("delete"))
    # then
    assert outcome.status == "FAILED"
    assert (world.ecr.policies[REPOSITORY], world.ecr.owner()) == (canonical(CREATE_POLICY), owner_value())


@pytest.mark.parametrize(
    ("setup", "delete"),
    [
        ("owned", event("delete", PhysicalResourceId=failed_create_marker("r-1"))),
        ("owned", event("delete", PhysicalResourceId="guarded_Guard_ABCDEFGH")),
        ("owned", event("delete", properties={"MaxExpiringImages": "lots"})),
        ("owned", event("delete", properties={"PreviewOnly": "true"})),
        ("owned", event("delete", logical_id="OtherGuard")),
        ("owned", event("delete", stack="other")),
        ("legacy", event("delete")),
    ],
    ids=["failed-create-marker", "foreign-id", "unreadable", "preview-only", "renamed", "other-stack", "legacy"],
)
def test_delete_leaves_policy_and_tag_when_this_resource_does_not_own_them(
    world: World, setup: str, delete: dict[str, object]
) -> None:
    # given
    if setup == "owned":
        world.handle(event("create"))
    else:
        world.ecr.policies[REPOSITORY] = canonical(CREATE_POLICY)
    before = (dict(world.ecr.policies), world.ecr.owner())
    # when
    outcome = world.handle(delete)  # type: ignore[arg-type]
    # then
    assert (outcome.status, outcome.physical_id) == ("SUCCESS", delete["PhysicalResourceId"])
    assert (dict(world.ecr.policies), world.ecr.owner()) == before


@pytest.mark.parametrize("change", ["retain", "out-of-band"])
def test_delete_of_an_owned_repository_that_must_keep_its_policy_only_releases_ownership(
    world: World, change: str
) -> None:
    # given
    world.handle(event("create"))
    if change == "out-of-band":
        world.ecr.policies[REPOSITORY] = OTHER_POLICY
    properties = {"OnDelete": "retain"} if change == "retain" else {}
    # when
    outcome = world.handle(event("delete", properties=properties))
    # then
    assert outcome.status == "SUCCESS"
    assert world.ecr.owner() is None
    assert REPOSITORY in world.ecr.policies


@pytest.mark.parametrize("kind", ["create", "delete"])
def test_a_replayed_request_is_harmless(world: World, kind: str) -> None:
    # given
    world.handle(event("create"))
    request = event(kind)
    first = world.handle(request)
    state = (dict(world.ecr.policies), world.ecr.owner())
    # when
    again = world.handle(request)
    # then
    assert (first.status, again.status) == ("SUCCESS", "SUCCESS")
    assert (dict(world.ecr.policies), world.ecr.owner()) == state


def test_delete_succeeds_when_the_repository_is_gone(world: World) -> None:
    # given
    world.ecr.repositories.clear()
    # when
    outcome = world.handle(event("delete"))
    # then
    assert outcome.status == "SUCCESS"
