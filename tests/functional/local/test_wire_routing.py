"""The front door names every operation of the services the guard calls, whatever their protocol."""

from __future__ import annotations

import re

import botocore.session
import pytest

from ecr_lifecycle_guard.local.wire import identify

SESSION = botocore.session.get_session()


def _rest_cases(service: str) -> list[tuple[str, str, str, str]]:
    """(service, operation, method, path) for every operation, labels filled with sample values."""
    model = SESSION.get_service_model(service)
    cases = []
    for operation in model.operation_names:
        http = model.operation_model(operation).http
        path, _, query = http["requestUri"].partition("?")
        path = re.sub(r"\{[^}]+\+\}", "a/b", re.sub(r"\{[^}+]+\}", "sample-1", path))
        query = "&".join(key if "=" in key else f"{key}=" for key in query.split("&") if key)
        cases.append((service, operation, http["method"], path + (f"?{query}" if query else "")))
    return cases


@pytest.mark.parametrize(("service", "operation", "method", "uri"), _rest_cases("lambda") + _rest_cases("batch"))
def test_rest_json_operations_are_named_from_method_and_path(
    service: str, operation: str, method: str, uri: str
) -> None:
    # given
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": uri,
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/{service}/aws4_request, x=y",
    }
    # when
    request = identify(environ, b"")
    # then
    assert request is not None
    assert (request.action, request.protocol, request.region, request.access_key) == (
        f"{service}:{operation}",
        "rest-json",
        "eu-west-1",
        "AKID",
    )


@pytest.mark.parametrize(
    ("uri", "operation", "labels"),
    [
        ("/2015-03-31/functions/", "ListFunctions", {}),
        ("/2015-03-31/functions", "ListFunctions", {}),
        ("/2015-03-31/functions/api/versions", "ListVersionsByFunction", {"FunctionName": "api"}),
        ("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Aapi/aliases", "ListAliases",
         {"FunctionName": "arn:aws:lambda:us-east-1:1:function:api"}),
    ],
)  # fmt: skip
def test_lambda_paths_with_and_without_trailing_slash_and_encoded_arns(
    uri: str, operation: str, labels: dict[str, str]
) -> None:
    # given
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lambda/aws4_request",
    }
    # when
    request = identify(environ, b"")
    # then
    assert request is not None
    assert (request.operation, request.params) == (operation, labels)


def test_json_and_query_operations_are_named_from_the_target_header_and_the_action_field() -> None:
    # given
    signed = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{}/aws4_request"
    ecs = {"HTTP_X_AMZ_TARGET": "AmazonEC2ContainerServiceV20141113.ListServices", "RAW_URI": "/",
           "HTTP_AUTHORIZATION": signed.format("ecs")}  # fmt: skip
    sts = {"RAW_URI": "/", "HTTP_AUTHORIZATION": signed.format("sts")}
    # when
    named = identify(ecs, b'{"cluster": "prod"}'), identify(sts, b"Action=AssumeRole&RoleArn=arn%3Ax")
    # then
    assert [(r.action, r.protocol, r.params) for r in named if r] == [
        ("ecs:ListServices", "json", {"cluster": "prod"}),
        ("sts:AssumeRole", "query", {"Action": "AssumeRole", "RoleArn": "arn:x"}),
    ]


def test_requests_that_are_not_aws_api_calls_are_not_named() -> None:
    # given
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/moto-api/reset"}
    # when
    request = identify(environ, b"")
    # then
    assert request is None
