"""One repository's preview for the command line, bounded by its timeout: ECR's preview, in-use discovery, gate.

:func:`run_target` runs the work in a worker thread and waits for it at most until the deadline (plus
a short grace): however the endpoint behaves (accepts and never answers, throttles, drops the
connection), the answer comes within the timeout. The AWS calls are bounded too: each client's
connect and read timeouts and its attempts come from the timeout
(:func:`~ecr_lifecycle_guard.cli.aws_access.call_limits`). In-use discovery
(:func:`ecr_lifecycle_guard.inuse.discover_in_use`) runs beside ECR's preview, as in the handler.
Every failure becomes an :class:`Outcome` with one line from
:func:`ecr_lifecycle_guard.aws_errors.describe_error`; nothing is raised.

Examples
--------
>>> from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
>>> target = Target("app", POLICY_EXAMPLE, GateLimits(), 5.0, skip_reason="the name is known only at deploy time")
>>> outcome = run_target(target, access=None)
>>> outcome.status, outcome.detail
('SKIPPED', 'the name is known only at deploy time')
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from ecr_lifecycle_guard.aws_errors import as_call_error, aws_error_code, describe_error
from ecr_lifecycle_guard.cloud_assembly import Location
from ecr_lifecycle_guard.ecr_preview import run_preview
from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.gate import GateLimits, GateVerdict, PreviewFigures, PreviewResult, check_gate

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_ecr import ECRClient

    from ecr_lifecycle_guard.cli.aws_access import AwsAccess
    from ecr_lifecycle_guard.inuse import InUseReport, Workload

__all__ = [
    "GRACE_SECONDS",
    "STATUSES",
    "Outcome",
    "Status",
    "Target",
    "poll_interval_for",
    "run_bounded",
    "run_target",
    "totals",
]

Status = Literal["PASSED", "BLOCKED", "FAILED", "UNCHANGED", "NEW", "SKIPPED"]
#: Every status, in the order summaries list them. PASSED, UNCHANGED and NEW pass; BLOCKED is the gate's
#: refusal; FAILED could not be previewed; SKIPPED cannot be previewed from here (e.g. a generated name).
STATUSES: Final[tuple[Status, ...]] = ("PASSED", "UNCHANGED", "NEW", "BLOCKED", "FAILED", "SKIPPED")
#: Seconds the watchdog waits past the deadline for the worker to report what stopped it.
GRACE_SECONDS: Final = 1.0
#: Seconds between ``GetLifecyclePolicyPreview`` polls with up to 4 previews at once; more previews poll
#: less often, so the polls of a fleet stay around 40 requests a second (throttled polls are retried).
_POLL_INTERVAL: Final = 0.1
_POLLS_PER_SECOND: Final = 40.0
_T = TypeVar("_T")


def poll_interval_for(concurrency: int) -> float:
    """The poll interval when ``concurrency`` previews run at once.

    Examples
    --------
    >>> poll_interval_for(1), poll_interval_for(4), poll_interval_for(16)
    (0.1, 0.1, 0.4)
    """
    return max(_POLL_INTERVAL, concurrency / _POLLS_PER_SECOND)


@dataclass(frozen=True)
class Target:
    """A repository to preview, the policy, the limits and where to call.

    Parameters
    ----------
    repository, policy_text, limits
        What to preview and the gate's limits (``limits.protect_in_use`` turns discovery on).
    timeout_seconds
        The whole preview (start, waits, pages, discovery) ends within this.
    registry_id, region
        ``None``: the caller's account, the default Region.
    in_use_roles
        Roles to assume for discovery in other accounts.
    source
        Where the target comes from in a cloud assembly (``--cdk-out``).
    preview_only
        The guard's ``PreviewOnly`` (reported; the deploy gates it the same way).
    compare_live
        Read the live policy first: when it equals ``policy_text`` the deploy previews nothing (``UNCHANGED``).
    creates_repository
        The stack creates the repository: when it does not exist yet the deploy makes it empty (``NEW``).
    skip_reason, problem
        Set when the target cannot be previewed (``SKIPPED``) or its properties are refused (``FAILED``).
    """

    repository: str
    policy_text: str
    limits: GateLimits
    timeout_seconds: float
    registry_id: str | None = None
    region: str | None = None
    in_use_roles: tuple[str, ...] = ()
    source: Location | None = None
    preview_only: bool = False
    compare_live: bool = False
    creates_repository: bool = False
    skip_reason: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one :class:`Target`.

    ``figures`` and ``verdict`` are set for PASSED and BLOCKED; ``in_use`` when discovery ran;
    ``detail`` says why for the other statuses.
    """

    target: Target
    status: Status
    figures: PreviewFigures | None = None
    verdict: GateVerdict | None = None
    in_use: InUseReport | None = None
    detail: str = ""
    seconds: float = 0.0

    def in_use_hits(self) -> list[tuple[PreviewResult, tuple[Workload, ...]]]:
        """The images the preview acts on that workloads use, with those workloads."""
        if self.figures is None or self.in_use is None:
            return []
        images: Mapping[str, tuple[Workload, ...]] = self.in_use.images
        return [(result, images[result.digest]) for result in self.figures.results if images.get(result.digest)]


