"""AWS calls bounded by a deadline: throttling retried with back-off, every page read.

:class:`Caller` is what the sources use for every request. Before each attempt it checks the
deadline; a throttled call is retried after a growing pause, but never past the deadline. When time
runs out it raises :class:`DeadlineReached`, which discovery reports as ``DeadlineExceeded`` for the
source. Other AWS errors propagate unchanged (discovery turns them into a source failure). No
boto3 import: clients are passed in.

Examples
--------
>>> class Pages:  # a boto3-like client whose list_things answers two pages
...     def list_things(self, **params):
...         if params.get("nextToken") is None:
...             return {"things": [1, 2], "nextToken": "p2"}
...         return {"things": [3]}
>>> caller = Caller(deadline=10.0, clock=lambda: 0.0, sleep=lambda s: None)
>>> [page["things"] for page in caller.pages(Pages(), "list_things", token="nextToken")]
[[1, 2], [3]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from ecr_lifecycle_guard.aws_errors import THROTTLING_CODES, aws_error_code

__all__ = ["Caller", "DeadlineReached"]

#: First pause after a throttled call, its growth factor and its cap (seconds).
_FIRST_PAUSE: Final = 0.1
_GROWTH: Final = 2.0
_MAX_PAUSE: Final = 2.0


class DeadlineReached(Exception):  # noqa: N818 - a signal inside discovery, not an error of the user's
    """The deadline came before the work was done (raised by :class:`Caller`)."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        super().__init__(f"the deadline came before {operation} could finish")


class Caller:
    """Makes AWS calls within a deadline.

    Parameters
    ----------
    deadline
        The time (on ``clock``) by which every call must be done.
    clock
        Monotonic seconds.
    sleep
        Pauses between throttled attempts.
    """

    def __init__(self, *, deadline: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.deadline = deadline
        self.clock = clock
        self.sleep = sleep

    def remaining(self) -> float:
        """Seconds left before the deadline (negative when it has passed)."""
        return self.deadline - self.clock()

    def call(self, client: Any, operation: str, **params: Any) -> dict[str, Any]:
        """``client.<operation>(**params)``, retrying throttling while the deadline allows.

        Raises
        ------
        DeadlineReached
            The deadline passed before a call could be made (or before a retry's pause would end).
        Exception
            Whatever the client raised for errors other than throttling.
        """
        pause = _FIRST_PAUSE
        method = getattr(client, operation)
        while True:
            if self.remaining() <= 0:
                raise DeadlineReached(operation)
            try:
                answer: dict[str, Any] = method(**params)
                return answer
            except Exception as error:
                if aws_error_code(error) not in THROTTLING_CODES:
                    raise
                if self.remaining() <= pause:
                    raise DeadlineReached(operation) from error
                self.sleep(pause)
                pause = min(pause * _GROWTH, _MAX_PAUSE)

    def pages(
        self,
        client: Any,
        operation: str,
        *,
        token: str,
        next_token: str | None = None,
        **params: Any,
    ) -> Iterator[Mapping[str, Any]]:
        """Every page of a paged operation.

        Parameters
        ----------
        token
            The request parameter carrying the position (``nextToken``, ``Marker``).
        next_token
            The answer's field holding the next position, when it differs (Lambda's ``NextMarker``).
        """
        answer_field = next_token or token
        position: str | None = None
        while True:
            request = dict(params)
            if position:
                request[token] = position
            answer = self.call(client, operation, **request)
            yield answer
            position = answer.get(answer_field)
            if not position:
                return
