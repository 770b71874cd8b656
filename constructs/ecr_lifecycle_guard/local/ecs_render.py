"""ECS tasks and services as DescribeTasks / DescribeServices JSON, rendered directly.

moto's generic serializer takes about a millisecond per task or service; the stand-in's in-use
benchmark describes thousands of them, so the patched operations render the same fields moto does
(AWS's shape; timestamps as epoch seconds, as the JSON protocol sends them) with plain dicts.
Services with task sets still go through moto's serializer (see ``ecs_patches``).

Examples
--------
>>> from datetime import UTC, datetime
>>> epoch(datetime(2024, 1, 1, tzinfo=UTC))
1704067200.0
>>> _compact({"a": None, "b": 0, "c": ""})
{'b': 0, 'c': ''}
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["epoch", "service_json", "task_json"]


def epoch(value: Any) -> Any:
    """``value`` with every datetime in it as epoch seconds (``None`` entries of dicts left out)."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Mapping):
        return {key: epoch(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [epoch(item) for item in value]
    return value


def _compact(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _container(container: Any) -> dict[str, Any]:
    running = container.last_status in ("PENDING", "RUNNING")
    return _compact(
        {
            "containerArn": container.container_arn,
            "taskArn": container.task_arn,
            "name": container.name,
            "image": container.image,
            "imageDigest": getattr(container, "image_digest", None),
            "lastStatus": container.last_status,
            "exitCode": None if running else container.exitCode,
            "networkInterfaces": container.network_interfaces,
            "healthStatus": container.health_status,
            "cpu": _text(container.cpu),
            "memory": _text(container.memory),
        }
    )


def task_json(task: Any, *, tags: bool) -> dict[str, Any]:
    """One DescribeTasks ``tasks`` item for moto's task object (``tags`` when ``include`` has TAGS)."""
    fields = {
        "attachments": task.attachments,
        "capacityProviderName": task.capacity_provider_name,
        "clusterArn": task.cluster_arn,
        "containerInstanceArn": task.container_instance_arn,
        "containers": [_container(container) for container in task.containers],
        "desiredStatus": task.desired_status,
        "group": task.group,
        "lastStatus": task.last_status,
        "launchType": task.launch_type or None,
        "overrides": task.overrides,
        "platformVersion": task.platform_version,
        "startedBy": task.started_by,
        "stoppedReason": task.stopped_reason,
        "taskArn": task.task_arn,
        "taskDefinitionArn": task.task_definition_arn,
        "tags": task.tags if tags else None,
    }
    return _compact(fields)


def service_json(service: Any, *, tags: bool) -> dict[str, Any]:
    """One DescribeServices ``services`` item for moto's service object without task sets."""
    fields = {
        "serviceArn": service.arn,
        "serviceName": service.name,
        "clusterArn": service.cluster_arn,
        "loadBalancers": service.load_balancers,
        "serviceRegistries": service.service_registries,
        "status": service.status,
        "desiredCount": service.desired_count,
        "runningCount": service.running_count,
        "pendingCount": service.pending_count,
        "launchType": service.launch_type,
        "platformVersion": service.platform_version,
        "taskDefinition": service.task_definition,
        "taskSets": [],
        "deployments": epoch(service.deployments),
        "roleArn": service.role_arn,
        "events": epoch(service.events),
        "networkConfiguration": service.network_configuration,
        "schedulingStrategy": service.scheduling_strategy,
        "deploymentController": service.deployment_controller,
        "propagateTags": service.propagate_tags,
        "tags": service.tags if tags else None,
    }
    return _compact(fields)