Progress = Callable[[str], None]


def run_target(
    target: Target, access: AwsAccess | None, *, poll_interval: float = _POLL_INTERVAL, progress: Progress | None = None
) -> Outcome:
    """Preview ``target`` and gate it; never raises, never takes longer than its timeout (plus a second).

    Parameters
    ----------
    target
        What to preview.
    access
        The AWS clients (unused for targets that are skipped or refused).
    poll_interval
        Seconds between polls of ECR's preview.
    progress
        Called with short status messages (from the worker thread).
    """
    if target.skip_reason is not None:
        return Outcome(target, "SKIPPED", detail=target.skip_reason)
    if target.problem is not None or access is None:
        return Outcome(target, "FAILED", detail=target.problem or "no AWS access")
    started = time.monotonic()
    deadline = started + target.timeout_seconds
    box: list[Outcome] = []
    done = threading.Event()

    def work() -> None:
        try:
            box.append(_Job(target, access, deadline, poll_interval, progress).run(started))
        except Exception as error:  # every failure is one line, never a traceback
            box.append(Outcome(target, "FAILED", detail=describe_error(error), seconds=time.monotonic() - started))
        finally:
            done.set()

    threading.Thread(target=work, name=f"preview {target.repository}", daemon=True).start()
    if done.wait(max(0.0, deadline - time.monotonic()) + GRACE_SECONDS):
        return box[0]
    detail = (
        f"preview of {target.repository}: no answer within {target.timeout_seconds:g} s (the timeout);"
        " the endpoint accepted the request but did not answer in time"
    )
    return Outcome(target, "FAILED", detail=detail, seconds=time.monotonic() - started)


def run_bounded(work: Callable[[], _T], seconds: float, what: str) -> _T:
    """Run ``work`` in a worker thread; its result, or :class:`TimeoutError` after ``seconds`` (plus the grace).

    Exceptions of ``work`` are raised here, in the caller's thread.

    Examples
    --------
    >>> run_bounded(lambda: 42, 1.0, "the answer")
    42
    >>> run_bounded(lambda: time.sleep(5), 0.1, "a nap")
    Traceback (most recent call last):
    ...
    TimeoutError: a nap: no answer within 0.1 s (the timeout)
    """
    box: list[tuple[bool, Any]] = []
    done = threading.Event()

    def run() -> None:
        try:
            box.append((True, work()))
        except Exception as error:
            box.append((False, error))
        finally:
            done.set()

    threading.Thread(target=run, name=what, daemon=True).start()
    if not done.wait(seconds + (GRACE_SECONDS if seconds >= 1 else 0.0)):
        raise TimeoutError(f"{what}: no answer within {seconds:g} s (the timeout)")
    succeeded, value = box[0]
    if not succeeded:
        raise value
    result: _T = value
    return result


