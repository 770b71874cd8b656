"""Tag matching over a whole repository at once: one pass per tag-list entry.

Matching every image against every rule one by one costs a Python call per image and rule. Here
all tags of a storage class are laid out in one list, in image order, with the image each belongs
to; a rule's entry is run over that list once (:meth:`TagPattern.select
<ecr_lifecycle_guard.engine.glob.TagPattern.select>`, linear in the total length of the tags) and
each matching tag is mapped back to its image. Entries with a literal head (``release-*``, a
prefix, an exact tag) first take the tags that start with it from a sorted copy of the list (two
binary searches), so fifty ``team<n>-*`` rules do not each scan every tag.

Examples
--------
>>> from ecr_lifecycle_guard.engine.glob import TagMatcher
>>> index = TagIndex([("v1", "prod"), (), ("v2",)])
>>> index.select(TagMatcher(patterns=("v*",)))
[0, 2]
>>> index.select(TagMatcher(prefixes=("v", "pr")))
[0]
>>> index.untagged()
[1]
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate, chain, compress, count, repeat
from operator import not_

from ecr_lifecycle_guard.engine.glob import TagMatcher, TagPattern

__all__ = ["TagIndex"]


class TagIndex:
    """The tags of a sequence of images (position = image index), searchable by :class:`TagMatcher`."""

    def __init__(self, tags_per_image: Sequence[Sequence[str]]) -> None:
        # Built with iterator combinators only (no Python-level loop): it runs over every tag of a repository.
        counts = list(map(len, tags_per_image))
        self._lines = list(chain.from_iterable(tags_per_image))
        self._ends = list(accumulate(counts))  # line j belongs to the first image whose end exceeds j
        self._untagged = list(compress(count(), map(not_, counts)))
        self._sorted: list[str] | None = None  # the lines in text order (built on first use)
        self._order: list[int] = []  # the line position of each entry of _sorted

    def untagged(self) -> list[int]:
        """Indices of the images without tags, in order."""
        return self._untagged

    def select(self, matcher: TagMatcher) -> list[int]:
        """Indices of the images the matcher selects (every entry matches one of their tags), in order."""
        selected: list[int] | None = None
        for test in matcher.tests:
            # Tags are laid out in image order, so the owners come out sorted; fromkeys drops repeats in order.
            lines = test.select(self._lines, starting=self._starting(test))
            owners = map(bisect_right, repeat(self._ends), lines)
            found = list(dict.fromkeys(owners))
            selected = found if selected is None else list(filter(set(found).__contains__, selected))
        return selected or []

    def _starting(self, test: TagPattern) -> list[int] | None:
        """Positions (ascending) of the lines starting with the test's literal head; None to scan instead."""
        key = test.text if test.exact else test.head
        if not key or ord(key[-1]) == sys.maxunicode:  # no head, or no next string to bound the range with
            return None
        if self._sorted is None:
            self._order = sorted(range(len(self._lines)), key=self._lines.__getitem__)
            self._sorted = list(map(self._lines.__getitem__, self._order))
        low = bisect_left(self._sorted, key)
        if test.exact:
            high = bisect_right(self._sorted, key, low)
        else:  # the strings that start with key are those from key up to (not including) its successor
            high = bisect_left(self._sorted, key[:-1] + chr(ord(key[-1]) + 1), low)
        return sorted(self._order[low:high])
