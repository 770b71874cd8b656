"""Load the output of ``aws ecr describe-images`` into :class:`~ecr_lifecycle_guard.engine.model.Image` objects.

Accepted input: ``{"imageDetails": [...]}`` or the bare list. Timestamps may be ISO-8601 strings
as the AWS CLI prints them (with an offset or ``Z``, optionally fractional seconds; a timestamp
without an offset is read as UTC), epoch seconds (int or float), or the ``datetime`` objects boto3
returns. A missing ``imageStatus``
means ``ACTIVE`` (DescribeImages without a status filter returns only active images).

Examples
--------
>>> images = load_images({"imageDetails": [{"imageDigest": "sha256:1", "imageTags": ["v1"],
...                                         "imagePushedAt": "2024-05-01T10:00:00+02:00"}]})
>>> images[0].pushed_at.isoformat(), images[0].status
('2024-05-01T08:00:00+00:00', 'ACTIVE')
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ecr_lifecycle_guard.engine.model import Image, ImageStatus
from ecr_lifecycle_guard.engine.view import shown, type_name
from ecr_lifecycle_guard.errors import ImagesInputError

__all__ = ["load_images", "parse_timestamp"]

_STATUSES: Final = ("ACTIVE", "ARCHIVED", "ACTIVATING")
_STR_TYPE: Final = frozenset({str})
_SEQUENCES: Final = frozenset({list, tuple})


class _BadFieldError(Exception):
    """Internal: a field of one image is invalid (turned into ImagesInputError with its location)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


def parse_timestamp(value: Any, field: str = "timestamp") -> datetime:
    """Read an AWS CLI timestamp (ISO-8601 or epoch seconds) as an aware UTC datetime.

    Raises
    ------
    ValueError
        When the value is neither (the message names ``field`` and the value found).

    Examples
    --------
    >>> parse_timestamp("2024-01-02T03:04:05.123456Z").isoformat()
    '2024-01-02T03:04:05.123456+00:00'
    >>> parse_timestamp(0).isoformat()
    '1970-01-01T00:00:00+00:00'
    """
    try:
        return _timestamp(value, field)
    except _BadFieldError as exc:
        raise ValueError(f"{field}: {exc.detail}") from None


def _timestamp(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):  # boto3's describe_images returns datetimes
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _BadFieldError(field, f"must be an ISO-8601 timestamp or epoch seconds, got {shown(value)}") from None
        if parsed.tzinfo is UTC:
            return parsed
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise _BadFieldError(field, f"epoch seconds out of range, got {shown(value)}") from None
    raise _BadFieldError(field, f"must be an ISO-8601 timestamp or epoch seconds, got {type_name(value)}")


def _image(item: Any) -> Image:
    """One image; a cheap combined check first, :func:`_diagnose` names the field when it fails.

    This runs once per image (100,000 times for a full repository), so the common case is kept lean.
    """
    if type(item) is not dict and not isinstance(item, Mapping):  # the ABC check only for non-dicts: it is slow
        raise _BadFieldError("", f"must be an object, got {type_name(item)}")
    get = item.get
    digest, tags, pushed = get("imageDigest"), get("imageTags") or (), get("imagePushedAt")
    status: ImageStatus = get("imageStatus") or "ACTIVE"
    if (
        type(digest) is not str
        or not digest
        or type(tags) not in _SEQUENCES
        or not set(map(type, tags)) <= _STR_TYPE
        or pushed is None
        or status not in _STATUSES
    ):
        _diagnose(digest, tags, pushed, status)
    pulled, archived, activated = get("lastRecordedPullTime"), get("lastArchivedAt"), get("lastActivatedAt")
    return Image._make(
        (
            digest,
            tuple(tags),
            _timestamp(pushed, "imagePushedAt"),
            None if pulled is None else _timestamp(pulled, "lastRecordedPullTime"),
            status,
            None if archived is None else _timestamp(archived, "lastArchivedAt"),
            None if activated is None else _timestamp(activated, "lastActivatedAt"),
            get("subjectManifestDigest"),
            get("imageManifestMediaType"),
            get("artifactMediaType"),
        )
    )


def _diagnose(digest: Any, tags: Any, pushed: Any, status: Any) -> None:
    """Raise for the first invalid field among those :func:`_image` checks together."""
    if not isinstance(digest, str) or not digest:
        raise _BadFieldError("imageDigest", f"must be a non-empty string, got {shown(digest)}")
    if not isinstance(tags, list | tuple) or not all(isinstance(tag, str) for tag in tags):
        raise _BadFieldError("imageTags", f"must be an array of strings, got {shown(tags)}")
    if pushed is None:
        raise _BadFieldError("imagePushedAt", "required field is missing")
    raise _BadFieldError("imageStatus", f"must be one of {', '.join(_STATUSES)}, got {shown(status)}")


def load_images(data: Any, *, source: str = "images") -> list[Image]:
    """Read describe-images output (parsed JSON, or a path to the JSON file) into images.

    Parameters
    ----------
    data
        ``{"imageDetails": [...]}``, the bare list, or an ``os.PathLike`` to a file holding either.
    source
        A name for error messages (a path's own name is used for files).

    Returns
    -------
    list[Image]
        One image per entry, in input order.

    Raises
    ------
    ImagesInputError
        Naming the source, the image's position and digest, the field and the value found; also
        for duplicate digests and unreadable files.

    Examples
    --------
    >>> load_images([{"imageDigest": "sha256:a", "imagePushedAt": 1700000000}])[0].tags
    ()
    >>> load_images([{"imageDigest": "sha256:a"}])
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.ImagesInputError: images: image 1 (sha256:a): imagePushedAt: required field is missing
    """
    if isinstance(data, os.PathLike):
        source = os.fspath(data)
        try:
            data = json.loads(Path(data).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ImagesInputError(source, f"cannot read the file: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise ImagesInputError(
                source, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
    items = data.get("imageDetails") if isinstance(data, Mapping) else data
    if not isinstance(items, list | tuple):
        raise ImagesInputError(
            source, f'must be describe-images output ({{"imageDetails": [...]}}) or a list, got {type_name(data)}'
        )
    images: list[Image] = []
    for position, item in enumerate(items, start=1):
        try:
            images.append(_image(item))
        except _BadFieldError as exc:
            digest = item.get("imageDigest") if isinstance(item, Mapping) else None
            where = f"image {position}" + (f" ({digest})" if isinstance(digest, str) else "")
            raise ImagesInputError(source, f"{where}: {exc.field + ': ' if exc.field else ''}{exc.detail}") from None
    if len({image.digest for image in images}) != len(images):
        _raise_duplicate(images, source)
    return images


def _raise_duplicate(images: list[Image], source: str) -> None:
    seen: dict[str, int] = {}
    for position, image in enumerate(images, start=1):
        first = seen.setdefault(image.digest, position)
        if first != position:
            raise ImagesInputError(
                source, f"image {position} ({image.digest}): imageDigest: duplicate of image {first}"
            )
