"""Progress on stderr for the command line's waits (ECR's preview, the handler's run, a fleet of previews).

:class:`Progress` (one slow step): on a terminal it animates one line (spinner, elapsed seconds, latest
step) and clears it when done; otherwise (CI logs, pipes, tests) it writes nothing, so a failure
stays one line on stderr.

:class:`FleetProgress` (many repositories): on a terminal a bar with the count done, the running and
blocked ones and the elapsed time, cleared when done; otherwise one plain line per finished repository.

Examples
--------
>>> import io
>>> log = io.StringIO()
>>> with Progress("previewing 'app'", stream=log) as progress:
...     progress.update("preview started")
>>> log.getvalue()
''
>>> with FleetProgress(2, stream=log) as fleet:
...     fleet.finished("app", "PASSED", 0.84)
>>> print(log.getvalue(), end="")
[1/2] app: PASSED (0.8 s)
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

__all__ = ["FleetProgress", "Progress"]

_FRAMES = "|/-\\"
_INTERVAL = 0.1
_BAR_WIDTH = 30


class _OneLine:
    """A line on a terminal redrawn every tenth of a second while the ``with`` block runs, then cleared."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._animate = self._stream.isatty()
        self._started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _frame(self, count: int, elapsed: float) -> str:  # pragma: no cover - each subclass draws its own
        raise NotImplementedError

    def _start(self) -> None:
        self._started = time.monotonic()
        if self._animate:
            self._thread = threading.Thread(target=self._draw, name="progress", daemon=True)
            self._thread.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._stream.write("\r\x1b[K")
            self._stream.flush()

    def _draw(self) -> None:
        count = 0
        while not self._stop.wait(_INTERVAL):
            self._stream.write(f"\r\x1b[K{self._frame(count, time.monotonic() - self._started)}")
            self._stream.flush()
            count += 1


class Progress(_OneLine):
    """Show that a slow step is running.

    Parameters
    ----------
    label
        What is running, e.g. ``previewing policy on 'app'``.
    stream
        Where to write; ``sys.stderr`` by default (results go to stdout).

    Examples
    --------
    >>> import io
    >>> with Progress("waiting", stream=io.StringIO()) as progress:
    ...     progress.update("almost there")
    """

    def __init__(self, label: str, *, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._label = label
        self._status = ""

    def update(self, status: str) -> None:
        """Show ``status`` (the latest step) next to the label; usable as ``run_preview``'s ``progress``."""
        self._status = status

    def __enter__(self) -> Progress:
        self._start()
        return self

    def _frame(self, count: int, elapsed: float) -> str:
        status = f" - {self._status}" if self._status else ""
        return f"{_FRAMES[count % len(_FRAMES)]} {self._label} {elapsed:4.1f} s{status}"


class FleetProgress(_OneLine):
    """Show how far a run over many repositories is.

    Parameters
    ----------
    total
        How many repositories the run covers.
    stream
        Where to write; ``sys.stderr`` by default (results go to stdout).

    Examples
    --------
    >>> import io
    >>> log = io.StringIO()
    >>> with FleetProgress(3, stream=log) as fleet:
    ...     fleet.started("a")
    ...     fleet.finished("a", "BLOCKED", 1.25)
    >>> print(log.getvalue(), end="")
    [1/3] a: BLOCKED (1.2 s)
    """

    def __init__(self, total: int, *, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._total = total
        self._lock = threading.Lock()
        self._done = 0
        self._running = 0
        self._blocked = 0
        self._failed = 0

    def started(self, name: str) -> None:
        """A repository's preview started."""
        with self._lock:
            self._running += 1

    def finished(self, name: str, status: str, seconds: float) -> None:
        """A repository's preview ended with ``status`` after ``seconds``."""
        with self._lock:
            self._done += 1
            self._running = max(0, self._running - 1)
            self._blocked += status == "BLOCKED"
            self._failed += status == "FAILED"
            done = self._done
        if not self._animate:
            self._stream.write(f"[{done}/{self._total}] {name}: {status} ({seconds:.1f} s)\n")
            self._stream.flush()

    def line(self) -> str:
        """The bar as it is now (what the terminal shows).

        Examples
        --------
        >>> import io
        >>> fleet = FleetProgress(4, stream=io.StringIO())
        >>> fleet.finished("a", "PASSED", 1.0)
        >>> fleet.line().split(" - ")[0]
        '[#######.......................] 1/4 done, 0 running, 0 blocked, 0 failed'
        """
        with self._lock:
            done, running, blocked, failed = self._done, self._running, self._blocked, self._failed
        filled = _BAR_WIDTH * done // max(1, self._total)
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        width = len(str(self._total))
        elapsed = time.monotonic() - self._started if self._started else 0.0
        return (
            f"[{bar}] {done:>{width}}/{self._total} done, {running} running, {blocked} blocked, {failed} failed"
            f" - {elapsed:.1f} s"
        )

    def __enter__(self) -> FleetProgress:
        self._start()
        return self

    def _frame(self, count: int, elapsed: float) -> str:
        return self.line()
