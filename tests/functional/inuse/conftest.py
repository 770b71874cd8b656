"""Fixtures for in-use discovery against the running stand-in: seeded workloads, real boto3 over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from inuse_helpers import GUARDED, Discover

from ecr_lifecycle_guard.inuse import BotoClients, RepositoryRef
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage
from ecr_lifecycle_guard.local.workloads import WorkloadSeeder


@pytest.fixture
def stand_in() -> Iterator[EcrStandIn]:
    with EcrStandIn(preview_latency=0.0) as running:
        running.create_repository(GUARDED, images=[SeedImage(tags=("v1",)), SeedImage(tags=("v2", "latest"))])
        running.create_repository("other", images=[SeedImage(tags=("v1",))])
        yield running


@pytest.fixture
def seeder(stand_in: EcrStandIn) -> WorkloadSeeder:
    return WorkloadSeeder(stand_in)


@pytest.fixture
def clients(stand_in: EcrStandIn) -> BotoClients:
    return BotoClients(
        region=stand_in.region,
        endpoint_url=stand_in.endpoint_url,
        credentials={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"},
    )


@pytest.fixture
def discover(stand_in: EcrStandIn, clients: BotoClients) -> Discover:
    return Discover(stand_in, clients, RepositoryRef(stand_in.account_id, stand_in.region, GUARDED))
