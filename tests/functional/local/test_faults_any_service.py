"""Faults for any service behind the stand-in: deny, fail, delay, hang and throttle, over real HTTP."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from stand_in_helpers import REPO, keep_newest

from ecr_lifecycle_guard.local import EcrStandIn

ROLE = "arn:aws:sts::123456789012:assumed-role/stand-in-role/stand-in-session"


def _error(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _no_retry(stand_in: EcrStandIn, service: str, **config: Any) -> Any:
    return stand_in.client(service, retries={"max_attempts": 0}, **config)


@pytest.mark.parametrize(
    ("service", "operation", "call", "code", "status"),
    [
        ("ecs", "ListServices", lambda c: c.list_services(cluster="prod"), "AccessDeniedException", 400),
        ("lambda", "ListFunctions", lambda c: c.list_functions(), "AccessDeniedException", 403),
        ("batch", "DescribeJobDefinitions", lambda c: c.describe_job_definitions(), "AccessDeniedException", 403),
        ("sts", "GetCallerIdentity", lambda c: c.get_caller_identity(), "AccessDenied", 403),
    ],
)
def test_denied_operations_answer_iams_error_in_the_services_protocol(
    stand_in: EcrStandIn, service: str, operation: str, call: Any, code: str, status: int
) -> None:
    # given
    stand_in.faults.deny(f"{service}:{operation}")
    # when
    error = _error(lambda: call(_no_retry(stand_in, service)))
    # then
    action = f"{service}:{operation}"
    assert error == (
        code,
        status,
        f"User: {ROLE} is not authorized to perform: {action} on resource: * "
        f"because no identity-based policy allows the {action} action",
    )


def test_a_denied_ecr_call_names_the_repository_and_keeps_being_denied(stand_in: EcrStandIn) -> None:
    # given
    arn = stand_in.create_repository("team/app")
    stand_in.faults.deny("DescribeImages")
    ecr = _no_retry(stand_in, "ecr")
    # when
    errors = [_error(lambda: ecr.describe_images(repositoryName="team/app")) for _ in range(2)]
    # then
    assert {error[:2] for error in errors} == {("AccessDeniedException", 400)}
    assert f"ecr:DescribeImages on resource: {arn} because" in errors[0][2]
    assert [call.fault for call in stand_in.calls("DescribeImages")] == ["deny", "deny"]


def test_a_lambda_call_is_named_from_its_method_and_path(stand_in: EcrStandIn) -> None:
    # given
    stand_in.faults.deny("lambda:GetFunction", times=1)
    # when
    error = _error(lambda: _no_retry(stand_in, "lambda").get_function(FunctionName="api"))
    # then
    assert "lambda:GetFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:api" in error[2]
    (call,) = stand_in.calls("lambda:GetFunction")
    assert (call.service, call.params) == ("lambda", {"FunctionName": "api"})


def test_fail_answers_the_given_error_before_moto_applies_the_request(stand_in: EcrStandIn) -> None:
    # given
    stand_in.create_repository(REPO)
    stand_in.faults.fail("PutLifecyclePolicy", "ServerException", "Internal failure", status=500)
    ecr = _no_retry(stand_in, "ecr")
    # when
    error = _error(lambda: ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(3)))
    # then
    assert error == ("ServerException", 500, "Internal failure")
    assert _error(lambda: ecr.get_lifecycle_policy(repositoryName=REPO))[0] == "LifecyclePolicyNotFoundException"


def test_fail_after_applying_leaves_the_write_in_place(stand_in: EcrStandIn) -> None:
    # given
    stand_in.create_repository(REPO)
    stand_in.faults.fail("PutLifecyclePolicy", "ServerException", "Internal failure", status=500, applied=True)
    ecr = _no_retry(stand_in, "ecr")
    # when
    _error(lambda: ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(3)))
    # then
    assert ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"] == keep_newest(3)
    (put,) = stand_in.calls("PutLifecyclePolicy")
    assert (put.fault, put.status, put.applied_at is not None) == ("fail", 500, True)


def test_fail_answers_an_ecr_validation_error_once(stand_in: EcrStandIn) -> None:
    # given
    stand_in.create_repository(REPO)
    message = (
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure'"
    )
    stand_in.faults.fail("StartLifecyclePolicyPreview", "InvalidParameterException", message)
    ecr = _no_retry(stand_in, "ecr")
    # when
    first = _error(lambda: ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3)))
    second = ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # then
    assert first == ("InvalidParameterException", 400, message)
    assert second["status"] == "IN_PROGRESS"


def test_delay_after_applies_at_once_and_answers_late(stand_in: EcrStandIn) -> None:
    # given
    stand_in.create_repository(REPO)
    stand_in.faults.delay("PutLifecyclePolicy", 0.6, apply="after")
    ecr = stand_in.client("ecr")
    writer = threading.Thread(
        target=lambda: ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    )
    # when
    writer.start()
    time.sleep(0.3)
    during = ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"]
    writer.join()
    # then
    (put,) = stand_in.calls("PutLifecyclePolicy")
    assert during == keep_newest(3)
    assert put.applied_at is not None
    assert put.answered_at is not None
    assert put.answered_at - put.applied_at >= 0.6
    assert (put.fault, put.status) == ("delay", 200)


def test_delay_before_receives_at_once_and_applies_late(stand_in: EcrStandIn) -> None:
    # given
    stand_in.create_repository(REPO)
    stand_in.faults.delay("PutLifecyclePolicy", 0.6, apply="before")
    ecr = stand_in.client("ecr")
    writer = threading.Thread(
        target=lambda: ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    )
    # when
    writer.start()
    time.sleep(0.3)
    received = stand_in.calls("PutLifecyclePolicy")
    during = _error(lambda: ecr.get_lifecycle_policy(repositoryName=REPO))[0]
    writer.join()
    # then
    (put,) = stand_in.calls("PutLifecyclePolicy")
    assert [(call.fault, call.applied_at) for call in received] == [("delay", None)]
    assert during == "LifecyclePolicyNotFoundException"
    assert put.applied_at is not None
    assert put.applied_at - put.received_at >= 0.6
    assert ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"] == keep_newest(3)


def test_a_hung_call_is_ended_by_the_clients_read_timeout_and_never_applied(stand_in: EcrStandIn) -> None:
    # given
    stand_in.create_repository(REPO)
    stand_in.faults.hang("PutLifecyclePolicy", 30.0)
    ecr = _no_retry(stand_in, "ecr", read_timeout=0.5)
    started = time.monotonic()
    # when
    with pytest.raises(ReadTimeoutError):
        ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # then
    assert time.monotonic() - started < 5.0
    (put,) = stand_in.calls("PutLifecyclePolicy")
    assert (put.fault, put.status, put.applied_at) == ("hang", None, None)


def test_stopping_the_stand_in_ends_a_hang_at_once() -> None:
    # given
    with EcrStandIn() as stand_in:
        stand_in.faults.hang("ListClusters", 60.0)
        client = _no_retry(stand_in, "ecs", read_timeout=0.3)
        with pytest.raises(ReadTimeoutError):
            client.list_clusters()
        started = time.monotonic()
        # when: leaving the block
    # then
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize(
    ("service", "operation", "call", "code", "status"),
    [
        ("lambda", "ListFunctions", lambda c: c.list_functions(), "TooManyRequestsException", 429),
        ("batch", "DescribeJobDefinitions", lambda c: c.describe_job_definitions(), "ThrottlingException", 400),
        ("ecs", "ListClusters", lambda c: c.list_clusters(), "ThrottlingException", 400),
        ("sts", "GetCallerIdentity", lambda c: c.get_caller_identity(), "Throttling", 400),
    ],
)
def test_throttle_answers_each_services_throttling_error_once(
    stand_in: EcrStandIn, service: str, operation: str, call: Any, code: str, status: int
) -> None:
    # given
    client = _no_retry(stand_in, service)
    stand_in.faults.throttle(f"{service}:{operation}")
    # when
    error = _error(lambda: call(client))
    answer = call(client)
    # then
    assert error[:2] == (code, status)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [(c.throttled, c.fault) for c in stand_in.calls(f"{service}:{operation}")] == [
        (True, "throttle"),
        (False, None),
    ]


def test_cleared_faults_no_longer_apply(stand_in: EcrStandIn) -> None:
    # given
    stand_in.faults.deny("ecs:ListClusters")
    stand_in.faults.throttle("ecs:ListClusters", times=None)
    # when
    stand_in.faults.clear()
    # then
    assert _no_retry(stand_in, "ecs").list_clusters()["clusterArns"] == []


def test_a_fault_named_with_its_service_leaves_other_services_alone(stand_in: EcrStandIn) -> None:
    # given
    stand_in.create_repository(REPO)
    stand_in.faults.deny("ecs:ListTagsForResource")
    # when
    tags = _no_retry(stand_in, "ecr").list_tags_for_resource(
        resourceArn=f"arn:aws:ecr:us-east-1:123456789012:repository/{REPO}"
    )
    # then
    assert tags["tags"] == []
