"""Synthesize the example app for the demo: the real CDK CLI when the project is at hand, else in-process.

Three routes, best first:

1. ``node_modules/.bin/cdk synth`` of the project's ``app.py`` (offline: no notices, telemetry or
   version check; jsii on the pinned Node.js 22), into a given output folder;
2. the project's ``app.py`` (its ``build_app``) synthesized in this process, when the CDK CLI is not
   installed or ``--no-synth`` was given;
3. an equivalent example stack synthesized in this process when there is no project at all (an
   installed wheel run outside the repository).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as out:  # doctest: +SKIP
...     synthesize_example(Path(out), project=find_project()).route
'cdk synth'
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ecr_lifecycle_guard.errors import GuardError

__all__ = ["FALLBACK_POLICY", "SynthError", "Synthesis", "find_project", "synthesize_example"]

#: The source checkout's root when this package is imported from it (constructs/ecr_lifecycle_guard/cli).
_CHECKOUT_ROOT = Path(__file__).resolve().parents[3]
_SYNTH_TIMEOUT_SECONDS = 300
FALLBACK_STACK_NAME = "EcrLifecycleGuardDemo"
FALLBACK_REPOSITORY_NAME = "ecr-lifecycle-guard-demo"
#: The example app's three rules, as raw ECR JSON (used only when the project's app.py is not at hand).
FALLBACK_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images after 14 days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                          "countNumber": 14},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Archive releases nobody pulled for 90 days",
            "selection": {"tagStatus": "tagged", "tagPatternList": ["release-*"], "countType": "sinceImagePulled",
                          "countUnit": "days", "countNumber": 90},
            "action": {"type": "transition", "targetStorageClass": "archive"},
        },
        {
            "rulePriority": 3,
            "description": "Keep the 100 most recent images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
            "action": {"type": "expire"},
        },
    ]
}  # fmt: skip
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
    """Synthesize the example app into ``outdir`` by the best available route.

    Parameters
    ----------
    outdir
        Where the cloud assembly goes (created when missing).
    project
        The folder with ``app.py`` and ``cdk.json`` (see :func:`find_project`); ``None``: synthesize an
        equivalent example stack in-process.
    use_cli
        ``False`` skips the CDK CLI and synthesizes in this process.
    context
        CDK context values (``-c key=value``) for the app.

    Raises
    ------
    SynthError
        When the chosen route fails; the message ends with the tool's last error lines.
    """
    started = time.perf_counter()
    context = dict(context or {})
    cli = project / "node_modules" / ".bin" / "cdk" if project else None
    if use_cli and project is not None and cli is not None and cli.is_file():
        flags = [f"--context={key}={value}" for key, value in context.items()]
        _run([str(cli), "synth", "--quiet", "--output", str(outdir), *flags], project, _tool_env(project))
        return Synthesis(outdir, "cdk synth", f"cdk synth of {project / 'app.py'}", _since(started))
    why = "--no-synth" if not use_cli else "no CDK CLI under node_modules (npm ci installs it)"
    if project is not None:
        _synth_app_in_process(project / "app.py", outdir, context)
        note = f"{project / 'app.py'} synthesized in-process ({why})"
        return Synthesis(outdir, "in-process", note, _since(started))
    _synth_fallback_in_process(outdir, context)
    note = "an equivalent example stack synthesized in-process (no app.py/cdk.json in or above the current folder)"
    return Synthesis(outdir, "in-process", note, _since(started))


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


def _synth_app_in_process(app_file: Path, outdir: Path, context: dict[str, str]) -> None:
    """Load the project's ``app.py`` as a module and synthesize its ``build_app`` into ``outdir``."""
    import aws_cdk as cdk

    spec = importlib.util.spec_from_file_location("ecr_lifecycle_guard_example_app", app_file)
    if spec is None or spec.loader is None:
        raise SynthError(f"{app_file} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        build_app = getattr(module, "build_app", None)
        if build_app is None:
            raise SynthError(f"{app_file} has no build_app(app) function")
        build_app(cdk.App(outdir=str(outdir), context=context)).synth()
    except GuardError:
        raise
    except Exception as error:  # the app's own failure, reported as one line like the CLI route's
        raise SynthError(f"synthesizing {app_file} failed: {type(error).__name__}: {error}") from None


def _synth_fallback_in_process(outdir: Path, context: dict[str, str]) -> None:
    """The example stack when there is no project: a created repository guarded with the context's limits."""
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr

    from ecr_lifecycle_guard.construct import GuardedLifecyclePolicy

    app = cdk.App(outdir=str(outdir), context=context)
    stack = cdk.Stack(app, FALLBACK_STACK_NAME)
    repository = ecr.Repository(stack, "Repository", repository_name=FALLBACK_REPOSITORY_NAME)
    percent = context.get("maxExpiringPercent")
    GuardedLifecyclePolicy(
        stack,
        "LifecyclePolicy",
        repository=repository,
        policy=FALLBACK_POLICY,
        max_expiring_percent=float(percent) if percent else None,
        protected_tags=[tag for tag in context.get("protectedTags", "").split(",") if tag],
    )
    app.synth()
