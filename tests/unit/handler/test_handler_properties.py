"""What is handler-specific about a request (property parsing itself is the contract's, tested there)."""

from __future__ import annotations

from typing import Any

import pytest

from guard_handler.properties import account_of_arn, event_problem, partition_of_arn


def test_a_well_formed_event_has_no_problem(create_event: dict[str, Any]) -> None:
    # given / when / then
    assert event_problem(create_event) is None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"RequestType": "Remove"}, "malformed event: RequestType: must be Create, Update or Delete, got 'Remove'"),
        (
            {"ResponseURL": "http://x/?X-Amz-Signature=s"},
            "malformed event: ResponseURL: must be an https URL, got <redacted>",
        ),
        ({"StackId": None}, "malformed event: StackId: must be a stack ARN, got None"),
        ({"ResourceProperties": "x"}, "malformed event: ResourceProperties: must be an object, got 'x'"),
        (
            {"RequestType": "Delete"},
            "malformed event: PhysicalResourceId: must be the resource's physical id, got None",
        ),
    ],
)
def test_malformed_event_is_described(create_event: dict[str, Any], change: dict[str, Any], problem: str) -> None:
    # given
    event = {**create_event, **change}
    # when / then
    assert event_problem(event) == problem


def test_an_event_that_is_not_an_object_is_described() -> None:
    # given / when / then
    assert event_problem(["Create"]) == "malformed event: must be an object, got list"


@pytest.mark.parametrize(
    ("arn", "account", "partition"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:guard", "123456789012", "aws"),
        ("arn:aws-cn:lambda:cn-north-1:210987654321:function:guard", "210987654321", "aws-cn"),
        ("not-an-arn", "", "aws"),
    ],
)
def test_account_and_partition_come_from_the_function_arn(arn: str, account: str, partition: str) -> None:
    # given / when / then
    assert (account_of_arn(arn), partition_of_arn(arn)) == (account, partition)
