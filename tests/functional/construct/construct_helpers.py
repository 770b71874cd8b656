"""Shared builders for the construct's template tests."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

GUARD_TYPE = "Custom::EcrLifecyclePolicy"
KEEP_FIVE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"},
        }
    ]
}
KEEP_FIVE_TEXT = json.dumps(KEEP_FIVE, separators=(",", ":"))


def new_stack(name: str = "Stack", *, env: cdk.Environment | None = None) -> cdk.Stack:
    """A stack in a fresh app."""
    return cdk.Stack(cdk.App(), name, env=env)


def resources_of_type(template: Template, resource_type: str) -> dict[str, Any]:
    """Logical id -> resource, for one type."""
    return dict(template.find_resources(resource_type))


def guard_properties(template: Template, guard_path_fragment: str) -> dict[str, Any]:
    """The properties of the one guard whose logical id starts with ``guard_path_fragment``."""
    matches = [
        resource["Properties"]
        for logical_id, resource in resources_of_type(template, GUARD_TYPE).items()
        if logical_id.startswith(guard_path_fragment)
    ]
    assert len(matches) == 1, f"expected one guard {guard_path_fragment}, found {len(matches)}"
    properties: dict[str, Any] = matches[0]
    return properties


def ecr_statement(template: Template) -> dict[str, Any]:
    """The handler role's statement granting the ECR lifecycle actions."""
    (policy,) = resources_of_type(template, "AWS::IAM::Policy").values()
    statements = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "ecr:PutLifecyclePolicy" in s["Action"]
    ]
    assert len(statements) == 1
    statement: dict[str, Any] = statements[0]
    return statement
