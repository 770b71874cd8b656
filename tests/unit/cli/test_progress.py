"""Progress animates on a terminal; elsewhere a single step is silent and a fleet writes one line per repository."""

from __future__ import annotations

import io
import time

from ecr_lifecycle_guard.cli.progress import FleetProgress, Progress


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


def test_a_fleet_on_a_terminal_draws_a_bar_with_counts_then_clears_it() -> None:
    # given
    terminal = Terminal()

    # when
    with FleetProgress(4, stream=terminal) as fleet:
        fleet.started("a")
        fleet.started("b")
        fleet.finished("a", "BLOCKED", 0.5)
        time.sleep(0.25)

    # then
    written = terminal.getvalue()
    assert "[#######.......................] 1/4 done, 1 running, 1 blocked, 0 failed - " in written
    assert written.endswith("\r\x1b[K")
    assert "a: BLOCKED" not in written


def test_a_fleet_outside_a_terminal_writes_one_plain_line_per_finished_repository() -> None:
    # given
    log = io.StringIO()

    # when
    with FleetProgress(2, stream=log) as fleet:
        fleet.started("team/a")
        fleet.finished("team/a", "PASSED", 1.26)
        fleet.started("team/b")
        fleet.finished("team/b", "FAILED", 0.04)

    # then
    assert log.getvalue() == "[1/2] team/a: PASSED (1.3 s)\n[2/2] team/b: FAILED (0.0 s)\n"
