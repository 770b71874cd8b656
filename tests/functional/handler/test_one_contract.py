"""One contract: the construct, the handler and the command line give the same verdict on the same values.

Each row is one property value in the three forms users meet it: a construct prop (Python), the string
(or list) CloudFormation sends the handler, and a command-line option. All three read it with
:mod:`ecr_lifecycle_guard.contract`, so a value is accepted everywhere or refused everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from handler_harness import Harness

from ecr_lifecycle_guard import GuardedLifecyclePolicy
from ecr_lifecycle_guard.cli.main import build_parser
from ecr_lifecycle_guard.errors import PropertiesError, PropertyError

#: Expires nothing in the seeded repository, so every accepted row also passes the gate.
KEEP_ALL = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                              "countNumber": 3650},
                "action": {"type": "expire"},
            }
        ]
    }
)  # fmt: skip
ROLE = "arn:aws:iam::111111111111:role/guard-discovery"


@dataclass(frozen=True)
class Row:
    prop: str  # the construct's prop
    prop_value: Any
    property: str  # the custom resource's property
    property_value: Any
    #: The command line's option and value; None where the command line has no such value (the preview
    #: timeout: ``--timeout`` bounds a CI job, which may wait longer than a Lambda function can).
    option: tuple[str, ...] | None
    accepted: bool


ROWS = [
    Row("max_expiring_images", 10, "MaxExpiringImages", "10", ("--max-expiring", "10"), True),
    Row("max_expiring_images", -1, "MaxExpiringImages", "-1", ("--max-expiring", "-1"), False),
    Row("max_expiring_images", float("nan"), "MaxExpiringImages", "nan", ("--max-expiring", "nan"), False),
    Row("max_expiring_images", 2**31, "MaxExpiringImages", str(2**31), ("--max-expiring", str(2**31)), False),
    Row("max_expiring_percent", 12.5, "MaxExpiringPercent", "12.5", ("--max-expiring-percent", "12.5"), True),
    Row("max_expiring_percent", 100.5, "MaxExpiringPercent", "100.5", ("--max-expiring-percent", "100.5"), False),
    Row("max_expiring_percent", float("inf"), "MaxExpiringPercent", "inf", ("--max-expiring-percent", "inf"), False),
    Row("max_transitioning_images", 0, "MaxTransitioningImages", "0", ("--max-transitioning", "0"), True),
    Row("protected_tags", ["release-*"], "ProtectedTags", ["release-*"], ("--protect", "release-*"), True),
    Row("protected_tags", ["*a*a*a*a*a*b"], "ProtectedTags", ["*a*a*a*a*a*b"], ("--protect", "*a*a*a*a*a*b"), False),
    Row("protected_tags", ["x" * 301], "ProtectedTags", ["x" * 301], ("--protect", "x" * 301), False),
    Row("in_use_role_arns", [ROLE], "InUseRoleArns", [ROLE], ("--in-use-role", ROLE), True),
    Row("in_use_role_arns", [ROLE[:-16] + "user/bob"], "InUseRoleArns", [ROLE[:-16] + "user/bob"],
        ("--in-use-role", ROLE[:-16] + "user/bob"), False),
    Row("repository_name", "team/app-1_x.y", "RepositoryName", "team/app-1_x.y", ("--repository", "team/app-1_x.y"),
        True),
    Row("repository_name", "Team/App", "RepositoryName", "Team/App", ("--repository", "Team/App"), False),
    Row("repository_name", "a_-b", "RepositoryName", "a_-b", ("--repository", "a_-b"), False),
    Row("repository_name", "team//app", "RepositoryName", "team//app", ("--repository", "team//app"), False),
    Row("registry_id", "123456789012", "RegistryId", "123456789012", ("--registry-id", "123456789012"), True),
    Row("registry_id", "12345", "RegistryId", "12345", ("--registry-id", "12345"), False),
    Row("allow_expire_all", True, "AllowExpireAll", "true", ("--allow-expire-all",), True),
    Row("preview_timeout", cdk.Duration.seconds(30), "PreviewTimeoutSeconds", "30", None, True),
    Row("preview_timeout", cdk.Duration.seconds(29), "PreviewTimeoutSeconds", "29", None, False),
    Row("preview_timeout", cdk.Duration.seconds(841), "PreviewTimeoutSeconds", "841", None, False),
]  # fmt: skip
IDS = [f"{row.property}={str(row.property_value)[:20]}" for row in ROWS]


def construct_accepts(row: Row) -> bool:
    stack = cdk.Stack(cdk.App(), "Contract")
    props = {"repository_name": "app", "policy": KEEP_ALL, row.prop: row.prop_value}
    try:
        GuardedLifecyclePolicy(stack, "Guard", **props)
    except (PropertyError, PropertiesError):
        return False
    return True


def command_line_accepts(row: Row) -> bool | None:
    if row.option is None:
        return None
    try:
        build_parser().parse_args(["preview", "--repository", "app", "--policy", "p.json", *row.option])
    except SystemExit:
        return False
    return True


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_construct_handler_and_command_line_agree_on_every_value(
    row: Row, harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: a repository of the row's name exists, so an accepted name is previewed and put there (ECR's
    # own pattern also allows ``a--b`` and ``a__b``, which moto's older CreateRepository check refuses:
    # the contract's doctest covers them)
    repository = row.property_value if row.property == "RepositoryName" and row.accepted else "app"
    if repository != "app":
        harness.ecr.create_repository(repository)
    event = harness.event(
        "create",
        properties={
            "RepositoryName": repository,
            "LifecyclePolicyText": KEEP_ALL,
            "MaxExpiringImages": None,
            row.property: row.property_value,
        },
    )
    # when
    handler = harness.invoke(event)
    construct = construct_accepts(row)
    command_line = command_line_accepts(row)
    # then
    handler_accepts = handler.status == "SUCCESS"
    assert (construct, handler_accepts) == (row.accepted,) * 2, handler.reason
    assert command_line in (row.accepted, None)
    if row.accepted:
        assert harness.live_policy(repository) is not None  # an accepted create puts its policy
    if not row.accepted:
        assert handler.reason.startswith(row.property), handler.reason
        assert "must be" in handler.reason
        assert harness.live_policy() is None  # a refused create leaves the repository as it was
    capsys.readouterr()
