"""ECR, Lambda and Batch as AWS behaves, where moto 5.2.5 does not (for in-use discovery).

* ECR PutImage moving a tag to a new image: the image that had the tag stays, untagged (moto deleted
  it when the tag was its only one), so "the tag moved but a task still runs the old digest" holds.
* Lambda image functions: ``ImageUri`` is resolved in the stand-in's ECR whatever the repository's
  nesting or account (moto read the last path segment only, or hashed the URI text); ``CodeSha256``
  is the image digest and ``ResolvedImageUri`` is ``<repository>@<digest>``; a missing image is
  refused as Lambda does; a published version keeps the code it was published with (moto shared
  the code record with ``$LATEST``).
* Lambda ListFunctions and Batch DescribeJobDefinitions are paged (50 and 100 per page).
* moto's dispatcher listed its own package folder on every request (about a millisecond each); the
  listing is computed once.

Examples
--------
>>> [owner.__name__ + "." + name for owner, name, _ in SERVICE_PATCHES][:2]
['ECRBackend.put_image', 'LambdaFunction._set_function_code']
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any, Final

from moto import backends as moto_backends
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction
from moto.awslambda.responses import LambdaResponse
from moto.batch.responses import BatchResponse
from moto.ecr.models import ECRBackend

from ecr_lifecycle_guard.local.ecs_patches import Patch, paged
from ecr_lifecycle_guard.local.image_lookup import repository_part, resolve_image

__all__ = ["SERVICE_PATCHES"]

_LAMBDA_PAGE: Final = 50
_BATCH_PAGE: Final = 100


def _put_image(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap PutImage: a tag moving away from an image leaves that image untagged, not deleted."""

    def put_image(
        self: ECRBackend,
        repository_name: str,
        image_manifest: str,
        image_tag: str | None,
        image_manifest_mediatype: str | None = None,
        digest: str | None = None,
    ) -> Any:
        repository = self.repositories.get(repository_name)
        if repository is not None and image_tag is not None:
            holders = self._resolve_image_tag_mutability(repository, image_tag)  # raises for immutable tags
            for image in holders:
                if image.image_manifest != image_manifest and image.image_tags == [image_tag]:
                    image.image_tags = []
                    image.image_tag = None  # type: ignore[assignment]  # moto's untagged images have None
        return original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)

    return put_image


def _set_function_code(original: Callable[..., None]) -> Callable[..., None]:
    """Wrap the code setter of Lambda functions: resolve an image in the stand-in's ECR."""

    def set_code(self: LambdaFunction, updated_spec: dict[str, Any]) -> None:
        if "ImageUri" not in updated_spec:
            original(self, updated_spec)
            return
        from_update = updated_spec is not self.code
        if from_update and updated_spec.get("DryRun"):
            return
        uri = str(updated_spec["ImageUri"])
        image = resolve_image(uri)
        if image is None:
            raise LambdaClientError(
                "InvalidParameterValueException", f"Source image {uri} does not exist. Provide a valid source image."
            )
        self.code_sha_256 = image.image_digest.removeprefix("sha256:")
        self.code_size = _config_size(image.image_manifest)
        if from_update:  # a new record: published versions keep theirs
            self.code = {**self.code, "ImageUri": uri}

    return set_code


def _config_size(manifest: str) -> int:
    try:
        return int(json.loads(manifest).get("config", {}).get("size", 0))
    except (ValueError, TypeError, AttributeError):
        return 0


def _get_code(original: Callable[[LambdaFunction], dict[str, Any]]) -> Callable[[LambdaFunction], dict[str, Any]]:
    """Wrap GetFunction's code part: ``ResolvedImageUri`` is the repository and the digest."""

    def get_code(self: LambdaFunction) -> dict[str, Any]:
        answer = original(self)
        code = answer.get("Code")
        if isinstance(code, dict) and "ImageUri" in self.code:
            code["ResolvedImageUri"] = f"{repository_part(str(self.code['ImageUri']))}@sha256:{self.code_sha_256}"
        return answer

    return get_code


def _first(values: Any) -> Any:
    return values[0] if isinstance(values, list) and values else values


def list_functions(response: Any) -> str:
    """ListFunctions, at most 50 per page (``Marker``/``NextMarker``)."""
    query = response.querystring
    functions: Iterable[LambdaFunction] = response.backend.list_functions(_first(query.get("FunctionVersion")))
    max_items = _first(query.get("MaxItems"))
    size = min(int(max_items), _LAMBDA_PAGE) if max_items else _LAMBDA_PAGE
    page, marker = paged(list(functions), _first(query.get("Marker")), size, default=_LAMBDA_PAGE)
    result: dict[str, Any] = {"Functions": [function.get_configuration() for function in page]}
    if marker:
        result["NextMarker"] = marker
    return json.dumps(result)


def describejobdefinitions(response: Any) -> str:
    """DescribeJobDefinitions, at most 100 per page (``nextToken``)."""
    definitions = response.batch_backend.describe_job_definitions(
        response._get_param("jobDefinitionName"), response._get_param("jobDefinitions"), response._get_param("status")
    )
    max_results = response._get_param("maxResults")
    size = min(int(max_results), _BATCH_PAGE) if max_results else _BATCH_PAGE
    page, token = paged(list(definitions), response._get_param("nextToken"), size, default=_BATCH_PAGE)
    result: dict[str, Any] = {"jobDefinitions": [definition.describe() for definition in page]}
    if token:
        result["nextToken"] = token
    return json.dumps(result)


@functools.cache
def _moto_modules() -> tuple[str, ...]:
    return tuple(_ORIGINAL_MODULES())


_ORIGINAL_MODULES: Final = moto_backends.list_of_moto_modules

#: Every ECR, Lambda and Batch patch (and the dispatcher's speed-up), for install_workload_patches().
SERVICE_PATCHES: Final[tuple[Patch, ...]] = (
    (ECRBackend, "put_image", _put_image(ECRBackend.put_image)),
    (LambdaFunction, "_set_function_code", _set_function_code(LambdaFunction._set_function_code)),
    (LambdaFunction, "get_code", _get_code(LambdaFunction.get_code)),
    (LambdaResponse, "list_functions", list_functions),
    (BatchResponse, "describejobdefinitions", describejobdefinitions),
)
#: The dispatcher speed-up patches a module function, not a class attribute.
MODULE_PATCHES: Final = ((moto_backends, "list_of_moto_modules", _moto_modules),)
