"""Find which images of a guarded ECR repository workloads use: :func:`discover_in_use`.

Sources, in the repository's account and region and in each account reached through a role: ECS
services and tasks, Lambda image functions (and their aliased versions), Batch ACTIVE job
definitions. A reference counts only when it names the guarded repository (registry, region and
name); a tag counts for the image it names now, a digest for itself. Every call is bounded by the
deadline; a source that fails or is not finished in time is reported in ``failures`` (the gate
blocks on them), never raised. No handler or command-line specifics: the handler, the ``preview``
command and a scheduled check all call this function.

Examples
--------
An account without workloads, through an in-memory stand-in for AWS:

>>> class Empty:
...     def list_clusters(self, **_): return {"clusterArns": []}
...     def list_functions(self, **_): return {"Functions": []}
...     def describe_job_definitions(self, **_): return {"jobDefinitions": []}
>>> class Clients:
...     account, region = "123456789012", "us-east-1"
...     def client(self, service): return Empty()
...     def assume(self, role_arn): return self
>>> import time
>>> report = discover_in_use(RepositoryRef("123456789012", "us-east-1", "app"), Clients(),
...                          deadline=time.monotonic() + 5, clock=time.monotonic, sleep=time.sleep,
...                          extra_references=[("123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64,
...                                             Workload("listed", "pods.txt:1"))])
>>> [(digest[:9], [str(w) for w in workloads]) for digest, workloads in report.images.items()], report.failures
([('sha256:aa', ['listed pods.txt:1'])], ())
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ecr_lifecycle_guard.inuse.calls import Caller, DeadlineReached
from ecr_lifecycle_guard.inuse.crawl import Crawl, Found, SourceKey, Step, source_failure
from ecr_lifecycle_guard.inuse.model import ImageReference, InUseReport, RepositoryRef, Workload
from ecr_lifecycle_guard.inuse.resolve import tag_steps
from ecr_lifecycle_guard.inuse.sources_batch import batch_steps
from ecr_lifecycle_guard.inuse.sources_ecs import ecs_steps
from ecr_lifecycle_guard.inuse.sources_lambda import lambda_steps

__all__ = ["AwsClients", "account_of_role", "discover_in_use"]


class AwsClients(Protocol):
    """boto3-like clients for one account and region (``account`` and ``region`` may be plain attributes)."""

    @property
    def account(self) -> str:
        """The account the clients act in."""
        ...

    @property
    def region(self) -> str:
        """Their region."""
        ...

    def client(self, service: str) -> Any:
        """A client for ``ecs``, ``lambda``, ``batch``, ``ecr`` or ``sts`` (safe to share between threads)."""
        ...

    def assume(self, role_arn: str) -> AwsClients:
        """Clients with the credentials of ``role_arn`` (same region)."""
        ...


def account_of_role(role_arn: str) -> str:
    """The account of an IAM role ARN (``""`` when the text is not an ARN).

    Examples
    --------
    >>> account_of_role("arn:aws:iam::111111111111:role/in-use-reader")
    '111111111111'
    """
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else ""


def _account_steps(clients: AwsClients, caller: Caller) -> list[Step]:
    return [*ecs_steps(clients, caller), *lambda_steps(clients, caller), *batch_steps(clients, caller)]


def _assume_step(clients: AwsClients, role_arn: str, caller: Caller) -> Step:
    key = SourceKey(f"assume role {role_arn}", account_of_role(role_arn), clients.region)

    def run() -> Found:
        if caller.remaining() <= 0:
            return Found(failures=[(key, DeadlineReached(f"assuming {role_arn}"))])
        return Found(steps=_account_steps(clients.assume(role_arn), caller))

    return Step((key,), run)


def _dedupe(workloads: Sequence[Workload]) -> tuple[Workload, ...]:
    unique = dict.fromkeys(workloads)
    return tuple(sorted(unique, key=lambda w: (w.account, w.region, w.kind, w.name, w.detail)))


def discover_in_use(
    repository: RepositoryRef,
    clients: AwsClients,
    *,
    role_arns: Sequence[str] = (),
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    extra_references: Sequence[tuple[str, Workload]] = (),
) -> InUseReport:
    """Find the images of ``repository`` that workloads use.

    Parameters
    ----------
    repository
        The guarded repository.
    clients
        Clients in the repository's account and region (its ECR client resolves tags).
    role_arns
        Roles to assume for the same discovery in other accounts (same region).
    deadline
        Time on ``clock`` by which discovery ends; unfinished sources become failures.
    clock, sleep
        Monotonic seconds and a pause (throttled calls are retried with back-off).
    extra_references
        References found elsewhere (a ``kubectl get pods`` file), with their workloads.

    Returns
    -------
    InUseReport
        Digest -> workloads, failed sources, tags that name no image, and the time taken.

    Notes
    -----
    Only programming errors are raised; AWS errors, missing credentials and the deadline end up in
    ``InUseReport.failures``.
    """
    started = clock()
    caller = Caller(deadline=deadline, clock=clock, sleep=sleep)
    crawl = Crawl(caller)
    crawl.references.extend(extra_references)
    home = _HomeClients(clients, repository)
    crawl.run([*_account_steps(home, caller), *(_assume_step(home, arn, caller) for arn in role_arns)])

    by_digest: dict[str, list[Workload]] = {}
    by_tag: dict[str, list[Workload]] = {}
    for text, workload in crawl.references:
        ref = ImageReference.parse(text)
        if ref is None or not ref.names(repository):
            continue
        if ref.digest:
            by_digest.setdefault(ref.digest, []).append(workload)
        elif ref.tag:
            by_tag.setdefault(ref.tag, []).append(workload)
    if by_tag:
        crawl.run(tag_steps(home, repository, sorted(by_tag), caller))
    unresolved: dict[str, list[Workload]] = {}
    for tag, workloads in by_tag.items():
        if tag not in crawl.tags:
            continue  # resolution failed; the failure is reported
        digest = crawl.tags[tag]
        target = by_digest.setdefault(digest, []) if digest else unresolved.setdefault(tag, [])
        target.extend(workloads)
    return InUseReport(
        images={digest: _dedupe(w) for digest, w in sorted(by_digest.items())},
        failures=tuple(crawl.failures),
        unresolved={tag: _dedupe(w) for tag, w in sorted(unresolved.items())},
        seconds=max(0.0, clock() - started),
    )


class _HomeClients:
    """The caller's clients, with an account that never raises (the repository's when unknown)."""

    def __init__(self, clients: AwsClients, repository: RepositoryRef) -> None:
        self._clients = clients
        self.region: str = clients.region
        try:
            self.account: str = clients.account
        except Exception as error:
            if source_failure(SourceKey("", "", ""), error) is None:
                raise
            self.account = repository.registry_id

    def client(self, service: str) -> Any:
        return self._clients.client(service)

    def assume(self, role_arn: str) -> AwsClients:
        return self._clients.assume(role_arn)
