"""The response sender: retries connection errors and 5xx with back-off, stops at 4xx and at its total deadline."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from guard_handler.sender import ResponseSender
from guard_handler.transport import put_status

URL = "https://cfn-response.example.com/bucket/key?X-Amz-Signature=secret-signature&X-Amz-Expires=7200"


@dataclass
class FakeNetwork:
    """Answers each PUT with the next scripted outcome: an HTTP status or an exception."""

    script: list[int | Exception]
    clock: list[float] = field(default_factory=lambda: [0.0])
    requests: list[dict[str, Any]] = field(default_factory=list)

    def put(
        self, host: str, port: int, host_header: str, target: str, body: bytes, *, deadline: float,
        clock: Callable[[], float],
    ) -> int:  # fmt: skip
        self.requests.append(
            {"host": host, "port": port, "target": target, "body": json.loads(body), "deadline": deadline}
        )
        outcome = self.script.pop(0) if self.script else 500
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def now(self) -> float:
        return self.clock[0]

    def sleep(self, seconds: float) -> None:
        self.clock[0] += seconds


def sender(network: FakeNetwork) -> ResponseSender:
    return ResponseSender(clock=network.now, sleep=network.sleep, transport=network.put)


def test_puts_the_json_body_to_the_presigned_path_and_query() -> None:
    # given
    network = FakeNetwork([200])
    # when
    delivered = sender(network).send(URL, {"Status": "SUCCESS"}, deadline=10.0)
    # then
    assert delivered
    assert network.requests == [
        {
            "host": "cfn-response.example.com",
            "port": 443,
            "target": "/bucket/key?X-Amz-Signature=secret-signature&X-Amz-Expires=7200",
            "body": {"Status": "SUCCESS"},
            "deadline": 10.0,
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


def test_gives_up_at_the_total_deadline_and_bounds_every_attempt_by_it() -> None:
    # given
    network = FakeNetwork([TimeoutError()] * 100)
    # when
    delivered = sender(network).send(URL, {}, deadline=5.0)
    # then
    assert not delivered
    assert network.now() <= 5.0
    assert all(r["deadline"] <= 5.0 for r in network.requests)


def test_never_logs_the_response_url(caplog: pytest.LogCaptureFixture) -> None:
    # given
    network = FakeNetwork([OSError(f"cannot reach {URL}"), 500, 200])
    caplog.set_level(logging.DEBUG)
    # when
    sender(network).send(URL, {}, deadline=10.0)
    # then
    assert caplog.records
    assert all("secret" not in r.getMessage() and "secret" not in str(r.__dict__) for r in caplog.records)


@dataclass
class DrippingSocket:
    """A socket whose peer sends ``answer`` one byte per read, each read taking ``per_byte`` seconds."""

    answer: bytes
    clock: list[float]
    per_byte: float
    timeouts: list[float] = field(default_factory=list)
    sent: bytes = b""
    position: int = 0

    def settimeout(self, value: float | None) -> None:
        assert value is not None
        assert value > 0
        self.timeouts.append(value)

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def recv(self, size: int) -> bytes:
        self.clock[0] += self.per_byte
        if self.clock[0] > self.deadline_seen():
            raise TimeoutError("timed out")
        chunk = self.answer[self.position : self.position + 1]
        self.position += 1
        return chunk

    def deadline_seen(self) -> float:
        return self.clock[0] - self.per_byte + self.timeouts[-1]

    def close(self) -> None:
        pass


def test_a_dripping_answer_cannot_hold_an_attempt_past_its_deadline() -> None:
    # given: the status line arrives one byte per second; the attempt has 5 s
    clock = [0.0]
    sock = DrippingSocket(b"HTTP/1.1 200 OK\r\n", clock, per_byte=1.0)
    # when
    with pytest.raises(TimeoutError):
        put_status("h", 443, "h", "/k", b"{}", deadline=5.0, clock=lambda: clock[0], connect=lambda h, p, t: sock)
    # then: each read was allowed only the time left, so the attempt ended at the deadline
    assert clock[0] <= 5.0
    assert all(t <= 5.0 - i * 1.0 + 1e-9 for i, t in enumerate(sock.timeouts[1:]))


def test_only_the_status_line_is_read_so_a_dripping_body_does_not_matter() -> None:
    # given
    clock = [0.0]
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100
    sock = DrippingSocket(answer, clock, per_byte=0.01)
    # when
    status = put_status(
        "h", 443, "cfn.example:443", "/k?s=1", b"{}", deadline=5.0, clock=lambda: clock[0], connect=lambda h, p, t: sock
    )
    # then
    assert status == 200
    assert sock.position == len(b"HTTP/1.1 200 OK\r\n")
    assert sock.sent.startswith(b"PUT /k?s=1 HTTP/1.1\r\nHost: cfn.example:443\r\n")
    assert sock.sent.endswith(b"\r\n\r\n{}")
