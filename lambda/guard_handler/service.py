"""Thin boto3 calls: the repository's lifecycle policy (ECR) and the stack's status (CloudFormation).

Clients use botocore's ``standard`` retry mode (throttling and 5xx are retried with back-off) and
short timeouts, so a slow endpoint cannot eat the Lambda's budget. The endpoint, region and
credentials come from the usual AWS variables (``AWS_ENDPOINT_URL`` points them at the local stand-in).
AWS errors become :class:`EcrCallError` with the operation and the AWS error code.

Examples
--------
>>> policies = EcrPolicies(ecr_client())  # doctest: +SKIP
>>> policies.get("123456789012", "app") is None  # doctest: +SKIP
True
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ecr_lifecycle_guard.errors import EcrCallError

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_ecr import ECRClient

__all__ = ["CLIENT_CONFIG", "EcrPolicies", "StackStatus", "cloudformation_client", "ecr_client"]

#: botocore settings of every client the handler builds.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=5,
    read_timeout=15,
    user_agent_extra="ecr-lifecycle-guard",
)
_NOT_FOUND = frozenset({"LifecyclePolicyNotFoundException", "RepositoryNotFoundException"})


def ecr_client() -> ECRClient:
    """An ECR client with :data:`CLIENT_CONFIG` in the function's region (``AWS_REGION``)."""
    return boto3.client("ecr", region_name=_region(), config=CLIENT_CONFIG)


def cloudformation_client() -> CloudFormationClient:
    """A CloudFormation client with :data:`CLIENT_CONFIG` in the function's region."""
    return boto3.client("cloudformation", region_name=_region(), config=CLIENT_CONFIG)


def _region() -> str | None:
    """Lambda sets ``AWS_REGION``; botocore itself reads only ``AWS_DEFAULT_REGION`` and its config."""
    return os.environ.get("AWS_REGION") or None


@contextmanager
def _aws_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        details = error.response.get("Error", {})
        raise EcrCallError(operation, str(details.get("Code", "Unknown")), str(details.get("Message", ""))) from error


class EcrPolicies:
    """Get, put and delete one repository's lifecycle policy.

    Parameters
    ----------
    client
        A boto3 ECR client; also handed to the preview runner as :attr:`client`.
    """

    def __init__(self, client: ECRClient) -> None:
        self.client = client

    def get(self, registry_id: str, repository: str) -> str | None:
        """The live policy text, or ``None`` when the repository has none.

        Raises
        ------
        EcrCallError
            Any AWS error, ``RepositoryNotFoundException`` included.
        """
        with _aws_errors("GetLifecyclePolicy"):
            try:
                response = self.client.get_lifecycle_policy(registryId=registry_id, repositoryName=repository)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "LifecyclePolicyNotFoundException":
                    return None
                raise
        return response["lifecyclePolicyText"]

    def put(self, registry_id: str, repository: str, policy_text: str) -> None:
        """Create or replace the repository's policy."""
        with _aws_errors("PutLifecyclePolicy"):
            self.client.put_lifecycle_policy(
                registryId=registry_id, repositoryName=repository, lifecyclePolicyText=policy_text
            )

    def delete(self, registry_id: str, repository: str) -> bool:
        """Delete the policy; ``False`` when the repository or its policy is already gone."""
        with _aws_errors("DeleteLifecyclePolicy"):
            try:
                self.client.delete_lifecycle_policy(registryId=registry_id, repositoryName=repository)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in _NOT_FOUND:
                    return False
                raise
        return True


class StackStatus:
    """Read a stack's status (to tell a rollback from a deploy)."""

    def __init__(self, client: CloudFormationClient) -> None:
        self._client = client

    def status(self, stack_id: str) -> str:
        """``StackStatus`` of the stack, e.g. ``UPDATE_ROLLBACK_IN_PROGRESS``.

        Raises
        ------
        EcrCallError
            Any AWS error (the caller logs it and gates as usual).
        """
        with _aws_errors("DescribeStacks"):
            stacks = self._client.describe_stacks(StackName=stack_id)["Stacks"]
        if not stacks:
            raise EcrCallError("DescribeStacks", "StackNotFound", f"no stack {stack_id}")
        return stacks[0]["StackStatus"]
