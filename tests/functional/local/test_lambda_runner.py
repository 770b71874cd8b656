"""run_lambda: the handler runs in an isolated subprocess like the Lambda Python runtime runs it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver, run_lambda


def make_asset(directory: Path, handler_body: str, *, module_code: str = "") -> Path:
    """A throw-away Lambda asset whose ``index.handler(event, context)`` runs ``handler_body``."""
    body = textwrap.indent(textwrap.dedent(handler_body), "    ")
    source = (
        f"import json, logging, os, sys, time\n{textwrap.dedent(module_code)}\n\ndef handler(event, context):\n{body}\n"
    )
    (directory / "index.py").write_text(source, encoding="utf-8")
    return directory


def test_handler_gets_the_event_and_a_context_with_the_runtime_attributes(tmp_path: Path) -> None:
    # given
    asset = make_asset(
        tmp_path,
        """
        return {
            "event": event,
            "names": [context.function_name, context.invoked_function_arn, context.aws_request_id],
            "logs": [context.log_group_name, context.log_stream_name],
            "memory": context.memory_limit_in_mb,
            "remaining": context.get_remaining_time_in_millis(),
        }
        """,
    )
    # when
    run = run_lambda(asset, {"RequestType": "Create"}, timeout_seconds=7, memory_mb=512, function_name="guard")
    # then
    assert (run.error, run.timed_out, run.exit_code) == (None, False, 0)
    assert run.result["event"] == {"RequestType": "Create"}
    assert run.result["names"] == ["guard", "arn:aws:lambda:us-east-1:123456789012:function:guard", run.request_id]
    assert run.result["logs"][0] == "/aws/lambda/guard"
    assert "[$LATEST]" in run.result["logs"][1]
    assert run.result["memory"] == "512"
    assert 6000 < run.result["remaining"] <= 7000


def test_remaining_time_counts_down_while_the_handler_runs(tmp_path: Path) -> None:
    # given
    asset = make_asset(
        tmp_path,
        """
        before = context.get_remaining_time_in_millis()
        time.sleep(0.3)
        return before - context.get_remaining_time_in_millis()
        """,
    )
    # when
    run = run_lambda(asset, {}, timeout_seconds=5)
    # then
    assert 280 <= run.result <= 1000


def test_the_invocation_is_killed_at_the_timeout(tmp_path: Path) -> None:
    # given
    asset = make_asset(tmp_path, "print('started', flush=True)\ntime.sleep(30)")
    # when
    run = run_lambda(asset, {}, timeout_seconds=0.5)
    # then
    assert run.timed_out
    assert run.exit_code == -9  # SIGKILL, as Lambda ends a timed-out invocation
    assert 0.4 <= run.duration_seconds < 2.0
    assert "started" in run.stdout
    assert f"{run.request_id} Task timed out after 0.50 seconds" in run.stdout


def test_child_sees_only_the_asset_boto3_and_the_lambda_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("PARENT_ONLY_SECRET", "leak")
    asset = make_asset(
        tmp_path,
        """
        import importlib.util
        found = {name: importlib.util.find_spec(name) is not None for name in ("boto3", "botocore", "moto", "pytest")}
        return {"found": found, "first_path": sys.path[0], "env": sorted(os.environ)}
        """,
    )
    # when
    run = run_lambda(asset, {}, env={"MY_SETTING": "1"}, timeout_seconds=10)
    # then
    assert run.result["found"] == {"boto3": True, "botocore": True, "moto": False, "pytest": False}
    assert run.result["first_path"] == str(asset.resolve())
    assert "PARENT_ONLY_SECRET" not in run.result["env"]
    assert {"MY_SETTING", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "LAMBDA_TASK_ROOT"} <= set(run.result["env"])


def test_log_lines_carry_level_and_request_id_like_the_runtime(tmp_path: Path) -> None:
    # given
    asset = make_asset(tmp_path, "logging.getLogger().setLevel(logging.INFO)\nlogging.getLogger('x').info('hello')")
    # when
    run = run_lambda(asset, {}, timeout_seconds=10)
    # then
    level, _timestamp, request_id, message = run.stdout.splitlines()[0].split("\t")
    assert (level, request_id, message) == ("[INFO]", run.request_id, "hello")


def test_handler_exception_is_reported_as_error_type_and_message(tmp_path: Path) -> None:
    # given
    asset = make_asset(tmp_path, "raise ValueError('bad property')")
    # when
    run = run_lambda(asset, {}, timeout_seconds=10)
    # then
    assert run.error == {"errorType": "ValueError", "errorMessage": "bad property"}
    assert "Traceback" in run.stderr
    assert not run.timed_out


def test_import_error_in_index_is_an_init_error(tmp_path: Path) -> None:
    # given
    asset = make_asset(tmp_path, "return 1", module_code="import crhelper_that_is_not_bundled")
    # when
    run = run_lambda(asset, {}, timeout_seconds=10)
    # then
    assert run.error is not None
    assert run.error["errorType"] == "ModuleNotFoundError"
    assert run.exit_code == 1


def test_handler_reaches_the_stand_in_and_trusts_the_receiver_through_standard_variables(tmp_path: Path) -> None:
    # given
    asset = make_asset(
        tmp_path,
        """
        import boto3, urllib.request
        names = [r["repositoryName"] for r in boto3.client("ecr").describe_repositories()["repositories"]]
        request = urllib.request.Request(event["ResponseURL"], data=json.dumps({"names": names}).encode(), method="PUT")
        return urllib.request.urlopen(request, timeout=5).status
        """,
    )
    with EcrStandIn() as ecr, ResponseReceiver() as rx:
        ecr.create_repository("app")
        # when
        run = run_lambda(asset, {"ResponseURL": rx.url_for("r-1")}, env=ecr.lambda_env(rx), timeout_seconds=20)
        # then
        assert (run.error, run.result) == (None, 200)
        assert rx.responses("r-1") == [{"names": ["app"]}]
        assert len(ecr.calls("DescribeRepositories")) == 1
