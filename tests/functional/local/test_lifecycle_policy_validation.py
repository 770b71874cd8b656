"""PutLifecyclePolicy and StartLifecyclePolicyPreview validate with the project's engine (spec §2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from stand_in_helpers import REPO, archive_older_than, keep_newest

from ecr_lifecycle_guard.local import EcrStandIn

ERROR_PREFIX = (
    "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: "
)
#: tagged without a tag list: moto's own validator accepts it, ECR does not (V7).
TAGGED_WITHOUT_LIST = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "tagged images without any tag list at all",
                "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 3},
                "action": {"type": "expire"},
            }
        ]
    }
)


@pytest.mark.parametrize("operation", ["put_lifecycle_policy", "start_lifecycle_policy_preview"])
def test_invalid_policy_is_rejected_with_ecrs_wire_shape_naming_the_check(
    stand_in: EcrStandIn, ecr: Any, operation: str
) -> None:
    # given
    stand_in.create_repository(REPO)
    # when
    with pytest.raises(ClientError) as caught:
        getattr(ecr, operation)(repositoryName=REPO, lifecyclePolicyText=TAGGED_WITHOUT_LIST)
    # then
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"].startswith(ERROR_PREFIX)
    assert error["Message"].endswith("[V7]'")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_rejected_policy_leaves_the_attached_policy_unchanged(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    stand_in.create_repository(REPO)
    ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # when
    with pytest.raises(ClientError):
        ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=TAGGED_WITHOUT_LIST)
    # then
    assert ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"] == keep_newest(3)


def test_archive_policy_is_accepted_by_put_and_stored_as_given(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    stand_in.create_repository(REPO)
    policy = archive_older_than(30)
    # when
    answer = ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=policy)
    # then
    assert answer["lifecyclePolicyText"] == policy
    assert ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"] == policy


def test_put_on_a_missing_repository_is_repository_not_found(stand_in: EcrStandIn, ecr: Any) -> None:
    # given: no repository
    # when
    with pytest.raises(ClientError) as caught:
        ecr.put_lifecycle_policy(repositoryName="missing", lifecyclePolicyText=keep_newest(3))
    # then
    assert caught.value.response["Error"]["Code"] == "RepositoryNotFoundException"
