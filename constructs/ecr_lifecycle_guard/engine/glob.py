"""ECR's tag matching: ``tagPatternList`` globs and ``tagPrefixList`` prefixes.

A pattern matches a whole tag; ``*`` is the only wildcard and matches any run of characters,
including none. Every other character is literal and matching is case-sensitive (ECR tags are
case-sensitive strings). A prefix matches tags that start with it; a ``*`` inside a prefix is a
literal character (conservative reading, see docs/RULES.md).

The gate's ``ProtectedTags`` use the same matcher as ``tagPatternList``.

Examples
--------
>>> tag_matches("prod*", "production-team1")
True
>>> tag_matches("*prod*", "repo-production")
True
>>> tag_matches("latest", "latest-1")
False
>>> TagMatcher(patterns=("v*",)).selects(("v1", "stable"))
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["TagMatcher", "compile_tag_pattern", "frame_tags", "tag_matches"]


def _pattern_regex(pattern: str, *, line: bool = False) -> str:
    """The regex of a glob; with ``line``, ``*`` does not cross a newline."""
    return ("[^\n]*" if line else ".*").join(re.escape(part) for part in pattern.split("*"))


@lru_cache(maxsize=1024)
def compile_tag_pattern(pattern: str) -> Callable[[str], bool]:
    """Compile one ``*`` glob into a predicate on a single tag.

    Parameters
    ----------
    pattern
        The glob, e.g. ``"release-*"``.

    Returns
    -------
    Callable[[str], bool]
        ``True`` when the whole tag matches.

    Examples
    --------
    >>> is_release = compile_tag_pattern("release-*")
    >>> is_release("release-1.2"), is_release("pre-release-1")
    (True, False)
    """
    fullmatch = re.compile(_pattern_regex(pattern), re.DOTALL).fullmatch
    return lambda tag: fullmatch(tag) is not None


def tag_matches(pattern: str, tag: str) -> bool:
    """Whether ``tag`` matches the ``tagPatternList``-style glob ``pattern``.

    Examples
    --------
    >>> tag_matches("*", "anything"), tag_matches("a*b", "ab"), tag_matches("A*", "a1")
    (True, True, False)
    """
    return compile_tag_pattern(pattern)(tag)


@dataclass(frozen=True)
class TagMatcher:
    """A rule's tag list: every entry must match at least one of an image's tags (entries are ANDed).

    Give ``patterns`` (``tagPatternList``) or ``prefixes`` (``tagPrefixList``). An image without
    tags is never selected. ``regexes`` holds one regular expression per entry, run on the
    tags framed by :func:`frame_tags` (one line per tag); the evaluator's
    :class:`~ecr_lifecycle_guard.engine.tagindex.TagIndex` runs them over a whole repository at once.

    Examples
    --------
    >>> TagMatcher(prefixes=("prod", "v")).selects(("prod-1", "v2"))
    True
    >>> TagMatcher(prefixes=("prod", "v")).selects(("prod-1",))
    False
    """

    patterns: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    regexes: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Each regex starts with "\n" + the entry's literal head, so the regex engine can skip ahead
        # by literal search; the match ends before the next "\n" without consuming it.
        sources = [f"\n{_pattern_regex(p, line=True)}(?=\n)" for p in self.patterns]
        sources += [f"\n{re.escape(p)}" for p in self.prefixes]
        object.__setattr__(self, "regexes", tuple(re.compile(source) for source in sources))

    def selects(self, tags: Iterable[str]) -> bool:
        """Whether an image with these tags is selected."""
        framed = frame_tags(tags)
        return framed != "\n\n" and all(regex.search(framed) is not None for regex in self.regexes)


def frame_tags(tags: Iterable[str]) -> str:
    """Tags as the text :attr:`TagMatcher.regexes` search: one tag per line, with a newline before and after.

    Examples
    --------
    >>> frame_tags(["a", "b"])
    '\\na\\nb\\n'
    """
    return "\n" + "\n".join(tags) + "\n"
