"""Rules become the canonical policy: CDK's own LifecycleRule exactly as CDK renders it, typed rules for the rest."""

from __future__ import annotations

import json
from collections.abc import Sequence

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Template
from construct_helpers import GUARD_TYPE, new_stack

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec
from ecr_lifecycle_guard.construct import CountType, RuleAction, RuleInput, StorageClass
from ecr_lifecycle_guard.construct.rules import render_rules
from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.errors import PropertyError

CDK_RULE_SETS: dict[str, Sequence[ecr.LifecycleRule]] = {
    "one count rule": [ecr.LifecycleRule(max_image_count=10)],
    "untagged age, prefix count, any count": [
        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14)),
        ecr.LifecycleRule(tag_prefix_list=["prod"], max_image_count=20, description="keep prod"),
        ecr.LifecycleRule(max_image_count=100),
    ],
    "explicit priority first, auto after it": [
        ecr.LifecycleRule(rule_priority=5, tag_pattern_list=["release-*"], max_image_count=3),
        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_count=1),
        ecr.LifecycleRule(max_image_age=cdk.Duration.days(365)),
    ],
    "any rule given first goes last": [
        ecr.LifecycleRule(max_image_count=50),
        ecr.LifecycleRule(tag_status=ecr.TagStatus.TAGGED, tag_prefix_list=["v"], max_image_age=cdk.Duration.days(30)),
    ],
}


@pytest.mark.parametrize("rules", CDK_RULE_SETS.values(), ids=CDK_RULE_SETS.keys())
def test_cdk_lifecycle_rules_render_as_cdk_renders_them(rules: Sequence[ecr.LifecycleRule]) -> None:
    # given
    stack = new_stack()
    ecr.Repository(stack, "Plain", lifecycle_rules=list(rules))

    # when
    GuardedLifecyclePolicy(stack, "Guard", repository_name="guarded", rules=rules)

    # then
    template = Template.from_stack(stack)
    (repository,) = template.find_resources("AWS::ECR::Repository").values()
    (guard,) = template.find_resources(GUARD_TYPE).values()
    cdk_text = repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert guard["Properties"]["LifecyclePolicyText"] == canonical_policy_text(cdk_text)
    assert json.loads(guard["Properties"]["LifecyclePolicyText"]) == {
        "rules": sorted(json.loads(cdk_text)["rules"], key=lambda rule: rule["rulePriority"])
    }


def test_keep_last_with_patterns_selects_tagged_images_by_count() -> None:
    # when
    rule = LifecycleRuleSpec.keep_last(5, tag_patterns=["prod-*", "*-arm64"]).to_policy_rule(1)

    # then
    assert rule == {
        "rulePriority": 1,
        "selection": {
            "tagStatus": "tagged",
            "tagPatternList": ["prod-*", "*-arm64"],
            "countType": "imageCountMoreThan",
            "countNumber": 5,
        },
        "action": {"type": "expire"},
    }


def test_expire_older_than_counts_days_since_push() -> None:
    # when
    rule = LifecycleRuleSpec.expire_older_than(14, tag_status=ecr.TagStatus.UNTAGGED, description="old").to_policy_rule(
        2
    )

    # then
    assert rule == {
        "rulePriority": 2,
        "description": "old",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
        "action": {"type": "expire"},
    }


def test_archive_not_pulled_for_transitions_to_archive() -> None:
    # when
    rule = LifecycleRuleSpec.archive_not_pulled_for(90, tag_patterns=["release-*"]).to_policy_rule(3)

    # then
    assert rule == {
        "rulePriority": 3,
        "selection": {
            "tagStatus": "tagged",
            "tagPatternList": ["release-*"],
            "countType": "sinceImagePulled",
            "countUnit": "days",
            "countNumber": 90,
        },
        "action": {"type": "transition", "targetStorageClass": "archive"},
    }


