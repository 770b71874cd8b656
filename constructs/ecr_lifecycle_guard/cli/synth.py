"""Synthesize the example app for the demo: the real CDK CLI when the project is at hand, else in-process.

Two routes, best first:

1. ``node_modules/.bin/cdk synth`` of the project's ``app.py`` (offline: no notices, telemetry or
   version check; jsii on the pinned Node.js 22), into a given output folder, when the project
   (``app.py``, ``cdk.json`` and the CDK CLI under ``node_modules``) is at hand;
2. otherwise :func:`ecr_lifecycle_guard.example_app.build_app` synthesized in this process: the very
   stack ``app.py`` synthesizes (``--no-synth``, no ``npm ci`` yet, or an installed wheel run outside
   the repository).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as out:
...     synthesize_example(Path(out), project=None).route
'in-process'
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ecr_lifecycle_guard.errors import GuardError

__all__ = ["SynthError", "Synthesis", "find_project", "synthesize_example"]

#: The source checkout's root when this package is imported from it (constructs/ecr_lifecycle_guard/cli).
_CHECKOUT_ROOT = Path(__file__).resolve().parents[3]
_SYNTH_TIMEOUT_SECONDS = 300
#: The project's CDK CLI, relative to the project folder.
_CDK_CLI = Path("node_modules", ".bin", "cdk")
#: What keeps the CDK CLI and jsii quiet and offline (see the toolchain notes).
_OFFLINE_ENV = {
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    "CDK_DISABLE_VERSION_CHECK": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}


class SynthError(GuardError):
    """The example app could not be synthesized."""


@dataclass(frozen=True)
class Synthesis:
    """Where and how the example app was synthesized.

    Parameters
    ----------
    outdir
        The cloud assembly folder.
    route
        ``cdk synth`` or ``in-process``.
    note
        One line for the reader: what ran, and why when it is not the CDK CLI.
    seconds
        How long it took.
    """

    outdir: Path
    route: str
    note: str
    seconds: float


def find_project(start: Path | None = None) -> Path | None:
    """Return the folder holding ``app.py`` and ``cdk.json``: ``start`` or a parent, else this checkout.

    Examples
    --------
    >>> find_project(Path("/")) is None or find_project(Path("/")).joinpath("cdk.json").is_file()
    True
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents, _CHECKOUT_ROOT):
        if (folder / "app.py").is_file() and (folder / "cdk.json").is_file():
            return folder
    return None


def synthesize_example(
    outdir: Path, *, project: Path | None, use_cli: bool = True, context: dict[str, str] | None = None
) -> Synthesis:
    """Synthesize the example app into ``outdir``: the project's CDK CLI when at hand, else in-process.

    Parameters
    ----------
    outdir
        Where the cloud assembly goes (created when missing).
    project
        The folder with ``app.py`` and ``cdk.json`` (see :func:`find_project`); the CDK CLI runs there
        when ``node_modules/.bin/cdk`` exists. ``None``: synthesize in-process.
    use_cli
        ``False`` skips the CDK CLI and synthesizes in this process.
    context
        CDK context values (``-c key=value``) for the app.

    Raises
    ------
    SynthError
        When the CDK CLI fails; the message ends with the tool's last error lines.
    PropertyError
        When a limit in ``context`` is not a number (in-process route; the CLI route reports it as
        :class:`SynthError`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     synthesize_example(Path(out), project=None).note
    'example app synthesized in-process (no app.py/cdk.json in or above the current folder)'
    """
    started = time.perf_counter()
    context = dict(context or {})
    if project is not None and use_cli and (project / _CDK_CLI).is_file():
        flags = [f"--context={key}={value}" for key, value in context.items()]
        command = [str(project / _CDK_CLI), "synth", "--quiet", "--output", str(outdir), *flags]
        _run(command, project, _tool_env(project))
        return Synthesis(outdir, "cdk synth", f"cdk synth of {project / 'app.py'}", _since(started))
    if project is None:
        why = "no app.py/cdk.json in or above the current folder"
    elif not use_cli:
        why = "--no-synth"
    else:
        why = "no CDK CLI under node_modules (npm ci installs it)"
    _synth_in_process(outdir, context)
    return Synthesis(outdir, "in-process", f"example app synthesized in-process ({why})", _since(started))


def _synth_in_process(outdir: Path, context: dict[str, str]) -> None:
    """The stack ``app.py`` synthesizes (:mod:`ecr_lifecycle_guard.example_app`), built and synthesized here."""
    import aws_cdk as cdk

    from ecr_lifecycle_guard.example_app import build_app

    build_app(cdk.App(outdir=str(outdir), context=context)).synth()


def _since(started: float) -> float:
    return time.perf_counter() - started


def _tool_env(project: Path) -> dict[str, str]:
    """The environment for the CDK CLI and the app: offline flags, this Python and the pinned Node first."""
    env = {key: value for key, value in os.environ.items() if key != "CDK"}  # CDK=... confuses the CLI
    env.update(_OFFLINE_ENV)
    node_bin = project / "node_modules" / ".bin"
    if (node_bin / "node").is_file():
        env.setdefault("JSII_NODE", str(node_bin / "node"))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), str(node_bin), env.get("PATH", "")])
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=_SYNTH_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SynthError(f"cdk synth could not run: {error}") from None
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise SynthError(f"cdk synth failed (exit {done.returncode}): {tail}")
