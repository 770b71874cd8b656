"""Assemble the custom-resource handler's Lambda asset without Docker.

The asset holds ``index.py`` and ``guard_handler/`` (from the repository's ``lambda/`` folder, shipped
inside the wheel as ``ecr_lifecycle_guard/_lambda``), the parts of this package the handler imports
(errors, engine, contract, ownership_record, aws_errors, gate, ecr_preview, inuse) and the installed
``crhelper`` package. boto3 is not bundled: the Lambda Python runtime provides it. Standard library
only, so the stand-in and the tests can build the very same asset the construct deploys.

Examples
--------
>>> import tempfile
>>> from ecr_lifecycle_guard.handler_asset import assemble_handler_asset
>>> with tempfile.TemporaryDirectory() as out:
...     sorted(p.name for p in assemble_handler_asset(out).iterdir())
['crhelper', 'ecr_lifecycle_guard', 'guard_handler', 'index.py']
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

__all__ = ["PACKAGE_PARTS", "assemble_handler_asset", "handler_source_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent

#: What of ``ecr_lifecycle_guard`` the handler needs at run time (files and folders).
PACKAGE_PARTS: tuple[str, ...] = (
    "__init__.py",
    "py.typed",
    "errors.py",
    "engine",
    "contract.py",
    "ownership_record.py",
    "aws_errors.py",
    "gate.py",
    "ecr_preview.py",
    "inuse",
)

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache")


def handler_source_dir() -> Path:
    """Return the folder holding ``index.py`` and ``guard_handler/``.

    Inside an installed wheel it is ``ecr_lifecycle_guard/_lambda``; in a source checkout it is the
    repository's ``lambda/`` folder.

    Raises
    ------
    FileNotFoundError
        When neither location holds ``index.py`` (a broken installation).
    """
    candidates = (_PACKAGE_DIR / "_lambda", _PACKAGE_DIR.parent.parent / "lambda")
    for candidate in candidates:
        if (candidate / "index.py").is_file():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"the handler source (index.py) was not found; searched: {searched}")


def _crhelper_dir() -> Path:
    spec = importlib.util.find_spec("crhelper")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("crhelper is not installed: pip install crhelper==2.0.12")
    return Path(spec.origin).parent


def assemble_handler_asset(output_dir: str | Path) -> Path:
    """Copy everything the handler needs into ``output_dir`` and return it.

    The result depends only on the files' contents, so hashing the output gives a stable asset hash.

    Parameters
    ----------
    output_dir
        An existing or new folder; existing files with the same names are overwritten.

    Returns
    -------
    Path
        ``output_dir`` as a :class:`~pathlib.Path`.
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = handler_source_dir()
    shutil.copy2(source / "index.py", out / "index.py")
    shutil.copytree(source / "guard_handler", out / "guard_handler", dirs_exist_ok=True, ignore=_IGNORE)
    package_out = out / "ecr_lifecycle_guard"
    package_out.mkdir(exist_ok=True)
    for part in PACKAGE_PARTS:
        src = _PACKAGE_DIR / part
        if src.is_dir():
            shutil.copytree(src, package_out / part, dirs_exist_ok=True, ignore=_IGNORE)
        else:
            shutil.copy2(src, package_out / part)
    shutil.copytree(_crhelper_dir(), out / "crhelper", dirs_exist_ok=True, ignore=_IGNORE)
    return out
