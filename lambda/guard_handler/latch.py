"""``AnswerLatch``: crhelper's timeout answer and the handler's writes never both act.

crhelper answers ``FAILED`` from a timer thread shortly before the Lambda deadline while the handler's
main thread may still be running. The latch, shared by the two, keeps the answer and the live state
in agreement:

* the handler brackets every write sequence (a write and the compensations that may follow it) with
  :meth:`~AnswerLatch.begin_write` / :meth:`~AnswerLatch.end_write`; a sequence starts only while
  nobody has claimed the answer;
* inside a sequence, :meth:`~AnswerLatch.may_write` lets a forward write start only while the answer
  is unclaimed, and a compensation (a write that puts back what the sequence changed) until the
  answer is given;
* after each change of the live state the handler records the answer that is now true
  (:meth:`~AnswerLatch.record`; ``None`` means "FAILED, nothing changed");
* the timer calls :meth:`~AnswerLatch.claim_answer`: from then on no forward write starts; a sequence
  in flight is waited for (bounded), and the timer answers what was recorded — SUCCESS if the policy
  write landed, never FAILED over it;
* the main thread calls :meth:`~AnswerLatch.answer` before it sends; ``False`` means the timer has
  the answer and the main thread sends nothing.

Examples
--------
>>> latch = AnswerLatch()
>>> latch.begin_write(), latch.may_write()
(True, True)
>>> latch.end_write()
>>> claim = latch.claim_answer(timeout=0.1)
>>> claim.already_answered, claim.truth, claim.settled
(False, None, True)
>>> latch.begin_write(), latch.answer()
(False, False)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Final, Literal

from guard_handler.outcome import Outcome

__all__ = ["AnswerLatch", "Claim"]

_OPEN: Final = "open"
_CLAIMED: Final = "claimed"
_ANSWERED: Final = "answered"


@dataclass(frozen=True)
class Claim:
    """What the timeout answer found when it claimed the answer.

    Parameters
    ----------
    already_answered
        The main thread had already answered: the timer must send nothing.
    truth
        The answer that is true of the live state (``None``: FAILED, nothing changed).
    settled
        No write sequence was in flight any more when the timer answered.
    """

    already_answered: bool
    truth: Outcome | None
    settled: bool


class AnswerLatch:
    """Shared by ``BoundedCfnResource``'s timeout path and the resource's writes; reset per invocation."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._state: Literal["open", "claimed", "answered"] = _OPEN
        self._writing = 0
        self._truth: Outcome | None = None

    def reset(self) -> None:
        """Start a new invocation: nothing claimed, nothing in flight, nothing changed."""
        with self._changed:
            self._state = _OPEN
            self._writing = 0
            self._truth = None

    def begin_write(self) -> bool:
        """Enter a write sequence; ``False`` (and nothing entered) once the answer is claimed."""
        with self._changed:
            if self._state != _OPEN:
                return False
            self._writing += 1
            return True

    def end_write(self) -> None:
        """Leave a write sequence (wakes a timeout answer that waits for it)."""
        with self._changed:
            self._writing = max(self._writing - 1, 0)
            self._changed.notify_all()

    def may_write(self, *, compensation: bool = False) -> bool:
        """Whether a write may start now: forward writes until the claim, compensations until the answer."""
        with self._changed:
            return self._state == _OPEN or (compensation and self._state == _CLAIMED)

    def record(self, truth: Outcome | None) -> None:
        """The answer that is true from now on (``None``: FAILED with nothing changed)."""
        with self._changed:
            self._truth = truth

    @property
    def truth(self) -> Outcome | None:
        """The answer last recorded."""
        with self._changed:
            return self._truth

    def claim_answer(self, timeout: float) -> Claim:
        """Take the answer for the timeout path; wait up to ``timeout`` s for a write sequence in flight.

        Examples
        --------
        >>> latch = AnswerLatch()
        >>> latch.answer()
        True
        >>> latch.claim_answer(timeout=0.0).already_answered
        True
        """
        with self._changed:
            if self._state == _ANSWERED:
                return Claim(already_answered=True, truth=self._truth, settled=self._writing == 0)
            self._state = _CLAIMED
            until = time.monotonic() + max(timeout, 0.0)
            while self._writing:
                left = until - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            self._state = _ANSWERED
            return Claim(already_answered=False, truth=self._truth, settled=self._writing == 0)

    def answer(self) -> bool:
        """Take the answer for the main thread; ``False`` when the timeout path has it already."""
        with self._changed:
            if self._state != _OPEN:
                return False
            self._state = _ANSWERED
            return True
