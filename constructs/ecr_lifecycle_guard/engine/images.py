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

import math
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from ecr_lifecycle_guard.engine.jsontext import decode_text, loads_strict, read_bytes
from ecr_lifecycle_guard.engine.model import Image, ImageStatus
from ecr_lifecycle_guard.engine.view import shown, type_name
from ecr_lifecycle_guard.errors import ImagesInputError, InputFileError

__all__ = ["load_image", "load_images", "parse_timestamp"]

_STATUSES: Final = ("ACTIVE", "ARCHIVED", "ACTIVATING")
#: Optional string fields copied as they are, in :class:`Image` order.
_OPTIONAL_TEXTS: Final = ("subjectManifestDigest", "imageManifestMediaType", "artifactMediaType")
_MEDIA_TYPE: Final = "imageManifestMediaType"
_new_image: Final = partial(tuple.__new__, Image)  # Image._make without its Python-level length check
_from_iso: Final[Callable[[Any], datetime]] = datetime.fromisoformat
_IS_STR: Final = str.__instancecheck__
_STR_TYPE: Final = frozenset({str})
_OPTIONAL_TEXT_TYPES: Final = frozenset({str, type(None)})
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
        When the value is neither, is not finite, or lies outside years 1 to 9999 once in UTC (the
        message names ``field`` and the value found).

    Examples
    --------
    >>> parse_timestamp("2024-01-02T03:04:05.123456Z").isoformat()
    '2024-01-02T03:04:05.123456+00:00'
    >>> parse_timestamp(0).isoformat()
    '1970-01-01T00:00:00+00:00'
    >>> parse_timestamp(float("nan"), "imagePushedAt")
    Traceback (most recent call last):
    ...
    ValueError: imagePushedAt: epoch seconds must be a finite number, got NaN
    """
    try:
        return _timestamp(value, field)
    except _BadFieldError as exc:
        raise ValueError(f"{field}: {exc.detail}") from None


def _timestamp(value: Any, field: str) -> datetime:
    if type(value) is str:  # the AWS CLI's form, first: this runs for every timestamp of a repository
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _BadFieldError(field, f"must be an ISO-8601 timestamp or epoch seconds, got {shown(value)}") from None
        return parsed if parsed.tzinfo is UTC else _in_utc(parsed, field, value)
    if isinstance(value, datetime):  # boto3's describe_images returns datetimes
        return _in_utc(value, field, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise _BadFieldError(field, f"epoch seconds must be a finite number, got {shown(value)}")
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise _BadFieldError(field, f"epoch seconds out of range (years 1 to 9999), got {shown(value)}") from None
    if isinstance(value, str):  # a str subclass
        return _timestamp(str(value), field)
    raise _BadFieldError(field, f"must be an ISO-8601 timestamp or epoch seconds, got {type_name(value)}")


def _in_utc(moment: datetime, field: str, found: Any) -> datetime:
    """``moment`` in UTC (naive means UTC); a time that leaves years 1 to 9999 once in UTC is refused."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _BadFieldError(field, f"out of range once in UTC (years 1 to 9999), got {shown(found)}") from None


def load_image(item: Any) -> Image:
    """Read one describe-images entry (``imageDetails[i]``), checking every field.

    Raises
    ------
    ImagesInputError
        ``source`` ``"image"``; the detail names the field, what is allowed and the value found.

    Examples
    --------
    >>> load_image({"imageDigest": "sha256:a", "imageTags": ["v1"], "imagePushedAt": 0}).tags
    ('v1',)
    >>> load_image({"imageDigest": "sha256:a", "imagePushedAt": 0, "imageTags": [1]})
    Traceback (most recent call last):
    ...
    ecr_lifecycle_guard.errors.ImagesInputError: image: imageTags: must be an array of strings, got [1]
    """
    try:
        return _image(item)
    except _BadFieldError as exc:
        raise ImagesInputError("image", f"{exc.field + ': ' if exc.field else ''}{exc.detail}") from None


