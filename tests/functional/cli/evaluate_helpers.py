"""The policy, images and file layout the ``evaluate`` command tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["alpha*"],
                "countType": "imageCountMoreThan",
                "countNumber": 1,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 1,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 3,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
            "action": {"type": "expire"},
        },
    ]
}
# AWS's "filtering on all images, Example B" as describe-images output, evaluated at 2026-01-05T00:00:00Z.
IMAGES = {
    "imageDetails": [
        {
            "imageDigest": "sha256:" + "a" * 64,
            "imageTags": ["alpha-1", "beta-1"],
            "imagePushedAt": "2026-01-01T00:00:00Z",
        },
        {"imageDigest": "sha256:" + "b" * 64, "imagePushedAt": "2026-01-02T00:00:00+00:00"},
        {
            "imageDigest": "sha256:" + "c" * 64,
            "imageTags": ["alpha-2"],
            "imagePushedAt": "2026-01-03T01:00:00.000+01:00",
        },
        {"imageDigest": "sha256:" + "d" * 64, "imageTags": ["git hash"], "imagePushedAt": 1767484800},
        {"imageDigest": "sha256:" + "e" * 64, "imagePushedAt": 1767488400.0},
    ]
}
NOW = "2026-01-05T00:00:00Z"


def files(tmp_path: Path, policy: Any = POLICY, images: Any = IMAGES) -> list[str]:
    policy_path, images_path = tmp_path / "policy.json", tmp_path / "images.json"
    policy_path.write_text(json.dumps(policy), encoding="utf-8")
    images_path.write_text(images if isinstance(images, str) else json.dumps(images), encoding="utf-8")
    return ["--policy", str(policy_path), "--images", str(images_path)]
