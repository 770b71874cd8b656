"""Preview many repositories in one run, a bounded number at a time, and decide the exit code.

Each repository is previewed by :func:`~ecr_lifecycle_guard.cli.preview_job.run_target` (its own
timeout, in-use discovery beside it). At most ``concurrency`` previews run at once (1 to
:data:`MAX_CONCURRENCY`); results come back in the order the targets were given.

Exit code for a run: 3 when the gate blocks any repository (whatever else happened: a blocked
policy must not be deployed, and fixing it is what the team needs to know first), else 1 when any
repository could not be previewed, else 0. Skipped repositories (which cannot be previewed from a
cloud assembly) do not change the exit code; they are listed.

Examples
--------
>>> from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
>>> from ecr_lifecycle_guard.gate import GateLimits
>>> targets = [Target(f"app-{n}", POLICY_EXAMPLE, GateLimits(), 5.0, skip_reason="generated name") for n in range(3)]
>>> outcomes = run_fleet(targets, access=None, concurrency=2)
>>> [o.target.repository for o in outcomes], exit_code(outcomes)
(['app-0', 'app-1', 'app-2'], 0)
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ecr_lifecycle_guard.cli.preview_job import Outcome, Target, poll_interval_for, run_target

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.cli.aws_access import AwsAccess
    from ecr_lifecycle_guard.cli.progress import FleetProgress

__all__ = [
    "DEFAULT_CONCURRENCY",
    "EXIT_BLOCKED",
    "EXIT_ERROR",
    "EXIT_OK",
    "MAX_CONCURRENCY",
    "concurrency_option",
    "exit_code",
    "run_fleet",
]

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1
EXIT_BLOCKED: Final = 3
#: Previews at once by default, and at most (ECR runs one preview per repository; the API's request
#: rates are shared by the account).
DEFAULT_CONCURRENCY: Final = 4
MAX_CONCURRENCY: Final = 16


def concurrency_option(text: str) -> int:
    """``--concurrency``: an integer from 1 to :data:`MAX_CONCURRENCY`.

    Examples
    --------
    >>> concurrency_option("8")
    8
    >>> concurrency_option("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer from 1 to 16, got '0'
    """
    shown = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
    allowed = f"must be an integer from 1 to {MAX_CONCURRENCY}, got {shown}"
    if not text.strip().isdigit() or len(text) > 4:
        raise argparse.ArgumentTypeError(allowed)
    value = int(text)
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(allowed)
    return value


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """3 if any repository is blocked, else 1 if any failed, else 0.

    Examples
    --------
    >>> exit_code([])
    0
    """
    statuses = {outcome.status for outcome in outcomes}
    if "BLOCKED" in statuses:
        return EXIT_BLOCKED
    if "FAILED" in statuses:
        return EXIT_ERROR
    return EXIT_OK


def run_fleet(
    targets: Sequence[Target],
    access: AwsAccess | None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: FleetProgress | None = None,
) -> list[Outcome]:
    """Preview every target, at most ``concurrency`` at once; the outcomes in the targets' order.

    Parameters
    ----------
    targets
        The repositories to preview.
    access
        The AWS clients, shared by every preview.
    concurrency
        How many previews run at once (also sets how often each polls ECR).
    progress
        Told when each preview starts and ends.
    """
    outcomes: list[Outcome | None] = [None] * len(targets)
    pending = iter(range(len(targets)))
    lock = threading.Lock()
    poll_interval = poll_interval_for(concurrency)

    def slot() -> None:
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            target = targets[index]
            if progress is not None:
                progress.started(target.repository)
            outcome = run_target(target, access, poll_interval=poll_interval)
            outcomes[index] = outcome
            if progress is not None:
                progress.finished(target.repository, outcome.status, outcome.seconds)

    # Daemon threads, not an executor: a call stuck on a silent endpoint must not hold the process at exit
    # (run_target already answered for it at its deadline).
    slots = [
        threading.Thread(target=slot, name=f"fleet-{n}", daemon=True)
        for n in range(max(1, min(concurrency, len(targets))))
    ]
    for thread in slots:
        thread.start()
    for thread in slots:
        thread.join()
    return [outcome for outcome in outcomes if outcome is not None]
