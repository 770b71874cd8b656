"""ECS as AWS behaves, where moto 5.2.5 does not (for in-use discovery's tests and the demo).

* Paging and limits: ListClusters, ListServices and ListTasks answer pages (``maxResults`` 1-100;
  defaults 100, 10 and 100) with an opaque ``nextToken``; DescribeServices takes at most 10 services
  and DescribeTasks at most 100 tasks (moto pages nothing and caps nothing).
* ListTasks lists the given cluster's tasks only (moto also listed those of every cluster whose name
  contains it: ``c1`` showed ``c10``'s tasks) and, without ``desiredStatus``, RUNNING ones only.
* DescribeTasks looks only in the given cluster, reports unknown tasks as ``MISSING`` failures and
  does not move tasks on (moto advances one state per call and stops them on the fourth).
* RunTask/StartTask: a task has a container per container definition (moto makes only the first),
  each with the task's ARN, ``lastStatus`` RUNNING and the ``imageDigest`` the image resolved to
  when the task started (ECS agent 1.83+ pins it; moto has no such field).
* UpdateService with a new task definition starts a new PRIMARY deployment and keeps the previous
  one ACTIVE (rolling update), instead of silently rewriting the service.

Each patch is a (class, attribute, replacement) triple; :data:`ECS_PATCHES` lists them for
:func:`~ecr_lifecycle_guard.local.workloads.install_workload_patches`.

Examples
--------
>>> page, token = paged(["a", "b", "c"], None, 2, default=10)
>>> page, paged(["a", "b", "c"], token, 2, default=10)
(['a', 'b'], (['c'], None))
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import Container, EC2ContainerServiceBackend, Task
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.moto_api._internal import mock_random

from ecr_lifecycle_guard.local.ecs_render import service_json, task_json
from ecr_lifecycle_guard.local.image_lookup import resolve_image

__all__ = ["ECS_PATCHES", "Patch", "paged"]

T = TypeVar("T")
#: (owner class, attribute name, new value).
Patch = tuple[type, str, Any]

_MAX_PAGE: Final = 100
_MAX_DESCRIBE_SERVICES: Final = 10
_MAX_DESCRIBE_TASKS: Final = 100


def paged(
    items: Sequence[T], token: str | None, max_results: int | None, *, default: int
) -> tuple[list[T], str | None]:
    """One page of ``items`` from ``token``'s position; the next page's token or ``None``.

    Raises
    ------
    InvalidParameterException
        ``token`` was not made by this function or ``max_results`` is outside 1-100.
    """
    size = default if max_results is None else int(max_results)
    if not 1 <= size <= _MAX_PAGE:
        raise InvalidParameterException(f"maxResults must be between 1 and {_MAX_PAGE}, got {size}.")
    start = _position(token)
    end = start + size
    following = base64.urlsafe_b64encode(f"page:{end}".encode()).decode() if end < len(items) else None
    return list(items[start:end]), following


def _position(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    kind, _, number = text.partition(":")
    if kind != "page" or not number.isdigit():
        raise InvalidParameterException("Invalid token.")
    return int(number)


def _list_page(response: Any, key: str, items: Sequence[str], *, default: int) -> ActionResult:
    page, token = paged(items, response._get_param("nextToken"), response._get_param("maxResults"), default=default)
    result: dict[str, Any] = {key: page}
    if token:
        result["nextToken"] = token
    return ActionResult(result)


def list_clusters(response: Any) -> ActionResult:
    """ListClusters, paged."""
    return _list_page(response, "clusterArns", response.ecs_backend.list_clusters(), default=100)


def list_services(response: Any) -> ActionResult:
    """ListServices of one cluster, paged (10 by default, as ECS)."""
    backend = response.ecs_backend
    cluster = backend._get_cluster(response._get_param("cluster", "default"))
    strategy, launch_type = response._get_param("schedulingStrategy"), response._get_param("launchType")
    arns = sorted(
        service.arn
        for service in backend.services.values()
        if service.cluster_name == cluster.name
        and strategy in (None, service.scheduling_strategy)
        and launch_type in (None, service.launch_type)
    )
    return _list_page(response, "serviceArns", arns, default=10)


def list_tasks(response: Any) -> ActionResult:
    """ListTasks of one cluster, paged; RUNNING tasks unless another ``desiredStatus`` is asked for.

    moto matched the cluster as a substring (``c1`` listed ``c10``'s tasks) and ignored ``serviceName``.
    """
    backend = response.ecs_backend
    cluster = backend._get_cluster(response._get_param("cluster", "default"))
    status = response._get_param("desiredStatus") or "RUNNING"
    instance, family = response._get_param("containerInstance"), response._get_param("family")
    started_by, service = response._get_param("startedBy"), response._get_param("serviceName")
    arns = [
        arn
        for arn, task in backend.tasks.get(cluster.name, {}).items()
        if task.desired_status == status
        and (instance is None or (task.container_instance_arn or "").endswith(instance.rsplit("/", 1)[-1]))
        and (family is None or task.task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family)
        and started_by in (None, task.started_by)
        and (service is None or task.group == f"service:{service.rsplit('/', 1)[-1]}")
    ]
    return _list_page(response, "taskArns", arns, default=100)


def describe_services(response: Any) -> ActionResult | str:
    """DescribeServices, at most 10 services per call (rendered directly unless a service has task sets)."""
    names = response._get_param("services", [])
    if len(names) > _MAX_DESCRIBE_SERVICES:
        raise InvalidParameterException(f"services can have at most {_MAX_DESCRIBE_SERVICES} items.")
    services, failures = response.ecs_backend.describe_services(response._get_param("cluster", "default"), names)
    if any(service.task_sets for service in services):
        return _ORIGINAL_DESCRIBE_SERVICES(response)
    tags = "TAGS" in response._get_param("include", [])
    return json.dumps({"services": [service_json(s, tags=tags) for s in services], "failures": failures})


def describe_tasks(response: Any) -> str:
    """DescribeTasks in one cluster, at most 100 tasks, without moving them on; unknown ones MISSING."""
    wanted = response._get_param("tasks", [])
    if not wanted:
        raise InvalidParameterException("Tasks cannot be empty.")
    if len(wanted) > _MAX_DESCRIBE_TASKS:
        raise InvalidParameterException(f"tasks can have at most {_MAX_DESCRIBE_TASKS} items.")
    backend = response.ecs_backend
    cluster = backend._get_cluster(response._get_param("cluster", "default"))
    by_id = {arn.rsplit("/", 1)[-1]: task for arn, task in backend.tasks.get(cluster.name, {}).items()}
    tags = "TAGS" in response._get_param("include", [])
    tasks, failures = [], []
    for name in wanted:
        task = by_id.get(name.rsplit("/", 1)[-1])
        if task is None:
            failures.append({"arn": name, "reason": "MISSING"})
        else:
            tasks.append(task_json(task, tags=tags))
    return json.dumps({"tasks": tasks, "failures": failures})


def _with_containers(run: Callable[..., list[Task]]) -> Callable[..., list[Task]]:
    """Wrap RunTask/StartTask: every container definition becomes a started container."""

    def started(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> list[Task]:
        tasks = run(self, *args, **kwargs)
        for task in tasks:
            definition = self.describe_task_definition(task.task_definition_arn)
            task.containers = [_container(task, definition, spec) for spec in definition.container_definitions]
        return tasks

    return started


def _container(task: Task, definition: Any, spec: dict[str, Any]) -> Container:
    container = Container(definition)  # type: ignore[abstract]  # moto's CloudFormation hooks are unused here
    container.container_arn = f"{task.task_arn.replace(':task/', ':container/')}/{mock_random.uuid4()}"
    container.task_arn = task.task_arn
    container.name = spec.get("name")
    container.image = spec.get("image")
    container.cpu = spec.get("cpu", 0)
    container.memory = spec.get("memory")
    container.environment = spec.get("environment")
    container.command = spec.get("command")
    container.last_status = "RUNNING"
    image = resolve_image(str(container.image or ""))
    if image is not None:
        setattr(container, "image_digest", image.image_digest)  # noqa: B010 - a field moto's Container lacks
    return container


def _update_service(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap UpdateService: a new task definition is a new PRIMARY deployment; the old one stays ACTIVE."""

    def update(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        cluster = service_properties.get("cluster", "default")
        name = str(service_properties.get("service", "")).split("/")[-1]
        before = self._get_service(cluster, name).task_definition
        service = original(self, service_properties)
        if service.task_definition == before or service.deployment_controller.get("type") != "ECS":
            return service
        service.task_definition = self.describe_task_definition(service.task_definition).arn
        for deployment in service.deployments:
            if deployment.get("status") == "PRIMARY":
                deployment["status"] = "ACTIVE"
        now = utcnow()
        primary = dict(service.deployments[0]) if service.deployments else {}
        primary.update(
            id=f"ecs-svc/{mock_random.randint(0, 32**12)}",
            status="PRIMARY",
            taskDefinition=service.task_definition,
            createdAt=now,
            updatedAt=now,
            rolloutState="IN_PROGRESS",
            runningCount=0,
        )
        service.deployments.insert(0, primary)
        return service

    return update


_ORIGINAL_DESCRIBE_SERVICES: Final = EC2ContainerServiceResponse.describe_services

#: Every ECS patch, for install_workload_patches().
ECS_PATCHES: Final[tuple[Patch, ...]] = (
    (EC2ContainerServiceResponse, "list_clusters", list_clusters),
    (EC2ContainerServiceResponse, "list_services", list_services),
    (EC2ContainerServiceResponse, "list_tasks", list_tasks),
    (EC2ContainerServiceResponse, "describe_services", describe_services),
    (EC2ContainerServiceResponse, "describe_tasks", describe_tasks),
    (EC2ContainerServiceBackend, "run_task", _with_containers(EC2ContainerServiceBackend.run_task)),
    (EC2ContainerServiceBackend, "start_task", _with_containers(EC2ContainerServiceBackend.start_task)),
    (EC2ContainerServiceBackend, "update_service", _update_service(EC2ContainerServiceBackend.update_service)),
)
