"""Resolve tags of the guarded repository to the digests they name now (ECR DescribeImages).

DescribeImages takes up to 100 image IDs and fails as a whole with ``ImageNotFoundException`` when
one of them names no image; such a batch is split in halves until the missing tags are alone (a
few extra calls for each tag that names nothing). A repository that does not exist resolves no tag.

Examples
--------
>>> class Ecr:  # a boto3-like ECR client knowing one tag
...     def describe_images(self, **params):
...         wanted = [i["imageTag"] for i in params["imageIds"]]
...         if wanted != ["v1"]:
...             error = Exception("not found")
...             error.response = {"Error": {"Code": "ImageNotFoundException", "Message": "..."}}
...             raise error
...         return {"imageDetails": [{"imageDigest": "sha256:aa", "imageTags": ["v1", "latest"]}]}
>>> resolve_tags(Ecr(), RepositoryRef("123456789012", "us-east-1", "app"), ["v1", "gone"],
...              Caller(deadline=1.0, clock=lambda: 0.0, sleep=lambda s: None))
{'v1': 'sha256:aa', 'gone': None}
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, Final

from ecr_lifecycle_guard.aws_errors import aws_error_code
from ecr_lifecycle_guard.inuse.calls import Caller
from ecr_lifecycle_guard.inuse.crawl import Found, SourceKey, Step, chunks
from ecr_lifecycle_guard.inuse.model import RepositoryRef

__all__ = ["ECR_IMAGE_TAGS", "resolve_tags", "tag_steps"]

ECR_IMAGE_TAGS: Final = "ECR image tags"
#: DescribeImages accepts at most 100 image IDs.
_BATCH: Final = 100
_NOT_FOUND: Final = "ImageNotFoundException"
_NO_REPOSITORY: Final = "RepositoryNotFoundException"


def resolve_tags(client: Any, repository: RepositoryRef, tags: Sequence[str], caller: Caller) -> dict[str, str | None]:
    """Tag -> digest for ``tags`` (at most 100), ``None`` for a tag naming no image now."""
    if not tags:
        return {}
    try:
        answer = caller.call(
            client,
            "describe_images",
            registryId=repository.registry_id,
            repositoryName=repository.name,
            imageIds=[{"imageTag": tag} for tag in tags],
        )
    except Exception as error:
        code = aws_error_code(error)
        if code == _NO_REPOSITORY:
            return dict.fromkeys(tags)
        if code != _NOT_FOUND:
            raise
        if len(tags) == 1:
            return {tags[0]: None}
        middle = len(tags) // 2
        return resolve_tags(client, repository, tags[:middle], caller) | resolve_tags(
            client, repository, tags[middle:], caller
        )
    wanted = set(tags)
    resolved: dict[str, str | None] = dict.fromkeys(tags)
    for detail in answer.get("imageDetails", []):
        for tag in detail.get("imageTags") or []:
            if tag in wanted:
                resolved[tag] = str(detail["imageDigest"])
    return resolved


def tag_steps(clients: Any, repository: RepositoryRef, tags: Sequence[str], caller: Caller) -> list[Step]:
    """One step per 100 tags, resolving them with ``clients``' ECR client."""
    source = SourceKey(ECR_IMAGE_TAGS, repository.registry_id, repository.region)

    def run(batch: list[str]) -> Found:
        return Found(tags=resolve_tags(clients.client("ecr"), repository, batch, caller))

    return [Step((source,), partial(run, batch)) for batch in chunks(list(tags), _BATCH)]