class _Job:
    """The work of one target, in its worker thread."""

    def __init__(
        self, target: Target, access: AwsAccess, deadline: float, poll_interval: float, progress: Progress | None
    ) -> None:
        self.target = target
        self.access = access
        self.deadline = deadline
        self.poll_interval = poll_interval
        self.progress = progress

    def run(self, started: float) -> Outcome:
        target = self.target
        client = self.access.ecr(target.region, target.timeout_seconds)
        if target.compare_live:
            settled = self._settled_by_live_policy(client)
            if settled is not None:
                return Outcome(target, settled[0], detail=settled[1], seconds=time.monotonic() - started)
        discovery = _Discovery(self) if target.limits.protect_in_use else None
        figures = run_preview(
            client,
            repository=target.repository,
            registry_id=target.registry_id,
            policy_text=target.policy_text,
            deadline=self.deadline,
            clock=time.monotonic,
            sleep=time.sleep,
            poll_interval=self.poll_interval,
            count_visible=target.limits.needs_visible_count,
            progress=self.progress,
        )
        report = discovery.result(self.deadline) if discovery is not None else None
        verdict = check_gate(target.limits, figures, in_use=report)
        status: Status = "PASSED" if verdict.passed else "BLOCKED"
        return Outcome(target, status, figures, verdict, report, seconds=time.monotonic() - started)

    def _settled_by_live_policy(self, client: ECRClient) -> tuple[Status, str] | None:
        """``UNCHANGED`` when the live policy already is the target's, ``NEW`` for a repository yet to be made."""
        request: dict[str, Any] = {"repositoryName": self.target.repository}
        if self.target.registry_id:
            request["registryId"] = self.target.registry_id
        try:
            live = client.get_lifecycle_policy(**request).get("lifecyclePolicyText")
        except Exception as error:
            code = aws_error_code(error)
            if code == "LifecyclePolicyNotFoundException":
                return None
            if code == "RepositoryNotFoundException" and self.target.creates_repository:
                return "NEW", "the stack creates this repository: the deploy previews an empty repository"
            raise
        if isinstance(live, str) and policies_equivalent(live, self.target.policy_text):
            return "UNCHANGED", "the live policy already is this policy: the deploy skips the preview"
        return None


class _Discovery:
    """In-use discovery for a job, in its own thread, started at once."""

    def __init__(self, job: _Job) -> None:
        self._job = job
        self._report: list[InUseReport] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"in-use {job.target.repository}", daemon=True)
        self._thread.start()

    def result(self, deadline: float) -> InUseReport | None:
        """The report, waiting at most until ``deadline`` (plus the grace); ``None`` if it did not come."""
        self._done.wait(max(0.0, deadline - time.monotonic()) + GRACE_SECONDS)
        return self._report[0] if self._report else None

    def _run(self) -> None:
        from ecr_lifecycle_guard.inuse import InUseReport, RepositoryRef, discover_in_use

        job = self._job
        target = job.target
        region = target.region or job.access.default_region or ""
        try:
            clients = job.access.in_use_clients(target.region, target.timeout_seconds)
            region = clients.region
            registry = target.registry_id or clients.account
            report = discover_in_use(
                RepositoryRef(registry, region, target.repository),
                clients,
                role_arns=target.in_use_roles,
                deadline=job.deadline,
                clock=time.monotonic,
                sleep=time.sleep,
                extra_references=job.access.extra_references,
            )
        except Exception as error:  # e.g. no account from STS: fail closed, naming what failed
            report = InUseReport(images={}, failures=(_failure("in-use discovery", region, error),))
        self._report.append(report)
        self._done.set()


def _failure(source: str, region: str, error: Exception) -> Any:
    from ecr_lifecycle_guard.inuse import SourceFailure

    call_error = as_call_error(error)
    if call_error is not None:
        return SourceFailure(source, "", region, call_error.code, call_error.aws_message)
    return SourceFailure(source, "", region, type(error).__name__, describe_error(error))


def totals(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many outcomes have each status.

    Examples
    --------
    >>> totals([])["PASSED"]
    0
    """
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
