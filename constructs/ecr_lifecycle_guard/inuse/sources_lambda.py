"""AWS Lambda as a source: functions packaged as container images, and their aliased versions.

ListFunctions (paged, ``FunctionVersion`` ALL, so published versions are listed too) keeps the
functions with ``PackageType`` ``Image``; each one is a step: GetFunction of ``$LATEST`` and, for a
function that has published versions, ListAliases (paged) and GetFunction with ``Qualifier`` for each
version an alias points to (also the second version of a weighted alias). An alias can only point to
``$LATEST`` or a published version, so a function without published versions needs no ListAliases:
its aliases run ``$LATEST``'s image, which counts already. Lambda runs the image it resolved when the
code was deployed, so a function counts with ``Code.ResolvedImageUri`` (a digest reference), or with
``Code.ImageUri`` when the resolved URI is missing.

Examples
--------
>>> code = {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
...         "ResolvedImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64}
>>> image_of({"Code": code}) == code["ResolvedImageUri"]
True
>>> alias_versions({"FunctionVersion": "7", "RoutingConfig": {"AdditionalVersionWeights": {"8": 0.1}}})
['7', '8']
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from ecr_lifecycle_guard.aws_errors import aws_error_code
from ecr_lifecycle_guard.inuse.calls import Caller
from ecr_lifecycle_guard.inuse.crawl import Found, SourceKey, Step
from ecr_lifecycle_guard.inuse.model import Workload

__all__ = ["LAMBDA_FUNCTIONS", "alias_versions", "image_of", "lambda_steps"]

LAMBDA_FUNCTIONS: Final = "Lambda functions"
_LATEST: Final = "$LATEST"
#: The error of a function or version deleted while discovery ran (nothing of it is in use any more).
_GONE: Final = "ResourceNotFoundException"
#: ListFunctions answers at most 50 functions per page.
_PAGE: Final = 50


def image_of(answer: Mapping[str, Any]) -> str | None:
    """The image a GetFunction answer runs: ``ResolvedImageUri``, else ``ImageUri``, else ``None``."""
    code = answer.get("Code") or {}
    image = code.get("ResolvedImageUri") or code.get("ImageUri")
    return str(image) if image else None


def alias_versions(alias: Mapping[str, Any]) -> list[str]:
    """The versions an alias sends invocations to (its version and a weighted second one)."""
    versions = [str(alias["FunctionVersion"])] if alias.get("FunctionVersion") else []
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    versions.extend(str(v) for v in weights if str(v) not in versions)
    return versions


class _Lambda:
    """Lambda discovery in one account and region."""

    def __init__(self, clients: Any, caller: Caller) -> None:
        self._clients = clients
        self._caller = caller
        self._account: str = clients.account
        self._region: str = clients.region
        self.source = SourceKey(LAMBDA_FUNCTIONS, self._account, self._region)

    @property
    def _client(self) -> Any:
        return self._clients.client("lambda")

    def _workload(self, name: str, detail: str) -> Workload:
        return Workload("Lambda function", name, detail, account=self._account, region=self._region)

    def list_functions(self) -> Found:
        published: dict[str, bool] = {}
        pages = self._caller.pages(
            self._client,
            "list_functions",
            token="Marker",
            next_token="NextMarker",
            FunctionVersion="ALL",
            MaxItems=_PAGE,
        )
        for page in pages:
            for function in page.get("Functions", []):
                name = function.get("FunctionName")
                if function.get("PackageType") == "Image" and name:
                    versioned = published.get(str(name), False) or function.get("Version", _LATEST) != _LATEST
                    published[str(name)] = versioned
        return Found(steps=[Step((self.source,), partial(self.function, n, v)) for n, v in published.items()])

    def function(self, name: str, has_versions: bool = True) -> Found:
        """One function's images; a function deleted since it was listed has none."""
        found = Found()
        try:
            self._function(name, has_versions, found)
        except Exception as error:
            if aws_error_code(error) != _GONE:
                raise
        return found

    def _get_image(self, name: str, qualifier: str | None = None) -> str | None:
        params = {"FunctionName": name} if qualifier is None else {"FunctionName": name, "Qualifier": qualifier}
        try:
            return image_of(self._caller.call(self._client, "get_function", **params))
        except Exception as error:
            if qualifier is None or aws_error_code(error) != _GONE:
                raise
            return None  # the version was deleted since the alias was read

    def _function(self, name: str, has_versions: bool, found: Found) -> None:
        latest = self._get_image(name)
        if latest:
            found.references.append((latest, self._workload(name, _LATEST)))
        if not has_versions:
            return
        images: dict[str, str | None] = {_LATEST: latest}
        pages = self._caller.pages(
            self._client, "list_aliases", token="Marker", next_token="NextMarker", FunctionName=name
        )
        for page in pages:
            for alias in page.get("Aliases", []):
                for version in alias_versions(alias):
                    if version not in images:
                        images[version] = self._get_image(name, version)
                    image = images[version]
                    if image:
                        detail = _LATEST if version == _LATEST else f"version {version}"
                        found.references.append((image, self._workload(f"{name}:{alias.get('Name', '')}", detail)))


def lambda_steps(clients: Any, caller: Caller) -> list[Step]:
    """The first step of Lambda discovery in one account and region (it leads to all others)."""
    functions = _Lambda(clients, caller)
    return [Step((functions.source,), functions.list_functions)]
