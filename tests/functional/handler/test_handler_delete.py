"""Delete end to end: remove only the policy this resource owns, then release the ownership; anything gone is
success."""

from __future__ import annotations

import pytest
from handler_harness import CREATE_POLICY, HAND_MADE_POLICY, Harness

from ecr_lifecycle_guard.engine import canonical_policy_text


def test_delete_removes_the_policy_this_resource_put_and_releases_ownership(harness: Harness) -> None:
    # given
    created = harness.invoke(harness.event("create"))
    # when
    result = harness.invoke(harness.event("delete", PhysicalResourceId=created.physical_id))
    # then
    assert result.status == "SUCCESS"
    assert result.physical_id == "123456789012/app"
    assert harness.state() == (None, None)


def test_delete_keeps_a_policy_changed_out_of_band_and_releases_ownership(harness: Harness) -> None:
    # given
    harness.invoke(harness.event("create"))
    harness.put_policy(HAND_MADE_POLICY)
    # when
    result = harness.invoke(harness.event("delete"))
    # then
    assert result.status == "SUCCESS"
    assert harness.state() == (HAND_MADE_POLICY, None)


def test_delete_with_on_delete_retain_keeps_the_policy_and_releases_ownership(harness: Harness) -> None:
    # given
    harness.invoke(harness.event("create", properties={"OnDelete": "retain"}))
    # when
    result = harness.invoke(harness.event("delete", properties={"OnDelete": "retain"}))
    # then
    assert result.status == "SUCCESS"
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), None)


def test_delete_of_a_legacy_resource_without_owner_tag_leaves_the_policy(harness: Harness) -> None:
    # given: a policy put by a version of the guard that wrote no owner tag
    harness.put_policy(canonical_policy_text(CREATE_POLICY))
    # when
    result = harness.invoke(harness.event("delete"))
    # then
    assert result.status == "SUCCESS"
    assert harness.state() == (canonical_policy_text(CREATE_POLICY), None)
    assert "no owner tag (created before ownership tags, or the tag was removed)" in result.run.logs


def test_delete_succeeds_when_the_policy_is_gone(harness: Harness) -> None:
    # given / when
    result = harness.invoke(harness.event("delete"))
    # then
    assert result.status == "SUCCESS"
    assert harness.ecr.calls("DeleteLifecyclePolicy") == []
    assert harness.state() == (None, None)


@pytest.mark.parametrize("repository", ["gone", "never-existed"])
def test_delete_succeeds_when_the_repository_is_gone(harness: Harness, repository: str) -> None:
    # given
    properties = {"RepositoryName": repository}
    if repository == "gone":
        harness.ecr.create_repository("gone")
        harness.invoke(harness.event("create", properties=properties))
        harness.ecr.client("ecr").delete_repository(repositoryName=repository, force=True)
    event = harness.event("delete", PhysicalResourceId=f"123456789012/{repository}", properties=properties)
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "SUCCESS"
    assert result.physical_id == f"123456789012/{repository}"
