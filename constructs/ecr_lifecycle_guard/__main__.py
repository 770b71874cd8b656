"""``python -m ecr_lifecycle_guard``: the same command line as ``ecr-lifecycle-guard``."""

from __future__ import annotations

from ecr_lifecycle_guard.cli.main import console_main

if __name__ == "__main__":
    console_main()
