"""The progress indicator animates on a terminal and stays silent elsewhere."""

from __future__ import annotations

import io
import time

from ecr_lifecycle_guard.cli.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_label_and_latest_step_are_shown_then_the_line_is_cleared() -> None:
    # given
    terminal = Terminal()

    # when
    with Progress("previewing 'app'", stream=terminal) as progress:
        progress.update("preview started (1)")
        time.sleep(0.25)

    # then
    written = terminal.getvalue()
    assert "previewing 'app'" in written
    assert "preview started (1)" in written
    assert written.endswith("\r\x1b[K")


def test_outside_a_terminal_nothing_is_written() -> None:
    # given
    log = io.StringIO()

    # when
    with Progress("previewing 'app'", stream=log) as progress:
        progress.update("preview started (1)")
        time.sleep(0.15)

    # then
    assert log.getvalue() == ""
