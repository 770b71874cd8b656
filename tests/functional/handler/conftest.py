"""Fixtures of the end-to-end handler tests: the real assembled Lambda asset, the HTTPS response receiver
and a fresh local ECR stand-in per test (see ``handler_harness``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecr_lifecycle_guard.handler_asset import assemble_handler_asset
from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver

_TESTS = Path(__file__).resolve().parents[2]
for _folder in (_TESTS.parent / "lambda", _TESTS / "events", Path(__file__).resolve().parent):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from handler_harness import PREVIEW_LATENCY, SEED, Harness  # noqa: E402


@pytest.fixture(scope="session")
def asset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Lambda asset exactly as the construct bundles it."""
    return assemble_handler_asset(tmp_path_factory.mktemp("asset"))


@pytest.fixture(scope="session")
def receiver() -> Iterator[ResponseReceiver]:
    with ResponseReceiver() as rx:
        yield rx


@pytest.fixture
def harness(asset_dir: Path, receiver: ResponseReceiver) -> Iterator[Harness]:
    """A fresh stand-in with repository ``app`` (seeded) and stack ``guarded``."""
    with EcrStandIn(preview_latency=PREVIEW_LATENCY) as ecr:
        ecr.create_repository("app", images=SEED)
        try:
            yield Harness(ecr, receiver, asset_dir, ecr.create_stack("guarded"))
        finally:
            receiver.clear_faults()  # the receiver is shared by the session: no failure leaks into the next test
