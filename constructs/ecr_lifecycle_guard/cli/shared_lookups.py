"""In-use discovery's read-only AWS answers, shared by every repository previewed in one run.

Every repository of an account and Region has the same workloads: without sharing, previewing 100
repositories would list the same ECS clusters, services, tasks, Lambda functions and Batch job
definitions 100 times (and meet the APIs' rate limits). :class:`SharedClients` wraps discovery's
clients so that each read-only call (``list_*``, ``describe_*``, ``get_*``) with the same parameters
is made once per run, per account and Region; concurrent callers of the same call wait for the first
one. Failed calls are not kept (the next caller tries again), nor are calls that write
(``sts:AssumeRole`` goes through). The answers describe the workloads when the run started looking:
a run of a few minutes is one snapshot, as a deploy of many guards would see.

Examples
--------
>>> class Ecs:
...     calls = 0
...     def list_clusters(self, **params):
...         Ecs.calls += 1
...         return {"clusterArns": ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"]}
>>> class Clients:
...     account, region = "123456789012", "us-east-1"
...     def client(self, service): return Ecs()
...     def assume(self, role_arn): return self
>>> shared = SharedClients(Clients(), SharedAnswers())
>>> [shared.client("ecs").list_clusters(maxResults=100)["clusterArns"][0][-4:] for _ in range(3)], Ecs.calls
(['prod', 'prod', 'prod'], 1)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.inuse import AwsClients

__all__ = ["SharedAnswers", "SharedClients"]

#: Calls whose answers are kept: reads only.
_READ_PREFIXES: Final = ("list_", "describe_", "get_")

_Key = tuple[str, str, str, str, str]


class SharedAnswers:
    """The answers of one run, by account, Region, service, operation and parameters (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[_Key, Any] = {}
        self._gates: dict[_Key, threading.Lock] = {}

    def answer(self, key: _Key, call: Callable[[], Any]) -> Any:
        """The kept answer for ``key``, else ``call()`` (kept when it succeeds); one call at a time per key."""
        with self._lock:
            if key in self._answers:
                return self._answers[key]
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._answers:
                    return self._answers[key]
            result = call()
            with self._lock:
                self._answers[key] = result
            return result


class _SharedClient:
    """One service's client whose read-only calls go through :class:`SharedAnswers`."""

    def __init__(self, client: Any, answers: SharedAnswers, scope: tuple[str, str, str]) -> None:
        self._client = client
        self._answers = answers
        self._scope = scope

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not name.startswith(_READ_PREFIXES) or not callable(attribute):
            return attribute

        def shared(**params: Any) -> Any:
            key = (*self._scope, name, json.dumps(params, sort_keys=True, default=str))
            return self._answers.answer(key, lambda: attribute(**params))

        return shared


class SharedClients:
    """Discovery's clients for one account and Region, sharing read-only answers through ``answers``.

    Parameters
    ----------
    clients
        The clients to wrap (:class:`ecr_lifecycle_guard.inuse.BotoClients`).
    answers
        The run's shared answers.
    role
        The role these clients act as (``""`` for the caller's own credentials).
    """

    def __init__(self, clients: AwsClients, answers: SharedAnswers, *, role: str = "") -> None:
        self._clients = clients
        self._answers = answers
        self._role = role
        self._services: dict[str, _SharedClient] = {}
        self._lock = threading.Lock()

    @property
    def account(self) -> str:
        """The account of the wrapped clients (asked of STS once per run)."""
        key = (self._role, self._clients.region, "sts", "account", "")
        account: str = self._answers.answer(key, lambda: self._clients.account)
        return account

    @property
    def region(self) -> str:
        """The Region of the wrapped clients."""
        return self._clients.region

    def client(self, service: str) -> Any:
        """The wrapped client of ``service``."""
        with self._lock:
            if service not in self._services:
                scope = (self._role, self._clients.region, service)
                self._services[service] = _SharedClient(self._clients.client(service), self._answers, scope)
            return self._services[service]

    def assume(self, role_arn: str) -> SharedClients:
        """Clients with ``role_arn``'s credentials (``sts:AssumeRole`` each time), sharing answers per role."""
        return SharedClients(self._clients.assume(role_arn), self._answers, role=role_arn)