def test_expire_archived_after_selects_the_archive_storage_class() -> None:
    # when
    rule = LifecycleRuleSpec.expire_archived_after(180).to_policy_rule(4)

    # then
    assert rule == {
        "rulePriority": 4,
        "selection": {
            "tagStatus": "any",
            "storageClass": "archive",
            "countType": "sinceImageTransitioned",
            "countUnit": "days",
            "countNumber": 180,
        },
        "action": {"type": "expire"},
    }


def test_a_typed_rule_can_set_every_field_of_the_policy_language() -> None:
    # given
    spec = LifecycleRuleSpec(
        count_type=CountType.IMAGE_COUNT_MORE_THAN,
        count_number=30,
        action=RuleAction.TRANSITION_TO_ARCHIVE,
        tag_status=ecr.TagStatus.TAGGED,
        tag_prefix_list=["build-"],
        storage_class=StorageClass.STANDARD,
        rule_priority=7,
        description="archive all but the last 30 builds",
    )

    # when
    rule = render_rules([spec])["rules"][0]

    # then
    assert rule == {
        "rulePriority": 7,
        "description": "archive all but the last 30 builds",
        "selection": {
            "tagStatus": "tagged",
            "tagPrefixList": ["build-"],
            "storageClass": "standard",
            "countType": "imageCountMoreThan",
            "countNumber": 30,
        },
        "action": {"type": "transition", "targetStorageClass": "archive"},
    }


def test_priorities_follow_cdk_explicit_kept_then_increasing_and_any_rules_last() -> None:
    # given
    rules: list[RuleInput] = [
        LifecycleRuleSpec.keep_last(3),
        LifecycleRuleSpec.expire_older_than(30, tag_patterns=["tmp-*"], rule_priority=10),
        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_count=1),
        LifecycleRuleSpec.expire_archived_after(90),
    ]

    # when
    priorities = [rule["rulePriority"] for rule in render_rules(rules)["rules"]]

    # then
    assert priorities == [12, 10, 11, 13]


def test_mixed_typed_and_cdk_rules_become_one_canonical_policy() -> None:
    # given
    stack = new_stack()

    # when
    guard = GuardedLifecyclePolicy(
        stack,
        "Guard",
        repository_name="app",
        rules=[
            ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(7)),
            LifecycleRuleSpec.archive_not_pulled_for(60, tag_patterns=["release-*"]),
            LifecycleRuleSpec.keep_last(200),
            LifecycleRuleSpec.expire_archived_after(365),
        ],
    )

    # then
    assert [
        (r["rulePriority"], r["selection"]["countType"]) for r in json.loads(guard.lifecycle_policy_text)["rules"]
    ] == [
        (1, "sinceImagePushed"),
        (2, "sinceImagePulled"),
        (3, "imageCountMoreThan"),
        (4, "sinceImageTransitioned"),
    ]
    Template.from_stack(stack).has_resource_properties(GUARD_TYPE, {"LifecyclePolicyText": guard.lifecycle_policy_text})


def test_a_raw_policy_is_normalised_to_the_canonical_text() -> None:
    # given
    stack = new_stack()
    messy = (
        '{"rules": [{"action": {"type": "expire"}, "selection": {"countNumber": 2, '
        '"countType": "imageCountMoreThan", "tagStatus": "any"}, "rulePriority": 9}]}'
    )

    # when
    guard = GuardedLifecyclePolicy(stack, "Guard", repository_name="app", policy=messy)

    # then
    assert guard.lifecycle_policy_text == (
        '{"rules":[{"rulePriority":9,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":2},'
        '"action":{"type":"expire"}}]}'
    )


def test_a_single_string_as_tag_list_is_refused_at_once() -> None:
    # when / then
    with pytest.raises(PropertyError, match=r"^LifecycleRuleSpec.tag_pattern_list: must be a list of strings, not one"):
        LifecycleRuleSpec.keep_last(3, tag_patterns="release-*")
