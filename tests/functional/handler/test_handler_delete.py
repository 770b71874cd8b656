"""Delete end to end: remove only the policy this resource manages; anything already gone is success."""

from __future__ import annotations

import pytest
from handler_harness import CREATE_POLICY, HAND_MADE_POLICY, Harness

from ecr_lifecycle_guard.engine import canonical_policy_text


def test_delete_removes_the_policy_this_resource_put(harness: Harness) -> None:
    # given
    created = harness.invoke(harness.event("create"))
    # when
    result = harness.invoke(harness.event("delete", PhysicalResourceId=created.physical_id))
    # then
    assert result.status == "SUCCESS"
    assert result.physical_id == "123456789012/app"
    assert harness.live_policy() is None


def test_delete_keeps_a_policy_changed_out_of_band(harness: Harness) -> None:
    # given
    harness.put_policy(HAND_MADE_POLICY)
    # when
    result = harness.invoke(harness.event("delete"))
    # then
    assert result.status == "SUCCESS"
    assert harness.live_policy() == HAND_MADE_POLICY


def test_delete_with_on_delete_retain_keeps_the_policy(harness: Harness) -> None:
    # given
    harness.put_policy(canonical_policy_text(CREATE_POLICY))
    # when
    result = harness.invoke(harness.event("delete", properties={"OnDelete": "retain"}))
    # then
    assert result.status == "SUCCESS"
    assert harness.live_policy() == canonical_policy_text(CREATE_POLICY)


def test_delete_succeeds_when_the_policy_is_gone(harness: Harness) -> None:
    # given / when
    result = harness.invoke(harness.event("delete"))
    # then
    assert result.status == "SUCCESS"
    assert harness.ecr.calls("DeleteLifecyclePolicy") == []


@pytest.mark.parametrize("repository", ["gone", "never-existed"])
def test_delete_succeeds_when_the_repository_is_gone(harness: Harness, repository: str) -> None:
    # given
    if repository == "gone":
        harness.ecr.create_repository("gone")
        harness.put_policy(canonical_policy_text(CREATE_POLICY), repository)
        harness.ecr.client("ecr").delete_repository(repositoryName=repository, force=True)
    event = harness.event(
        "delete", PhysicalResourceId=f"123456789012/{repository}", properties={"RepositoryName": repository}
    )
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "SUCCESS"
    assert result.physical_id == f"123456789012/{repository}"
