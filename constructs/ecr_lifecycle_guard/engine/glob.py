"""ECR's tag matching: ``tagPatternList`` globs and ``tagPrefixList`` prefixes, in linear time.

A pattern matches a whole tag; ``*`` is the only wildcard and matches any run of characters,
including none. Every other character is literal and matching is case-sensitive (ECR tags are
case-sensitive strings). A prefix matches tags that start with it; a ``*`` inside a prefix is a
literal character (conservative reading, see docs/RULES.md).

The gate's ``ProtectedTags`` use the same matcher as ``tagPatternList``. Patterns there come from
properties, so no pattern may make matching slow: a pattern is split on ``*`` into an anchored head,
an anchored tail and the pieces between, and the pieces are searched for greedily, leftmost first,
each search starting where the previous piece ended. The searched windows never overlap, so a match
costs one pass over the tag (``O(len(pattern) + len(tag))`` searches of ``str.find``), whatever the
number of ``*``; there is no regular expression and no backtracking. The greedy choice is exact for
``*``-only globs: if any placement of the pieces fits between head and tail, the leftmost one does.
:data:`MAX_PATTERN_WILDCARDS` is ECR's own limit on ``*`` per pattern (check V9); the matcher
itself accepts any number.

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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count, repeat
from operator import add, ge, le, sub
from typing import Final

__all__ = ["MAX_PATTERN_WILDCARDS", "TagMatcher", "TagPattern", "compile_tag_pattern", "tag_matches"]

#: ECR accepts at most this many ``*`` in one ``tagPatternList`` entry (spec V9); ``ProtectedTags`` share it.
MAX_PATTERN_WILDCARDS: Final = 4

#: A ``str.find``-compatible search: ``find(text, piece, start, end)``.
Find = Callable[[str, str, int, int], int]


@dataclass(frozen=True, slots=True)
class TagPattern:
    """One compiled tag test: a ``*`` glob (:meth:`of_glob`) or a literal prefix (:meth:`of_prefix`).

    ``head`` must start the tag and ``tail`` end it, without overlapping; ``pieces`` must then occur in
    order between them. ``exact`` patterns (a glob without ``*``) compare the whole tag. Call it on one
    tag, or :meth:`select` the matching lines of a whole list at once.

    Examples
    --------
    >>> TagPattern.of_glob("a*b*c")
    TagPattern(text='a*b*c', head='a', pieces=('b',), tail='c', exact=False)
    >>> TagPattern.of_glob("a*b*c")("a-b-c"), TagPattern.of_prefix("v*")("v*1"), TagPattern.of_prefix("v*")("v1")
    (True, True, False)
    """

    text: str
    head: str
    pieces: tuple[str, ...]
    tail: str
    exact: bool
    min_length: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_length", len(self.head) + len(self.tail) + sum(map(len, self.pieces)))

    @classmethod
    def of_glob(cls, pattern: str) -> TagPattern:
        """A ``tagPatternList`` entry: ``*`` matches any run of characters, including none."""
        parts = pattern.split("*")
        if len(parts) == 1:
            return cls(pattern, pattern, (), "", exact=True)
        return cls(pattern, parts[0], tuple(filter(None, parts[1:-1])), parts[-1], exact=False)

    @classmethod
    def of_prefix(cls, prefix: str) -> TagPattern:
        """A ``tagPrefixList`` entry: tags that start with ``prefix`` (``*`` is literal here)."""
        return cls(prefix, prefix, (), "", exact=False)

    def __call__(self, tag: str) -> bool:
        """Whether ``tag`` matches."""
        return self.match(tag)

    def match(self, tag: str, find: Find = str.find) -> bool:
        """Whether ``tag`` matches, searching the pieces with ``find`` (``str.find``; injectable to count work).

        Each call of ``find`` searches ``tag[start:end]`` where ``start`` is the end of the previous
        piece found, so the windows searched never overlap.

        Examples
        --------
        >>> windows = []
        >>> def counting_find(text: str, piece: str, start: int, end: int) -> int:
        ...     windows.append((start, end))
        ...     return text.find(piece, start, end)
        >>> TagPattern.of_glob("x*a*b*y").match("x-a-a-b-y", counting_find), windows
        (True, [(1, 8), (3, 8)])
        """
        if self.exact:
            return tag == self.text
        if len(tag) < self.min_length or not tag.startswith(self.head) or not tag.endswith(self.tail):
            return False
        position, end = len(self.head), len(tag) - len(self.tail)
        for piece in self.pieces:
            found = find(tag, piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True

    def select(self, lines: Sequence[str], *, starting: Sequence[int] | None = None) -> list[int]:
        """Positions of the matching entries of ``lines``, ascending.

        The same greedy search as :meth:`match`, run a step at a time over every line still in the
        running (C-level ``map``/``compress``, no Python loop per line): a whole repository's tags
        are tested in one pass per step.

        Parameters
        ----------
        lines
            The tags.
        starting
            When the caller already knows them (a sorted index): the positions, ascending, of the
            lines that start with :attr:`head` (that equal :attr:`text` for an exact pattern).

        Examples
        --------
        >>> TagPattern.of_glob("*-rc*").select(["1.0-rc1", "1.0", "rc-1", "2.0-rc2"])
        [0, 3]
        >>> TagPattern.of_glob("v*-rc").select(["v1-rc", "v2", "v3-rc"], starting=[0, 1, 2])
        [0, 2]
        """
        if self.exact:
            return list(starting) if starting is not None else list(compress(count(), map(self.text.__eq__, lines)))
        head, tail, pieces = self.head, self.tail, self.pieces
        if not head and not tail and len(pieces) == 1:  # "*piece*": one containment test
            return list(compress(count(), map(str.__contains__, lines, repeat(pieces[0]))))
        positions: list[int] | None = None  # None: every line still in the running
        texts: Sequence[str] = lines
        if starting is not None:
            positions, texts = list(starting), list(map(lines.__getitem__, starting))
        steps: list[Callable[[Sequence[str]], Iterable[bool]]] = []
        if head and starting is None:
            steps.append(lambda texts: map(str.startswith, texts, repeat(head)))
        if tail:
            steps.append(lambda texts: map(str.endswith, texts, repeat(tail)))
        if self.min_length > max(len(head), len(tail)):  # head, pieces and tail must fit without overlapping
            steps.append(lambda texts: map(le, repeat(self.min_length), map(len, texts)))
        for number, step in enumerate(steps, start=1):  # each step runs over the survivors of the previous one
            last = number == len(steps) and not pieces
            kept: Iterable[bool] = step(texts) if last else list(step(texts))
            positions = list(compress(count() if positions is None else positions, kept))
            if not last:
                texts = list(compress(texts, kept))
        if positions is None:
            positions = list(range(len(lines)))
        if not pieces:
            return positions
        starts: Iterable[int] = repeat(len(head))
        ends = list(map(sub, map(len, texts), repeat(len(tail))))
        for piece in pieces:
            found = list(map(str.find, texts, repeat(piece), starts, ends))
            hit = list(map(ge, found, repeat(0)))
            positions = list(compress(positions, hit))
            texts, ends = list(compress(texts, hit)), list(compress(ends, hit))
            starts = list(map(add, compress(found, hit), repeat(len(piece))))
        return positions


@lru_cache(maxsize=1024)
def compile_tag_pattern(pattern: str) -> TagPattern:
    """Compile one ``*`` glob into a predicate on a single tag (cached).

    Parameters
    ----------
    pattern
        The glob, e.g. ``"release-*"``; any number of ``*``.

    Returns
    -------
    TagPattern
        Callable: ``True`` when the whole tag matches.

    Examples
    --------
    >>> is_release = compile_tag_pattern("release-*")
    >>> is_release("release-1.2"), is_release("pre-release-1")
    (True, False)
    """
    return TagPattern.of_glob(pattern)


def tag_matches(pattern: str, tag: str) -> bool:
    """Whether ``tag`` matches the ``tagPatternList``-style glob ``pattern``.

    Examples
    --------
    >>> tag_matches("*", "anything"), tag_matches("a*b", "ab"), tag_matches("A*", "a1")
    (True, True, False)
    """
    return compile_tag_pattern(pattern).match(tag)


@dataclass(frozen=True)
class TagMatcher:
    """A rule's tag list: every entry must match at least one of an image's tags (entries are ANDed).

    Give ``patterns`` (``tagPatternList``) or ``prefixes`` (``tagPrefixList``). An image without
    tags is never selected. ``tests`` holds one :class:`TagPattern` per entry; the evaluator's
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
    tests: tuple[TagPattern, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tests = [compile_tag_pattern(p) for p in self.patterns] + [TagPattern.of_prefix(p) for p in self.prefixes]
        object.__setattr__(self, "tests", tuple(tests))

    def selects(self, tags: Iterable[str]) -> bool:
        """Whether an image with these tags is selected."""
        tags = tags if isinstance(tags, tuple | list) else tuple(tags)
        return bool(tags) and all(any(map(test.match, tags)) for test in self.tests)
