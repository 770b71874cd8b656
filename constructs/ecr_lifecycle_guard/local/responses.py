"""HTTP adapter for the ECR operations the stand-in adds to (or changes in) moto's ``ECRResponse``.

As in moto's own ``responses.py``, each method is named after the API operation, reads the request
parameters, calls the backend with keyword arguments and wraps the result in moto's ``ActionResult``
(moto's serializer then renders it with botocore's output shape: datetimes become epoch seconds).

* ``StartLifecyclePolicyPreview`` / ``GetLifecyclePolicyPreview`` — new, answered by :class:`PreviewBackend`.
* ``PutLifecyclePolicy`` — validated by the project's engine instead of moto's partial validator,
  so archive rules are accepted and ECR's real rejections happen.
* ``DescribeImages`` — adds ``imageStatus`` and the pull/archive/restore times and honours
  ``filter.imageStatus`` (``ACTIVE`` by default) and ``filter.tagStatus``.
* ``DescribeRepositories`` — pages (``maxResults``, ``nextToken``) as ECR does.
* ``TagResource`` / ``UntagResource`` / ``ListTagsForResource`` — ECR's tag limits, and repository ARNs
  of another Region refused (:mod:`~ecr_lifecycle_guard.local.repositories`).

:meth:`EcrResponses.installed` patches ``moto.ecr.responses.ECRResponse`` for the duration of a
``with`` block and restores moto's methods afterwards.

Examples
--------
>>> from ecr_lifecycle_guard.local.models import PreviewBackend
>>> responses = EcrResponses(PreviewBackend(latency=0.0))
>>> moto_put = ECRResponse.put_lifecycle_policy
>>> with responses.installed():  # moto's server now answers the preview operations
...     ECRResponse.put_lifecycle_policy is moto_put, hasattr(ECRResponse, "get_lifecycle_policy_preview")
(False, True)
>>> ECRResponse.put_lifecycle_policy is moto_put
True
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from moto.core.responses import ActionResult, EmptyResult
from moto.ecr.responses import ECRResponse

from ecr_lifecycle_guard.local.exceptions import invalid_parameter
from ecr_lifecycle_guard.local.models import IMAGE_STATUS_FILTERS, PreviewBackend, image_status, parsed_policy
from ecr_lifecycle_guard.local.repositories import check_tags, check_untag, page_repositories, repository_from_arn

__all__ = ["EcrResponses"]

#: moto ``ECRResponse`` methods the stand-in provides, by the snake_case operation name moto dispatches on.
OPERATIONS: Final = (
    "start_lifecycle_policy_preview",
    "get_lifecycle_policy_preview",
    "put_lifecycle_policy",
    "describe_images",
    "describe_repositories",
    "tag_resource",
    "untag_resource",
    "list_tags_for_resource",
)
_MISSING: Final = object()


class EcrResponses:
    """The stand-in's ECR operations, bound to one :class:`PreviewBackend`.

    Every method takes moto's ``ECRResponse`` (the request being answered) as ``response``.
    """

    def __init__(self, previews: PreviewBackend) -> None:
        self._previews = previews

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Answer :data:`OPERATIONS` with this object's methods while the block runs."""
        originals = {name: ECRResponse.__dict__.get(name, _MISSING) for name in OPERATIONS}
        for name in OPERATIONS:
            setattr(ECRResponse, name, _as_method(getattr(self, name)))
        try:
            yield
        finally:
            for name, original in originals.items():
                if original is _MISSING:
                    delattr(ECRResponse, name)
                else:
                    setattr(ECRResponse, name, original)

    def start_lifecycle_policy_preview(self, response: Any) -> ActionResult:
        """StartLifecyclePolicyPreview: start the repository's (only) preview."""
        repo = _repository(response)
        return ActionResult(self._previews.start(repo, response._get_param("lifecyclePolicyText")))

    def get_lifecycle_policy_preview(self, response: Any) -> ActionResult:
        """GetLifecyclePolicyPreview: the repository's latest preview, one page of results."""
        repo = _repository(response)
        filters = response._get_param("filter") or {}
        return ActionResult(
            self._previews.get(
                repo,
                image_ids=response._get_param("imageIds"),
                next_token=response._get_param("nextToken"),
                max_results=response._get_param("maxResults"),
                tag_status=filters.get("tagStatus", "ANY"),
            )
        )

    def put_lifecycle_policy(self, response: Any) -> ActionResult:
        """PutLifecyclePolicy: validate with the project's engine, then attach the text as given."""
        repo = _repository(response)
        text = response._get_param("lifecyclePolicyText")
        parsed_policy(text)
        repo.lifecycle_policy = text
        return ActionResult({"registryId": repo.registry_id, "repositoryName": repo.name, "lifecyclePolicyText": text})

    def describe_images(self, response: Any) -> ActionResult:
        """DescribeImages with ECR's ``imageStatus`` extras and status/tag filters."""
        image_ids = response._get_param("imageIds")
        filters = response._get_param("filter") or {}
        wanted_status = filters.get("imageStatus", "ACTIVE")
        if wanted_status not in IMAGE_STATUS_FILTERS:
            raise invalid_parameter(
                "filter.imageStatus", f"Member must satisfy enum value set: {sorted(IMAGE_STATUS_FILTERS)}"
            )
        tag_status = filters.get("tagStatus", "ANY")
        images = response.ecr_backend.describe_images(
            response._get_param("repositoryName"), response._get_param("registryId"), image_ids
        )
        details = []
        for image in images:
            status = image_status(image)
            if not image_ids and wanted_status != "ANY" and status != wanted_status:
                continue
            if (tag_status == "TAGGED" and not image.image_tags) or (tag_status == "UNTAGGED" and image.image_tags):
                continue
            detail = copy.copy(image)
            detail.image_status = status
            if not detail.image_tags:  # ECR omits an empty imageTags (as moto's own describe_images)
                del detail.image_tags
            details.append(detail)
        return ActionResult({"imageDetails": details})

    def describe_repositories(self, response: Any) -> ActionResult:
        """DescribeRepositories: the named repositories, or one page of all (``maxResults``, ``nextToken``)."""
        names = response._get_param("repositoryNames")
        max_results, next_token = response._get_param("maxResults"), response._get_param("nextToken")
        if names and (max_results is not None or next_token is not None):
            raise invalid_parameter("maxResults", "cannot be used together with repositoryNames")
        repositories = response.ecr_backend.describe_repositories(
            repository_names=names, registry_id=response._get_param("registryId")
        )
        if names:
            return ActionResult({"repositories": repositories})
        page, token = page_repositories(repositories, max_results, next_token)
        answer: dict[str, Any] = {"repositories": page}
        if token is not None:
            answer["nextToken"] = token
        return ActionResult(answer)

    def tag_resource(self, response: Any) -> ActionResult:
        """TagResource: add or overwrite tags within ECR's limits."""
        backend = response.ecr_backend
        repo = repository_from_arn(backend, response._get_param("resourceArn"))
        tags = response._get_param("tags", [])
        existing = {tag["Key"]: tag["Value"] for tag in backend.tagger.list_tags_for_resource(repo.arn)["tags"]}
        check_tags(existing, tags)
        backend.tagger.tag_resource(repo.arn, tags)
        return EmptyResult()

    def untag_resource(self, response: Any) -> ActionResult:
        """UntagResource: remove tags by key (absent keys are ignored, as ECR does)."""
        backend = response.ecr_backend
        repo = repository_from_arn(backend, response._get_param("resourceArn"))
        keys = response._get_param("tagKeys", [])
        check_untag(keys)
        backend.tagger.untag_resource_using_names(repo.arn, keys)
        return EmptyResult()

    def list_tags_for_resource(self, response: Any) -> ActionResult:
        """ListTagsForResource: the repository's tags."""
        backend = response.ecr_backend
        repo = repository_from_arn(backend, response._get_param("resourceArn"))
        return ActionResult(backend.tagger.list_tags_for_resource(repo.arn))


def _repository(response: Any) -> Any:
    """moto's repository for the request (raises RepositoryNotFoundException as ECR does)."""
    return response.ecr_backend._get_repository(
        response._get_param("repositoryName"), response._get_param("registryId")
    )


def _as_method(operation: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    """A plain function (moto dispatches only to functions found on the class) calling ``operation``."""

    def method(response: Any) -> ActionResult:
        return operation(response)

    method.__name__ = operation.__name__
    return method
