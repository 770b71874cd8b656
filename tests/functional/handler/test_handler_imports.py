"""The Lambda asset imports only what the Lambda runtime provides: never aws_cdk, moto or boto3 stubs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
import index
loaded = sorted(name for name in ("aws_cdk", "moto", "constructs", "jsii") if name in sys.modules)
print(",".join(loaded) or "none")
"""


def test_importing_the_handler_loads_neither_aws_cdk_nor_moto(asset_dir: Path) -> None:
    # given: this interpreter can import aws_cdk and moto, so only the handler's own imports decide
    env = {**os.environ, "AWS_REGION": "us-east-1", "PYTHONPATH": str(asset_dir)}
    # when
    probe = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=asset_dir, capture_output=True, text=True)
    # then
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().splitlines()[-1] == "none"
