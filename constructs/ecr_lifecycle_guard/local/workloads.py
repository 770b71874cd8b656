"""Workloads on the stand-in: ECS services and tasks, Lambda image functions, Batch job definitions.

:class:`WorkloadSeeder` creates them through moto's own ECS, Lambda, Batch and EC2 implementations,
called in-process on the backends of one account and region (fast, and not in the stand-in's record
of calls), so in-use discovery has something real to find over HTTP. ECS tasks run on a registered
container instance (EC2 launch type) and pin the ``imageDigest`` their image resolves to when they
start. :func:`install_workload_patches` makes moto's ECS, ECR, Lambda and Batch behave as AWS does
where discovery depends on it (paging, limits, digests; see ``ecs_patches`` and ``service_patches``);
:class:`~ecr_lifecycle_guard.local.server.EcrStandIn` installs them while it runs.

Examples
--------
>>> from ecr_lifecycle_guard.local import EcrStandIn, SeedImage
>>> with EcrStandIn() as ecr:
...     _ = ecr.create_repository("app", images=[SeedImage(tags=("v1",))])
...     seeder = WorkloadSeeder(ecr)
...     service = seeder.ecs_service("prod", "api", [seeder.image_uri("app", "v1")], tasks=2)
...     len(service.task_arns), service.task_definition_arn.rsplit("/", 1)[-1]
(2, 'api:1')
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from moto.awslambda.models import lambda_backends
from moto.batch.models import batch_backends
from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from ecr_lifecycle_guard.inuse.model import RepositoryRef
from ecr_lifecycle_guard.local.ecs_patches import ECS_PATCHES
from ecr_lifecycle_guard.local.service_patches import MODULE_PATCHES, SERVICE_PATCHES

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.local.server import EcrStandIn

__all__ = ["EcsServiceSeed", "LambdaSeed", "WorkloadSeeder", "install_workload_patches"]

#: Memory (MiB) of each seeded container: ECS's minimum, so many tasks fit on one instance.
_CONTAINER_MEMORY: Final = 6
_MISSING: Final = object()
#: The execution role of seeded Lambda functions.
_LAMBDA_ROLE: Final = "stand-in-workloads"
_LAMBDA_TRUST: Final = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)


@contextmanager
def install_workload_patches() -> Iterator[None]:
    """Patch moto so ECS, ECR, Lambda and Batch behave as AWS does for in-use discovery (undone on exit).

    Examples
    --------
    >>> from moto.ecs.responses import EC2ContainerServiceResponse
    >>> before = EC2ContainerServiceResponse.list_clusters
    >>> with install_workload_patches():
    ...     EC2ContainerServiceResponse.list_clusters is before
    False
    >>> EC2ContainerServiceResponse.list_clusters is before
    True
    """
    saved: list[tuple[Any, str, Any]] = []
    try:
        for owner, name, value in (*ECS_PATCHES, *SERVICE_PATCHES, *MODULE_PATCHES):
            saved.append((owner, name, vars(owner).get(name, _MISSING)))
            setattr(owner, name, value)
        yield
    finally:
        for owner, name, original in reversed(saved):
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


@dataclass(frozen=True)
class EcsServiceSeed:
    """A seeded ECS service: its ARN, the task definition of its newest deployment, its tasks."""

    service_arn: str
    task_definition_arn: str
    task_arns: tuple[str, ...]


@dataclass(frozen=True)
class LambdaSeed:
    """A seeded Lambda function: its ARN and its published versions (oldest first)."""

    function_arn: str
    versions: tuple[str, ...]


class WorkloadSeeder:
    """Seed workloads into the stand-in, in one account and region.

    Parameters
    ----------
    stand_in
        The running stand-in.
    account
        The workloads' account; default: the stand-in's. Another account is what an assumed role sees.
    region
        Their region; default: the stand-in's.
    """

    def __init__(self, stand_in: EcrStandIn, *, account: str | None = None, region: str | None = None) -> None:
        self._stand_in = stand_in
        self.account = account or stand_in.account_id
        self.region = region or stand_in.region
        self._families: dict[str, int] = {}

    def for_account(self, account: str) -> WorkloadSeeder:
        """A seeder for ``account`` (same stand-in and region)."""
        return WorkloadSeeder(self._stand_in, account=account, region=self.region)

    def image_uri(self, repository: str, tag: str | None = None, *, digest: str | None = None) -> str:
        """The URI of an image of the stand-in's ``repository`` (its account and region), by tag or digest.

        ``123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1`` for ``("team/app", "v1")``.
        """
        uri = RepositoryRef(self._stand_in.account_id, self._stand_in.region, repository).uri
        return f"{uri}@{digest}" if digest else f"{uri}:{tag or 'latest'}"

    # ECS --------------------------------------------------------------------------------------------

    @property
    def _ecs(self) -> Any:
        return ecs_backends[self.account][self.region]

    def ecs_cluster(self, name: str) -> str:
        """Create cluster ``name`` (if needed) with one registered container instance; its ARN."""
        if name not in self._ecs.clusters:
            self._ecs.create_cluster(cluster_name=name)
            self._add_container_instance(name)
        return str(self._ecs.clusters[name].arn)

    def _add_container_instance(self, cluster: str) -> None:
        ec2 = ec2_backends[self.account][self.region]
        ami = next(a.id for a in ec2.amis.values() if a.platform is None)
        options = {"instance_type": "m5.large", "is_instance_type_default": True, "placement": None}
        options.update(region_name=self.region, nics=[], launch_template={}, security_group_ids=[])
        instance = ec2.run_instances(ami, 1, None, [], **options).instances[0]
        self._ecs.register_container_instance(cluster, instance.id)

    def ecs_task_definition(self, family: str, image_refs: Sequence[str]) -> str:
        """Register a revision of ``family`` with one container per image (``c0``, ``c1``...); its ARN."""
        containers = [
            {"name": f"c{index}", "image": image, "memory": _CONTAINER_MEMORY, "essential": index == 0}
            for index, image in enumerate(image_refs)
        ]
        return str(self._ecs.register_task_definition(family, containers, network_mode="bridge").arn)

    def ecs_service(
        self,
        cluster: str,
        service: str,
        image_refs: Sequence[str],
        *,
        tasks: int = 0,
        pending: int = 0,
        family: str | None = None,
        task_definition: str | None = None,
    ) -> EcsServiceSeed:
        """Create a service running ``image_refs`` with ``tasks`` running and ``pending`` pending tasks.

        The task definition is ``task_definition`` (an ARN, shared with other services; ``image_refs`` is
        then ignored) or a new revision of ``family`` (default: the service's name). Tasks resolve their
        images' digests now, so moving a tag later leaves them on the old image (as ECS does).
        """
        self.ecs_cluster(cluster)
        definition = task_definition or self.ecs_task_definition(family or service, image_refs)
        created = self._ecs.create_service(cluster, service, tasks + pending, definition, launch_type="EC2")
        started = self._run(cluster, definition, tasks, pending, group=f"service:{service}")
        return EcsServiceSeed(str(created.arn), definition, started)

    def update_ecs_service(
        self, cluster: str, service: str, image_refs: Sequence[str], *, tasks: int = 0, finish: bool = False
    ) -> EcsServiceSeed:
        """Deploy a new task definition revision: a new PRIMARY deployment, the old one ACTIVE.

        ``finish`` ends the rollout: the old deployment is gone (as after ECS finished it), and so are
        its tasks.
        """
        current = self._ecs._get_service(cluster, service)
        family = self._ecs.describe_task_definition(current.task_definition).family
        definition = self.ecs_task_definition(family, image_refs)
        self._ecs.update_service({"cluster": cluster, "service": service, "task_definition": definition})
        if finish:
            current.deployments[:] = [d for d in current.deployments if d.get("status") == "PRIMARY"]
            for task in self._ecs.tasks.get(cluster, {}).values():
                if task.group == f"service:{service}" and task.task_definition_arn != definition:
                    self._ecs.stop_task(cluster, task.task_arn, "deployment finished")
        started = self._run(cluster, definition, tasks, 0, group=f"service:{service}")
        return EcsServiceSeed(str(current.arn), definition, started)

    def ecs_task(
        self, cluster: str, image_refs: Sequence[str], *, family: str = "standalone", status: str = "RUNNING"
    ) -> str:
        """Run one standalone task (``status`` RUNNING or PENDING); its ARN."""
        self.ecs_cluster(cluster)
        definition = self.ecs_task_definition(family, image_refs)
        running, pending = (0, 1) if status == "PENDING" else (1, 0)
        return self._run(cluster, definition, running, pending, group=f"family:{family}")[0]

    def _run(self, cluster: str, definition: str, running: int, pending: int, *, group: str) -> tuple[str, ...]:
        arns: list[str] = []
        for count, status in ((running, "RUNNING"), (pending, "PENDING")):
            remaining = count
            while remaining > 0:
                tasks = self._ecs.run_task(cluster, definition, remaining, None, "", None, "EC2", None, group)
                if not tasks:  # the container instances are full: add one
                    self._add_container_instance(cluster)
                    continue
                for task in tasks:
                    task.last_status = status
                    for container in task.containers:
                        container.last_status = status
                    arns.append(str(task.task_arn))
                remaining -= len(tasks)
        return tuple(arns)

    # Lambda -----------------------------------------------------------------------------------------

    @property
    def _lambda(self) -> Any:
        return lambda_backends[self.account][self.region]

    def lambda_image_function(
        self, name: str, image_uri: str, *, versions: Sequence[str] = (), alias: str | None = None
    ) -> LambdaSeed:
        """Create a container-image function.

        Each URI in ``versions`` is deployed and published in turn (versions 1, 2...); then ``$LATEST``
        gets ``image_uri``. ``alias`` points to the last published version (``$LATEST`` if none).
        """
        role = self._lambda_role()
        first = versions[0] if versions else image_uri
        spec = {"FunctionName": name, "Role": role, "PackageType": "Image", "Code": {"ImageUri": first}}
        function = self._lambda.create_function(spec)
        published: list[str] = []
        for index, uri in enumerate(versions):
            if index:
                self._lambda.update_function_code(name, None, {"ImageUri": uri})
            published.append(str(self._lambda.publish_version(name).version))
        if versions:
            self._lambda.update_function_code(name, None, {"ImageUri": image_uri})
        if alias:
            self._lambda.create_alias(alias, name, published[-1] if published else "$LATEST", "", None)
        return LambdaSeed(str(function.function_arn), tuple(published))

    def _lambda_role(self) -> str:
        """The execution role of seeded functions (moto checks that it exists)."""
        iam = iam_backends[self.account][get_partition(self.region)]
        try:
            return str(iam.get_role(_LAMBDA_ROLE).arn)
        except Exception:  # moto's NoSuchEntity: create it once
            return str(iam.create_role(_LAMBDA_ROLE, _LAMBDA_TRUST, "/", None, "seeded workloads", [], None).arn)

    # Batch ------------------------------------------------------------------------------------------

    def batch_job_definition(self, name: str, image: str) -> str:
        """Register a revision of container job definition ``name`` running ``image``; its ARN."""
        properties = {"image": image, "vcpus": 1, "memory": 512, "command": ["true"]}
        definition = batch_backends[self.account][self.region].register_job_definition(
            name, {}, "container", {}, {}, properties, None, None, {}, [], False
        )
        return str(definition.arn)

    def deregister_batch_job_definition(self, arn: str) -> None:
        """Make a job definition revision INACTIVE."""
        batch_backends[self.account][self.region].deregister_job_definition(arn)
