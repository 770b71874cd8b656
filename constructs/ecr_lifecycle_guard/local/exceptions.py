"""AWS errors the stand-in answers with, one class per AWS error code (as ``moto.ecr.exceptions``).

moto already has ``RepositoryNotFoundException``, ``LifecyclePolicyNotFoundException`` and
``InvalidParameterException``; they are re-exported here so the stand-in's code reads one vocabulary.

Examples
--------
>>> from ecr_lifecycle_guard.local.exceptions import LifecyclePolicyPreviewNotFoundException
>>> LifecyclePolicyPreviewNotFoundException("app", "123456789012").code
'LifecyclePolicyPreviewNotFoundException'
"""

from __future__ import annotations

from collections.abc import Iterable

from moto.core.exceptions import ServiceException
from moto.ecr.exceptions import (
    InvalidParameterException,
    LifecyclePolicyNotFoundException,
    RepositoryNotFoundException,
)

from ecr_lifecycle_guard.errors import Issue

__all__ = [
    "InvalidParameterException",
    "InvalidTagParameterException",
    "LifecyclePolicyNotFoundException",
    "LifecyclePolicyPreviewInProgressException",
    "LifecyclePolicyPreviewNotFoundException",
    "RepositoryNotFoundException",
    "TooManyTagsException",
    "invalid_parameter",
    "invalid_policy",
]


class LifecyclePolicyPreviewInProgressException(ServiceException):
    """A preview of the repository is still running: ECR allows one at a time."""

    code = "LifecyclePolicyPreviewInProgressException"

    def __init__(self, repository_name: str, registry_id: str) -> None:
        super().__init__(
            "Previous lifecycle policy preview request has not completed "
            f"for the repository with name '{repository_name}' in the registry with id '{registry_id}'"
        )


class LifecyclePolicyPreviewNotFoundException(ServiceException):
    """The repository has no preview to report."""

    code = "LifecyclePolicyPreviewNotFoundException"

    def __init__(self, repository_name: str, registry_id: str) -> None:
        super().__init__(
            "There is no dry run for this repository: "
            f"no lifecycle policy preview exists for the repository with name '{repository_name}' "
            f"in the registry with id '{registry_id}'"
        )


class TooManyTagsException(ServiceException):
    """A TagResource would leave the repository with more tags than ECR allows.

    Examples
    --------
    >>> TooManyTagsException(50, 51).message
    'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a \
repository is 50, the request would leave 51'
    """

    code = "TooManyTagsException"

    def __init__(self, limit: int, found: int) -> None:
        super().__init__(
            "The list of tags on the repository is over the limit. The maximum number of tags that can be "
            f"applied to a repository is {limit}, the request would leave {found}"
        )


class InvalidTagParameterException(ServiceException):
    """A tag key or value ECR does not accept (length, or the reserved ``aws:`` prefix).

    Examples
    --------
    >>> InvalidTagParameterException("tags[0].Key", "must be 1 to 128 characters", 129).message
    'Invalid tag at tags[0].Key: must be 1 to 128 characters, got 129'
    """

    code = "InvalidTagParameterException"

    def __init__(self, where: str, constraint: str, found: object) -> None:
        super().__init__(f"Invalid tag at {where}: {constraint}, got {found}")


def invalid_parameter(parameter: str, constraint: str) -> ServiceException:
    """Build ECR's ``InvalidParameterException`` for one request parameter.

    Parameters
    ----------
    parameter
        The parameter as AWS names it in the message, e.g. ``maxResults``.
    constraint
        What the value failed to satisfy.

    Returns
    -------
    ServiceException
        ``Invalid parameter at '<parameter>' failed to satisfy constraint: '<constraint>'``.

    Examples
    --------
    >>> str(invalid_parameter("maxResults", "must be between 1 and 100").message)
    "Invalid parameter at 'maxResults' failed to satisfy constraint: 'must be between 1 and 100'"
    """
    return InvalidParameterException(f"Invalid parameter at '{parameter}' failed to satisfy constraint: '{constraint}'")


def invalid_policy(issues: Iterable[Issue]) -> ServiceException:
    """Build the error ECR gives for a lifecycle policy it rejects, from the engine's issues.

    Parameters
    ----------
    issues
        What the project's validator found (at least one).

    Returns
    -------
    ServiceException
        ``InvalidParameterException`` with AWS's wire shape; several issues are joined with ``; ``.

    Examples
    --------
    >>> from ecr_lifecycle_guard.errors import Issue
    >>> error = invalid_policy([Issue("V11", "rules[0].selection.countNumber", 0, 1, "must be >= 1, got 0")])
    >>> error.message  # doctest: +NORMALIZE_WHITESPACE
    "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation
    failure: rule 1 (priority 1): selection.countNumber: must be >= 1, got 0 [V11]'"
    """
    detail = "; ".join(str(issue) for issue in issues)
    return invalid_parameter("LifecyclePolicyText", f"Lifecycle policy validation failure: {detail}")
