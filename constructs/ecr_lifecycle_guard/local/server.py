"""``EcrStandIn``: moto's server on 127.0.0.1, extended with ECR's lifecycle-policy preview.

The server is moto's own WSGI application served on a free port by a threaded werkzeug server (what
``moto.server.ThreadedMotoServer`` does), behind :class:`~ecr_lifecycle_guard.local.gateway.FaultInjectingApp`
(call record, rate limits, faults; moto applies one request at a time under the stand-in's state lock).
moto keeps its state in process-wide backends, so one stand-in runs per process at a time; entering
one resets moto's state and leaving it resets it again.

Examples
--------
>>> with EcrStandIn(preview_latency=0.0, rate_limits=ECR_RATE_LIMITS) as ecr:
...     ecr.create_repositories(["team/app", "team/api"], images=[SeedImage(tags=("v1",), pushed_days_ago=3)])
...     ecr.client("ecr").describe_repositories(maxResults=1)["nextToken"] is not None
['arn:aws:ecr:us-east-1:123456789012:repository/team/app', 'arn:aws:ecr:us-east-1:123456789012:repository/team/api']
True
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

import boto3
from botocore.config import Config
from moto.cloudformation.models import cloudformation_backends
from moto.core.base_backend import BackendDict
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ecr.models import ecr_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from ecr_lifecycle_guard.local.faults import Faults, RecordedCall
from ecr_lifecycle_guard.local.gateway import SETUP_HEADER, FaultInjectingApp
from ecr_lifecycle_guard.local.models import PreviewBackend
from ecr_lifecycle_guard.local.rate_limits import ECR_RATE_LIMITS, Rate
from ecr_lifecycle_guard.local.responses import EcrResponses
from ecr_lifecycle_guard.local.seed import SeedImage, seed_images
from ecr_lifecycle_guard.local.workloads import install_workload_patches

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.local.receiver import ResponseReceiver

__all__ = ["DEFAULT_PREVIEW_LATENCY", "EcrStandIn"]

#: Seconds a preview stays IN_PROGRESS by default.
DEFAULT_PREVIEW_LATENCY: Final = 0.2
#: Credentials the stand-in accepts (moto accepts any; these never reach AWS).
_ACCESS_KEY: Final = "testing"
_SECRET_KEY: Final = "testing"
_TRIVIAL_TEMPLATE: Final = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
_ONE_AT_A_TIME = threading.Lock()
#: botocore's client creation is not thread-safe on the default session.
_CLIENT_LOCK = threading.Lock()
#: boto3.client with its per-service overloads erased: the service name here is any string.
_boto3_client: Callable[..., Any] = boto3.client
#: How often the serving thread checks for shutdown (seconds).
_POLL_SECONDS: Final = 0.02


class _QuietRequestHandler(MotoRequestHandler):
    """moto's request handler without werkzeug's access log line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Do not log successful requests."""


class EcrStandIn:
    """A local Amazon ECR (and CloudFormation) for tests and the demo; a context manager.

    Parameters
    ----------
    preview_latency
        Seconds every preview stays ``IN_PROGRESS`` (see :meth:`set_preview_latency` per repository).
    region
        The region clients and ARNs use.
    host
        Interface to listen on.
    rate_limits
        Enforce these request rates (e.g. :data:`~ecr_lifecycle_guard.local.rate_limits.ECR_RATE_LIMITS`);
        None: no rate limits (see :meth:`enable_rate_limits`).

    Attributes
    ----------
    faults
        Fault injection and the record of calls (:class:`~ecr_lifecycle_guard.local.faults.Faults`).
    account_id
        moto's account, ``123456789012``.

    Examples
    --------
    >>> with EcrStandIn() as ecr:
    ...     ecr.faults.throttle("GetLifecyclePolicyPreview", times=2)
    ...     sorted(ecr.lambda_env())[:2]
    ['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION']
    """

    account_id: Final[str] = DEFAULT_ACCOUNT_ID

    def __init__(
        self,
        *,
        preview_latency: float = DEFAULT_PREVIEW_LATENCY,
        region: str = "us-east-1",
        host: str = "127.0.0.1",
        rate_limits: Mapping[str, Rate] | None = None,
    ) -> None:
        self.region = region
        self._host = host
        self._state_lock = threading.RLock()
        self._previews = PreviewBackend(latency=preview_latency)
        self.faults = Faults(self._previews, repository_lookup=self._repository)
        self._rate_limits = rate_limits
        self._app: FaultInjectingApp | None = None
        self._exit = ExitStack()
        self._endpoint_url: str | None = None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``; available inside the ``with`` block."""
        if self._endpoint_url is None:
            raise RuntimeError("the stand-in is not running: use it as a context manager")
        return self._endpoint_url

    def __enter__(self) -> Self:
        if not _ONE_AT_A_TIME.acquire(blocking=False):
            raise RuntimeError("another EcrStandIn is running in this process (moto's state is process-wide)")
        self._exit.callback(_ONE_AT_A_TIME.release)
        try:
            self._exit.enter_context(install_workload_patches())
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def _start(self) -> None:
        self._exit.callback(BackendDict.reset)
        BackendDict.reset()
        self._exit.enter_context(EcrResponses(self._previews).installed())
        app = FaultInjectingApp(
            DomainDispatcherApplication(create_backend_app), self.faults, state_lock=self._state_lock
        )
        app.set_rate_limits(self._rate_limits)
        server = make_server(self._host, 0, app, threaded=True, request_handler=_QuietRequestHandler)
        thread = threading.Thread(target=server.serve_forever, args=(_POLL_SECONDS,), name="ecr-stand-in", daemon=True)
        thread.start()
        self._exit.callback(thread.join)
        self._exit.callback(server.server_close)  # joins the request threads: stop() must have ended waits
        self._exit.callback(server.shutdown)
        self._exit.callback(app.stop)
        self._app = app
        self._endpoint_url = f"http://{self._host}:{server.server_port}"

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._endpoint_url = None
        self._app = None
        self._exit.close()

    def enable_rate_limits(self, limits: Mapping[str, Rate] = ECR_RATE_LIMITS) -> None:
        """Enforce ``limits`` from now on, starting with full buckets (replaces any earlier limits).

        A call finding its bucket (per account, region and ``service:Operation``) empty is answered with
        the service's throttling error and recorded with ``throttled=True``, ``fault="rate-limit"``.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     ecr.enable_rate_limits({"ecr:DescribeRepositories": Rate(per_second=1, burst=1)})
        ...     ecr.client("ecr").describe_repositories()["repositories"]
        ...     ecr.client("ecr", retries={"max_attempts": 0}).describe_repositories()
        Traceback (most recent call last):
        ...
        botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the \
DescribeRepositories operation (reached max retries: 0): Rate exceeded
        """
        self._running_app().set_rate_limits(limits)

    def disable_rate_limits(self) -> None:
        """Stop enforcing rate limits.

        Examples
        --------
        >>> with EcrStandIn(rate_limits=ECR_RATE_LIMITS) as ecr:
        ...     ecr.disable_rate_limits()
        """
        self._running_app().set_rate_limits(None)

    def client(self, service: str, **config: Any) -> Any:
        """A boto3 client for ``service`` bound to the stand-in (dummy credentials, the stand-in's region).

        ``config`` goes to :class:`botocore.config.Config`, e.g. ``retries={"mode": "standard"}``.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     ecr.client("ecr", retries={"mode": "standard"}).describe_repositories()["repositories"]
        []
        """
        with _CLIENT_LOCK:  # safe to call from many threads at once
            return _boto3_client(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=_ACCESS_KEY,
                aws_secret_access_key=_SECRET_KEY,
                config=Config(**config),
            )

    def create_repository(
        self, name: str, *, images: Sequence[SeedImage] = (), tags: Mapping[str, str] | None = None
    ) -> str:
        """Create repository ``name`` (through CreateRepository), seed ``images`` and return its ARN.

        The call is recorded (``setup=True``) but never rate-limited or faulted.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     ecr.create_repository("team/app", images=[SeedImage(tags=("v1",))], tags={"team": "a"})
        'arn:aws:ecr:us-east-1:123456789012:repository/team/app'
        """
        answer = self._setup_client("ecr").create_repository(repositoryName=name, tags=_tag_list(tags))
        self.add_images(name, images)
        return str(answer["repository"]["repositoryArn"])

    def create_repositories(
        self,
        names: Iterable[str],
        *,
        images: Sequence[SeedImage] | Callable[[str], Sequence[SeedImage]] = (),
        tags: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Create many repositories at once, in-process (not in :meth:`calls`); returns their ARNs in order.

        Parameters
        ----------
        names
            Repository names (nested names such as ``team/app`` allowed).
        images
            Images to seed into each (each repository gets its own digests), or a function of the name.
        tags
            Repository tags for all of them.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     arns = ecr.create_repositories([f"fleet/r{n:03}" for n in range(100)], images=[SeedImage()])
        ...     len(arns), len(ecr.calls())
        (100, 0)
        """
        arns = []
        for name in names:
            with self._state_lock:
                repo = self._ecr_backend().create_repository(
                    repository_name=name,
                    registry_id=None,
                    encryption_config=None,
                    image_scan_config=None,
                    image_tag_mutability=None,
                    tags=_tag_list(tags),
                )
            self.add_images(name, images(name) if callable(images) else images)
            arns.append(str(repo.arn))
        return arns

    def add_images(self, repository: str, images: Sequence[SeedImage]) -> list[str]:
        """Put more images into an existing repository; returns their digests in order.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     ecr.create_repository("app")
        ...     ecr.add_images("app", [SeedImage(pushed_days_ago=40)])  # doctest: +ELLIPSIS
        'arn:aws:ecr:us-east-1:123456789012:repository/app'
        ['sha256:...']
        """
        with self._state_lock:
            return seed_images(self._ecr_backend(), self._repository(repository), images)

    def set_preview_latency(self, seconds: float, *, repository: str | None = None) -> None:
        """How long previews stay ``IN_PROGRESS`` from now on: of ``repository``, or (None) of every repository.

        Without ``repository`` the latency is the same fixed ``seconds`` for all repositories, replacing
        latencies set per repository before.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     ecr.set_preview_latency(2.0, repository="slow")
        ...     ecr.set_preview_latency(0.5)
        """
        self._previews.set_latency(seconds, repository=repository)

    def create_stack(self, name: str) -> str:
        """Create a real (moto) CloudFormation stack with a trivial template; returns its stack id.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     ecr.create_stack("demo")  # doctest: +ELLIPSIS
        'arn:aws:cloudformation:us-east-1:123456789012:stack/demo/...'
        """
        client = self._setup_client("cloudformation")
        return str(client.create_stack(StackName=name, TemplateBody=_TRIVIAL_TEMPLATE)["StackId"])

    def set_stack_status(self, stack_id: str, status: str) -> None:
        """Make DescribeStacks report ``status`` (e.g. ``UPDATE_ROLLBACK_IN_PROGRESS``) for the stack.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     stack_id = ecr.create_stack("demo")
        ...     ecr.set_stack_status(stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")
        ...     ecr.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        'UPDATE_ROLLBACK_IN_PROGRESS'
        """
        with self._state_lock:
            stacks = cloudformation_backends[self.account_id][self.region].stacks
            if stack_id not in stacks:
                raise KeyError(f"no stack with id {stack_id!r}; create it with create_stack()")
            stacks[stack_id].status = status

    def calls(self, operation: str | None = None) -> list[RecordedCall]:
        """The API calls received so far, oldest first (of ``operation``, ``Op`` or ``service:Op``, when given).

        See :class:`~ecr_lifecycle_guard.local.faults.RecordedCall` for what each record holds.

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     ecr.client("ecr").describe_repositories()["repositories"]
        ...     [(call.action, call.status, call.throttled) for call in ecr.calls("ecr:DescribeRepositories")]
        []
        [('ecr:DescribeRepositories', 200, False)]
        """
        return self.faults.calls(operation)

    def lambda_env(self, receiver: ResponseReceiver | None = None) -> dict[str, str]:
        """The environment the handler needs to reach the stand-in (and trust ``receiver``'s CA).

        Examples
        --------
        >>> with EcrStandIn() as ecr:
        ...     sorted(ecr.lambda_env())
        ['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']
        """
        env = {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": _ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": _SECRET_KEY,
        }
        if receiver is not None:
            env["SSL_CERT_FILE"] = str(receiver.ca_file)
        return env

    def _running_app(self) -> FaultInjectingApp:
        if self._app is None:
            raise RuntimeError("the stand-in is not running: use it as a context manager")
        return self._app

    def _setup_client(self, service: str) -> Any:
        """A client whose calls are marked as the stand-in's own (recorded, never limited or faulted)."""
        client = self.client(service)
        client.meta.events.register("before-sign", _mark_setup)
        return client

    def _ecr_backend(self) -> Any:
        return ecr_backends[self.account_id][self.region]

    def _repository(self, name: str) -> Any:
        with self._state_lock:
            return self._ecr_backend()._get_repository(name)


def _mark_setup(request: Any, **_: Any) -> None:
    request.headers[SETUP_HEADER] = "1"


def _tag_list(tags: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in (tags or {}).items()]
