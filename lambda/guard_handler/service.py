"""Thin boto3 calls on one repository: its lifecycle policy and its ownership tags.

Two ECR clients with different settings:

* reads and ECR's preview use botocore's ``standard`` retries (throttling and 5xx are retried with
  back-off) and short timeouts;
* writes (put, delete, tag, untag) use a client that makes exactly one attempt with connect/read
  timeouts of :data:`~guard_handler.budget.WRITE_CONNECT_TIMEOUT` /
  :data:`~guard_handler.budget.WRITE_READ_TIMEOUT` seconds: the handler retries throttling itself and
  checks the invocation's time budget before every attempt (:mod:`guard_handler.writes`), so no write
  can still be running when the answer goes out.

The endpoint, region and credentials come from the usual AWS variables (``AWS_ENDPOINT_URL`` points
them at the local stand-in). Every AWS error, connection errors included, becomes
:class:`~ecr_lifecycle_guard.errors.EcrCallError` with the operation, the code and AWS's own message.

Examples
--------
>>> repository_arn("aws", "eu-west-1", "123456789012", "team/app")
'arn:aws:ecr:eu-west-1:123456789012:repository/team/app'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, TypeVar

import boto3
from botocore.config import Config

from ecr_lifecycle_guard.aws_errors import as_call_error, aws_error_code
from ecr_lifecycle_guard.contract import is_ownership_tag
from guard_handler.budget import WRITE_CONNECT_TIMEOUT, WRITE_READ_TIMEOUT

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_ecr import ECRClient

__all__ = [
    "READ_CONFIG",
    "STATUS_CONFIG",
    "WRITE_CONFIG",
    "EcrPolicies",
    "cloudformation_client",
    "ecr_client",
    "function_region",
    "repository_arn",
]

_AGENT: Final = "ecr-lifecycle-guard"
#: Reads and ECR's preview: botocore retries throttling and 5xx. Ten attempts, not five: sixty guards
#: updated in one deploy share the account's request rates (see the 60-guard test), and a read that
#: runs out of attempts fails the guard. A read writes nothing, so even the timeout answer stays true.
READ_CONFIG: Final = Config(
    retries={"mode": "standard", "max_attempts": 10}, connect_timeout=3, read_timeout=10, user_agent_extra=_AGENT
)
#: Writes: exactly one attempt each, short timeouts (the handler retries within its time budget).
WRITE_CONFIG: Final = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=WRITE_CONNECT_TIMEOUT,
    read_timeout=WRITE_READ_TIMEOUT,
    user_agent_extra=_AGENT,
)
#: The stack status: one attempt each; the handler retries throttling itself, within its deadline.
STATUS_CONFIG: Final = Config(
    retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=2, read_timeout=5, user_agent_extra=_AGENT
)
_NOT_FOUND: Final = frozenset({"LifecyclePolicyNotFoundException", "RepositoryNotFoundException"})
_T = TypeVar("_T")


def function_region() -> str | None:
    """The function's region: Lambda sets ``AWS_REGION`` (botocore itself reads only ``AWS_DEFAULT_REGION``)."""
    return os.environ.get("AWS_REGION") or None


def ecr_client(config: Config = READ_CONFIG) -> ECRClient:
    """An ECR client in the function's region (:data:`READ_CONFIG` unless told otherwise)."""
    return boto3.client("ecr", region_name=function_region(), config=config)


def cloudformation_client(config: Config = STATUS_CONFIG) -> CloudFormationClient:
    """A CloudFormation client in the function's region (:data:`STATUS_CONFIG` unless told otherwise)."""
    return boto3.client("cloudformation", region_name=function_region(), config=config)


def repository_arn(partition: str, region: str, registry_id: str, repository: str) -> str:
    """The repository's ARN (what the tag operations address)."""
    return f"arn:{partition}:ecr:{region}:{registry_id}:repository/{repository}"


@contextmanager
def _aws_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        call_error = as_call_error(error, operation)
        if call_error is None:
            raise
        raise call_error from error


def _call(operation: str, call: Callable[[], _T]) -> _T:
    with _aws_errors(operation):
        return call()


class EcrPolicies:
    """Get, put and delete one repository's lifecycle policy; read and change its ownership tags.

    Parameters
    ----------
    client
        The ECR client for reads; also handed to the preview runner as :attr:`client`.
    write_client
        The single-attempt ECR client for writes and for checking a write's effect (default: ``client``).
    """

    def __init__(self, client: ECRClient, write_client: ECRClient | None = None) -> None:
        self.client = client
        self.write_client = write_client or client

    def get(self, registry_id: str, repository: str, *, quick: bool = False) -> str | None:
        """The live policy text, or ``None`` when the repository has none.

        ``quick`` reads with the single-attempt client (to check what a write did).

        Raises
        ------
        EcrCallError
            Any AWS error, ``RepositoryNotFoundException`` included.
        """
        client = self.write_client if quick else self.client
        with _aws_errors("GetLifecyclePolicy"):
            try:
                response = client.get_lifecycle_policy(registryId=registry_id, repositoryName=repository)
            except Exception as error:
                if aws_error_code(error) == "LifecyclePolicyNotFoundException":
                    return None
                raise
        return str(response["lifecyclePolicyText"])

    def put(self, registry_id: str, repository: str, policy_text: str) -> None:
        """Create or replace the repository's policy (one attempt)."""
        _call(
            "PutLifecyclePolicy",
            lambda: self.write_client.put_lifecycle_policy(
                registryId=registry_id, repositoryName=repository, lifecyclePolicyText=policy_text
            ),
        )

    def delete(self, registry_id: str, repository: str) -> bool:
        """Delete the policy (one attempt); ``False`` when the repository or its policy is already gone."""
        with _aws_errors("DeleteLifecyclePolicy"):
            try:
                self.write_client.delete_lifecycle_policy(registryId=registry_id, repositoryName=repository)
            except Exception as error:
                if aws_error_code(error) in _NOT_FOUND:
                    return False
                raise
        return True

    def ownership_tags(self, arn: str, *, quick: bool = False) -> dict[str, str]:
        """The repository's ownership tags (owner and hand-back record), read with one ``ListTagsForResource``.

        Only the keys this project writes (:func:`~ecr_lifecycle_guard.contract.is_ownership_tag`) are
        returned; ``quick`` reads with the single-attempt client (to check what a write did).

        Raises
        ------
        EcrCallError
            Any AWS error, ``RepositoryNotFoundException`` included.
        """
        client = self.write_client if quick else self.client
        response: Any = _call("ListTagsForResource", lambda: client.list_tags_for_resource(resourceArn=arn))
        found: dict[str, str] = {}
        for tag in response.get("tags") or ():
            key = str(tag.get("Key", ""))
            if is_ownership_tag(key):
                found[key] = str(tag.get("Value", ""))
        return found

    def set_tags(self, arn: str, tags: Mapping[str, str]) -> None:
        """Write ``tags`` in one ``TagResource`` (one attempt)."""
        pairs = [{"Key": key, "Value": value} for key, value in tags.items()]
        _call("TagResource", lambda: self.write_client.tag_resource(resourceArn=arn, tags=pairs))  # type: ignore[arg-type]

    def remove_tags(self, arn: str, keys: Sequence[str]) -> None:
        """Remove ``keys`` in one ``UntagResource`` (one attempt); removing an absent tag succeeds."""
        _call("UntagResource", lambda: self.write_client.untag_resource(resourceArn=arn, tagKeys=list(keys)))
