"""Put the handler's folder (``lambda/``, not a package) on ``sys.path`` as the Lambda runtime does, and the events."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

_TESTS = Path(__file__).resolve().parents[2]
for folder in (_TESTS.parent / "lambda", _TESTS / "events"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from cfn_events import load_event  # noqa: E402


@pytest.fixture
def create_event() -> dict[str, Any]:
    """A Create event as CloudFormation sends it."""
    return load_event("create")
