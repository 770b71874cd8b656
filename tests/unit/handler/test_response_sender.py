"""The response sender: retries connection errors and 5xx with back-off, stops at 4xx and at its deadline."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from guard_handler.sender import ResponseSender

URL = "https://cfn-response.example.com/bucket/key?X-Amz-Signature=secret-signature&X-Amz-Expires=7200"


@dataclass
class FakeResponse:
    status: int

    def read(self) -> bytes:
        return b""


@dataclass
class FakeNetwork:
    """Answers each connection with the next scripted outcome: an HTTP status or an exception."""

    script: list[int | Exception]
    clock: list[float] = field(default_factory=lambda: [0.0])
    requests: list[dict[str, Any]] = field(default_factory=list)

    def connect(self, host: str, timeout: float) -> FakeNetwork.Connection:
        return FakeNetwork.Connection(self, host, timeout)

    @dataclass
    class Connection:
        network: FakeNetwork
        host: str
        timeout: float

        def request(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> None:
            self.network.requests.append(
                {"method": method, "host": self.host, "url": url, "body": json.loads(body), "timeout": self.timeout}
            )
            outcome = self.network.script.pop(0) if self.network.script else 500
            if isinstance(outcome, Exception):
                raise outcome
            self._status = outcome

        def getresponse(self) -> FakeResponse:
            return FakeResponse(self._status)

        def close(self) -> None:
            pass

    def now(self) -> float:
        return self.clock[0]

    def sleep(self, seconds: float) -> None:
        self.clock[0] += seconds


def sender(network: FakeNetwork) -> ResponseSender:
    return ResponseSender(clock=network.now, sleep=network.sleep, connect=network.connect)


def test_puts_the_json_body_to_the_presigned_path_and_query() -> None:
    # given
    network = FakeNetwork([200])
    # when
    delivered = sender(network).send(URL, {"Status": "SUCCESS"}, deadline=10.0)
    # then
    assert delivered
    assert network.requests == [
        {
            "method": "PUT",
            "host": "cfn-response.example.com",
            "url": "/bucket/key?X-Amz-Signature=secret-signature&X-Amz-Expires=7200",
            "body": {"Status": "SUCCESS"},
            "timeout": 10.0,
        }
    ]


def test_server_errors_and_connection_errors_are_retried_with_backoff() -> None:
    # given
    network = FakeNetwork([500, ConnectionRefusedError(), 503, 200])
    # when
    delivered = sender(network).send(URL, {}, deadline=30.0)
    # then
    assert delivered
    assert len(network.requests) == 4
    assert network.now() == pytest.approx(0.2 + 0.4 + 0.8)


def test_a_client_error_is_final() -> None:
    # given
    network = FakeNetwork([403, 200])
    # when
    delivered = sender(network).send(URL, {}, deadline=30.0)
    # then
    assert not delivered
    assert len(network.requests) == 1


def test_gives_up_before_the_deadline() -> None:
    # given
    network = FakeNetwork([TimeoutError()] * 100)
    # when
    delivered = sender(network).send(URL, {}, deadline=5.0)
    # then
    assert not delivered
    assert network.now() <= 5.0
    assert all(r["timeout"] <= 5.0 for r in network.requests)


def test_never_logs_the_response_url(caplog: pytest.LogCaptureFixture) -> None:
    # given
    network = FakeNetwork([OSError(f"cannot reach {URL}"), 500, 200])
    caplog.set_level(logging.DEBUG)
    # when
    sender(network).send(URL, {}, deadline=10.0)
    # then
    assert caplog.records
    assert all("secret-signature" not in r.getMessage() and "secret" not in str(r.__dict__) for r in caplog.records)