def _image(item: Any) -> Image:
    """One image; a cheap combined check first, :func:`_diagnose` names the field when it fails.

    This runs once per image (100,000 times for a full repository), so the common case — ISO-8601
    timestamps in UTC, as the AWS CLI prints them — is kept lean, and anything else takes
    :func:`_timestamp`, which also names a bad field.
    """
    if type(item) is not dict and not isinstance(item, Mapping):  # the ABC check only for non-dicts: it is slow
        raise _BadFieldError("", f"must be an object, got {type_name(item)}")
    get = item.get
    digest, tags, pushed = get("imageDigest"), get("imageTags") or (), get("imagePushedAt")
    status: ImageStatus = get("imageStatus") or "ACTIVE"
    subject, media_type, artifact_type = get("subjectManifestDigest"), get(_MEDIA_TYPE), get("artifactMediaType")
    if (
        type(digest) is not str
        or not digest
        or type(tags) not in _SEQUENCES
        or not all(map(_IS_STR, tags))
        or pushed is None
        or status not in _STATUSES  # a tuple: membership by equality, so an unhashable value is simply not in it
        or type(media_type) not in _OPTIONAL_TEXT_TYPES
        or type(artifact_type) not in _OPTIONAL_TEXT_TYPES
        or type(subject) not in _OPTIONAL_TEXT_TYPES
    ):
        _diagnose(digest, tags, pushed, status, [subject, media_type, artifact_type])
    pulled, archived, activated = get("lastRecordedPullTime"), get("lastArchivedAt"), get("lastActivatedAt")
    try:  # the common case: ISO-8601 text in UTC
        pushed_at = _from_iso(pushed)
        pulled_at = None if pulled is None else _from_iso(pulled)
        archived_at = None if archived is None else _from_iso(archived)
        activated_at = None if activated is None else _from_iso(activated)
        utc = (
            pushed_at.tzinfo is UTC
            and (pulled_at is None or pulled_at.tzinfo is UTC)
            and (archived_at is None or archived_at.tzinfo is UTC)
            and (activated_at is None or activated_at.tzinfo is UTC)
        )
    except (TypeError, ValueError):
        utc = False
    if not utc:  # epoch seconds, datetimes, other offsets, or a bad value (named by _timestamp)
        pushed_at = _timestamp(pushed, "imagePushedAt")
        pulled_at = None if pulled is None else _timestamp(pulled, "lastRecordedPullTime")
        archived_at = None if archived is None else _timestamp(archived, "lastArchivedAt")
        activated_at = None if activated is None else _timestamp(activated, "lastActivatedAt")
    return _new_image(
        (
            digest,
            tuple(tags),
            pushed_at,
            pulled_at,
            status,
            archived_at,
            activated_at,
            subject,
            media_type,
            artifact_type,
        )
    )


def _diagnose(digest: Any, tags: Any, pushed: Any, status: Any, texts: list[Any]) -> None:
    """Raise for the first invalid field among those :func:`_image` checks together."""
    if not isinstance(digest, str) or not digest:
        raise _BadFieldError("imageDigest", f"must be a non-empty string, got {shown(digest)}")
    if not isinstance(tags, list | tuple) or not all(isinstance(tag, str) for tag in tags):
        raise _BadFieldError("imageTags", f"must be an array of strings, got {shown(tags)}")
    if pushed is None:
        raise _BadFieldError("imagePushedAt", "required field is missing")
    if not isinstance(status, str) or status not in _STATUSES:
        raise _BadFieldError("imageStatus", f"must be one of {', '.join(_STATUSES)}, got {shown(status)}")
    for key, value in zip(_OPTIONAL_TEXTS, texts, strict=True):
        if value is not None and not isinstance(value, str):
            raise _BadFieldError(key, f"must be a string, got {type_name(value)}")


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
        for duplicate digests and unreadable files (too large, binary, not UTF-8, not strict JSON).

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
        data = _read_file(data, source)
    items = data.get("imageDetails") if isinstance(data, Mapping) else data
    if not isinstance(items, list | tuple):
        raise ImagesInputError(
            source, f'must be describe-images output ({{"imageDetails": [...]}}) or a list, got {type_name(data)}'
        )
    try:
        images = list(map(_image, items))
    except _BadFieldError as exc:
        position, item = next((n, item) for n, item in enumerate(items, start=1) if not _readable(item))
        digest = item.get("imageDigest") if isinstance(item, Mapping) else None
        where = f"image {position}" + (f" ({_digest_text(digest)})" if isinstance(digest, str) else "")
        raise ImagesInputError(source, f"{where}: {exc.field + ': ' if exc.field else ''}{exc.detail}") from None
    if len({image.digest for image in images}) != len(images):
        _raise_duplicate(images, source)
    return images


def _readable(item: Any) -> bool:
    try:
        _image(item)
    except _BadFieldError:
        return False
    return True


def _digest_text(digest: str) -> str:
    """A digest as messages show it: as is when printable and of a sane length."""
    return digest if digest.isprintable() and len(digest) <= 100 else shown(digest)


def _read_file(path: os.PathLike[str], source: str) -> Any:
    try:
        return loads_strict(decode_text(read_bytes(path, source=source), source=source), source=source)
    except OSError as exc:
        raise ImagesInputError(source, f"cannot read the file: {exc.strerror or exc}") from None
    except InputFileError as exc:
        raise ImagesInputError(source, exc.detail) from None


def _raise_duplicate(images: list[Image], source: str) -> None:
    seen: dict[str, int] = {}
    for position, image in enumerate(images, start=1):
        first = seen.setdefault(image.digest, position)
        if first != position:
            raise ImagesInputError(
                source, f"image {position} ({image.digest}): imageDigest: duplicate of image {first}"
            )
