"""Start every write only while its answer can still be seen and reported; retry throttling within the budget.

:class:`Writer` runs one write (put, delete, tag, untag) through the single-attempt client:

* before every attempt it asks the :class:`~guard_handler.latch.AnswerLatch` (no forward write once
  the timeout answer is claimed; compensations until the answer is given) and the
  :class:`~guard_handler.budget.Deadline` (the attempt, the writes that may follow it and the
  response must fit);
* throttling and connection errors are retried with back-off while the budget allows;
* when an attempt's outcome is unknown (a read timeout, a dropped connection, a server error: ECR may
  have applied it) the write is retried — every write here sets a value, so repeating it is harmless —
  and, if no later attempt succeeds, its effect is checked with a read before it counts as failed;
* :meth:`Writer.sequence` brackets a write and its compensations for the latch.

Examples
--------
>>> from guard_handler.budget import Deadline, TimeBudget
>>> from guard_handler.latch import AnswerLatch
>>> writer = Writer(latch=AnswerLatch(), deadline=Deadline(clock=lambda: 0.0, at=60.0, budget=TimeBudget()),
...                 sleep=lambda seconds: None)
>>> done = []
>>> with writer.sequence("PutLifecyclePolicy"):
...     writer.write("PutLifecyclePolicy", lambda: done.append("put"))
>>> done
['put']
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final, TypeVar

from ecr_lifecycle_guard.aws_errors import THROTTLING_CODES, describe_error
from ecr_lifecycle_guard.errors import EcrCallError
from guard_handler.budget import Deadline
from guard_handler.latch import AnswerLatch
from guard_handler.outcome import WriteNotStartedError
from guard_handler.stack_status import RETRIED_CONNECTION_ERRORS

__all__ = ["NEVER_SENT", "Writer"]

logger = logging.getLogger(__name__)

#: Codes after which the request certainly had no effect (refused before it was processed, or never sent).
NEVER_SENT: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "EndpointConnectionError",
        "ConnectTimeoutError",
    }
)
_RETRIED: Final = THROTTLING_CODES | RETRIED_CONNECTION_ERRORS
_FIRST_BACKOFF: Final = 0.2
_MAX_BACKOFF: Final = 2.0
_T = TypeVar("_T")


class Writer:
    """Runs writes under the invocation's latch and time budget.

    Parameters
    ----------
    latch
        Shared with the timeout answer.
    deadline
        The invocation's deadline and time budget.
    sleep
        ``time.sleep`` in production (back-off between attempts).
    """

    def __init__(self, *, latch: AnswerLatch, deadline: Deadline, sleep: Callable[[float], None]) -> None:
        self._latch = latch
        self._deadline = deadline
        self._sleep = sleep

    @property
    def latch(self) -> AnswerLatch:
        """The latch shared with the timeout answer."""
        return self._latch

    @contextmanager
    def sequence(self, operation: str) -> Iterator[None]:
        """Bracket a write and its compensations; refused once the timeout answer is claimed.

        Raises
        ------
        WriteNotStartedError
            The timeout answer was claimed before the sequence could start.
        """
        if not self._latch.begin_write():
            raise WriteNotStartedError(operation, "the timeout answer was already claimed")
        try:
            yield
        finally:
            self._latch.end_write()

    def write(
        self,
        operation: str,
        call: Callable[[], object],
        *,
        took_effect: Callable[[], bool] | None = None,
        followups: int = 0,
        compensation: bool = False,
    ) -> None:
        """Run ``call`` (one attempt per call), retrying throttling while the budget allows.

        Parameters
        ----------
        operation
            The API operation, for logs and reasons.
        call
            Makes one attempt; raises :class:`~ecr_lifecycle_guard.errors.EcrCallError` on AWS errors.
        took_effect
            Reads whether the write's effect is in place (used when an attempt's outcome is unknown).
        followups
            How many writes may have to follow this one (compensations included).
        compensation
            This write puts back what an earlier write of the sequence changed.

        Raises
        ------
        EcrCallError
            The last AWS error, when the write did not take effect.
        WriteNotStartedError
            No attempt could start (time budget or the timeout answer).
        """
        backoff = _FIRST_BACKOFF
        uncertain = False
        last: EcrCallError | None = None
        attempt = 0
        while True:
            refusal = self._refusal(followups, compensation)
            if refusal is not None:
                if uncertain and self._in_place(operation, took_effect):
                    return
                logger.error("%s not started: %s", operation, refusal, extra={"details": {"attempts": attempt}})
                if last is not None:
                    raise last
                raise WriteNotStartedError(operation, refusal)
            attempt += 1
            try:
                call()
            except EcrCallError as error:
                if error.code not in _RETRIED:
                    if uncertain and self._in_place(operation, took_effect):
                        return
                    raise
                last = error
                uncertain = uncertain or error.code not in NEVER_SENT
                logger.warning(
                    "%s failed; retrying within the time budget",
                    operation,
                    extra={"details": {"error": describe_error(error), "attempt": attempt}},
                )
                self._sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)
                continue
            if attempt > 1:
                logger.info("%s succeeded after %d attempts", operation, attempt)
            return

    def read_back(self, operation: str, call: Callable[[], _T]) -> _T:
        """Read what a write of the sequence did, retrying throttling while a compensation still fits.

        A read inside a write sequence: when it fails, the caller puts back what the sequence changed,
        so it stops retrying while that compensation can still start (the timeout answer waits for
        the sequence, which therefore never outlives the deadline).

        Raises
        ------
        EcrCallError
            The read failed, or stayed throttled until only the compensation's time was left.

        Examples
        --------
        >>> from guard_handler.budget import Deadline, TimeBudget
        >>> writer = Writer(latch=AnswerLatch(), deadline=Deadline(clock=lambda: 0.0, at=60.0, budget=TimeBudget()),
        ...                 sleep=lambda seconds: None)
        >>> answers = iter([EcrCallError("ListTagsForResource", "ThrottlingException", "Rate exceeded"), "owner"])
        >>> def read():
        ...     answer = next(answers)
        ...     if isinstance(answer, Exception):
        ...         raise answer
        ...     return answer
        >>> writer.read_back("ListTagsForResource", read)
        'owner'
        """
        backoff = _FIRST_BACKOFF
        while True:
            try:
                return call()
            except EcrCallError as error:
                if error.code not in _RETRIED or not self._deadline.can_start_write(1):
                    raise
                logger.warning(
                    "%s failed; retrying within the time budget",
                    operation,
                    extra={"details": {"error": describe_error(error)}},
                )
                self._sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)

    def _refusal(self, followups: int, compensation: bool) -> str | None:
        if not self._latch.may_write(compensation=compensation):
            return "the timeout answer was already claimed"
        fits = self._deadline.can_compensate() if compensation else self._deadline.can_start_write(followups)
        if not fits:
            return f"too little time left before the Lambda deadline ({max(self._deadline.remaining(), 0):.1f} s)"
        return None

    def _in_place(self, operation: str, took_effect: Callable[[], bool] | None) -> bool:
        """After an attempt with an unknown outcome: read whether the write took effect."""
        if took_effect is None:
            return False
        try:
            done = took_effect()
        except Exception as error:  # the check is a read: any failure means "not known to be in place"
            logger.warning("could not check the effect of %s", operation, extra={"details": {"error": str(error)}})
            return False
        logger.warning(
            "%s: an attempt with an unknown outcome %s",
            operation,
            "took effect" if done else "did not take effect",
        )
        return done
