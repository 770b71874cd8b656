"""In-use discovery beside ECR's preview: started in a background thread before the preview, joined by its deadline.

Discovery (:func:`ecr_lifecycle_guard.inuse.discover_in_use`) lists the workloads that use the
repository's images while ECR computes the preview, so it adds little to the deploy. It never raises
for AWS errors: unlisted sources are the report's ``failures``, which block the gate. A discovery that
has not finished when the preview's deadline comes, or that could not run at all, becomes such a
failure too (fail closed).

Examples
--------
>>> import time
>>> from ecr_lifecycle_guard.inuse import InUseReport
>>> runner = InUseDiscovery(discover=lambda **request: InUseReport(images={}, failures=()),
...                         clock=time.monotonic, sleep=time.sleep)
>>> pending = runner.start(registry_id="123456789012", region="us-east-1", repository="app",
...                        role_arns=(), deadline=time.monotonic() + 5)
>>> report = pending.join(until=time.monotonic() + 5)
>>> report.failures, dict(report.images)
((), {})
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ecr_lifecycle_guard.aws_errors import describe_error
from ecr_lifecycle_guard.gate import InUseView, PreviewFigures, WorkloadView

__all__ = [
    "DISCOVERY_GRACE_SECONDS",
    "InUseDiscovery",
    "PendingDiscovery",
    "UnfinishedDiscovery",
    "log_hits",
    "report_as_log",
]

logger = logging.getLogger(__name__)

#: How long after the preview's deadline a discovery that is about to finish is still waited for.
DISCOVERY_GRACE_SECONDS: Final = 0.5
#: Workloads listed per image in a hit's log line.
_WORKLOADS_LOGGED: Final = 20

Discover = Callable[..., InUseView]


@dataclass(frozen=True)
class UnfinishedDiscovery:
    """A report standing in for a discovery that could not deliver one: it only has a failure (it blocks).

    Examples
    --------
    >>> [str(f) for f in UnfinishedDiscovery("in-use discovery did not finish in time").failures]
    ['in-use discovery did not finish in time']
    """

    reason: str
    images: Mapping[str, Sequence[WorkloadView]] = field(default_factory=dict)

    @property
    def failures(self) -> Sequence[object]:
        """One failure: the reason."""
        return (self.reason,)


class PendingDiscovery:
    """A discovery running in a background thread."""

    def __init__(self, run: Callable[[], InUseView]) -> None:
        self._report: InUseView | None = None
        self._thread = threading.Thread(target=self._run, args=(run,), name="in-use-discovery", daemon=True)
        self._thread.start()

    def _run(self, run: Callable[[], InUseView]) -> None:
        try:
            self._report = run()
        except Exception as error:  # discovery never raises for AWS errors; anything else must still block
            logger.exception("in-use discovery failed")
            self._report = UnfinishedDiscovery(f"in-use discovery failed: {describe_error(error)}")

    def join(self, *, until: float, clock: Callable[[], float] | None = None) -> InUseView:
        """The report, waiting until ``until`` (+ a short grace) on ``clock``; unfinished -> a blocking failure."""
        now = (clock or time.monotonic)()
        self._thread.join(max(until - now, 0.0) + DISCOVERY_GRACE_SECONDS)
        if self._thread.is_alive() or self._report is None:
            logger.error("in-use discovery did not finish before the preview deadline; the gate blocks")
            return UnfinishedDiscovery("in-use discovery did not finish before the preview deadline")
        return self._report


class InUseDiscovery:
    """Starts in-use discovery for one repository.

    Parameters
    ----------
    discover
        :func:`ecr_lifecycle_guard.inuse.discover_in_use` (keyword arguments ``repository``,
        ``role_arns``, ``deadline``, ``clock``, ``sleep`` and ``account``); default: the real discovery
        with boto3 clients in the function's account and region.
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production.
    """

    def __init__(
        self, *, discover: Discover | None = None, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._discover = discover or _discover_with_boto3
        self._clock = clock
        self._sleep = sleep

    def start(
        self,
        *,
        registry_id: str,
        region: str,
        repository: str,
        role_arns: Sequence[str],
        deadline: float,
        account: str = "",
    ) -> PendingDiscovery:
        """Start discovering, in the background, which images of the repository workloads use."""

        def run() -> InUseView:
            return self._discover(
                registry_id=registry_id,
                region=region,
                repository=repository,
                role_arns=tuple(role_arns),
                deadline=deadline,
                clock=self._clock,
                sleep=self._sleep,
                account=account,
            )

        return PendingDiscovery(run)


def _discover_with_boto3(
    *,
    registry_id: str,
    region: str,
    repository: str,
    role_arns: Sequence[str],
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    account: str,
) -> InUseView:
    try:
        from ecr_lifecycle_guard.inuse import BotoClients, RepositoryRef, discover_in_use
    except ImportError as error:
        return UnfinishedDiscovery(f"in-use discovery is not available in this handler: {error}")
    clients = BotoClients(region=region, account=account or None)
    return discover_in_use(
        RepositoryRef(registry_id, region, repository),
        clients,
        role_arns=role_arns,
        deadline=deadline,
        clock=clock,
        sleep=sleep,
    )


def log_hits(figures: PreviewFigures, report: InUseView) -> int:
    """Log every image the preview would act on that a workload uses, with the rule and the workloads.

    Returns how many images were hit.

    Examples
    --------
    >>> from ecr_lifecycle_guard.gate import PreviewResult
    >>> figures = PreviewFigures(1, 0, (PreviewResult("sha256:aa", ("v1",), "EXPIRE", 2, "STANDARD"),), 3)
    >>> log_hits(figures, UnfinishedDiscovery("x", images={"sha256:aa": ("ECS service prod/api",)}))
    1
    """
    hits = 0
    for result in figures.results:
        workloads = report.images.get(result.digest)
        if not workloads:
            continue
        hits += 1
        logger.error(
            "in use: rule %s would %s image %s",
            result.rule_priority,
            result.action.lower(),
            result.digest,
            extra={
                "details": {
                    "digest": result.digest,
                    "tags": list(result.tags),
                    "action": result.action,
                    "rule_priority": result.rule_priority,
                    "workloads": [str(w) for w in list(workloads)[:_WORKLOADS_LOGGED]],
                    "workload_count": len(workloads),
                }
            },
        )
    return hits


def report_as_log(report: InUseView) -> Any:
    """The report's own log form when it has one (``InUseReport.as_log``), else its failures."""
    as_log = getattr(report, "as_log", None)
    if callable(as_log):
        return as_log()
    return {"failures": [str(f) for f in report.failures]}
