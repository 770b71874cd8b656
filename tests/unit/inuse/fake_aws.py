"""An in-memory stand-in for the AWS clients in-use discovery uses (ECS, Lambda, Batch, ECR, STS).

It answers like AWS (pages, batch limits, ``ImageNotFoundException`` for a whole DescribeImages call)
and raises botocore's real ``ClientError`` for injected errors; every call is recorded.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-east-1"
HOST = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def client_error(code: str, message: str = "", operation: str = "Operation") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def digest(n: int) -> str:
    return f"sha256:{n:064x}"


@dataclass
class FakeAws:
    """The state of one account and region, and the calls made to it."""

    account: str = ACCOUNT
    region: str = REGION
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"services": [...], "tasks": [...]}
    task_definitions: dict[str, list[str]] = field(default_factory=dict)  # ARN -> images
    functions: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # name -> {"$LATEST": uri, "1": uri, "aliases": {}}
    job_definitions: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, dict[str, str]] = field(default_factory=dict)  # repository -> tag -> digest
    roles: dict[str, FakeAws] = field(default_factory=dict)  # role ARN -> the account behind it
    errors: dict[str, list[Exception]] = field(default_factory=dict)  # operation -> errors to raise, in turn
    blocked: dict[str, threading.Event] = field(default_factory=dict)  # operation -> wait until set
    page_size: int = 2
    calls: Counter[str] = field(default_factory=Counter)

    # AwsClients ---------------------------------------------------------------------------------

    def client(self, service: str) -> FakeAws:
        return self

    def assume(self, role_arn: str) -> FakeAws:
        self._enter("AssumeRole")
        return self.roles[role_arn]

    # plumbing -----------------------------------------------------------------------------------

    def _enter(self, operation: str) -> None:
        self.calls[operation] += 1
        if operation in self.blocked:
            self.blocked[operation].wait(timeout=10)
        pending = self.errors.get(operation)
        if pending:
            raise pending.pop(0)

    def _page(self, items: list[Any], token: str | None, size: int | None = None) -> tuple[list[Any], str | None]:
        start = int(token or 0)
        end = start + (size or self.page_size)
        return items[start:end], (str(end) if end < len(items) else None)

    # ECS ------------------------------------------------------------------------------------------

    def cluster_arn(self, name: str) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account}:cluster/{name}"

    def task_definition_arn(self, label: str) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account}:task-definition/{label}"

    def list_clusters(self, **params: Any) -> dict[str, Any]:
        self._enter("ListClusters")
        page, token = self._page([self.cluster_arn(n) for n in self.clusters], params.get("nextToken"))
        return {"clusterArns": page, **({"nextToken": token} if token else {})}

    def _cluster(self, arn: str) -> dict[str, Any]:
        return self.clusters[arn.rsplit("/", 1)[-1]]

    def list_services(self, **params: Any) -> dict[str, Any]:
        self._enter("ListServices")
        cluster = self._cluster(params["cluster"])
        arns = [f"arn:aws:ecs:{self.region}:{self.account}:service/x/{s['serviceName']}" for s in cluster["services"]]
        page, token = self._page(arns, params.get("nextToken"))
        return {"serviceArns": page, **({"nextToken": token} if token else {})}

    def describe_services(self, **params: Any) -> dict[str, Any]:
        self._enter("DescribeServices")
        assert len(params["services"]) <= 10
        wanted = {arn.rsplit("/", 1)[-1] for arn in params["services"]}
        return {"services": [s for s in self._cluster(params["cluster"])["services"] if s["serviceName"] in wanted]}

    def list_tasks(self, **params: Any) -> dict[str, Any]:
        self._enter("ListTasks")
        wanted = params.get("desiredStatus", "RUNNING")
        tasks = [t for t in self._cluster(params["cluster"])["tasks"] if t["desiredStatus"] == wanted]
        page, token = self._page([t["taskArn"] for t in tasks], params.get("nextToken"))
        return {"taskArns": page, **({"nextToken": token} if token else {})}

    def describe_tasks(self, **params: Any) -> dict[str, Any]:
        self._enter("DescribeTasks")
        assert len(params["tasks"]) <= 100
        return {"tasks": [t for t in self._cluster(params["cluster"])["tasks"] if t["taskArn"] in params["tasks"]]}

    def describe_task_definition(self, **params: Any) -> dict[str, Any]:
        self._enter("DescribeTaskDefinition")
        images = self.task_definitions[params["taskDefinition"]]
        return {
            "taskDefinition": {"containerDefinitions": [{"name": f"c{i}", "image": im} for i, im in enumerate(images)]}
        }

    # Lambda ---------------------------------------------------------------------------------------

    def list_functions(self, **params: Any) -> dict[str, Any]:
        self._enter("ListFunctions")
        entries = [
            {"FunctionName": name, "PackageType": "Image", "Version": version}
            for name, spec in self.functions.items()
            for version in spec
            if version != "aliases"
        ]
        page, marker = self._page(entries, params.get("Marker"))
        return {"Functions": page, **({"NextMarker": marker} if marker else {})}

    def get_function(self, **params: Any) -> dict[str, Any]:
        self._enter("GetFunction")
        uri = self.functions[params["FunctionName"]][params.get("Qualifier", "$LATEST")]
        return {"Code": {"ImageUri": uri.split("@")[0] + ":tag", "ResolvedImageUri": uri}}

    def list_aliases(self, **params: Any) -> dict[str, Any]:
        self._enter("ListAliases")
        aliases = self.functions[params["FunctionName"]].get("aliases", {})
        entries = [{"Name": name, "FunctionVersion": version} for name, version in aliases.items()]
        page, marker = self._page(entries, params.get("Marker"))
        return {"Aliases": page, **({"NextMarker": marker} if marker else {})}

    # Batch ----------------------------------------------------------------------------------------

    def describe_job_definitions(self, **params: Any) -> dict[str, Any]:
        self._enter("DescribeJobDefinitions")
        active = [d for d in self.job_definitions if d.get("status", "ACTIVE") == params["status"]]
        page, token = self._page(active, params.get("nextToken"))
        return {"jobDefinitions": page, **({"nextToken": token} if token else {})}

    # ECR ------------------------------------------------------------------------------------------

    def describe_images(self, **params: Any) -> dict[str, Any]:
        self._enter("DescribeImages")
        assert len(params["imageIds"]) <= 100
        if params["repositoryName"] not in self.images:
            raise client_error("RepositoryNotFoundException", "no repository", "DescribeImages")
        tags = self.images[params["repositoryName"]]
        wanted = [i["imageTag"] for i in params["imageIds"]]
        if any(tag not in tags for tag in wanted):
            raise client_error("ImageNotFoundException", "image not found", "DescribeImages")
        found: dict[str, list[str]] = {}
        for tag in wanted:
            found.setdefault(tags[tag], []).append(tag)
        return {"imageDetails": [{"imageDigest": d, "imageTags": t} for d, t in found.items()]}


def service(name: str, *task_definitions: str, statuses: tuple[str, ...] = ("PRIMARY",)) -> dict[str, Any]:
    """A DescribeServices item whose deployments run ``task_definitions`` (with ``statuses``)."""
    deployments = [{"status": s, "taskDefinition": td} for td, s in zip(task_definitions, statuses, strict=True)]
    return {
        "serviceName": name,
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/x/{name}",
        "deployments": deployments,
    }


def task(
    arn: str, task_definition: str, containers: list[tuple[str, str | None]], *, status: str = "RUNNING"
) -> dict[str, Any]:
    """A DescribeTasks item with containers (image, imageDigest)."""
    return {
        "taskArn": arn,
        "taskDefinitionArn": task_definition,
        "desiredStatus": "RUNNING",  # ECS never sets a desired status of PENDING
        "lastStatus": status,
        "group": "service:api",
        "containers": [
            {"name": f"c{i}", "image": image, **({"imageDigest": d} if d else {})}
            for i, (image, d) in enumerate(containers)
        ],
    }
