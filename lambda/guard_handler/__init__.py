"""The ``Custom::EcrLifecyclePolicy`` handler: resource logic, ownership, AWS calls, answer latch, sender, logs.

``index.py`` at the asset root wires these into crhelper; everything here takes its dependencies
(clients, clock, sleep) as parameters. Properties are parsed by the one contract,
:func:`ecr_lifecycle_guard.contract.parse_properties`.

Examples
--------
>>> from guard_handler import AnswerLatch, TimeBudget
>>> TimeBudget().after_preview
48.0
>>> AnswerLatch().answer()
True
"""

from __future__ import annotations

from guard_handler.budget import Deadline, TimeBudget
from guard_handler.latch import AnswerLatch, Claim
from guard_handler.log import JsonFormatter, LogContext, configure_logging
from guard_handler.outcome import NOT_MEASURED, Outcome, attributes, failure_reason
from guard_handler.properties import account_of_arn, event_problem, partition_of_arn
from guard_handler.resource import GuardedPolicyResource
from guard_handler.sender import BoundedCfnResource, ResponseSender
from guard_handler.service import (
    READ_CONFIG,
    STATUS_CONFIG,
    WRITE_CONFIG,
    EcrPolicies,
    cloudformation_client,
    ecr_client,
    repository_arn,
)
from guard_handler.stack_status import StackStatus, StatusReading

__all__ = [
    "NOT_MEASURED",
    "READ_CONFIG",
    "STATUS_CONFIG",
    "WRITE_CONFIG",
    "AnswerLatch",
    "BoundedCfnResource",
    "Claim",
    "Deadline",
    "EcrPolicies",
    "GuardedPolicyResource",
    "JsonFormatter",
    "LogContext",
    "Outcome",
    "ResponseSender",
    "StackStatus",
    "StatusReading",
    "TimeBudget",
    "account_of_arn",
    "attributes",
    "cloudformation_client",
    "configure_logging",
    "ecr_client",
    "event_problem",
    "failure_reason",
    "partition_of_arn",
    "repository_arn",
]
