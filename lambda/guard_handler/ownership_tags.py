"""The repository's ownership tags as one value, the states they move between, and the writes between two states.

=====================================  ===========================================================
tag                                    value
=====================================  ===========================================================
``ecr-lifecycle-guard:owner``          ``<stack>/<logical id>`` of the resource that owns the policy
``ecr-lifecycle-guard:previous-owner`` the owner a rename (a takeover inside the stack) took over
                                       from; present until the rename is complete or rolled back
``…:previous-policy-0`` … ``-7``       that owner's policy, when the takeover changed it (compressed,
                                       base64, cut into tag values), or ``none`` when it had none
=====================================  ===========================================================

The states (:class:`OwnershipTags`):

* :meth:`~OwnershipTags.owned_by` — a claim (or a takeover from another stack's released tag): the
  owner only; any stale hand-back record is dropped;
* :meth:`~OwnershipTags.taken_over` — a takeover inside the stack: owner, previous owner and, when the
  policy changes, the previous policy, written in one ``TagResource``;
* :meth:`~OwnershipTags.handed_back` — a rollback deleted the new resource: the previous owner again;
* :meth:`~OwnershipTags.without_record` — the rename is complete: the owner stays, the record goes;
* :meth:`~OwnershipTags.without_owner` — ``PreviewOnly`` releases the ownership (it never touches the
  record); :data:`RELEASED` — a Delete releases everything.

:func:`tag_writes` turns two states into at most two calls: one ``TagResource`` for the keys that are
set, then one ``UntagResource`` for the keys that go.

Examples
--------
>>> before = OwnershipTags({"ecr-lifecycle-guard:owner": "prod/Old"})
>>> after = before.taken_over("prod/New", previous_policy={"ecr-lifecycle-guard:previous-policy-0": "none"})
>>> [(write.operation, write.keys) for write in tag_writes(before, after)]
... # doctest: +NORMALIZE_WHITESPACE
[('TagResource', ('ecr-lifecycle-guard:owner', 'ecr-lifecycle-guard:previous-owner',
                  'ecr-lifecycle-guard:previous-policy-0'))]
>>> [(write.operation, write.keys) for write in tag_writes(after, before)]
... # doctest: +NORMALIZE_WHITESPACE
[('TagResource', ('ecr-lifecycle-guard:owner',)),
 ('UntagResource', ('ecr-lifecycle-guard:previous-owner', 'ecr-lifecycle-guard:previous-policy-0'))]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from ecr_lifecycle_guard.contract import (
    OWNER_TAG_KEY,
    PREVIOUS_OWNER_TAG_KEY,
    PreviousPolicy,
    decode_previous_policy,
    is_ownership_tag,
)

__all__ = ["RELEASED", "OwnershipTags", "TagWrite", "tag_writes"]


@dataclass(frozen=True)
class OwnershipTags:
    """A repository's ownership tags (only the keys this project writes).

    Examples
    --------
    >>> tags = OwnershipTags({"ecr-lifecycle-guard:owner": "prod/New", "ecr-lifecycle-guard:previous-owner": "prod/Old",
    ...                       "team": "payments"})
    >>> tags.owner, tags.previous_owner, tags.handed_back().values
    ('prod/New', 'prod/Old', {'ecr-lifecycle-guard:owner': 'prod/Old'})
    """

    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", {k: v for k, v in sorted(self.values.items()) if is_ownership_tag(k)})

    @property
    def owner(self) -> str | None:
        """The owner tag's value (``None`` when absent)."""
        return self.values.get(OWNER_TAG_KEY)

    @property
    def previous_owner(self) -> str | None:
        """The owner a takeover inside the stack took over from (``None``: no hand-back record)."""
        return self.values.get(PREVIOUS_OWNER_TAG_KEY)

    def previous_policy(self) -> PreviousPolicy | None:
        """The policy the record holds; ``None`` when it holds none (a pure rename).

        Raises
        ------
        ValueError
            The record is damaged.
        """
        return decode_previous_policy(self.values)

    @classmethod
    def owned_by(cls, owner: str) -> OwnershipTags:
        """Only the owner tag."""
        return cls({OWNER_TAG_KEY: owner})

    def taken_over(self, owner: str, *, previous_policy: Mapping[str, str]) -> OwnershipTags:
        """``owner`` took over from the current owner inside the stack; ``previous_policy``: the record's tags."""
        previous = self.owner or ""
        return OwnershipTags({OWNER_TAG_KEY: owner, PREVIOUS_OWNER_TAG_KEY: previous, **previous_policy})

    def handed_back(self) -> OwnershipTags:
        """The previous owner owns again; the record is gone."""
        return OwnershipTags.owned_by(self.previous_owner) if self.previous_owner else RELEASED

    def without_record(self) -> OwnershipTags:
        """The owner tag as it is; the record is gone."""
        return OwnershipTags.owned_by(self.owner) if self.owner else RELEASED

    def without_owner(self) -> OwnershipTags:
        """The record as it is; the owner tag is gone."""
        return OwnershipTags({key: value for key, value in self.values.items() if key != OWNER_TAG_KEY})


#: No ownership tags at all.
RELEASED: Final = OwnershipTags()


@dataclass(frozen=True)
class TagWrite:
    """One tag call: ``TagResource`` with ``put``, or ``UntagResource`` with ``remove``."""

    put: Mapping[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()

    @property
    def operation(self) -> str:
        """The API operation."""
        return "TagResource" if self.put else "UntagResource"

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys the call sets or removes."""
        return tuple(self.put) if self.put else self.remove

    def after(self, tags: OwnershipTags) -> OwnershipTags:
        """``tags`` once this call has taken effect."""
        values = {**tags.values, **self.put}
        return OwnershipTags({key: value for key, value in values.items() if key not in self.remove})


def tag_writes(before: OwnershipTags, after: OwnershipTags) -> list[TagWrite]:
    """The calls that turn ``before`` into ``after``: a ``TagResource`` first, then an ``UntagResource``.

    Examples
    --------
    >>> tag_writes(OwnershipTags.owned_by("prod/Guard"), RELEASED)
    [TagWrite(put={}, remove=('ecr-lifecycle-guard:owner',))]
    >>> tag_writes(RELEASED, RELEASED)
    []
    """
    put = {key: value for key, value in after.values.items() if before.values.get(key) != value}
    remove = tuple(key for key in before.values if key not in after.values)
    writes = [TagWrite(put=put)] if put else []
    if remove:
        writes.append(TagWrite(remove=remove))
    return writes
