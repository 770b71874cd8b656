"""Run discovery's steps on a small thread pool, within a deadline, and keep the books.

Sources are split into :class:`Step` objects (list the clusters, describe one cluster's tasks, read
one function...). A step never waits for another: it returns what it :class:`Found` — image
references with their workloads, further steps, lookups of shared resources (an ECS task definition
that several services use is described once) and failures of one of its sources. Only the thread
that runs :meth:`Crawl.run` touches the books, so no locks are needed.

A source is finished when no step or lookup for it is outstanding. When the deadline comes, every
unfinished source is reported with code ``DeadlineExceeded``; AWS errors become a
:class:`~ecr_lifecycle_guard.inuse.model.SourceFailure` naming the source; anything else (a
programming error) is raised again.

Examples
--------
>>> import time
>>> key = SourceKey("Batch job definitions", "123456789012", "us-east-1")
>>> step = Step((key,), lambda: Found(references=[("img", Workload("listed", "x"))]))
>>> crawl = Crawl(Caller(deadline=time.monotonic() + 5, clock=time.monotonic, sleep=time.sleep))
>>> crawl.run([step])
>>> crawl.references, crawl.failures
([('img', Workload(kind='listed', name='x', detail='', account='', region=''))], [])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from ecr_lifecycle_guard.aws_errors import as_call_error
from ecr_lifecycle_guard.inuse.calls import Caller, DeadlineReached
from ecr_lifecycle_guard.inuse.model import DEADLINE_EXCEEDED, SourceFailure, Workload
from ecr_lifecycle_guard.inuse.pool import DaemonPool

__all__ = ["MAX_WORKERS", "Crawl", "Found", "Lookup", "SourceKey", "Step", "chunks", "source_failure"]

#: Threads per discovery: enough to overlap AWS round trips, few enough to stay under API rate limits.
MAX_WORKERS: Final = 8


class SourceKey(NamedTuple):
    """One source in one account and region, e.g. ``("ECS services", "123456789012", "us-east-1")``."""

    source: str
    account: str
    region: str


@dataclass(frozen=True)
class Lookup:
    """A workload needs the images of a shared resource (fetched once per ``key``)."""

    key: str
    workload: Workload
    source: SourceKey
    fetch: Callable[[], tuple[str, ...]]


@dataclass
class Found:
    """What one step found.

    Attributes
    ----------
    references
        Image reference text and the workload that uses it.
    steps
        Further steps to run.
    lookups
        Shared resources whose images count for a workload.
    learned
        Images of shared resources met on the way (lookup key -> images), so no lookup is needed.
    failures
        Sources of this step that failed, with what was raised (the step's other sources went on).
    tags
        Tag -> the digest it names now, or ``None`` when it names no image (tag resolution).
    """

    references: list[tuple[str, Workload]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    lookups: list[Lookup] = field(default_factory=list)
    learned: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failures: list[tuple[SourceKey, Exception]] = field(default_factory=list)
    tags: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """Work for one or more sources; ``run`` makes the AWS calls (on a pool thread)."""

    sources: tuple[SourceKey, ...]
    run: Callable[[], Found]


class Crawl:
    """Run steps until all are done or the deadline comes; collect references, tags and failures.

    Parameters
    ----------
    caller
        Holds the deadline and the clock (the same the steps use for their calls).
    max_workers
        Pool threads.
    """

    def __init__(self, caller: Caller, *, max_workers: int = MAX_WORKERS) -> None:
        self._caller = caller
        self._max_workers = max_workers
        self.references: list[tuple[str, Workload]] = []
        self.tags: dict[str, str | None] = {}
        self._failures: dict[SourceKey, SourceFailure] = {}
        self._outstanding: Counter[SourceKey] = Counter()
        self._known: dict[str, tuple[str, ...]] = {}
        self._waiting: dict[str, list[tuple[Workload, SourceKey]]] = {}
        self._steps: dict[Future[Found], tuple[SourceKey, ...]] = {}
        self._fetches: dict[Future[tuple[str, ...]], str] = {}

    @property
    def failures(self) -> list[SourceFailure]:
        """Failed and unfinished sources, in the order they were met."""
        return list(self._failures.values())

    def run(self, steps: Iterable[Step]) -> None:
        """Run ``steps`` and everything they lead to; return when done or at the deadline."""
        pool = DaemonPool(self._max_workers)
        try:
            for step in steps:
                self._submit(pool, step)
            while self._steps or self._fetches:
                remaining = self._caller.remaining()
                if remaining <= 0:
                    break
                futures: list[Future[Any]] = [*self._steps, *self._fetches]
                done, _ = wait(futures, timeout=remaining, return_when=FIRST_COMPLETED)
                for future in done:
                    if future in self._steps:
                        self._settle_step(pool, future)
                    else:
                        self._settle_fetch(future)
        finally:
            pool.shutdown()
        for key, count in self._outstanding.items():
            if count > 0:
                self._fail(key, DeadlineReached("the listing"))
        self._steps.clear()
        self._fetches.clear()

    def _submit(self, pool: DaemonPool, step: Step) -> None:
        if all(key in self._failures for key in step.sources):
            return
        self._outstanding.update(step.sources)
        self._steps[pool.submit(step.run)] = step.sources

    def _look_up(self, pool: DaemonPool, lookup: Lookup) -> None:
        if lookup.key in self._known:
            self.references.extend((image, lookup.workload) for image in self._known[lookup.key])
            return
        self._outstanding[lookup.source] += 1
        waiting = self._waiting.setdefault(lookup.key, [])
        waiting.append((lookup.workload, lookup.source))
        if len(waiting) == 1:
            self._fetches[pool.submit(lookup.fetch)] = lookup.key

    def _learn(self, key: str, images: tuple[str, ...]) -> None:
        self._known[key] = images
        for workload, source in self._waiting.pop(key, []):
            self._outstanding[source] -= 1
            self.references.extend((image, workload) for image in images)

    def _settle_fetch(self, future: Future[tuple[str, ...]]) -> None:
        key = self._fetches.pop(future)
        error = future.exception()
        if error is None:
            self._learn(key, future.result())
            return
        for _, source in self._waiting.pop(key, []):
            self._outstanding[source] -= 1
            self._fail(source, error)

    def _settle_step(self, pool: DaemonPool, future: Future[Found]) -> None:
        sources = self._steps.pop(future)
        self._outstanding.subtract(sources)
        error = future.exception()
        if error is not None:
            for key in sources:
                self._fail(key, error)
            return
        self._merge(pool, future.result())

    def _merge(self, pool: DaemonPool, found: Found) -> None:
        for key, images in found.learned.items():
            self._learn(key, images)
        self.references.extend(found.references)
        self.tags.update(found.tags)
        for source, error in found.failures:
            self._fail(source, error)
        for lookup in found.lookups:
            self._look_up(pool, lookup)
        for step in found.steps:
            self._submit(pool, step)

    def _fail(self, key: SourceKey, error: BaseException) -> None:
        failure = source_failure(key, error)
        if failure is None:
            raise error
        self._failures.setdefault(key, failure)


def source_failure(key: SourceKey, error: BaseException) -> SourceFailure | None:
    """The failure to report for ``error`` in source ``key``; ``None`` for errors that are bugs."""
    if isinstance(error, DeadlineReached):
        return SourceFailure(*key, code=DEADLINE_EXCEEDED, message=str(error))
    call_error = as_call_error(error)
    if call_error is not None:
        return SourceFailure(*key, code=call_error.code, message=call_error.aws_message)
    if any(cls.__name__ == "BotoCoreError" for cls in type(error).__mro__):
        return SourceFailure(*key, code=type(error).__name__, message=" ".join(str(error).split()))
    return None


def chunks(items: Sequence[str], size: int) -> list[list[str]]:
    """``items`` in lists of at most ``size`` (AWS's per-call limits).

    Examples
    --------
    >>> chunks(["a", "b", "c"], 2)
    [['a', 'b'], ['c']]
    """
    return [list(items[start : start + size]) for start in range(0, len(items), size)]
