"""DescribeRepositories pages like ECR: 100 per page by default, maxResults up to 1,000, nextToken."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecr_lifecycle_guard.local import EcrStandIn

NAMES = [f"fleet/app-{n:04}" for n in range(250)]


@pytest.fixture
def fleet(stand_in: EcrStandIn) -> EcrStandIn:
    stand_in.create_repositories(reversed(NAMES))
    return stand_in


def test_without_max_results_a_page_holds_100_repositories(fleet: EcrStandIn, ecr: Any) -> None:
    # given: 250 repositories
    # when
    page = ecr.describe_repositories()
    # then
    assert [repo["repositoryName"] for repo in page["repositories"]] == NAMES[:100]
    assert "nextToken" in page


def test_the_paginator_lists_every_repository_once_in_name_order(fleet: EcrStandIn, ecr: Any) -> None:
    # given
    paginator = ecr.get_paginator("describe_repositories")
    # when
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 60}))
    # then
    assert [len(page["repositories"]) for page in pages] == [60, 60, 60, 60, 10]
    assert [repo["repositoryName"] for page in pages for repo in page["repositories"]] == NAMES
    assert "nextToken" not in pages[-1]


def test_max_results_1000_returns_everything_in_one_page(fleet: EcrStandIn, ecr: Any) -> None:
    # given: 250 repositories
    # when
    page = ecr.describe_repositories(maxResults=1000)
    # then
    assert (len(page["repositories"]), "nextToken" in page) == (250, False)


def test_repositories_created_while_paging_do_not_shift_the_pages(fleet: EcrStandIn, ecr: Any) -> None:
    # given
    first = ecr.describe_repositories(maxResults=100)
    # when
    fleet.create_repositories(["aaa/first-by-name"])
    second = ecr.describe_repositories(maxResults=100, nextToken=first["nextToken"])
    # then
    assert [repo["repositoryName"] for repo in second["repositories"]] == NAMES[100:200]


def test_named_repositories_are_described_without_paging(fleet: EcrStandIn, ecr: Any) -> None:
    # given
    wanted = [NAMES[7], NAMES[3]]
    # when
    page = ecr.describe_repositories(repositoryNames=wanted)
    # then
    assert sorted(repo["repositoryName"] for repo in page["repositories"]) == sorted(wanted)
    assert "nextToken" not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"repositoryNames": ["fleet/app-0001"], "maxResults": 5},
            "Invalid parameter at 'maxResults' failed to satisfy constraint: "
            "'cannot be used together with repositoryNames'",
        ),
        (
            {"nextToken": "bm90LW91cnM="},
            "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid pagination token'",
        ),
    ],
)
def test_invalid_paging_is_an_invalid_parameter(
    fleet: EcrStandIn, ecr: Any, params: dict[str, Any], message: str
) -> None:
    # given: 250 repositories
    # when
    with pytest.raises(ClientError) as caught:
        ecr.describe_repositories(**params)
    # then
    assert caught.value.response["Error"] == {"Code": "InvalidParameterException", "Message": message}
