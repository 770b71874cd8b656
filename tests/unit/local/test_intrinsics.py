"""The rehearsal resolves the intrinsic functions CDK writes, as CloudFormation would."""

from __future__ import annotations

from typing import Any

import pytest

from ecr_lifecycle_guard.local.intrinsics import IntrinsicError, TemplateResolver

TEMPLATE: dict[str, Any] = {
    "Parameters": {"BootstrapVersion": {"Type": "String", "Default": "/cdk-bootstrap/hnb659fds/version"}},
    "Resources": {
        "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "app"}},
        "Unnamed": {"Type": "AWS::ECR::Repository"},
        "Handler": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Topic": {"Type": "AWS::SNS::Topic"},
    },
}


@pytest.fixture
def resolver() -> TemplateResolver:
    return TemplateResolver(
        TEMPLATE, stack_name="Demo", stack_id="arn:aws:cloudformation:eu-west-1:123456789012:stack/Demo/1",
        region="eu-west-1", account_id="123456789012",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Repo"}, "app"),
        ({"Ref": "Unnamed"}, "demo-unnamed"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "BootstrapVersion"}, "/cdk-bootstrap/hnb659fds/version"),
        ({"Fn::GetAtt": ["Repo", "Arn"]}, "arn:aws:ecr:eu-west-1:123456789012:repository/app"),
        ({"Fn::GetAtt": "Repo.RepositoryUri"}, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app"),
        ({"Fn::GetAtt": ["Handler", "Arn"]}, "arn:aws:lambda:eu-west-1:123456789012:function:Demo-Handler"),
        ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecr"]]}, "arn:aws:ecr"),
        ({"Fn::Sub": "${AWS::Region}/${Repo}/${Repo.Arn}/${!Literal}"},
         "eu-west-1/app/arn:aws:ecr:eu-west-1:123456789012:repository/app/${Literal}"),
        ({"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Repo"}}]}, "app-x"),
        ({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}, "b"),
        ({"Tags": ["a", {"Ref": "AWS::NoValue"}], "Gone": {"Ref": "AWS::NoValue"}}, {"Tags": ["a"]}),
    ],
)  # fmt: skip
def test_intrinsic_functions_resolve_to_what_cloudformation_gives(
    resolver: TemplateResolver, value: Any, expected: Any
) -> None:
    # when
    resolved = resolver.resolve(value, where="Guard.Properties")

    # then
    assert resolved == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Fn::ImportValue": "Shared"}, "Guard.Properties: Fn::ImportValue is not supported by the rehearsal"),
        ({"Ref": "Missing"}, "Guard.Properties.Ref: the template has no resource 'Missing'"),
        ({"Fn::GetAtt": ["Topic", "TopicName"]}, "attribute 'TopicName' of AWS::SNS::Topic 'Topic' is not supported"),
    ],
)
def test_what_cannot_be_resolved_is_an_error_naming_where(resolver: TemplateResolver, value: Any, message: str) -> None:
    # when / then
    with pytest.raises(IntrinsicError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolver.resolve(value, where="Guard.Properties")
