"""Helpers for the command-line tests: isolated AWS settings, the stand-in's credentials, policy files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecr_lifecycle_guard.local import EcrStandIn

EXPIRE_UNTAGGED_AFTER_14_DAYS: dict[str, Any] = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}
KEEP_NEWEST_TWO: dict[str, Any] = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2},
            "action": {"type": "expire"},
        }
    ]
}


def isolate_from_user_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No profile, credentials file or instance metadata of the machine running the tests."""
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def use_stand_in_credentials(monkeypatch: pytest.MonkeyPatch, stand_in: EcrStandIn) -> None:
    """The stand-in's dummy credentials and Region, as the user's environment would hold real ones."""
    for name, value in stand_in.lambda_env().items():
        if name.startswith("AWS_") and name != "AWS_ENDPOINT_URL":
            monkeypatch.setenv(name, value)


def policy_file(tmp_path: Path, policy: dict[str, Any] | str, name: str = "policy.json") -> str:
    """Write ``policy`` (a dict as JSON, or text as given) and return its path."""
    path = tmp_path / name
    path.write_text(policy if isinstance(policy, str) else json.dumps(policy), encoding="utf-8")
    return str(path)


def endpoint_options(stand_in: EcrStandIn) -> list[str]:
    """Where ``preview`` calls: the stand-in's endpoint and Region."""
    return ["--endpoint-url", stand_in.endpoint_url, "--region", stand_in.region]
