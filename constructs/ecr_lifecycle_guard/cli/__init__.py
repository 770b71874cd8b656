"""The ``ecr-lifecycle-guard`` command line: one module per command, dispatched by :mod:`.main`.

Examples
--------
>>> from ecr_lifecycle_guard.cli.main import COMMANDS
>>> [command.__name__.rsplit(".", 1)[1] for command in COMMANDS][:2]
['validate', 'evaluate']
"""

from __future__ import annotations

__all__: list[str] = []
