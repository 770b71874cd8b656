"""AWS's own worked examples ("Examples of lifecycle policies in Amazon ECR"), current and 2022 revisions.

Where the documentation gives two images the same age ("1 day ago") but its outcome needs one to be
newer, the test pushes them an hour apart in the order the outcome requires (spec §3.2).
"""

from __future__ import annotations

from engine_helpers import NOW, acted, image, policy, rule

from ecr_lifecycle_guard.engine import evaluate, parse_policy


def test_filtering_on_image_age_expires_untagged_images_older_than_14_days() -> None:
    # given
    rules = policy(rule(1, tag_status="untagged", count_type="sinceImagePushed", number=14))
    images = [image("old", age=15), image("young", age=13), image("tagged-old", "v1", age=30)]
    # when
    result = evaluate(parse_policy(rules), images, NOW)
    # then
    assert acted(result) == {"old": 1}


def test_filtering_on_image_count_keeps_one_untagged_image() -> None:
    rules = policy(rule(1, tag_status="untagged", number=1))
    images = [image("a", age=3), image("b", age=2), image("c", age=1), image("t", "v1", age=9)]
    assert acted(evaluate(parse_policy(rules), images, NOW)) == {"a": 1, "b": 1}


MULTIPLE_RULES_IMAGES = [
    image("A", "beta-1", "prod-1", age=10),
    image("B", "beta-2", "prod-2", age=9),
    image("C", "beta-3", age=8),
]


def test_multiple_rules_example_a_image_selected_by_a_higher_rule_is_protected_even_if_unmarked() -> None:
    # given: rule 1 prod keep 1, rule 2 beta keep 1
    rules = policy(
        rule(1, tag_status="tagged", prefixes=["prod"]),
        rule(2, tag_status="tagged", prefixes=["beta"]),
    )
    # when
    result = evaluate(parse_policy(rules), MULTIPLE_RULES_IMAGES, NOW)
    # then: rule 2 would mark A and B, but B "would violate rule 1" and is skipped
    assert acted(result) == {"A": 1}


def test_multiple_rules_example_a_with_tag_pattern_lists_current_revision() -> None:
    rules = policy(
        rule(1, tag_status="tagged", patterns=["prod*"]),
        rule(2, tag_status="tagged", patterns=["beta*"]),
    )
    assert acted(evaluate(parse_policy(rules), MULTIPLE_RULES_IMAGES, NOW)) == {"A": 1}


def test_multiple_rules_example_b_swapped_priorities_expire_a_and_b() -> None:
    rules = policy(
        rule(1, tag_status="tagged", prefixes=["beta"]),
        rule(2, tag_status="tagged", prefixes=["prod"]),
    )
    assert acted(evaluate(parse_policy(rules), MULTIPLE_RULES_IMAGES, NOW)) == {"A": 1, "B": 1}


def test_multiple_tags_example_a_entries_must_all_match() -> None:
    # given
    rules = policy(rule(1, tag_status="tagged", prefixes=["alpha", "beta"], count_type="sinceImagePushed", number=5))
    images = [
        image("A", "alpha-1", age=12),
        image("B", "beta-1", age=11),
        image("C", "alpha-2", "beta-2", age=10),
        image("D", "alpha-3", age=4),
        image("E", "beta-3", age=3),
        image("F", "alpha-4", "beta-4", age=2),
    ]
    # when / then
    assert acted(evaluate(parse_policy(rules), images, NOW)) == {"C": 1}


def test_multiple_tags_example_b_tags_are_not_exclusive() -> None:
    rules = policy(rule(1, tag_status="tagged", prefixes=["alpha", "beta"]))
    images = [
        image("A", "alpha-1", "beta-1", "gamma-1", age=10),
        image("B", "alpha-2", "beta-2", age=9),
        image("C", "alpha-3", "beta-3", "gamma-2", age=8),
    ]
    assert acted(evaluate(parse_policy(rules), images, NOW)) == {"A": 1, "B": 1}


def test_all_images_example_a_keeps_only_the_newest_image() -> None:
    rules = policy(rule(1))
    images = [
        image("A", "alpha-1", age=4),
        image("B", "beta-1", age=3),
        image("C", age=2),
        image("D", "alpha-2", age=1),
    ]
    assert acted(evaluate(parse_policy(rules), images, NOW)) == {"A": 1, "B": 1, "C": 1}


def test_all_images_example_b_shielded_images_occupy_the_any_rules_keep_slot() -> None:
    # given: E must be newer than D for the documented outcome (both "1 day ago")
    rules = policy(
        rule(1, tag_status="tagged", patterns=["alpha*"]),
        rule(2, tag_status="untagged", count_type="sinceImagePushed", number=1),
        rule(3),
    )
    images = [
        image("A", "alpha-1", "beta-1", age=4),
        image("B", age=3),
        image("C", "alpha-2", age=2),
        image("D", "git hash", age=1.04),
        image("E", age=0.96),
    ]
    # when
    result = evaluate(parse_policy(rules), images, NOW)
    # then: rule 3 keeps E (newest, shielded by rule 2) and marks D
    assert acted(result) == {"A": 1, "B": 2, "D": 3}
    assert {o.image.digest: o.reason for o in result.outcomes}["D"] == (
        "rule 3 (any, keep 1 newest): rank 2 of 5 in the rule's selection"
    )


def test_archive_example_combining_archive_and_expire_rules_treats_storage_classes_separately() -> None:
    # given: archive images older than 30 days; expire images archived more than 365 days ago
    rules = policy(
        rule(1, count_type="sinceImagePushed", number=30, action="transition"),
        rule(2, storage="archive", count_type="sinceImageTransitioned", number=365),
    )
    images = [
        image("fresh", "v3", age=5),
        image("old", "v2", age=40),
        image("archived-long-ago", "v1", age=800, status="ARCHIVED", archived=400),
        image("archived-recently", "v0", age=900, status="ARCHIVED", archived=100),
    ]
    # when
    result = evaluate(parse_policy(rules), images, NOW)
    # then: one step per run; the image transitioned now is not also expired
    assert acted(result) == {"old": 1, "archived-long-ago": 2}
    assert (result.expiring_count, result.transitioning_count) == (1, 1)
