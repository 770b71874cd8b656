"""A small thread pool of daemon threads, for work that may outlive its caller's deadline.

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter exits, so an AWS call
still waiting for an answer after discovery gave up at its deadline would hold up the end of the
command line's process for up to the client's read timeout. These workers are daemon threads: once
:meth:`DaemonPool.shutdown` has been called, nothing waits for them.

Examples
--------
>>> pool = DaemonPool(2)
>>> futures = [pool.submit(lambda n=n: n * n) for n in range(3)]
>>> [future.result(timeout=5) for future in futures]
[0, 1, 4]
>>> pool.shutdown()
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["DaemonPool"]

T = TypeVar("T")
_Work = tuple[Future[Any], Callable[[], Any]]


class DaemonPool:
    """Run callables on up to ``max_workers`` daemon threads; results as ``concurrent.futures.Future``.

    Parameters
    ----------
    max_workers
        Threads started at most (one per submit until the limit is reached).
    name
        Prefix of the threads' names.
    """

    def __init__(self, max_workers: int, *, name: str = "in-use") -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers: must be >= 1, got {max_workers}")
        self._max_workers = max_workers
        self._name = name
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Queue ``work``; its future completes with its result or exception."""
        if self._closed:
            raise RuntimeError("the pool is shut down")
        future: Future[T] = Future()
        self._queue.put((future, work))
        if len(self._threads) < self._max_workers:
            thread = threading.Thread(target=self._serve, name=f"{self._name}-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()
        return future

    def shutdown(self) -> None:
        """Cancel queued work and let the threads end after what they are running (never waits)."""
        self._closed = True
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)

    def _serve(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, work = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = work()
            except BaseException as error:  # handed to the caller through the future
                future.set_exception(error)
            else:
                future.set_result(result)
