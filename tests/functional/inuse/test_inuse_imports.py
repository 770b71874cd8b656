"""The in-use package ships in the Lambda asset: importing it loads no AWS SDK, moto or CDK."""

from __future__ import annotations

import subprocess
import sys


def test_importing_in_use_discovery_loads_neither_boto3_nor_moto_nor_aws_cdk() -> None:
    # given
    probe = (
        "import sys, ecr_lifecycle_guard.inuse, ecr_lifecycle_guard.inuse.boto_clients; "
        "print(sorted(m for m in ('boto3', 'botocore', 'moto', 'aws_cdk') if m in sys.modules))"
    )
    # when
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    # then
    assert done.stdout.strip() == "[]"
