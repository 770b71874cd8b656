"""Repository tags over HTTP: TagResource / UntagResource / ListTagsForResource with ECR's limits."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecr_lifecycle_guard.local import EcrStandIn

OWNER = "ecr-lifecycle-guard:owner"


def _code(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


@pytest.mark.parametrize("name", ["app", "team/app", "org/team/app-1"])
def test_tags_round_trip_on_flat_and_nested_repository_names(stand_in: EcrStandIn, ecr: Any, name: str) -> None:
    # given
    arn = stand_in.create_repository(name)
    # when
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": OWNER, "Value": "Stack/Guard"}, {"Key": "team", "Value": "a"}])
    ecr.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    # then
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": OWNER, "Value": "Stack/Guard"}]


def test_tagging_an_existing_key_replaces_its_value(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    arn = stand_in.create_repository("team/app", tags={OWNER: "StackA/Guard"})
    # when
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": OWNER, "Value": "StackB/Guard"}])
    # then
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": OWNER, "Value": "StackB/Guard"}]


def test_tags_of_one_repository_do_not_show_on_a_nested_sibling(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    parent, child = stand_in.create_repositories(["team", "team/app"])
    # when
    ecr.tag_resource(resourceArn=parent, tags=[{"Key": OWNER, "Value": "x"}])
    # then
    assert ecr.list_tags_for_resource(resourceArn=child)["tags"] == []


def test_more_than_fifty_tags_is_too_many_tags(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    arn = stand_in.create_repository("app", tags={f"k{n}": "v" for n in range(49)})
    # when
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "k0", "Value": "again"}, {"Key": "k49", "Value": "v"}])
    error = _code(lambda: ecr.tag_resource(resourceArn=arn, tags=[{"Key": "k50", "Value": "v"}]))
    # then
    assert error == (
        "TooManyTagsException",
        "The list of tags on the repository is over the limit. The maximum number of tags that can be applied "
        "to a repository is 50, the request would leave 51",
    )
    assert len(ecr.list_tags_for_resource(resourceArn=arn)["tags"]) == 50


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ({"Key": "k" * 129, "Value": "v"}, "Invalid tag at tags[0].Key: must be 1 to 128 characters, got 129"),
        ({"Key": "k", "Value": "v" * 257}, "Invalid tag at tags[0].Value: must be at most 256 characters, got 257"),
        (
            {"Key": "AWS:owner", "Value": "v"},
            "Invalid tag at tags[0].Key: must not start with 'aws:' (reserved for AWS), got 'AWS:owner'",
        ),
    ],
)
def test_invalid_tags_are_invalid_tag_parameter(
    stand_in: EcrStandIn, ecr: Any, tag: dict[str, str], message: str
) -> None:
    # given
    arn = stand_in.create_repository("app")
    # when
    error = _code(lambda: ecr.tag_resource(resourceArn=arn, tags=[tag]))
    # then
    assert error == ("InvalidTagParameterException", message)
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_longest_key_and_value_are_accepted(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    arn = stand_in.create_repository("app")
    # when
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    # then
    assert len(ecr.list_tags_for_resource(resourceArn=arn)["tags"]) == 1


def test_a_repository_arn_of_another_region_is_an_invalid_parameter(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    arn = stand_in.create_repository("team/app")
    elsewhere = arn.replace(":us-east-1:", ":eu-west-1:")
    # when
    error = _code(lambda: ecr.list_tags_for_resource(resourceArn=elsewhere))
    # then
    assert error == (
        "InvalidParameterException",
        f"Invalid parameter at 'resourceArn' failed to satisfy constraint: 'must be a repository in us-east-1, "
        f"got {elsewhere}'",
    )


def test_a_missing_repository_is_repository_not_found(stand_in: EcrStandIn, ecr: Any) -> None:
    # given: no repository
    # when
    error = _code(
        lambda: ecr.tag_resource(
            resourceArn="arn:aws:ecr:us-east-1:123456789012:repository/team/none", tags=[{"Key": "k", "Value": "v"}]
        )
    )
    # then
    assert error[0] == "RepositoryNotFoundException"
