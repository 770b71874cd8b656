"""The command line's AWS clients: one boto3 session, clients per Region whose calls fit a time budget.

boto3 is imported only when :class:`AwsAccess` is made, so starting the command line stays fast.
Making clients is not thread-safe in boto3 (using them is): clients are made under a lock and shared.
Each client's botocore settings come from the time the caller has (:func:`call_limits`), so a call
to an endpoint that accepts the connection but never answers ends within that time instead of
botocore's default 60 s read timeout times its retries.

Examples
--------
>>> call_limits(5.0)
{'connect_timeout': 5.0, 'read_timeout': 5.0, 'retries': {'mode': 'standard', 'max_attempts': 2}}
>>> call_limits(300.0)["retries"]["max_attempts"], call_limits(300.0)["read_timeout"]
(5, 30.0)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from ecr_lifecycle_guard.cli.shared_lookups import SharedAnswers, SharedClients

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_ecr import ECRClient

    from ecr_lifecycle_guard.inuse import Workload

__all__ = ["CONNECT_TIMEOUT_MAX", "MAX_ATTEMPTS", "READ_TIMEOUT_MAX", "AwsAccess", "call_limits"]

#: Longest wait for a connection, and for an answer to one request (ECR answers in well under a second).
CONNECT_TIMEOUT_MAX: Final = 5.0
READ_TIMEOUT_MAX: Final = 30.0
#: Most attempts botocore makes for one call (standard retry mode, as the handler's).
MAX_ATTEMPTS: Final = 5
_MIN_ATTEMPTS: Final = 2


def call_limits(budget_seconds: float) -> dict[str, Any]:
    """botocore ``Config`` arguments for calls made within ``budget_seconds``.

    Connect and read timeouts never exceed the budget; the attempts are as many as fit (2 to 5).

    Examples
    --------
    >>> call_limits(1.0)["connect_timeout"], call_limits(1.0)["read_timeout"]
    (1.0, 1.0)
    """
    connect = min(CONNECT_TIMEOUT_MAX, budget_seconds)
    read = min(READ_TIMEOUT_MAX, budget_seconds)
    attempts = max(_MIN_ATTEMPTS, min(MAX_ATTEMPTS, 1 + int(budget_seconds // (connect + read))))
    return {
        "connect_timeout": float(connect),
        "read_timeout": float(read),
        "retries": {"mode": "standard", "max_attempts": attempts},
    }


class AwsAccess:
    """boto3 clients for the ``preview`` command: the caller's credentials, one endpoint, many Regions.

    Parameters
    ----------
    profile, region, endpoint_url
        ``--profile``, ``--region`` and ``--endpoint-url``.
    pool_size
        Connections each client may keep open (at least the number of concurrent previews).
    extra_references
        Image references from ``--in-use-from`` files, with their workloads.

    Raises
    ------
    Exception
        botocore's ``ProfileNotFound`` for an unknown ``--profile`` (the caller reports it).
    """

    def __init__(
        self,
        *,
        profile: str | None,
        region: str | None,
        endpoint_url: str | None,
        pool_size: int = 10,
        extra_references: Sequence[tuple[str, Workload]] = (),
    ) -> None:
        import boto3

        self._profile = profile
        self._session = boto3.session.Session(profile_name=profile, region_name=region)
        self.default_region: str | None = region or self._session.region_name
        self.endpoint_url = endpoint_url
        self.extra_references = tuple(extra_references)
        self._pool_size = pool_size
        self._lock = threading.Lock()
        self._ecr: dict[tuple[str | None, float], ECRClient] = {}
        self._in_use: dict[tuple[str | None, float], SharedClients] = {}
        self._answers = SharedAnswers()

    def _config(self, budget_seconds: float) -> dict[str, Any]:
        return {**call_limits(budget_seconds), "max_pool_connections": self._pool_size}

    def ecr(self, region: str | None, budget_seconds: float) -> ECRClient:
        """The ECR client for ``region`` (default Region when ``None``) whose calls fit ``budget_seconds``.

        Raises
        ------
        Exception
            botocore's ``NoRegionError`` when no Region is known.
        """
        from botocore.config import Config

        key = (region or self.default_region, budget_seconds)
        with self._lock:
            if key not in self._ecr:
                self._ecr[key] = self._session.client(
                    "ecr",
                    region_name=key[0],
                    endpoint_url=self.endpoint_url,
                    config=Config(**self._config(budget_seconds)),
                )
            return self._ecr[key]

    def in_use_clients(self, region: str | None, budget_seconds: float) -> SharedClients:
        """In-use discovery's clients for ``region`` (their own boto3 session, same credentials).

        Their read-only answers are shared by every repository of the run
        (:mod:`~ecr_lifecycle_guard.cli.shared_lookups`): the workloads are listed once per account and Region.
        """
        import boto3

        from ecr_lifecycle_guard.inuse import BotoClients

        key = (region or self.default_region, budget_seconds)
        with self._lock:
            if key not in self._in_use:
                session = boto3.session.Session(profile_name=self._profile, region_name=key[0])
                clients = BotoClients(
                    session, region=key[0], endpoint_url=self.endpoint_url, config=self._config(budget_seconds)
                )
                self._in_use[key] = SharedClients(clients, self._answers)
            return self._in_use[key]
