"""``run_lambda``: invoke a Lambda asset's ``index.handler`` in a subprocess, as the Python runtime would.

The child is an isolated interpreter (``python -I -S``: no user or site packages, no ``PYTHON*``
variables) whose ``sys.path`` is the asset folder first, then a folder holding only what the Lambda
runtime provides (boto3 and its dependencies, linked from this interpreter's installation). Its
environment is a Lambda-like base (``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_REGION``, ``LAMBDA_TASK_ROOT``
…) plus what the caller passes, nothing inherited. The handler gets a context with the runtime's
attributes; the child is killed at the deadline like Lambda kills a timed-out invocation.

Examples
--------
>>> import pathlib, tempfile
>>> asset = pathlib.Path(tempfile.mkdtemp())
>>> _ = (asset / "index.py").write_text("def handler(event, context):\\n    return {'echo': event['n']}\\n")
>>> run = run_lambda(asset, {"n": 1}, timeout_seconds=30)
>>> run.timed_out, run.error, run.result
(False, None, {'echo': 1})
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = ["INIT_TIMEOUT_SECONDS", "RUNTIME_PACKAGES", "LambdaRun", "run_lambda"]

#: What the Lambda Python runtime provides besides the standard library.
RUNTIME_PACKAGES: Final = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
#: Lambda's limit on the init phase (importing ``index``).
INIT_TIMEOUT_SECONDS: Final = 10.0
_BOOTSTRAP: Final = Path(__file__).with_name("lambda_bootstrap.py")
_DEFAULT_ACCOUNT: Final = "123456789012"


@dataclass(frozen=True)
class LambdaRun:
    """The outcome of one :func:`run_lambda` invocation.

    Attributes
    ----------
    request_id
        ``context.aws_request_id``.
    exit_code
        The child's exit status (negative: killed by that signal).
    timed_out
        Whether the invocation (or the init phase) ran out of time and was killed.
    init_seconds
        Time to start the interpreter and import ``index``.
    duration_seconds
        Time from the handler call until it returned, raised or was killed.
    result
        The handler's return value (through JSON), or None.
    error
        ``{"errorType": ..., "errorMessage": ...}`` when ``index`` or the handler raised.
    stdout, stderr
        Everything the child wrote: the handler's log lines.
    """

    request_id: str
    exit_code: int | None
    timed_out: bool
    init_seconds: float
    duration_seconds: float
    result: Any
    error: dict[str, str] | None
    stdout: str
    stderr: str

    @property
    def logs(self) -> str:
        """stdout and stderr together, as CloudWatch Logs would hold them."""
        return self.stdout + self.stderr


def run_lambda(
    asset_dir: str | os.PathLike[str],
    event: Mapping[str, Any],
    *,
    env: Mapping[str, str] | None = None,
    timeout_seconds: float = 30.0,
    memory_mb: int = 256,
    function_name: str = "ecr-lifecycle-guard-handler",
    account_id: str = _DEFAULT_ACCOUNT,
    init_timeout_seconds: float = INIT_TIMEOUT_SECONDS,
) -> LambdaRun:
    """Invoke ``index.handler(event, context)`` from ``asset_dir`` in a Lambda-like subprocess.

    Parameters
    ----------
    asset_dir
        The Lambda asset (``index.py`` at its root), e.g. from ``assemble_handler_asset``.
    event
        The invocation event (JSON-serialisable).
    env
        Extra environment variables (e.g. ``EcrStandIn.lambda_env(receiver)``); they override the base.
    timeout_seconds
        The function's timeout: ``get_remaining_time_in_millis()`` counts down from it and the child
        is killed when it runs out.
    memory_mb
        Reported as ``context.memory_limit_in_mb`` (not enforced).
    function_name, account_id
        Used for ``context.function_name``, ``invoked_function_arn`` and the log names.
    init_timeout_seconds
        How long the init phase (imports) may take: Lambda's 10 s by default. Each real Lambda
        environment has its own CPU; tests that start dozens at once on a small machine allow more.

    Returns
    -------
    LambdaRun
        Exit status, timing, result or error, and the output.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> asset = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (asset / "index.py").write_text("def handler(event, context):\\n    print(context.function_name)\\n")
    >>> run_lambda(asset, {}, timeout_seconds=30, function_name="guard").stdout.splitlines()[0]
    'guard'
    """
    environment = _environment(Path(asset_dir), env or {}, function_name, memory_mb)
    region = environment["AWS_REGION"]
    request_id = str(uuid.uuid4())
    context = {
        "function_name": function_name,
        "invoked_function_arn": f"arn:aws:lambda:{region}:{account_id}:function:{function_name}",
        "memory_limit_in_mb": memory_mb,
        "aws_request_id": request_id,
        "log_group_name": environment["AWS_LAMBDA_LOG_GROUP_NAME"],
        "log_stream_name": environment["AWS_LAMBDA_LOG_STREAM_NAME"],
    }
    with tempfile.TemporaryDirectory(prefix="lambda-run-") as scratch:
        work = Path(scratch)
        read_fd, write_fd = os.pipe()
        payload = {
            "asset_dir": str(Path(asset_dir).resolve()),
            "runtime_paths": [str(_runtime_dir(work / "runtime"))],
            "event": event,
            "context": context,
            "timeout_seconds": timeout_seconds,
            "control_fd": write_fd,
        }
        (work / "payload.json").write_text(json.dumps(payload), encoding="utf-8")
        command = [sys.executable, "-I", "-S", "-u", str(_BOOTSTRAP), str(work / "payload.json")]
        with open(work / "stdout", "w+b") as out, open(work / "stderr", "w+b") as err:
            process = subprocess.Popen(command, env=environment, stdout=out, stderr=err, pass_fds=(write_fd,))
            os.close(write_fd)
            try:
                outcome = _supervise(process, _ControlPipe(read_fd), init_timeout_seconds)
            finally:
                os.close(read_fd)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if outcome.timed_out:
        stdout += f"{request_id} Task timed out after {timeout_seconds:.2f} seconds\n"
    return LambdaRun(
        request_id=request_id,
        exit_code=process.returncode,
        timed_out=outcome.timed_out,
        init_seconds=outcome.init_seconds,
        duration_seconds=outcome.duration_seconds,
        result=outcome.message.get("result"),
        error=_error_of(outcome.message),
        stdout=stdout,
        stderr=stderr,
    )


def _environment(asset_dir: Path, extra: Mapping[str, str], function_name: str, memory_mb: int) -> dict[str, str]:
    region = extra.get("AWS_REGION") or extra.get("AWS_DEFAULT_REGION") or "us-east-1"
    base = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(asset_dir.resolve()),
        "_HANDLER": "index.handler",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    return {**base, **extra}


def _runtime_dir(target: Path) -> Path:
    """A folder with links to :data:`RUNTIME_PACKAGES` only (what the Lambda runtime provides)."""
    target.mkdir()
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"{name} is needed to run a Lambda locally: pip install boto3")
        source = Path(spec.origin)
        if spec.submodule_search_locations:  # a package: link its folder
            source = source.parent
        (target / source.name).symlink_to(source, target_is_directory=source.is_dir())
    return target


class _ControlPipe:
    """Reads the bootstrap's JSON-line messages with a deadline."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self.closed = False

    def read(self, until: float) -> dict[str, Any] | None:
        """The next message, or None at ``until`` (monotonic) or when the child closed the pipe."""
        while b"\n" not in self._buffer:
            remaining = until - time.monotonic()
            if self.closed or remaining <= 0:
                return None
            ready, _, _ = select.select([self._fd], [], [], remaining)
            if ready:
                chunk = os.read(self._fd, 65536)
                self.closed = not chunk
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, Any] = json.loads(line)
        return message


@dataclass(frozen=True)
class _Outcome:
    timed_out: bool
    init_seconds: float
    duration_seconds: float
    message: dict[str, Any]


def _supervise(process: subprocess.Popen[bytes], control: _ControlPipe, init_timeout_seconds: float) -> _Outcome:
    started = time.monotonic()
    message = control.read(started + init_timeout_seconds)
    invoked = time.monotonic()
    if message is not None and message["event"] == "invoke":
        remaining = float(message["deadline"]) - time.time()
        message = control.read(invoked + remaining)
    finished = time.monotonic()
    timed_out = message is None and not control.closed
    if timed_out:
        process.kill()
    process.wait()
    return _Outcome(
        timed_out=timed_out,
        init_seconds=invoked - started,
        duration_seconds=finished - invoked,
        message=message or {},
    )


def _error_of(message: Mapping[str, Any]) -> dict[str, str] | None:
    if message.get("event") != "error":
        return None
    return {"errorType": str(message["errorType"]), "errorMessage": str(message["errorMessage"])}
