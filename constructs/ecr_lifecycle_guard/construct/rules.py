"""Lifecycle rules for the guard: typed rules for every ECR option, and rendering to the policy document.

CDK's own :class:`aws_cdk.aws_ecr.LifecycleRule` covers only ``expire`` with ``imageCountMoreThan`` or
``sinceImagePushed`` in the standard storage class. :class:`LifecycleRuleSpec` covers the rest of the
ECR policy language (``tagPatternList`` with any count type, ``storageClass``, ``sinceImagePulled``,
``sinceImageTransitioned``, ``transition`` to archive) and has helpers for the common intents. Both kinds
can be mixed in one list; priorities are given explicitly or assigned the way CDK assigns them.

Examples
--------
>>> from ecr_lifecycle_guard.construct.rules import LifecycleRuleSpec, render_rules
>>> render_rules([LifecycleRuleSpec.keep_last(10)])["rules"][0]["selection"]
{'tagStatus': 'any', 'countType': 'imageCountMoreThan', 'countNumber': 10}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias

from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard.errors import PropertyError

__all__ = ["CountType", "LifecycleRuleSpec", "RuleAction", "RuleInput", "StorageClass", "render_rules"]

#: The only ``countUnit`` ECR knows; required by every ``since*`` count type.
COUNT_UNIT_DAYS = "days"
#: The only storage class a ``transition`` action can target.
ARCHIVE_STORAGE_CLASS = "archive"


class CountType(StrEnum):
    """How a rule counts: ``selection.countType``.

    See: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
    """

    IMAGE_COUNT_MORE_THAN = "imageCountMoreThan"
    SINCE_IMAGE_PUSHED = "sinceImagePushed"
    SINCE_IMAGE_PULLED = "sinceImagePulled"
    SINCE_IMAGE_TRANSITIONED = "sinceImageTransitioned"


class StorageClass(StrEnum):
    """The storage class a rule selects images from: ``selection.storageClass``."""

    STANDARD = "standard"
    ARCHIVE = "archive"


class RuleAction(StrEnum):
    """What a rule does to the images it selects: ``action.type`` (a transition targets ``archive``)."""

    EXPIRE = "expire"
    TRANSITION_TO_ARCHIVE = "transition"


@dataclass(frozen=True, kw_only=True)
class LifecycleRuleSpec:
    """One ECR lifecycle rule, with every option of the ECR policy language.

    Parameters
    ----------
    count_type
        ``selection.countType``. The ``since*`` types count days (``countUnit`` ``days`` is added).
    count_number
        ``selection.countNumber``: images to keep for ``IMAGE_COUNT_MORE_THAN``, else days.
    action
        ``action.type``. Default: ``RuleAction.EXPIRE``.
    tag_status
        ``selection.tagStatus``. Default: ``TAGGED`` when a tag list is given, ``ANY`` otherwise (as CDK).
    tag_pattern_list
        ``selection.tagPatternList``: ``*`` globs, all of which must match. Default: none.
    tag_prefix_list
        ``selection.tagPrefixList``: tag prefixes, all of which must match. Default: none.
    storage_class
        ``selection.storageClass``. Default: omitted, which ECR reads as ``standard``.
    rule_priority
        ``rulePriority``. Default: assigned as CDK assigns it (after the highest explicit priority,
        rules with ``tagStatus`` ``any`` last).
    description
        ``description``. Default: none.

    See: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html

    Examples
    --------
    >>> rule = LifecycleRuleSpec(count_type=CountType.SINCE_IMAGE_PULLED, count_number=90,
    ...                          action=RuleAction.TRANSITION_TO_ARCHIVE, tag_pattern_list=("release-*",))
    >>> rule.to_policy_rule(1)["action"]
    {'type': 'transition', 'targetStorageClass': 'archive'}
    """

    count_type: CountType
    count_number: int
    action: RuleAction = RuleAction.EXPIRE
    tag_status: ecr.TagStatus | None = None
    tag_pattern_list: Sequence[str] | None = None
    tag_prefix_list: Sequence[str] | None = None
    storage_class: StorageClass | None = None
    rule_priority: int | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        for name in ("tag_pattern_list", "tag_prefix_list"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise PropertyError(f"LifecycleRuleSpec.{name}", value, "a list of strings, not one string")

    @classmethod
    def keep_last(
        cls,
        count: int,
        *,
        tag_patterns: Sequence[str] | None = None,
        tag_status: ecr.TagStatus | None = None,
        rule_priority: int | None = None,
        description: str | None = None,
    ) -> LifecycleRuleSpec:
        """Keep the ``count`` most recently pushed images (of the tags given) and expire the rest.

        Examples
        --------
        >>> LifecycleRuleSpec.keep_last(5, tag_patterns=["prod-*"]).count_type
        <CountType.IMAGE_COUNT_MORE_THAN: 'imageCountMoreThan'>
        """
        return cls(
            count_type=CountType.IMAGE_COUNT_MORE_THAN,
            count_number=count,
            tag_status=tag_status,
            tag_pattern_list=tag_patterns,
            rule_priority=rule_priority,
            description=description,
        )

    @classmethod
    def expire_older_than(
        cls,
        days: int,
        *,
        tag_patterns: Sequence[str] | None = None,
        tag_status: ecr.TagStatus | None = None,
        rule_priority: int | None = None,
        description: str | None = None,
    ) -> LifecycleRuleSpec:
        """Expire images pushed more than ``days`` days ago.

        Examples
        --------
        >>> LifecycleRuleSpec.expire_older_than(14, tag_status=ecr.TagStatus.UNTAGGED).count_number
        14
        """
        return cls(
            count_type=CountType.SINCE_IMAGE_PUSHED,
            count_number=days,
            tag_status=tag_status,
            tag_pattern_list=tag_patterns,
            rule_priority=rule_priority,
            description=description,
        )

    @classmethod
    def archive_not_pulled_for(
        cls,
        days: int,
        *,
        tag_patterns: Sequence[str] | None = None,
        tag_status: ecr.TagStatus | None = None,
        rule_priority: int | None = None,
        description: str | None = None,
    ) -> LifecycleRuleSpec:
        """Move images not pulled for ``days`` days to the archive storage class.

        Examples
        --------
        >>> LifecycleRuleSpec.archive_not_pulled_for(90).action
        <RuleAction.TRANSITION_TO_ARCHIVE: 'transition'>
        """
        return cls(
            count_type=CountType.SINCE_IMAGE_PULLED,
            count_number=days,
            action=RuleAction.TRANSITION_TO_ARCHIVE,
            tag_status=tag_status,
            tag_pattern_list=tag_patterns,
            rule_priority=rule_priority,
            description=description,
        )

    @classmethod
    def expire_archived_after(
        cls,
        days: int,
        *,
        tag_patterns: Sequence[str] | None = None,
        tag_status: ecr.TagStatus | None = None,
        rule_priority: int | None = None,
        description: str | None = None,
    ) -> LifecycleRuleSpec:
        """Expire images that have been in the archive for more than ``days`` days (ECR requires >= 90).

        Examples
        --------
        >>> LifecycleRuleSpec.expire_archived_after(180).storage_class
        <StorageClass.ARCHIVE: 'archive'>
        """
        return cls(
            count_type=CountType.SINCE_IMAGE_TRANSITIONED,
            count_number=days,
            storage_class=StorageClass.ARCHIVE,
            tag_status=tag_status,
            tag_pattern_list=tag_patterns,
            rule_priority=rule_priority,
            description=description,
        )

    def to_policy_rule(self, priority: int) -> dict[str, Any]:
        """The rule as an ECR policy document entry with the given ``rulePriority``."""
        selection: dict[str, Any] = {
            "tagStatus": _tag_status_text(self.tag_status, self.tag_prefix_list, self.tag_pattern_list)
        }
        if self.tag_pattern_list is not None:
            selection["tagPatternList"] = list(self.tag_pattern_list)
        if self.tag_prefix_list is not None:
            selection["tagPrefixList"] = list(self.tag_prefix_list)
        if self.storage_class is not None:
            selection["storageClass"] = str(self.storage_class)
        selection["countType"] = str(self.count_type)
        if self.count_type is not CountType.IMAGE_COUNT_MORE_THAN:
            selection["countUnit"] = COUNT_UNIT_DAYS
        selection["countNumber"] = self.count_number
        action: dict[str, Any] = {"type": str(self.action)}
        if self.action is RuleAction.TRANSITION_TO_ARCHIVE:
            action["targetStorageClass"] = ARCHIVE_STORAGE_CLASS
        return _without_none({"rulePriority": priority, "description": self.description}) | {
            "selection": selection,
            "action": action,
        }


#: What ``rules=`` accepts: CDK's own rules and typed rules, in any mix.
RuleInput: TypeAlias = "ecr.LifecycleRule | LifecycleRuleSpec"


def render_rules(rules: Sequence[RuleInput]) -> dict[str, Any]:
    """The ECR policy document for ``rules``, with priorities assigned as ``aws_ecr.Repository`` does.

    Rules with an explicit ``rule_priority`` keep it. The others get increasing priorities after the
    highest explicit one (rules selecting ``tagStatus`` ``any`` are ordered last). The rules stay in the
    order given, so a validation message's "rule N" is the N-th rule of ``rules``.

    Parameters
    ----------
    rules
        ``aws_ecr.LifecycleRule`` and :class:`LifecycleRuleSpec` objects.

    Returns
    -------
    dict
        ``{"rules": [...]}``, not yet validated (the engine validates and normalises it).

    Raises
    ------
    PropertyError
        When an ``aws_ecr.LifecycleRule`` has neither or both of ``max_image_count`` and ``max_image_age``.

    Examples
    --------
    >>> doc = render_rules([ecr.LifecycleRule(max_image_count=3), LifecycleRuleSpec.keep_last(1, tag_patterns=["v*"])])
    >>> [rule["rulePriority"] for rule in doc["rules"]]
    [2, 1]
    """
    is_any = [_tag_status_of(rule) == "any" for rule in rules]
    explicit = [rule.rule_priority for rule, any_rule in zip(rules, is_any, strict=True) if not any_rule]
    next_priority = int(max((p for p in explicit if p is not None), default=0)) + 1
    priorities: dict[int, int] = {}
    for last_pass in (False, True):
        for index, (rule, any_rule) in enumerate(zip(rules, is_any, strict=True)):
            if any_rule is not last_pass:
                continue
            explicit_priority = rule.rule_priority
            if explicit_priority is None:
                explicit_priority, next_priority = next_priority, next_priority + 1
            priorities[index] = int(explicit_priority)
    return {"rules": [_render_rule(rule, index, priorities[index]) for index, rule in enumerate(rules)]}


def _render_rule(rule: RuleInput, index: int, priority: int) -> dict[str, Any]:
    if isinstance(rule, LifecycleRuleSpec):
        return rule.to_policy_rule(priority)
    return _render_cdk_rule(rule, index, priority)


def _render_cdk_rule(rule: ecr.LifecycleRule, index: int, priority: int) -> dict[str, Any]:
    """Mirror of aws-cdk-lib's ``renderLifecycleRule`` (aws-ecr/lib/repository.ts)."""
    if (rule.max_image_age is None) == (rule.max_image_count is None):
        age = None if rule.max_image_age is None else rule.max_image_age.to_human_string()
        raise PropertyError(
            f"rules[{index}]",
            f"max_image_count={rule.max_image_count}, max_image_age={age}",
            "an aws_ecr.LifecycleRule with exactly one of max_image_count and max_image_age",
        )
    selection: dict[str, Any] = _without_none(
        {
            "tagStatus": _tag_status_of(rule),
            "tagPrefixList": None if rule.tag_prefix_list is None else list(rule.tag_prefix_list),
            "tagPatternList": None if rule.tag_pattern_list is None else list(rule.tag_pattern_list),
        }
    )
    if rule.max_image_age is not None:
        selection |= {
            "countType": str(CountType.SINCE_IMAGE_PUSHED),
            "countNumber": int(rule.max_image_age.to_days()),
            "countUnit": COUNT_UNIT_DAYS,
        }
    else:
        selection |= {"countType": str(CountType.IMAGE_COUNT_MORE_THAN), "countNumber": rule.max_image_count}
    return _without_none({"rulePriority": priority, "description": rule.description}) | {
        "selection": selection,
        "action": {"type": str(RuleAction.EXPIRE)},
    }


def _tag_status_of(rule: RuleInput) -> str:
    return _tag_status_text(rule.tag_status, rule.tag_prefix_list, rule.tag_pattern_list)


def _tag_status_text(
    tag_status: ecr.TagStatus | None, prefixes: Sequence[str] | None, patterns: Sequence[str] | None
) -> str:
    """``tagStatus`` as the policy spells it; when absent, ``tagged`` with a tag list, else ``any`` (as CDK)."""
    if tag_status is not None:
        return str(tag_status.value).lower()
    return "any" if prefixes is None and patterns is None else "tagged"


def _without_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}
