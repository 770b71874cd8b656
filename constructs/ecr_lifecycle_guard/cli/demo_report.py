"""The demo's tables: what a policy does per rule, which images a blocked policy would have hit, and
what ECR's preview listed.

:func:`rules_table` and :func:`blocked_images_table` explain a policy with the engine, offline (the
demo labels them so); :func:`ecr_preview_table` shows ECR's own preview results as ECR returned them.
All print short tables through :func:`ecr_lifecycle_guard.cli.render.table`, indented for the narrative.

Examples
--------
>>> from datetime import UTC, datetime, timedelta
>>> from ecr_lifecycle_guard.engine import Image
>>> now = datetime(2026, 1, 31, tzinfo=UTC)
>>> images = [Image(f"sha256:{i}", (), now - timedelta(days=30 + i)) for i in range(3)]
>>> policy = ('{"rules": [{"rulePriority": 1, "description": "Expire untagged images after 14 days", '
...           '"selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", '
...           '"countNumber": 14}, "action": {"type": "expire"}}]}')
>>> print(rules_table(policy, images, now=now))
  RULE  WHAT IT SAYS                          ACTION  IMAGES  FOR EXAMPLE
  ----  ------------------------------------  ------  ------  -----------------------------
  1     Expire untagged images after 14 days  expire  3       <untagged> pushed 32 days ago
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from ecr_lifecycle_guard.cli.render import table
from ecr_lifecycle_guard.engine import Image, ImageOutcome, evaluate, parse_policy, tag_matches

__all__ = ["blocked_images_table", "ecr_preview_table", "rules_table"]

_INDENT: Final = "  "
_SHOWN_IMAGES: Final = 6
_WHY_WIDTH: Final = 72


def rules_table(policy_text: str, images: Sequence[Image], *, now: datetime | None = None) -> str:
    """One row per rule: its description, its action, how many images it acts on and one example.

    Parameters
    ----------
    policy_text
        A valid lifecycle policy.
    images
        The repository's images (all storage classes).
    now
        The evaluation time; default: now.
    """
    evaluation = evaluate(parse_policy(policy_text), images, now or datetime.now(UTC))
    rows = []
    for rule in parse_policy(policy_text).rules:
        hits = [o for o in evaluation.outcomes if o.rule_priority == rule.rule_priority]
        example = _image(hits[0], evaluation.now) if hits else "-"
        action = "archive" if rule.action.type == "transition" else rule.action.type
        rows.append((str(rule.rule_priority), rule.description or "-", action, str(len(hits)), example))
    return _indented(table(("RULE", "WHAT IT SAYS", "ACTION", "IMAGES", "FOR EXAMPLE"), rows))


def blocked_images_table(
    policy_text: str, images: Sequence[Image], protected: Sequence[str], *, now: datetime | None = None
) -> str:
    """The images a policy would act on, with the engine's reason; truncated after a few.

    Images carrying a protected tag come first (they are why such a gate blocks); then, rule by rule,
    the newest acted-on image first: by the rule's rank (keep-N rules, as the engine's reason states
    it), else by the time ECR orders images by.

    Parameters
    ----------
    policy_text
        The policy the gate blocked.
    images
        The repository's images.
    protected
        The guard's protected tag patterns.
    now
        The evaluation time; default: now.

    Examples
    --------
    >>> from datetime import timedelta
    >>> now = datetime(2026, 1, 31, tzinfo=UTC)
    >>> images = [Image(f"sha256:{i}", (f"v{i}",), now - timedelta(days=i)) for i in range(4)]
    >>> keep_one = ('{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", '
    ...             '"countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]}')
    >>> print(blocked_images_table(keep_one, images, ("v3",), now=now))
      IMAGE                 WHY (the policy engine's explanation)
      --------------------  ----------------------------------------------------------------
      v3 pushed 3 days ago  rule 1 (any, keep 1 newest): rank 4 of 4 in the rule's selection
      v1 pushed 1 days ago  rule 1 (any, keep 1 newest): rank 2 of 4 in the rule's selection
      v2 pushed 2 days ago  rule 1 (any, keep 1 newest): rank 3 of 4 in the rule's selection
    """
    evaluation = evaluate(parse_policy(policy_text), images, now or datetime.now(UTC))

    def protected_then_rank(outcome: ImageOutcome) -> tuple[bool, int, int, float]:
        hit = any(tag_matches(p, t) for p in protected for t in outcome.image.tags)
        newest_first = -outcome.image.order_time.timestamp()
        return (not hit, outcome.rule_priority, outcome.rank or 0, newest_first)

    ordered = sorted(evaluation.outcomes, key=protected_then_rank)
    rows = [(_image(o, evaluation.now), _short(o.reason, _WHY_WIDTH)) for o in ordered[:_SHOWN_IMAGES]]
    lines = [table(("IMAGE", "WHY (the policy engine's explanation)"), rows)]
    if len(ordered) > _SHOWN_IMAGES:
        lines.append(f"… and {len(ordered) - _SHOWN_IMAGES} more")
    return _indented("\n".join(lines))


def ecr_preview_table(results: Sequence[Mapping[str, Any]]) -> str:
    """ECR's ``previewResults`` (as ``GetLifecyclePolicyPreview`` returned them), counted per rule and action.

    Examples
    --------
    >>> expire = {"type": "EXPIRE"}
    >>> items = [{"imageDigest": "sha256:1", "action": expire, "appliedRulePriority": 1},
    ...          {"imageDigest": "sha256:2", "imageTags": ["v1"], "action": expire, "appliedRulePriority": 1}]
    >>> print(ecr_preview_table(items))
      RULE  ACTION  IMAGES  FOR EXAMPLE
      ----  ------  ------  -----------
      1     EXPIRE  2       <untagged>
    """
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for item in results:
        action = item.get("action") or {}
        key = (str(item.get("appliedRulePriority", "-")), str(action.get("type", "UNKNOWN")))
        counts[key] += 1
        examples.setdefault(key, ",".join(item.get("imageTags") or ()) or "<untagged>")
    rows = [
        (rule, action, str(count), _short(examples[(rule, action)], 30)) for (rule, action), count in counts.items()
    ]
    if not rows:
        return _indented("no image would be acted on")
    return _indented(table(("RULE", "ACTION", "IMAGES", "FOR EXAMPLE"), rows))


def _image(outcome: ImageOutcome, now: datetime) -> str:
    tags = ",".join(outcome.image.tags) or "<untagged>"
    days = (now - outcome.image.pushed_at).days
    return f"{_short(tags, 30)} pushed {days} days ago"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _indented(text: str) -> str:
    return "\n".join(f"{_INDENT}{line}" for line in text.splitlines())
