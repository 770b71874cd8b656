"""The HTTPS response receiver: trusted through its throw-away CA, records PUTs, fails on demand."""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from ecr_lifecycle_guard.local import ResponseReceiver

BODY = {"Status": "SUCCESS", "PhysicalResourceId": "123456789012/app", "RequestId": "r-1", "Data": {}}


@pytest.fixture
def rx() -> Iterator[ResponseReceiver]:
    with ResponseReceiver() as receiver:
        yield receiver


def put(url: str, body: Any, *, cafile: str | None, timeout: float = 5.0) -> int:
    """PUT ``body`` as JSON the way crhelper does (http.client over TLS); returns the HTTP status."""
    parts = urlsplit(url)
    context = ssl.create_default_context(cafile=cafile)
    connection = http.client.HTTPSConnection(parts.netloc, context=context, timeout=timeout)
    try:
        payload = json.dumps(body)
        connection.request("PUT", f"{parts.path}?{parts.query}", body=payload, headers={"content-type": ""})
        return connection.getresponse().status
    finally:
        connection.close()


def test_url_looks_pre_signed_and_carries_the_signature(rx: ResponseReceiver) -> None:
    # given
    key = "arn:aws:cloudformation:us-east-1:123456789012:stack/demo/1|Guard|r-1"
    # when
    url = rx.url_for(key)
    # then
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname) == ("https", "127.0.0.1")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in parts.query
    assert parts.query.endswith(f"X-Amz-Signature={rx.signature}")


def test_put_over_tls_trusted_by_the_ca_file_is_recorded_per_key(rx: ResponseReceiver) -> None:
    # given
    url = rx.url_for("r-1|Guard")
    # when
    status = put(url, BODY, cafile=str(rx.ca_file))
    # then
    assert status == 200
    assert rx.responses("r-1|Guard") == [BODY]
    assert rx.wait_for("r-1|Guard", timeout=0.1) == BODY
    assert rx.responses("other") == []


def test_clients_without_the_ca_do_not_trust_the_receiver(rx: ResponseReceiver) -> None:
    # given
    url = rx.url_for("r-1")
    # when / then
    with pytest.raises(ssl.SSLCertVerificationError):
        put(url, BODY, cafile=None)
    assert rx.attempts("r-1") == 0


def test_put_without_the_signature_is_forbidden_and_not_recorded(rx: ResponseReceiver) -> None:
    # given
    url = rx.url_for("r-1").replace(rx.signature, "0" * 64)
    # when
    status = put(url, BODY, cafile=str(rx.ca_file))
    # then
    assert status == 403
    assert (rx.responses("r-1"), rx.attempts("r-1")) == ([], 1)


def test_fail_next_answers_the_status_then_recovers(rx: ResponseReceiver) -> None:
    # given
    rx.fail_next(2, status=500)
    url = rx.url_for("r-1")
    # when
    statuses = [put(url, BODY, cafile=str(rx.ca_file)) for _ in range(3)]
    # then
    assert statuses == [500, 500, 200]
    assert (rx.responses("r-1"), rx.attempts("r-1")) == ([BODY], 3)


def test_drop_mode_closes_the_connection_without_an_answer(rx: ResponseReceiver) -> None:
    # given
    rx.fail_next(1, status="drop")
    url = rx.url_for("r-1")
    # when
    with pytest.raises(http.client.RemoteDisconnected):
        put(url, BODY, cafile=str(rx.ca_file))
    retried = put(url, BODY, cafile=str(rx.ca_file))
    # then
    assert retried == 200
    assert rx.attempts("r-1") == 2


def test_hang_mode_never_answers_until_the_client_times_out(rx: ResponseReceiver) -> None:
    # given
    rx.fail_next(1, status="hang")
    url = rx.url_for("r-1")
    started = time.monotonic()
    # when
    with pytest.raises(TimeoutError):
        put(url, BODY, cafile=str(rx.ca_file), timeout=0.3)
    # then
    assert time.monotonic() - started >= 0.3
    assert rx.responses("r-1") == []


def test_wait_for_returns_a_response_delivered_later(rx: ResponseReceiver) -> None:
    # given
    url = rx.url_for("r-1")
    sender = threading.Timer(0.1, put, args=(url, BODY), kwargs={"cafile": str(rx.ca_file)})
    # when
    sender.start()
    received = rx.wait_for("r-1", timeout=5)
    sender.join()
    # then
    assert received == BODY


def test_wait_for_raises_timeout_error_when_nothing_arrives(rx: ResponseReceiver) -> None:
    # given: nothing sent
    # when / then
    with pytest.raises(TimeoutError, match="no response for 'r-1'"):
        rx.wait_for("r-1", timeout=0.05)
