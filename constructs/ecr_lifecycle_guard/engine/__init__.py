"""The policy engine: parse, validate, normalise, compare and evaluate ECR lifecycle policies.

Standard library only; the Lambda handler, the construct, the command line and the local ECR
stand-in all use it.

Examples
--------
>>> from datetime import UTC, datetime
>>> from ecr_lifecycle_guard.engine import evaluate, load_images, parse_policy
>>> policy = parse_policy('{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", '
...                       '"countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7}, '
...                       '"action": {"type": "expire"}}]}')
>>> images = load_images({"imageDetails": [{"imageDigest": "sha256:a", "imagePushedAt": "2024-01-01T00:00:00Z"}]})
>>> evaluate(policy, images, datetime(2024, 2, 1, tzinfo=UTC)).expiring_count
1
"""

from __future__ import annotations

from ecr_lifecycle_guard.engine.evaluate import Evaluation, ImageOutcome, evaluate
from ecr_lifecycle_guard.engine.glob import (
    MAX_PATTERN_WILDCARDS,
    TagMatcher,
    TagPattern,
    compile_tag_pattern,
    tag_matches,
)
from ecr_lifecycle_guard.engine.images import load_image, load_images, parse_timestamp
from ecr_lifecycle_guard.engine.model import Action, Image, Policy, Rule, Selection, storage_class_of
from ecr_lifecycle_guard.engine.normalise import canonical_policy_text, policies_equivalent, policy_to_dict
from ecr_lifecycle_guard.engine.parse import PolicySource, parse_policy, validate_policy
from ecr_lifecycle_guard.engine.preview_shape import PreviewRow, preview_item, preview_items, preview_summary

__all__ = [
    "MAX_PATTERN_WILDCARDS",
    "Action",
    "Evaluation",
    "Image",
    "ImageOutcome",
    "Policy",
    "PolicySource",
    "PreviewRow",
    "Rule",
    "Selection",
    "TagMatcher",
    "TagPattern",
    "canonical_policy_text",
    "compile_tag_pattern",
    "evaluate",
    "load_image",
    "load_images",
    "parse_policy",
    "parse_timestamp",
    "policies_equivalent",
    "policy_to_dict",
    "preview_item",
    "preview_items",
    "preview_summary",
    "storage_class_of",
    "tag_matches",
    "validate_policy",
]
