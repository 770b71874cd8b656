"""Tag matching over a whole repository at once: one regular-expression pass per tag-list entry.

Matching every image against every rule one by one costs a Python call per image and rule. Here
all tags of a storage class are laid out as lines of one text, in image order; a rule's entry is
searched over that text once and each match is mapped back to its image.

Examples
--------
>>> from ecr_lifecycle_guard.engine.glob import TagMatcher, frame_tags
>>> index = TagIndex([("v1", "prod"), (), ("v2",)])
>>> index.select(TagMatcher(patterns=("v*",)))
[0, 2]
>>> index.select(TagMatcher(prefixes=("v", "pr")))
[0]
>>> index.untagged()
[1]
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate, chain, compress, count, repeat
from operator import add, not_

from ecr_lifecycle_guard.engine.glob import TagMatcher, frame_tags

__all__ = ["TagIndex"]


class TagIndex:
    """The tags of a sequence of images (position = image index), searchable by :class:`TagMatcher`."""

    def __init__(self, tags_per_image: Sequence[Sequence[str]]) -> None:
        # Built with iterator combinators only (no Python-level loop): it runs over every tag of a repository.
        lines = list(chain.from_iterable(tags_per_image))
        owners = chain.from_iterable(map(repeat, count(), map(len, tags_per_image)))
        # Offset of the "\n" before line j of the framed text: the lengths of lines 0..j-1, plus j newlines.
        newlines = map(add, accumulate(map(len, lines), initial=0), count())
        self._owner_at = dict(zip(newlines, owners, strict=False))
        self._text = frame_tags(lines) if lines else ""
        self._untagged = list(compress(count(), map(not_, tags_per_image)))

    def untagged(self) -> list[int]:
        """Indices of the images without tags, in order."""
        return self._untagged

    def select(self, matcher: TagMatcher) -> list[int]:
        """Indices of the images the matcher selects (every entry matches one of their tags), in order."""
        owner_at, text = self._owner_at, self._text
        selected: list[int] | None = None
        for regex in matcher.regexes:
            found = list(dict.fromkeys(owner_at[match.start()] for match in regex.finditer(text)))
            if selected is None:
                selected = found
            else:
                keep = set(found)
                selected = [index for index in selected if index in keep]
        return selected or []
