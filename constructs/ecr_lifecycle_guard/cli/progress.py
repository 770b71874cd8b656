"""A progress indicator on stderr for the command line's waits (ECR's preview, the handler's run).

On a terminal it animates one line (spinner, elapsed seconds, latest step) and clears it when done;
otherwise (CI logs, pipes, tests) it writes nothing, so a failure stays one line on stderr.

Examples
--------
>>> import io
>>> log = io.StringIO()
>>> with Progress("previewing 'app'", stream=log) as progress:
...     progress.update("preview started")
>>> log.getvalue()
''
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]

_FRAMES = "|/-\\"
_INTERVAL = 0.1


class Progress:
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
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._animate = self._stream.isatty()
        self._status = ""
        self._started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def update(self, status: str) -> None:
        """Show ``status`` (the latest step) next to the label; usable as ``run_preview``'s ``progress``."""
        self._status = status

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        if self._animate:
            self._thread = threading.Thread(target=self._spin, name="progress", daemon=True)
            self._thread.start()
        return self

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

    def _spin(self) -> None:
        frame = 0
        while not self._stop.wait(_INTERVAL):
            elapsed = time.monotonic() - self._started
            status = f" - {self._status}" if self._status else ""
            self._stream.write(f"\r\x1b[K{_FRAMES[frame % len(_FRAMES)]} {self._label} {elapsed:4.1f} s{status}")
            self._stream.flush()
            frame += 1
