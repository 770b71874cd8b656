"""Hostile input never gets a traceback or an unbounded wait: one line on stderr and exit 1 (2 for bad options)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_helpers import (
    EXPIRE_UNTAGGED_AFTER_14_DAYS,
    endpoint_options,
    isolate_from_user_aws_config,
    policy_file,
)

from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

NO_ANSWER = (
    "preview of app: no answer within 5 s (the timeout); the endpoint accepted the request but did not answer in time"
)
BIG_FILE_BYTES = 300 * 1024 * 1024  # beyond the 256 MiB input limit (a sparse file: no disk used)


def _non_utf8(path: Path) -> str:
    path.write_bytes(b'{"rules": "\xff\xfe"}')
    return "not UTF-8 text: byte 0xff at line 1, column 12"


def _binary(path: Path) -> str:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return "binary data, not JSON text (a NUL byte at line 3, column 1)"


def _deeply_nested(path: Path) -> str:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return "nested"


def _huge(path: Path) -> str:
    with path.open("wb") as file:
        file.truncate(BIG_FILE_BYTES)
    return f"too large: {BIG_FILE_BYTES:,} bytes, more than the limit of 256 MiB"


def _nan(path: Path) -> str:
    path.write_text('{"rules": [{"rulePriority": NaN}]}', encoding="utf-8")
    return "NaN is not a JSON number"


def _infinity(path: Path) -> str:
    path.write_text('{"rules": [{"rulePriority": -Infinity}]}', encoding="utf-8")
    return "-Infinity is not a JSON number"


BAD_FILES: dict[str, Callable[[Path], str]] = {
    "non-utf8": _non_utf8,
    "binary": _binary,
    "deeply-nested": _deeply_nested,
    "huge": _huge,
    "nan": _nan,
    "infinity": _infinity,
}


def _commands(path: str) -> dict[str, list[str]]:
    return {
        "validate": ["validate", path],
        "preview": ["preview", "--repository", "app", "--policy", path, "--region", "us-east-1"],
    }


@pytest.mark.parametrize("command", ["validate", "preview"])
@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_policy_file_that_is_not_json_text_exits_1_with_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, kind: str
) -> None:
    # given
    path = tmp_path / f"{kind}.json"
    expected = BAD_FILES[kind](path)

    # when
    code = main(_commands(str(path))[command])

    # then
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith(f"error: policy file {path}: ")
    assert expected in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "preview"])
def test_dev_zero_as_a_policy_is_refused_at_once(capsys: pytest.CaptureFixture[str], command: str) -> None:
    # when
    started = time.monotonic()
    code = main(_commands("/dev/zero")[command])

    # then
    assert code == 1
    assert capsys.readouterr().err == (
        "error: policy file /dev/zero: binary data, not JSON text (a NUL byte at line 1, column 1)\n"
    )
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--timeout", "nan", "--timeout: must be"),
        ("--timeout", "inf", "--timeout: must be"),
        ("--timeout", "0", "--timeout: must be"),
        ("--timeout", "3601", "--timeout: must be"),
        ("--max-expiring", "nan", "must be an integer from 0 to 2147483647, got 'nan' (as MaxExpiringImages)"),
        ("--max-expiring", "1e400", "must be an integer from 0 to 2147483647, got '1e400' (as MaxExpiringImages)"),
        ("--max-expiring-percent", "inf", "must be a number from 0 to 100, got 'inf' (as MaxExpiringPercent)"),
        ("--max-transitioning", "-1", "must be an integer from 0 to 2147483647, got '-1' (as MaxTransitioningImages)"),
        ("--concurrency", "0", "must be an integer from 1 to 16, got '0'"),
        ("--concurrency", "17", "must be an integer from 1 to 16, got '17'"),
        ("--concurrency", "nan", "must be an integer from 1 to 16, got 'nan'"),
        ("--registry-id", "12", "(as RegistryId)"),
        ("--in-use-role", "not-an-arn", "(as InUseRoleArns)"),
        ("--repositories", "Team*", "must be a repository-name glob"),
    ],
)
def test_a_bad_number_or_value_in_an_option_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    # when
    with pytest.raises(SystemExit) as exited:
        main(["preview", "--repository", "app", "--policy", "p.json", option, value])

    # then
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert message in err
    assert "Traceback" not in err


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP server that accepts every connection and never answers (until the test ends)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_an_endpoint_that_accepts_but_never_answers_ends_within_a_few_seconds_of_the_timeout(
    silent_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: every call (the preview's and in-use discovery's) goes to an endpoint that never answers
    isolate_from_user_aws_config(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    policy = policy_file(tmp_path, EXPIRE_UNTAGGED_AFTER_14_DAYS)
    argv = ["preview", "--repository", "app", "--policy", policy, "--region", "us-east-1", "--timeout", "5"]

    # when
    started = time.monotonic()
    code = main([*argv, "--endpoint-url", silent_endpoint])
    elapsed = time.monotonic() - started

    # then
    err = capsys.readouterr().err
    assert code == 1
    assert elapsed < 15
    assert err == f"error: {NO_ANSWER}\n"


def test_a_preview_call_that_hangs_on_the_stand_in_ends_at_the_timeout_with_a_clear_line(
    bare_stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    bare_stand_in.create_repository("app", images=[SeedImage(pushed_days_ago=30)])
    bare_stand_in.faults.hang("StartLifecyclePolicyPreview", 60.0, times=None)
    policy = policy_file(tmp_path, EXPIRE_UNTAGGED_AFTER_14_DAYS)

    # when
    started = time.monotonic()
    code = main(
        ["preview", "--repository", "app", "--policy", policy, *endpoint_options(bare_stand_in), "--timeout", "5"]
    )
    elapsed = time.monotonic() - started

    # then
    err = capsys.readouterr().err
    assert code == 1
    assert 4 < elapsed < 15
    assert err == f"error: {NO_ANSWER}\n"


def test_a_valid_policy_with_json_numbers_at_ecrs_limits_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: the largest count ECR accepts
    policy = json.loads(json.dumps(EXPIRE_UNTAGGED_AFTER_14_DAYS))
    policy["rules"][0]["selection"] = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2**31 - 1}
    path = policy_file(tmp_path, policy)

    # when
    code = main(["validate", path])

    # then
    assert code == 0
    assert capsys.readouterr().out.startswith(f"{path}: OK (1 rule")
