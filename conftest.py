"""Test-session set-up shared by every tier.

Sets the environment the CDK toolchain needs offline (jsii on the Node.js 22 pinned in package.json,
no CLI telemetry or version check) and the Hypothesis profiles (``dev`` = 10 examples, ``ci`` = 300).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent
_NODE22 = REPO_ROOT / "node_modules" / ".bin" / "node"

if _NODE22.exists():
    os.environ.setdefault("JSII_NODE", str(_NODE22))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
os.environ.setdefault("CDK_DISABLE_VERSION_CHECK", "1")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

settings.register_profile("dev", max_examples=10, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: ``--doctest-modules`` would also collect every ``conftest.py`` as a module of doctests, and two of them
#: in folders without ``__init__.py`` share one module name; they hold no examples, so skip them.
collect_ignore_glob = ["tests/**/conftest.py"]
