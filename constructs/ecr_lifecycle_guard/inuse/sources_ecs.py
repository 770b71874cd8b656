"""Amazon ECS as a source: services (their current deployments) and running or pending tasks.

Per account and region: ListClusters, then one step per cluster that lists and describes its tasks
(``desiredStatus`` RUNNING, DescribeTasks in batches of 100) and lists its services
(DescribeServices in batches of 10, each batch its own step). A task counts with every container's
image and its resolved ``imageDigest`` (since ECS agent 1.83 a task pins the digest, so it still runs
the old image after its tag moved). A service counts with the images of the task definitions of its
PRIMARY and ACTIVE deployments (and task sets). Pending tasks are listed with the running ones: ECS
never sets a task's *desired* status to PENDING (only its ``lastStatus``), so ListTasks with
``desiredStatus`` PENDING returns nothing, and a task still starting has ``desiredStatus`` RUNNING.

Task definitions are looked up once by ARN: the tasks of a cluster are read before its services, and
a task's containers carry its task definition's images, so DescribeTaskDefinition is called only for
the task definitions no running task showed (a deployment still starting, a service scaled to zero).

Examples
--------
>>> task_definition_label("arn:aws:ecs:us-east-1:123456789012:task-definition/api:42")
'api:42'
>>> _last_part("arn:aws:ecs:us-east-1:123456789012:cluster/prod")
'prod'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, Final

from ecr_lifecycle_guard.aws_errors import aws_error_code
from ecr_lifecycle_guard.inuse.calls import Caller
from ecr_lifecycle_guard.inuse.crawl import Found, Lookup, SourceKey, Step, chunks
from ecr_lifecycle_guard.inuse.model import ImageReference, Workload

__all__ = ["ECS_SERVICES", "ECS_TASKS", "ecs_steps", "task_definition_label"]

ECS_SERVICES: Final = "ECS services"
ECS_TASKS: Final = "ECS tasks"
#: ECS's page and batch limits.
_PAGE: Final = 100
_DESCRIBE_SERVICES: Final = 10
_DESCRIBE_TASKS: Final = 100
#: Deployment and task-set states whose tasks run or are being started.
_CURRENT: Final = frozenset({"PRIMARY", "ACTIVE"})
#: ListTasks ``desiredStatus`` of tasks that run or are starting (PENDING would list nothing: see above).
_TASK_STATES: Final = ("RUNNING",)
_LOOKUP_PREFIX: Final = "ecs-task-definition:"
_CLUSTER_GONE: Final = "ClusterNotFoundException"


def task_definition_label(arn: str) -> str:
    """``family:revision`` of a task definition ARN (or the text itself when it is not an ARN)."""
    return _last_part(arn)


def _last_part(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


class _Ecs:
    """ECS discovery in one account and region."""

    def __init__(self, clients: Any, caller: Caller) -> None:
        self._clients = clients
        self._caller = caller
        self._account: str = clients.account
        self._region: str = clients.region
        self.services = SourceKey(ECS_SERVICES, self._account, self._region)
        self.tasks = SourceKey(ECS_TASKS, self._account, self._region)

    @property
    def _client(self) -> Any:
        return self._clients.client("ecs")

    def _workload(self, kind: str, name: str, detail: str) -> Workload:
        return Workload(kind, name, detail, account=self._account, region=self._region)

    def list_clusters(self) -> Found:
        found = Found()
        for page in self._caller.pages(self._client, "list_clusters", token="nextToken", maxResults=_PAGE):
            for arn in page.get("clusterArns", []):
                found.steps.append(Step((self.tasks, self.services), partial(self.cluster, arn)))
        return found

    def cluster(self, cluster_arn: str) -> Found:
        """Tasks of the cluster first (they teach task definitions' images), then its services.

        A cluster deleted since it was listed runs nothing.
        """
        found = Found()
        try:
            self._tasks(cluster_arn, found)
        except Exception as error:
            if aws_error_code(error) == _CLUSTER_GONE:
                return found
            found.failures.append((self.tasks, error))
        try:
            arns = [
                arn
                for page in self._caller.pages(
                    self._client, "list_services", token="nextToken", cluster=cluster_arn, maxResults=_PAGE
                )
                for arn in page.get("serviceArns", [])
            ]
        except Exception as error:
            if aws_error_code(error) != _CLUSTER_GONE:
                found.failures.append((self.services, error))
            return found
        for batch in chunks(arns, _DESCRIBE_SERVICES):
            found.steps.append(Step((self.services,), partial(self.describe_services, cluster_arn, batch)))
        return found

    def _tasks(self, cluster_arn: str, found: Found) -> None:
        arns: dict[str, None] = {}
        for status in _TASK_STATES:
            for page in self._caller.pages(
                self._client,
                "list_tasks",
                token="nextToken",
                cluster=cluster_arn,
                desiredStatus=status,
                maxResults=_PAGE,
            ):
                arns.update(dict.fromkeys(page.get("taskArns", [])))
        cluster = _last_part(cluster_arn)
        for batch in chunks(list(arns), _DESCRIBE_TASKS):
            answer = self._caller.call(self._client, "describe_tasks", cluster=cluster_arn, tasks=batch)
            for task in answer.get("tasks", []):
                self._task(cluster, task, found)

    def _task(self, cluster: str, task: Mapping[str, Any], found: Found) -> None:
        definition = str(task.get("taskDefinitionArn", ""))
        detail = f"task definition {task_definition_label(definition)}"
        if task.get("group"):
            detail += f", {task['group']}"
        workload = self._workload("ECS task", f"{cluster}/{_last_part(str(task.get('taskArn', '')))}", detail)
        containers: Sequence[Mapping[str, Any]] = task.get("containers") or []
        images = tuple(str(c["image"]) for c in containers if c.get("image"))
        for container in containers:
            image = container.get("image")
            if not image:
                continue
            found.references.append((str(image), workload))
            digest = container.get("imageDigest")
            parsed = ImageReference.parse(str(image))
            if digest and parsed is not None:
                found.references.append((str(parsed.pinned(str(digest))), workload))
        if definition and containers and len(images) == len(containers):
            found.learned[_LOOKUP_PREFIX + definition] = images
        elif definition:  # containers without their image: ask the task definition
            found.lookups.append(self._lookup(definition, workload, self.tasks))

    def describe_services(self, cluster_arn: str, service_arns: list[str]) -> Found:
        found = Found()
        answer = self._caller.call(self._client, "describe_services", cluster=cluster_arn, services=service_arns)
        cluster = _last_part(cluster_arn)
        for service in answer.get("services", []):
            name = f"{cluster}/{service.get('serviceName') or _last_part(str(service.get('serviceArn', '')))}"
            for definition in _current_task_definitions(service):
                workload = self._workload("ECS service", name, f"task definition {task_definition_label(definition)}")
                found.lookups.append(self._lookup(definition, workload, self.services))
        return found

    def _lookup(self, definition: str, workload: Workload, source: SourceKey) -> Lookup:
        return Lookup(_LOOKUP_PREFIX + definition, workload, source, partial(self.task_definition_images, definition))

    def task_definition_images(self, definition: str) -> tuple[str, ...]:
        answer = self._caller.call(self._client, "describe_task_definition", taskDefinition=definition)
        containers = (answer.get("taskDefinition") or {}).get("containerDefinitions") or []
        return tuple(str(c["image"]) for c in containers if c.get("image"))


def _current_task_definitions(service: Mapping[str, Any]) -> list[str]:
    """Task definitions of the service's PRIMARY and ACTIVE deployments and task sets, each once."""
    found: dict[str, None] = {}
    for group in ("deployments", "taskSets"):
        for item in service.get(group) or []:
            if item.get("status") in _CURRENT and item.get("taskDefinition"):
                found[str(item["taskDefinition"])] = None
    if not found and service.get("taskDefinition"):
        found[str(service["taskDefinition"])] = None
    return list(found)


def ecs_steps(clients: Any, caller: Caller) -> list[Step]:
    """The first step of ECS discovery in one account and region (it leads to all others).

    Parameters
    ----------
    clients
        :class:`~ecr_lifecycle_guard.inuse.discovery.AwsClients` of the account and region.
    caller
        Makes the calls within the deadline.
    """
    ecs = _Ecs(clients, caller)
    return [Step((ecs.tasks, ecs.services), ecs.list_clusters)]
