"""``EcrStandIn``: moto's server on 127.0.0.1, extended with ECR's lifecycle-policy preview.

The server is moto's own WSGI application served on a free port by a background thread (what
``moto.server.ThreadedMotoServer`` does), behind :class:`~ecr_lifecycle_guard.local.faults.FaultInjectingApp`.
moto keeps its state in process-wide backends, so one stand-in runs per process at a time; entering
one resets moto's state and leaving it resets it again.

Examples
--------
>>> with EcrStandIn(preview_latency=0.2) as ecr:  # doctest: +SKIP
...     ecr.create_repository("app", images=[SeedImage(tags=("v1",), pushed_days_ago=3)])
...     ecr.client("ecr").start_lifecycle_policy_preview(repositoryName="app", lifecyclePolicyText=text)
'arn:aws:ecr:us-east-1:123456789012:repository/app'
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
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

from ecr_lifecycle_guard.local.faults import FaultInjectingApp, Faults, RecordedCall
from ecr_lifecycle_guard.local.models import PreviewBackend
from ecr_lifecycle_guard.local.responses import EcrResponses
from ecr_lifecycle_guard.local.seed import SeedImage, seed_images

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

    Attributes
    ----------
    faults
        Fault injection and the record of calls (:class:`~ecr_lifecycle_guard.local.faults.Faults`).
    account_id
        moto's account, ``123456789012``.

    Examples
    --------
    >>> with EcrStandIn() as ecr:  # doctest: +SKIP
    ...     ecr.faults.throttle("GetLifecyclePolicyPreview", times=2)
    ...     env = ecr.lambda_env()
    """

    account_id: Final[str] = DEFAULT_ACCOUNT_ID

    def __init__(
        self, *, preview_latency: float = DEFAULT_PREVIEW_LATENCY, region: str = "us-east-1", host: str = "127.0.0.1"
    ) -> None:
        self.region = region
        self._host = host
        self._previews = PreviewBackend(latency=preview_latency)
        self.faults = Faults(self._previews, repository_lookup=self._repository)
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
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def _start(self) -> None:
        self._exit.callback(BackendDict.reset)
        BackendDict.reset()
        self._exit.enter_context(EcrResponses(self._previews).installed())
        app = FaultInjectingApp(DomainDispatcherApplication(create_backend_app), self.faults)
        server = make_server(self._host, 0, app, threaded=True, request_handler=_QuietRequestHandler)
        thread = threading.Thread(target=server.serve_forever, args=(_POLL_SECONDS,), name="ecr-stand-in", daemon=True)
        thread.start()
        self._exit.callback(thread.join)
        self._exit.callback(server.server_close)
        self._exit.callback(server.shutdown)
        self._endpoint_url = f"http://{self._host}:{server.server_port}"

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._endpoint_url = None
        self._exit.close()

    def client(self, service: str, **config: Any) -> Any:
        """A boto3 client for ``service`` bound to the stand-in (dummy credentials, the stand-in's region).

        ``config`` goes to :class:`botocore.config.Config`, e.g. ``retries={"mode": "standard"}``.

        Examples
        --------
        >>> ecr.client("ecr").describe_repositories()["repositories"]  # doctest: +SKIP
        []
        """
        return _boto3_client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=_ACCESS_KEY,
            aws_secret_access_key=_SECRET_KEY,
            config=Config(**config),
        )

    def create_repository(self, name: str, *, images: Sequence[SeedImage] = ()) -> str:
        """Create repository ``name`` (through CreateRepository), seed ``images`` and return its ARN.

        Examples
        --------
        >>> ecr.create_repository("app", images=[SeedImage(tags=("v1",), pushed_days_ago=3)])  # doctest: +SKIP
        'arn:aws:ecr:us-east-1:123456789012:repository/app'
        """
        arn = str(self.client("ecr").create_repository(repositoryName=name)["repository"]["repositoryArn"])
        self.add_images(name, images)
        return arn

    def add_images(self, repository: str, images: Sequence[SeedImage]) -> list[str]:
        """Put more images into an existing repository; returns their digests in order.

        Examples
        --------
        >>> ecr.add_images("app", [SeedImage(pushed_days_ago=40)])  # doctest: +SKIP
        ['sha256:...']
        """
        return seed_images(self._ecr_backend(), self._repository(repository), images)

    def set_preview_latency(self, seconds: float, *, repository: str | None = None) -> None:
        """How long previews (of one repository, or of all) stay ``IN_PROGRESS`` from now on."""
        self._previews.set_latency(seconds, repository=repository)

    def create_stack(self, name: str) -> str:
        """Create a real (moto) CloudFormation stack with a trivial template; returns its stack id.

        Examples
        --------
        >>> ecr.create_stack("demo")  # doctest: +SKIP
        'arn:aws:cloudformation:us-east-1:123456789012:stack/demo/...'
        """
        return str(
            self.client("cloudformation").create_stack(StackName=name, TemplateBody=_TRIVIAL_TEMPLATE)["StackId"]
        )

    def set_stack_status(self, stack_id: str, status: str) -> None:
        """Make DescribeStacks report ``status`` (e.g. ``UPDATE_ROLLBACK_IN_PROGRESS``) for the stack.

        Examples
        --------
        >>> ecr.set_stack_status(stack_id, "UPDATE_ROLLBACK_IN_PROGRESS")  # doctest: +SKIP
        """
        stacks = cloudformation_backends[self.account_id][self.region].stacks
        if stack_id not in stacks:
            raise KeyError(f"no stack with id {stack_id!r}; create it with create_stack()")
        stacks[stack_id].status = status

    def calls(self, operation: str | None = None) -> list[RecordedCall]:
        """The API calls received so far (of ``operation`` when given); see :meth:`Faults.calls`."""
        return self.faults.calls(operation)

    def lambda_env(self, receiver: ResponseReceiver | None = None) -> dict[str, str]:
        """The environment the handler needs to reach the stand-in (and trust ``receiver``'s CA).

        Examples
        --------
        >>> sorted(ecr.lambda_env())  # doctest: +SKIP
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

    def _ecr_backend(self) -> Any:
        return ecr_backends[self.account_id][self.region]

    def _repository(self, name: str) -> Any:
        return self._ecr_backend()._get_repository(name)
