"""Helpers for in-use discovery tests against the stand-in."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ecr_lifecycle_guard.inuse import BotoClients, InUseReport, RepositoryRef, Workload, discover_in_use
from ecr_lifecycle_guard.local import EcrStandIn

#: The guarded repository (nested, as moto's Lambda used to get wrong).
GUARDED = "team/app"
WORKLOAD_ACCOUNT = "111111111111"
READER_ROLE = f"arn:aws:iam::{WORKLOAD_ACCOUNT}:role/ecr-in-use-reader"


@dataclass
class Discover:
    """Runs discover_in_use for the guarded repository through real boto3 clients."""

    stand_in: EcrStandIn
    clients: BotoClients
    repository: RepositoryRef

    def __call__(
        self,
        *,
        seconds: float = 30.0,
        role_arns: Sequence[str] = (),
        extra_references: Sequence[tuple[str, Workload]] = (),
    ) -> InUseReport:
        return discover_in_use(
            self.repository,
            self.clients,
            role_arns=role_arns,
            deadline=time.monotonic() + seconds,
            clock=time.monotonic,
            sleep=time.sleep,
            extra_references=extra_references,
        )

    def digest(self, tag: str, repository: str = GUARDED) -> str:
        """The digest ``tag`` names now in the stand-in."""
        answer: dict[str, Any] = self.stand_in.client("ecr").describe_images(
            repositoryName=repository, imageIds=[{"imageTag": tag}]
        )
        return str(answer["imageDetails"][0]["imageDigest"])


def workloads(report: InUseReport, digest: str) -> list[str]:
    """The workloads using ``digest``, as text."""
    return [str(workload) for workload in report.workloads_of(digest)]
