"""Policies and a preview waiter shared by the stand-in's tests."""

from __future__ import annotations

import json
import time
from typing import Any

REPO = "app"
LATENCY = 0.1


def keep_newest(count: int, *, priority: int = 1) -> str:
    """A policy expiring all but the ``count`` most recently pushed images."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": priority,
                    "description": f"keep the {count} newest images",
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count},
                    "action": {"type": "expire"},
                }
            ]
        }
    )


def archive_older_than(days: int) -> str:
    """A policy archiving images pushed more than ``days`` days ago."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "archive old images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": days,
                    },
                    "action": {"type": "transition", "targetStorageClass": "archive"},
                }
            ]
        }
    )


def wait_until_done(client: Any, repository: str = REPO, timeout: float = 5.0, **params: Any) -> dict[str, Any]:
    """Poll GetLifecyclePolicyPreview until it leaves IN_PROGRESS; return that response."""
    deadline = time.monotonic() + timeout
    while True:
        answer: dict[str, Any] = client.get_lifecycle_policy_preview(repositoryName=repository, **params)
        if answer["status"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return answer
        time.sleep(0.02)
