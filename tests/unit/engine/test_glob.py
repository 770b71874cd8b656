"""The tag matcher shared by tagPatternList, tagPrefixList and the gate's ProtectedTags."""

from __future__ import annotations

import pytest

from ecr_lifecycle_guard.engine import TagMatcher, tag_matches
from ecr_lifecycle_guard.engine.tagindex import TagIndex


@pytest.mark.parametrize(
    ("pattern", "tag"),
    [
        ("prod*", "prod"),
        ("prod*", "prod1"),
        ("prod*", "production-team1"),
        ("*prod*", "repo-production"),
        ("*prod*", "prod-team"),
        ("latest", "latest"),
        ("*", "anything"),
        ("v*.*", "v1.2"),
        ("a*b*c", "abc"),
    ],
)
def test_pattern_matches_whole_tag_with_star_matching_any_run(pattern: str, tag: str) -> None:
    assert tag_matches(pattern, tag)


@pytest.mark.parametrize(
    ("pattern", "tag"),
    [
        ("prod*", "my-prod"),
        ("latest", "latest-1"),
        ("Prod*", "prod"),  # case-sensitive (conservative reading)
        ("v?", "v1"),  # '?' is literal
        ("v.1", "vx1"),  # '.' is literal
        ("[a]", "a"),
    ],
)
def test_pattern_does_not_match(pattern: str, tag: str) -> None:
    assert not tag_matches(pattern, tag)


def test_list_entries_are_anded_and_may_be_satisfied_by_different_tags() -> None:
    # given
    matcher = TagMatcher(prefixes=("alpha", "beta"))
    # when / then
    assert matcher.selects(("alpha-2", "beta-2"))
    assert not matcher.selects(("alpha-1",))


def test_star_inside_a_prefix_is_literal() -> None:
    matcher = TagMatcher(prefixes=("v*",))
    assert matcher.selects(("v*1",))
    assert not matcher.selects(("v1",))


def test_untagged_image_is_never_selected_even_by_star() -> None:
    assert not TagMatcher(patterns=("*",)).selects(())


def test_repository_index_selects_the_same_images_as_the_per_image_matcher() -> None:
    # given
    tags = [("v1", "prod"), (), ("v2",), ("prod-v1",), ("x", "vv")]
    index = TagIndex(tags)
    matchers = [
        TagMatcher(patterns=("v*",)),
        TagMatcher(patterns=("*v*", "p*")),
        TagMatcher(prefixes=("pro",)),
        TagMatcher(patterns=("*",)),
    ]
    for matcher in matchers:
        # when
        selected = index.select(matcher)
        # then
        assert selected == [i for i, image_tags in enumerate(tags) if matcher.selects(image_tags)]
    assert index.untagged() == [1]
