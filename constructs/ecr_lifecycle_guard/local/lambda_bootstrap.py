"""Runtime bootstrap executed in the child process of :func:`~ecr_lifecycle_guard.local.lambda_runner.run_lambda`.

It plays the AWS Lambda Python runtime for one invocation: the asset folder first on ``sys.path``,
then the folder providing boto3 (the runtime's own copy), a root log handler writing the runtime's
``[LEVEL]\\t<time>\\t<request id>\\t<message>`` lines to stdout, ``import index`` (the init phase), then
``index.handler(event, context)``. It reports the init end, the deadline and the handler's result
or error on a control pipe, and leaves with ``os._exit`` as a frozen Lambda sandbox would (threads
left behind by the handler never run on).

Run as ``python -I -S lambda_bootstrap.py PAYLOAD_FILE``; standard library only (it cannot import
the package it lives in). Not for import.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes of the Lambda Python runtime's context object."""

    def __init__(self, spec: dict[str, Any], deadline: float) -> None:
        self.function_name: str = spec["function_name"]
        self.function_version: str = "$LATEST"
        self.invoked_function_arn: str = spec["invoked_function_arn"]
        self.memory_limit_in_mb: str = str(spec["memory_limit_in_mb"])  # a string in the real runtime too
        self.aws_request_id: str = spec["aws_request_id"]
        self.log_group_name: str = spec["log_group_name"]
        self.log_stream_name: str = spec["log_stream_name"]
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the runtime kills the invocation."""
        return max(0, int((self._deadline - time.time()) * 1000))


class _RequestIdFilter(logging.Filter):
    def __init__(self, request_id: str) -> None:
        super().__init__()
        self.request_id = request_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _install_root_handler(request_id: str) -> None:
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter(request_id))
    logging.getLogger().addHandler(handler)


def _report(control: int, message: dict[str, Any]) -> None:
    os.write(control, (json.dumps(message, default=str) + "\n").encode())


def _error(exc: BaseException) -> dict[str, Any]:
    traceback.print_exception(exc)
    print(f"[ERROR] {type(exc).__name__}: {exc}", flush=True)
    return {"event": "error", "errorType": type(exc).__name__, "errorMessage": str(exc)}


def main(payload_file: str) -> None:
    """Run one invocation described by the JSON file ``payload_file``."""
    with open(payload_file, encoding="utf-8") as stream:
        payload = json.load(stream)
    control = int(payload["control_fd"])
    sys.path[:0] = [payload["asset_dir"], *payload["runtime_paths"]]
    os.chdir(payload["asset_dir"])
    _install_root_handler(payload["context"]["aws_request_id"])
    try:
        index = importlib.import_module("index")  # the init phase, as in Lambda
    except Exception as exc:
        _report(control, _error(exc))
        os._exit(1)
    deadline = time.time() + float(payload["timeout_seconds"])
    _report(control, {"event": "invoke", "deadline": deadline})
    try:
        result = index.handler(payload["event"], LambdaContext(payload["context"], deadline))
    except Exception as exc:
        _report(control, _error(exc))
    else:
        _report(control, {"event": "result", "result": result})
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
