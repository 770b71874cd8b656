"""Repository-level ECR behaviour moto lacks: DescribeRepositories paging, tag limits, ARNs of other Regions.

* DescribeRepositories pages like ECR: ``maxResults`` 1-1,000, 100 per page by default, ``nextToken``
  [API: ``DescribeRepositories``]; moto 5.2.5 ignores both and returns every repository. Pages are in
  repository-name order and the token names the last repository returned, so repositories created
  while a caller pages neither repeat nor shift the pages (ECR documents no order).
* TagResource enforces ECR's limits: at most 50 tags per repository (``TooManyTagsException``), keys of
  1-128 and values of 0-256 characters, no ``aws:`` prefix (``InvalidTagParameterException``)
  [API: ``TagResource``, ``Tag``; AWS tag restrictions]; moto accepts any.
* A repository ARN of another Region is refused (``InvalidParameterException``); moto looks the
  repository up by name and ignores the Region. ECR's exact wording here is undocumented (our choice).

Examples
--------
>>> from types import SimpleNamespace
>>> repos = [SimpleNamespace(name=name) for name in ("b", "team/a", "a")]
>>> page, token = page_repositories(repos, max_results=2, next_token=None)
>>> [repo.name for repo in page], [repo.name for repo in page_repositories(repos, 2, token)[0]]
(['a', 'b'], ['team/a'])
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

from ecr_lifecycle_guard.local.exceptions import (
    InvalidTagParameterException,
    TooManyTagsException,
    invalid_parameter,
)

__all__ = [
    "DEFAULT_REPOSITORY_PAGE",
    "MAX_REPOSITORY_PAGE",
    "MAX_TAGS_PER_REPOSITORY",
    "check_tags",
    "check_untag",
    "page_repositories",
    "repository_from_arn",
]

#: DescribeRepositories page size without ``maxResults``, and its largest ``maxResults``.
DEFAULT_REPOSITORY_PAGE: Final = 100
MAX_REPOSITORY_PAGE: Final = 1000
#: ECR's tag limits (TooManyTagsException; ``Tag`` key and value lengths).
MAX_TAGS_PER_REPOSITORY: Final = 50
MAX_TAG_KEY: Final = 128
MAX_TAG_VALUE: Final = 256
#: Tags with this prefix (any case) are AWS's own: callers may not set or remove them.
RESERVED_TAG_PREFIX: Final = "aws:"
_TOKEN_PREFIX: Final = "after:"

_Repo = TypeVar("_Repo")


def page_repositories(
    repositories: Iterable[_Repo], max_results: int | None = None, next_token: str | None = None
) -> tuple[list[_Repo], str | None]:
    """One page of ``repositories`` in name order, and the token of the next page (None: last page).

    Raises
    ------
    moto.ecr.exceptions.InvalidParameterException
        ``maxResults`` outside 1-1,000, or a token this function did not make.
    """
    size = DEFAULT_REPOSITORY_PAGE if max_results is None else max_results
    if not 1 <= size <= MAX_REPOSITORY_PAGE:
        raise invalid_parameter("maxResults", f"Member must have value between 1 and {MAX_REPOSITORY_PAGE}")
    after = _decode(next_token)
    ordered = sorted(repositories, key=_name)
    remaining = [repo for repo in ordered if after is None or _name(repo) > after]
    page = remaining[:size]
    return page, _encode(_name(page[-1])) if len(remaining) > size else None


def check_tags(existing: Mapping[str, str], tags: Sequence[Mapping[str, Any]]) -> None:
    """Refuse ``tags`` as ECR's TagResource would, given the repository's ``existing`` tags.

    Examples
    --------
    >>> try:
    ...     check_tags({}, [{"Key": "aws:owner", "Value": "x"}])
    ... except InvalidTagParameterException as error:
    ...     print(error.message)
    Invalid tag at tags[0].Key: must not start with 'aws:' (reserved for AWS), got 'aws:owner'
    """
    for index, tag in enumerate(tags):
        key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
        if not 1 <= len(key) <= MAX_TAG_KEY:
            raise InvalidTagParameterException(f"tags[{index}].Key", f"must be 1 to {MAX_TAG_KEY} characters", len(key))
        if key.lower().startswith(RESERVED_TAG_PREFIX):
            raise InvalidTagParameterException(
                f"tags[{index}].Key", f"must not start with {RESERVED_TAG_PREFIX!r} (reserved for AWS)", repr(key)
            )
        if len(value) > MAX_TAG_VALUE:
            raise InvalidTagParameterException(
                f"tags[{index}].Value", f"must be at most {MAX_TAG_VALUE} characters", len(value)
            )
    keys = set(existing) | {str(tag.get("Key")) for tag in tags}
    count = sum(1 for key in keys if not key.lower().startswith(RESERVED_TAG_PREFIX))
    if count > MAX_TAGS_PER_REPOSITORY:
        raise TooManyTagsException(MAX_TAGS_PER_REPOSITORY, count)


def check_untag(keys: Sequence[str]) -> None:
    """Refuse removing AWS's own tags, as UntagResource does.

    Examples
    --------
    >>> check_untag(["ecr-lifecycle-guard:owner"])
    """
    for index, key in enumerate(keys):
        if str(key).lower().startswith(RESERVED_TAG_PREFIX):
            raise InvalidTagParameterException(
                f"tagKeys[{index}]", f"must not start with {RESERVED_TAG_PREFIX!r} (reserved for AWS)", repr(key)
            )


def repository_from_arn(backend: Any, arn: str) -> Any:
    """moto's repository named by ``arn`` in ``backend`` (one account and Region).

    Raises
    ------
    moto.ecr.exceptions.InvalidParameterException
        Not a repository ARN, or one of another Region.
    moto.ecr.exceptions.RepositoryNotFoundException
        No such repository in the ARN's account.
    """
    parsed = backend._parse_resource_arn(arn)
    if parsed.region != backend.region_name:
        raise invalid_parameter("resourceArn", f"must be a repository in {backend.region_name}, got {arn}")
    return backend._get_repository(parsed.repo_name, parsed.account_id)


def _name(repo: Any) -> str:
    return str(repo.name)


def _encode(name: str) -> str:
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{name}".encode()).decode()


def _decode(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_TOKEN_PREFIX):
        raise invalid_parameter("nextToken", "Invalid pagination token")
    return text.removeprefix(_TOKEN_PREFIX)
