"""What one invocation knows about itself: who it is (owner identity), where it runs, and its deadline.

Examples
--------
>>> import time
>>> from guard_handler.budget import Deadline, TimeBudget
>>> from guard_handler.latch import AnswerLatch
>>> from guard_handler.writes import Writer
>>> deadline = Deadline(clock=time.monotonic, at=time.monotonic() + 60, budget=TimeBudget())
>>> invocation = Invocation(
...     request_id="req-1", account="123456789012", partition="aws", region="eu-west-1",
...     stack_id="arn:aws:cloudformation:eu-west-1:123456789012:stack/prod/1b2c", logical_id="Guard",
...     deadline=deadline, writer=Writer(latch=AnswerLatch(), deadline=deadline, sleep=time.sleep))
>>> invocation.me.tag_value
'prod/Guard'
>>> invocation.ownership(None, "123456789012", "app").arn
'arn:aws:ecr:eu-west-1:123456789012:repository/app'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ecr_lifecycle_guard.contract import Owner, owner_of_stack
from guard_handler.budget import Deadline
from guard_handler.ownership import RepositoryOwnership
from guard_handler.service import repository_arn
from guard_handler.writes import Writer

if TYPE_CHECKING:  # pragma: no cover
    from guard_handler.service import EcrPolicies

__all__ = ["Invocation"]


@dataclass
class Invocation:
    """One request's identity, place and time.

    Parameters
    ----------
    request_id
        The Lambda request id (failure reasons point to the log lines with it).
    account, partition, region
        Where the function runs (the default registry, and the repository ARN's partition and region).
    stack_id, logical_id
        The event's stack and resource: this resource's owner identity.
    deadline
        The invocation's deadline and time budget.
    writer
        Runs the writes under the latch and the budget.
    notes
        Short notes every failure reason of this request carries (e.g. an unknown stack status).
    """

    request_id: str
    account: str
    partition: str
    region: str
    stack_id: str
    logical_id: str
    deadline: Deadline
    writer: Writer
    notes: list[str] = field(default_factory=list)

    @property
    def me(self) -> Owner:
        """This resource as an owner: ``<stack name>/<logical id>``."""
        return owner_of_stack(self.stack_id, self.logical_id)

    def ownership(self, policies: EcrPolicies | None, registry_id: str, repository: str) -> RepositoryOwnership:
        """The ownership tags and policy of ``registry_id/repository``, changed through this invocation's writer."""
        return RepositoryOwnership(
            policies=policies,
            writer=self.writer,
            registry_id=registry_id,
            repository=repository,
            arn=repository_arn(self.partition, self.region, registry_id, repository),
            me=self.me,
        )
