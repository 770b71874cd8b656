"""The ``Custom::EcrLifecyclePolicy`` handler: properties, resource logic, AWS calls, response sender, logs.

``index.py`` at the asset root wires these into crhelper; everything here takes its dependencies
(clients, clock, sleep) as parameters.

Examples
--------
>>> from guard_handler import parse_properties, POLICY_EXAMPLE
>>> parse_properties({"RepositoryName": "app", "LifecyclePolicyText": POLICY_EXAMPLE},
...                  default_registry_id="123456789012").physical_id
'123456789012/app'
"""

from __future__ import annotations

from guard_handler.log import JsonFormatter, LogContext, configure_logging
from guard_handler.properties import (
    POLICY_EXAMPLE,
    ResourceProperties,
    event_problem,
    failed_create_marker,
    parse_properties,
)
from guard_handler.resource import GuardedPolicyResource, Outcome
from guard_handler.sender import BoundedCfnResource, ResponseSender
from guard_handler.service import EcrPolicies, StackStatus, cloudformation_client, ecr_client

__all__ = [
    "POLICY_EXAMPLE",
    "BoundedCfnResource",
    "EcrPolicies",
    "GuardedPolicyResource",
    "JsonFormatter",
    "LogContext",
    "Outcome",
    "ResourceProperties",
    "ResponseSender",
    "StackStatus",
    "cloudformation_client",
    "configure_logging",
    "ecr_client",
    "event_problem",
    "failed_create_marker",
    "parse_properties",
]
