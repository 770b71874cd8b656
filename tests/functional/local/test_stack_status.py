"""The stand-in's CloudFormation: a real moto stack whose status DescribeStacks reports as set."""

from __future__ import annotations

import pytest

from ecr_lifecycle_guard.local import EcrStandIn


def test_new_stack_is_described_as_create_complete(stand_in: EcrStandIn) -> None:
    # given
    stack_id = stand_in.create_stack("demo")
    # when
    (stack,) = stand_in.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"]
    # then
    assert stack["StackId"] == stack_id
    assert stack_id.startswith(f"arn:aws:cloudformation:us-east-1:{stand_in.account_id}:stack/demo/")
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_set_stack_status_is_what_describe_stacks_reports(stand_in: EcrStandIn) -> None:
    # given
    stack_id = stand_in.create_stack("demo")
    # when
    stand_in.set_stack_status(stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")
    # then
    (stack,) = stand_in.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS"


def test_set_stack_status_of_an_unknown_stack_raises_key_error(stand_in: EcrStandIn) -> None:
    # given: no stack
    # when / then
    with pytest.raises(KeyError, match="create_stack"):
        stand_in.set_stack_status("arn:aws:cloudformation:us-east-1:123456789012:stack/none/1", "CREATE_COMPLETE")
