"""Discovery's read-only answers are fetched once per run and shared; failures and writes are not kept."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from ecr_lifecycle_guard.cli.shared_lookups import SharedAnswers, SharedClients


class Service:
    """A boto3-like client counting its calls; ``list_things`` is slow, ``describe_broken`` fails once."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.broken = True

    def _record(self, name: str, params: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append((name, params))

    def list_things(self, **params: Any) -> dict[str, Any]:
        self._record("list_things", params)
        time.sleep(0.05)
        return {"things": [params.get("nextToken") or "first"]}

    def describe_broken(self, **params: Any) -> dict[str, Any]:
        self._record("describe_broken", params)
        if self.broken:
            self.broken = False
            raise RuntimeError("throttled")
        return {"ok": True}

    def assume_role(self, **params: Any) -> dict[str, Any]:
        self._record("assume_role", params)
        return {"Credentials": {}}


class Clients:
    account, region = "123456789012", "us-east-1"

    def __init__(self) -> None:
        self.service = Service()

    def client(self, service: str) -> Service:
        return self.service

    def assume(self, role_arn: str) -> Clients:
        return self


def test_the_same_read_from_many_threads_is_made_once_and_every_thread_gets_its_answer() -> None:
    # given
    wrapped = Clients()
    shared = SharedClients(wrapped, SharedAnswers())
    answers: list[Any] = []

    # when
    threads = [
        threading.Thread(target=lambda: answers.append(shared.client("ecs").list_things(maxResults=10)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert answers == [{"things": ["first"]}] * 8
    assert wrapped.service.calls == [("list_things", {"maxResults": 10})]


def test_other_parameters_are_another_call() -> None:
    # given
    wrapped = Clients()
    shared = SharedClients(wrapped, SharedAnswers())

    # when
    pages = [shared.client("ecs").list_things(nextToken=token)["things"] for token in (None, "p2", "p2")]

    # then
    assert pages == [["first"], ["p2"], ["p2"]]
    assert len(wrapped.service.calls) == 2


def test_a_failed_read_is_not_kept_and_the_next_caller_tries_again() -> None:
    # given
    wrapped = Clients()
    shared = SharedClients(wrapped, SharedAnswers())

    # when
    with pytest.raises(RuntimeError, match="throttled"):
        shared.client("lambda").describe_broken()
    answer = shared.client("lambda").describe_broken()

    # then
    assert answer == {"ok": True}
    assert [name for name, _ in wrapped.service.calls] == ["describe_broken", "describe_broken"]


def test_writes_are_never_shared() -> None:
    # given
    wrapped = Clients()
    shared = SharedClients(wrapped, SharedAnswers())

    # when
    for _ in range(2):
        shared.client("sts").assume_role(RoleArn="arn:aws:iam::111111111111:role/r", RoleSessionName="s")

    # then
    assert [name for name, _ in wrapped.service.calls] == ["assume_role", "assume_role"]
