"""AWS Batch as a source: the images of ACTIVE job definitions (every revision still registered).

DescribeJobDefinitions with ``status`` ACTIVE, paged. A job definition names images in
``containerProperties``, ``ecsProperties`` (task containers), ``eksProperties`` (pod containers and
init containers) and, for multi-node jobs, in each node range of ``nodeProperties``.

Examples
--------
>>> definition = {"containerProperties": {"image": "a:1"},
...               "eksProperties": {"podProperties": {"containers": [{"name": "web", "image": "b:2"}]}}}
>>> job_definition_images(definition)
[('a:1', ''), ('b:2', 'container web')]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ecr_lifecycle_guard.inuse.calls import Caller
from ecr_lifecycle_guard.inuse.crawl import Found, SourceKey, Step
from ecr_lifecycle_guard.inuse.model import Workload

__all__ = ["BATCH_JOB_DEFINITIONS", "batch_steps", "job_definition_images"]

BATCH_JOB_DEFINITIONS: Final = "Batch job definitions"
_PAGE: Final = 100
_KIND: Final = "Batch job definition"


def _container(container: Mapping[str, Any] | None) -> Iterator[tuple[str, str]]:
    if container and container.get("image"):
        yield str(container["image"]), f"container {container['name']}" if container.get("name") else ""


def _properties(props: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Images of one ``container``/``ecs``/``eks`` properties set (as in a job or a node range)."""
    yield from _container(props.get("containerProperties") or props.get("container"))
    ecs = props.get("ecsProperties") or {}
    for task in ecs.get("taskProperties") or []:
        for container in task.get("containers") or []:
            yield from _container(container)
    pod = (props.get("eksProperties") or {}).get("podProperties") or {}
    for group in ("initContainers", "containers"):
        for container in pod.get(group) or []:
            yield from _container(container)


def job_definition_images(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every image a job definition names, with the container it is for (``""`` when unnamed)."""
    images = list(_properties(definition))
    for node_range in (definition.get("nodeProperties") or {}).get("nodeRangeProperties") or []:
        images.extend(_properties(node_range))
    return list(dict.fromkeys(images))


class _Batch:
    def __init__(self, clients: Any, caller: Caller) -> None:
        self._clients = clients
        self._caller = caller
        self._account: str = clients.account
        self._region: str = clients.region
        self.source = SourceKey(BATCH_JOB_DEFINITIONS, self._account, self._region)

    def job_definitions(self) -> Found:
        found = Found()
        client = self._clients.client("batch")
        pages = self._caller.pages(
            client, "describe_job_definitions", token="nextToken", status="ACTIVE", maxResults=_PAGE
        )
        for page in pages:
            for definition in page.get("jobDefinitions", []):
                if definition.get("status", "ACTIVE") != "ACTIVE":
                    continue
                name = f"{definition.get('jobDefinitionName', '')}:{definition.get('revision', '')}"
                for image, detail in job_definition_images(definition):
                    workload = Workload(_KIND, name, detail, account=self._account, region=self._region)
                    found.references.append((image, workload))
        return found


def batch_steps(clients: Any, caller: Caller) -> list[Step]:
    """The step of Batch discovery in one account and region."""
    batch = _Batch(clients, caller)
    return [Step((batch.source,), batch.job_definitions)]
