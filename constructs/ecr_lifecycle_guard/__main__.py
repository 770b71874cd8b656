"""``python -m ecr_lifecycle_guard``: the same command line as ``ecr-lifecycle-guard``."""

from __future__ import annotations

import sys

from ecr_lifecycle_guard.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
