"""One deadline for the whole invocation, and the time each step may still start within it.

The Lambda deadline is ``start + context.get_remaining_time_in_millis() / 1000``. Everything else is
derived from it, so that the answer CloudFormation gets and the live state in ECR always agree:

* a write (put, delete, tag, untag) is started only while
  ``now + write * (1 + follow-ups) + response_reserve < deadline`` — ``write`` covers one attempt's
  connect and read timeouts, the follow-ups are the writes that may have to come after it
  (compensations included), and ``response_reserve`` keeps crhelper's timeout answer and the sender
  clear of every write;
* a compensation (a write that puts back what an earlier write changed) is started while it can end
  before the sender's share of the invocation;
* crhelper's timeout answer fires :attr:`TimeBudget.timer_margin` before the deadline: long enough to
  wait for a write in flight (bounded by its timeout) and still send the answer;
* ECR's preview (and in-use discovery, which runs beside it) must end while every write that may
  follow still fits: :meth:`Deadline.preview_deadline`.

Examples
--------
>>> budget = TimeBudget()
>>> budget.write, budget.timer_margin, budget.response_reserve, budget.after_preview
(11.0, 14.0, 15.0, 48.0)
>>> deadline = Deadline(clock=lambda: 100.0, at=150.0, budget=budget)
>>> deadline.can_start_write(followups=2), deadline.can_start_write(followups=3)
(True, False)
>>> deadline.preview_deadline(300)
102.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "SEND_RESERVE_SECONDS",
    "STATUS_RETRY_SECONDS",
    "WRITES_AFTER_PREVIEW",
    "WRITE_BUDGET_SECONDS",
    "WRITE_CONNECT_TIMEOUT",
    "WRITE_READ_TIMEOUT",
    "Deadline",
    "TimeBudget",
]

#: Timeouts of the client that writes (one attempt each; the handler retries throttling itself).
WRITE_CONNECT_TIMEOUT: Final = 2.0
WRITE_READ_TIMEOUT: Final = 8.0
#: One write attempt: connect and read timeouts plus a second for signing, pooling and back-off.
WRITE_BUDGET_SECONDS: Final = WRITE_CONNECT_TIMEOUT + WRITE_READ_TIMEOUT + 1.0
#: The sender's share at the very end of the invocation (it stops 1 s before the deadline).
SEND_RESERVE_SECONDS: Final = 3.0
#: The most writes that may follow ECR's preview: claim the owner tag, put, restore the tag.
WRITES_AFTER_PREVIEW: Final = 3
#: Reading the stack status (rollback detection) retries throttling for at most this long.
STATUS_RETRY_SECONDS: Final = 30.0


@dataclass(frozen=True)
class TimeBudget:
    """How the end of an invocation is shared between writes, the timeout answer and the sender.

    Parameters
    ----------
    write
        Seconds one write attempt may take (its connect and read timeouts, and a little more).
    send
        Seconds kept for sending the response at the end.
    """

    write: float = WRITE_BUDGET_SECONDS
    send: float = SEND_RESERVE_SECONDS

    @property
    def timer_margin(self) -> float:
        """How long before the deadline crhelper's timeout answers: one write in flight, then the send."""
        return self.write + self.send

    @property
    def response_reserve(self) -> float:
        """Time every write must leave: the timeout answer never fires while a write runs on budget."""
        return self.timer_margin + 1.0

    @property
    def after_preview(self) -> float:
        """Time ECR's preview must leave for the writes that may follow and the response."""
        return WRITES_AFTER_PREVIEW * self.write + self.response_reserve


class Deadline:
    """The invocation's deadline on a monotonic clock, and what may still start before it.

    Parameters
    ----------
    clock
        ``time.monotonic`` in production.
    at
        The Lambda deadline on ``clock``.
    budget
        How the end of the invocation is shared.
    """

    def __init__(self, *, clock: Callable[[], float], at: float, budget: TimeBudget) -> None:
        self._clock = clock
        self.at = at
        self.budget = budget

    def remaining(self) -> float:
        """Seconds left before the Lambda deadline (negative once passed)."""
        return self.at - self._clock()

    def can_start_write(self, followups: int = 0) -> bool:
        """Whether a write, and ``followups`` writes after it, end before the response reserve."""
        needed = self.budget.write * (1 + followups) + self.budget.response_reserve
        return self._clock() + needed < self.at

    def can_compensate(self) -> bool:
        """Whether a compensating write ends before the sender's share of the invocation."""
        return self._clock() + self.budget.write + self.budget.send < self.at

    def preview_deadline(self, preview_timeout: float) -> float:
        """When ECR's preview must be in hand: its timeout, or earlier so every write that may follow fits."""
        return min(self._clock() + preview_timeout, self.at - self.budget.after_preview)

    def status_deadline(self) -> float:
        """Until when reading the stack status may retry: 30 s, a third of the time left, and room for the rest.

        Examples
        --------
        >>> Deadline(clock=lambda: 0.0, at=60.0, budget=TimeBudget()).status_deadline()
        12.0
        """
        now = self._clock()
        return min(now + STATUS_RETRY_SECONDS, now + self.remaining() / 3, self.at - self.budget.after_preview)
