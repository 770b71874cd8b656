"""The tag matcher shared by tagPatternList, tagPrefixList and the gate's ProtectedTags."""

from __future__ import annotations

import itertools
import time
from fnmatch import fnmatchcase

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.engine import (
    MAX_PATTERN_WILDCARDS,
    TagMatcher,
    TagPattern,
    compile_tag_pattern,
    tag_matches,
)
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


# --- linear time: one matcher for tagPatternList and ProtectedTags, any number of '*' ---------------------------

SMALL_TAGS = st.text(alphabet="ab-", max_size=12)
SMALL_PATTERNS = st.text(alphabet="ab-*", max_size=10)


@given(SMALL_PATTERNS, SMALL_TAGS)
def test_matcher_agrees_with_fnmatch_on_star_only_globs(pattern: str, tag: str) -> None:
    # given: on this alphabet '*' is fnmatch's only special character, so fnmatchcase is a reference
    # when / then
    assert tag_matches(pattern, tag) == fnmatchcase(tag, pattern)


@given(SMALL_PATTERNS, st.lists(SMALL_TAGS, max_size=20))
def test_matching_a_whole_list_at_once_agrees_with_matching_each_tag(pattern: str, tags: list[str]) -> None:
    # given
    compiled = compile_tag_pattern(pattern)
    # when
    selected = compiled.select(tags)
    # then
    assert selected == [i for i, tag in enumerate(tags) if compiled(tag)]


@given(st.text(alphabet="ab*", max_size=6), st.lists(SMALL_TAGS, max_size=20))
def test_prefix_entries_select_tags_starting_with_them_star_included(prefix: str, tags: list[str]) -> None:
    test = TagPattern.of_prefix(prefix)
    assert test.select(tags) == [i for i, tag in enumerate(tags) if tag.startswith(prefix)]


def test_the_reported_backtracking_pattern_answers_at_once() -> None:
    # given: the pattern against a 120-character tag (a regex backtracks for minutes here)
    pattern, tag = "*a*a*a*a*a*a*a*a*a*b", "a" * 120
    # when
    started = time.perf_counter()
    matched = tag_matches(pattern, tag)
    seconds = time.perf_counter() - started
    # then
    assert not matched
    assert seconds < 0.05


def test_thirty_wildcards_against_ten_thousand_characters_search_each_character_once() -> None:
    # given: 30 '*', pieces that occur everywhere and a last piece that never does: the worst case for a
    # backtracking matcher (it would try every placement of the 28 'a' pieces)
    pattern = "x" + "*a" * 28 + "*b*y"
    tag = "x" + "a" * 9_998 + "y"
    windows: list[tuple[int, int]] = []

    def counting_find(text: str, piece: str, start: int, end: int) -> int:
        found = text.find(piece, start, end)
        windows.append((start, end if found < 0 else found + len(piece)))
        return found

    # when
    started = time.perf_counter()
    matched = TagPattern.of_glob(pattern).match(tag, counting_find)
    seconds = time.perf_counter() - started
    # then: one search per piece, over windows that never overlap: at most len(tag) characters in all
    assert not matched
    assert len(windows) == pattern.count("*") - 1
    assert all(previous_end <= start for (_, previous_end), (start, _) in itertools.pairwise(windows))
    assert sum(end - start for start, end in windows) <= len(tag)
    assert seconds < 0.05


def test_thirty_wildcards_that_match_answer_true_quickly_over_a_whole_repository() -> None:
    # given: 1,000 tags of 10,000 characters
    pattern = "*" + "*".join("ab" for _ in range(29)) + "*"
    tags = ["ab" * 5_000] * 999 + ["a" * 10_000]
    # when
    started = time.perf_counter()
    selected = compile_tag_pattern(pattern).select(tags)
    seconds = time.perf_counter() - started
    # then
    assert selected == list(range(999))
    assert seconds < 1.0


def test_head_and_tail_must_not_overlap() -> None:
    assert not tag_matches("ab*ba", "aba")
    assert tag_matches("ab*ba", "abba")
    assert compile_tag_pattern("ab*ba").select(["aba", "abba", "ab-ba"]) == [1, 2]


def test_ecr_limit_on_wildcards_is_shared_but_the_matcher_accepts_any_number() -> None:
    assert MAX_PATTERN_WILDCARDS == 4
    assert tag_matches("*-*-*-*-*-*", "a-b-c-d-e-f")


def test_tags_with_line_breaks_are_matched_like_any_other_character() -> None:
    # given: describe-images input is not validated against ECR's tag syntax
    index = TagIndex([("a\nb",), ("b",), ("x\n",)])
    # when / then
    assert index.select(TagMatcher(patterns=("b",))) == [1]
    assert index.select(TagMatcher(patterns=("*\n*",))) == [0, 2]
    assert index.select(TagMatcher(prefixes=("a\n",))) == [0]


@given(
    st.lists(st.lists(SMALL_TAGS, max_size=3), max_size=12),
    st.lists(SMALL_PATTERNS, min_size=1, max_size=3),
    st.booleans(),
)
def test_repository_index_agrees_with_the_per_image_matcher(
    tags_per_image: list[list[str]], entries: list[str], as_prefixes: bool
) -> None:
    # given
    matcher = TagMatcher(prefixes=tuple(entries)) if as_prefixes else TagMatcher(patterns=tuple(entries))
    # when
    selected = TagIndex(tags_per_image).select(matcher)
    # then
    assert selected == [i for i, tags in enumerate(tags_per_image) if matcher.selects(tags)]


def test_a_head_ending_in_the_last_code_point_is_matched_by_scanning() -> None:
    # given: no string follows the head in order, so the sorted index cannot bound the range
    last = chr(0x10FFFF)
    index = TagIndex([(f"a{last}",), (f"a{last}x",), ("b",)])
    # when / then
    assert index.select(TagMatcher(prefixes=(f"a{last}",))) == [0, 1]
    assert index.select(TagMatcher(patterns=(f"a{last}",))) == [0]
