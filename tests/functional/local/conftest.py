"""Fixtures for the local stand-in's tests: a running stand-in and its ECR client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from stand_in_helpers import LATENCY

from ecr_lifecycle_guard.local import EcrStandIn


@pytest.fixture
def stand_in() -> Iterator[EcrStandIn]:
    with EcrStandIn(preview_latency=LATENCY) as running:
        yield running


@pytest.fixture
def ecr(stand_in: EcrStandIn) -> Any:
    return stand_in.client("ecr")
