"""CDK's bootstrap container-assets repository: its name and the lifecycle policy ``cdk bootstrap`` ships.

``cdk bootstrap`` creates ``cdk-<qualifier>-container-assets-<account>-<region>`` (the bootstrap template's
``ContainerAssetsRepository``) with one lifecycle rule: expire untagged images older than 365 days. A guard
on that repository replaces the whole policy; with ``restore_policy=CDK_BOOTSTRAP_ASSETS_POLICY`` its
delete puts the bootstrap policy back instead of leaving the repository without one.
:data:`CDK_BOOTSTRAP_ASSETS_POLICY` is the policy text of the bootstrap template of CDK CLI 2.1148.1
(``lib/api/bootstrap/bootstrap-template.yaml``); a test compares it with the installed CLI's template.

Examples
--------
>>> from aws_cdk import App, Stack, Environment
>>> stack = Stack(App(), "Demo", env=Environment(account="123456789012", region="eu-west-1"))
>>> bootstrap_repository_name(stack)
'cdk-hnb659fds-container-assets-123456789012-eu-west-1'
>>> CDK_BOOTSTRAP_ASSETS_POLICY["rules"][0]["selection"]["countNumber"]
365
"""

from __future__ import annotations

from typing import Any, Final

from aws_cdk import Stack

__all__ = ["CDK_BOOTSTRAP_ASSETS_POLICY", "DEFAULT_QUALIFIER", "bootstrap_repository_name"]

#: The qualifier ``cdk bootstrap`` uses unless told otherwise.
DEFAULT_QUALIFIER: Final = "hnb659fds"
#: The lifecycle policy of the bootstrap template's ``ContainerAssetsRepository``.
CDK_BOOTSTRAP_ASSETS_POLICY: Final[dict[str, Any]] = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Untagged images should not exist, but expire any older than one year",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 365,
            },
            "action": {"type": "expire"},
        }
    ]
}


def bootstrap_repository_name(stack: Stack, *, qualifier: str = DEFAULT_QUALIFIER) -> str:
    """``cdk-<qualifier>-container-assets-<account>-<region>`` of ``stack``'s environment (tokens if unknown)."""
    return f"cdk-{qualifier}-container-assets-{stack.account}-{stack.region}"
