"""boto3-backed :class:`~ecr_lifecycle_guard.inuse.discovery.AwsClients` (boto3 is imported lazily).

Clients are made once per service, on first use, from one boto3 session (making clients is not
thread-safe in boto3; using them is). :meth:`BotoClients.assume` calls ``sts:AssumeRole`` and returns
clients with the role's temporary credentials in the same region (and endpoint, for the local
stand-in); they share the session, so service models are loaded once. The account is the role's
(from its ARN), or asked of STS when not given.

Examples
--------
>>> clients = BotoClients(region="us-east-1", account="123456789012",
...                       credentials={"aws_access_key_id": "x", "aws_secret_access_key": "y"})
>>> clients.account, clients.region
('123456789012', 'us-east-1')
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from ecr_lifecycle_guard.inuse.discovery import AwsClients, account_of_role

if TYPE_CHECKING:  # pragma: no cover
    import boto3

__all__ = ["DEFAULT_CLIENT_CONFIG", "SESSION_NAME", "BotoClients"]

#: The role session name discovery uses (shows in the workload account's CloudTrail).
SESSION_NAME: Final = "ecr-lifecycle-guard-in-use"
#: botocore settings for discovery's clients: discovery retries throttling itself, within its deadline.
DEFAULT_CLIENT_CONFIG: Final[Mapping[str, Any]] = {
    "retries": {"mode": "standard", "max_attempts": 2},
    "connect_timeout": 5,
    "read_timeout": 15,
    "max_pool_connections": 16,
}
#: How long assumed credentials last (the minimum STS allows; discovery takes seconds).
_ROLE_SECONDS: Final = 900


class BotoClients(AwsClients):
    """AWS clients for in-use discovery, from a boto3 session.

    Parameters
    ----------
    session
        The boto3 session to use; default: a new one (boto3's usual credential chain).
    region
        The region; default: the session's.
    endpoint_url
        One endpoint for every service (the local stand-in); default: AWS's.
    account
        The account the credentials act in; default: asked of STS (GetCallerIdentity) on first use.
    credentials
        ``aws_access_key_id``, ``aws_secret_access_key`` and ``aws_session_token`` for every client
        (instead of the session's own credentials).
    config
        botocore ``Config`` arguments; default: :data:`DEFAULT_CLIENT_CONFIG`.
    """

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        account: str | None = None,
        credentials: Mapping[str, str] | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        if session is None:
            import boto3

            session = boto3.Session(region_name=region)
        self._session = session
        self._credentials = dict(credentials or {})
        resolved_region = region or session.region_name
        if not resolved_region:
            raise ValueError("BotoClients: no region; pass region= or configure AWS_REGION")
        self._region: str = resolved_region
        self._endpoint_url = endpoint_url
        self._account = account
        self._config = dict(DEFAULT_CLIENT_CONFIG if config is None else config)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def region(self) -> str:
        """The region of every client."""
        return self._region

    @property
    def account(self) -> str:
        """The account the credentials act in (STS GetCallerIdentity when not given)."""
        if self._account is None:
            self._account = str(self.client("sts").get_caller_identity()["Account"])
        return self._account

    def client(self, service: str) -> Any:
        """The client for ``service`` (made on first use, then shared)."""
        with self._lock:
            if service not in self._clients:
                from botocore.config import Config

                self._clients[service] = self._session.client(
                    service,  # type: ignore[call-overload]
                    region_name=self.region,
                    endpoint_url=self._endpoint_url,
                    config=Config(**self._config),
                    **self._credentials,
                )
            return self._clients[service]

    def assume(self, role_arn: str) -> BotoClients:
        """Clients with ``role_arn``'s credentials (``sts:AssumeRole``), same region and endpoint."""
        sts = self.client("sts")
        answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=_ROLE_SECONDS)
        credentials = answer["Credentials"]
        assumed = BotoClients(
            self._session,  # shares the loaded service models; the credentials are the role's
            region=self.region,
            endpoint_url=self._endpoint_url,
            account=account_of_role(role_arn) or None,
            credentials={
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            },
            config=self._config,
        )
        assumed._lock = self._lock  # one session: its clients are made one at a time
        return assumed
