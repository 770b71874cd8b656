"""The stand-in's ECR state beyond moto: image extras and the lifecycle-policy preview per repository.

moto keeps repositories and images; this module adds what moto lacks, on top of moto's own objects:

* image extras (``imageStatus``, ``lastRecordedPullTime``, ``lastArchivedAt``, ``lastActivatedAt``),
  stored as snake_case attributes on moto's ``Image`` so moto's serializer renders them;
* :class:`PreviewBackend`: ECR's asynchronous preview, one per repository, answered by the project's
  policy engine from the images present when the preview started (spec §4).

Examples
--------
>>> backend = PreviewBackend(latency=0.0)
>>> backend.latency_for("app")
0.0
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from ecr_lifecycle_guard.engine import Image, Policy, evaluate, parse_policy
from ecr_lifecycle_guard.errors import PolicyValidationError
from ecr_lifecycle_guard.local.exceptions import (
    LifecyclePolicyNotFoundException,
    LifecyclePolicyPreviewInProgressException,
    LifecyclePolicyPreviewNotFoundException,
    invalid_parameter,
    invalid_policy,
)

__all__ = [
    "IMAGE_STATUS_FILTERS",
    "MAX_PREVIEW_PAGE",
    "PreviewBackend",
    "PreviewOutcome",
    "engine_image",
    "image_status",
    "parsed_policy",
]

PreviewOutcome = Literal["COMPLETE", "FAILED", "EXPIRED", "NEVER"]
_Ending = Literal["COMPLETE", "FAILED", "EXPIRED"]

#: ``maxResults`` bounds of GetLifecyclePolicyPreview (botocore model ``LifecyclePreviewMaxResults``).
MAX_PREVIEW_PAGE: Final = 100
#: ``filter.imageStatus`` values DescribeImages accepts (``ImageStatusFilter``).
IMAGE_STATUS_FILTERS: Final = frozenset({"ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"})
_TAG_STATUS_FILTERS: Final = frozenset({"TAGGED", "UNTAGGED", "ANY"})


def _aware(value: datetime | float | None) -> datetime | None:
    """moto stores push times as epoch seconds; seeded extras are datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(value, UTC)


def image_status(moto_image: Any) -> str:
    """Return the ``imageStatus`` of a moto image (``ACTIVE`` unless the stand-in seeded another)."""
    return str(getattr(moto_image, "image_status", "ACTIVE"))


def engine_image(moto_image: Any) -> Image:
    """Convert one of moto's ECR images (plus the stand-in's extras) into the engine's :class:`Image`.

    Examples
    --------
    >>> class Pushed:  # the attributes moto's Image has
    ...     image_digest, image_tags, image_pushed_at, image_manifest_media_type = "sha256:ab", ["v1"], 0, None
    >>> engine_image(Pushed()).pushed_at.isoformat()
    '1970-01-01T00:00:00+00:00'
    """
    pushed_at = _aware(moto_image.image_pushed_at)
    assert pushed_at is not None  # moto sets it on every put_image
    return Image(
        digest=moto_image.image_digest,
        tags=tuple(moto_image.image_tags),
        pushed_at=pushed_at,
        last_pulled_at=_aware(getattr(moto_image, "last_recorded_pull_time", None)),
        status=getattr(moto_image, "image_status", "ACTIVE"),
        last_archived_at=_aware(getattr(moto_image, "last_archived_at", None)),
        last_activated_at=_aware(getattr(moto_image, "last_activated_at", None)),
        media_type=moto_image.image_manifest_media_type,
    )


def parsed_policy(text: str) -> Policy:
    """Parse ``text`` with the project's engine; a policy ECR would reject raises InvalidParameterException.

    Examples
    --------
    >>> parsed_policy("{}")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    moto.ecr.exceptions.InvalidParameterException: ...
    """
    try:
        return parse_policy(text)
    except PolicyValidationError as error:
        raise invalid_policy(error.issues) from None


@dataclass
class _Preview:
    """The latest preview of one repository: ``IN_PROGRESS`` until ``ready_at``, then its outcome."""

    policy_text: str
    ready_at: float | None  # None: never finishes
    outcome: _Ending
    results: tuple[dict[str, Any], ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)

    def status(self, now: float) -> str:
        if self.ready_at is None or now < self.ready_at:
            return "IN_PROGRESS"
        return self.outcome


def _filtered(
    results: Iterable[dict[str, Any]], tag_status: str, image_ids: Sequence[Mapping[str, str]] | None
) -> list[dict[str, Any]]:
    if tag_status not in _TAG_STATUS_FILTERS:
        raise invalid_parameter(
            "filter.tagStatus", f"Member must satisfy enum value set: {sorted(_TAG_STATUS_FILTERS)}"
        )
    kept = []
    for result in results:
        tags = result.get("imageTags") or []
        if (tag_status == "TAGGED" and not tags) or (tag_status == "UNTAGGED" and tags):
            continue
        if image_ids is not None and not any(
            ident.get("imageDigest") == result["imageDigest"] or ident.get("imageTag") in tags for ident in image_ids
        ):
            continue
        kept.append(result)
    return kept


def _decode_token(token: str | None) -> int:
    if token is None:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_parameter("nextToken", "Invalid pagination token") from None


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


class PreviewBackend:
    """Lifecycle-policy previews of every repository, with their latency and injected outcomes.

    Thread-safe: moto's server answers each request on its own thread.

    Parameters
    ----------
    latency
        Seconds a preview stays ``IN_PROGRESS`` before it completes (unless a repository overrides it).
    clock
        Monotonic seconds; injectable for tests of the state machine.

    Examples
    --------
    >>> previews = PreviewBackend(latency=0.5)
    >>> previews.set_latency(0.0, repository="fast")
    >>> previews.latency_for("fast"), previews.latency_for("other")
    (0.0, 0.5)
    """

    def __init__(self, *, latency: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._latency = latency
        self._clock = clock
        self._lock = threading.Lock()
        self._repository_latency: dict[str, float] = {}
        self._outcomes: dict[str, deque[PreviewOutcome]] = {}
        self._previews: dict[str, _Preview] = {}

    def latency_for(self, repository: str) -> float:
        """Seconds the next preview of ``repository`` stays ``IN_PROGRESS``."""
        return self._repository_latency.get(repository, self._latency)  # one dict read: atomic

    def set_latency(self, seconds: float, *, repository: str | None = None) -> None:
        """Set the preview latency of one repository, or (``repository`` None) of every repository.

        Without a repository the latency becomes the same for all: latencies set per repository are dropped.
        """
        with self._lock:
            if repository is None:
                self._latency = seconds
                self._repository_latency.clear()
            else:
                self._repository_latency[repository] = seconds

    def queue_outcomes(self, repository: str, outcome: PreviewOutcome, times: int) -> None:
        """Make the next ``times`` previews of ``repository`` end with ``outcome`` (``NEVER``: never end)."""
        with self._lock:
            self._outcomes.setdefault(repository, deque()).extend([outcome] * times)

    def start(self, repo: Any, policy_text: str | None, *, hold_seconds: float | None = None) -> dict[str, Any]:
        """StartLifecyclePolicyPreview on moto's repository ``repo``.

        ``hold_seconds`` replaces the latency and ignores queued outcomes: it installs a competing
        preview that completes normally (used by fault injection).
        """
        text = policy_text if policy_text is not None else repo.lifecycle_policy
        if not text:
            raise LifecyclePolicyNotFoundException(repo.name, repo.registry_id)
        policy = parsed_policy(text)
        now = self._clock()
        with self._lock:
            current = self._previews.get(repo.arn)
            if current is not None and current.status(now) == "IN_PROGRESS":
                raise LifecyclePolicyPreviewInProgressException(repo.name, repo.registry_id)
            delay, outcome = self._next(repo.name, hold_seconds)
            preview = _Preview(policy_text=text, ready_at=None if delay is None else now + delay, outcome=outcome)
            if outcome == "COMPLETE":
                images = [engine_image(image) for image in repo.images]
                shape = evaluate(policy, images, datetime.now(UTC)).to_preview(timestamps="epoch")
                preview.results, preview.summary = tuple(shape["previewResults"]), shape["summary"]
            self._previews[repo.arn] = preview
        return {
            "registryId": repo.registry_id,
            "repositoryName": repo.name,
            "lifecyclePolicyText": text,
            "status": "IN_PROGRESS",
        }

    def get(
        self,
        repo: Any,
        *,
        image_ids: Sequence[Mapping[str, str]] | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
        tag_status: str = "ANY",
    ) -> dict[str, Any]:
        """GetLifecyclePolicyPreview on moto's repository ``repo``: status, one page of results, summary."""
        if image_ids is not None and (next_token is not None or max_results is not None):
            raise invalid_parameter("imageIds", "Cannot specify imageIds together with nextToken or maxResults")
        page_size = MAX_PREVIEW_PAGE if max_results is None else max_results
        if not 1 <= page_size <= MAX_PREVIEW_PAGE:
            raise invalid_parameter("maxResults", f"Member must have value between 1 and {MAX_PREVIEW_PAGE}")
        offset = _decode_token(next_token)
        with self._lock:
            preview = self._previews.get(repo.arn)
        if preview is None:
            raise LifecyclePolicyPreviewNotFoundException(repo.name, repo.registry_id)
        status = preview.status(self._clock())
        answer: dict[str, Any] = {
            "registryId": repo.registry_id,
            "repositoryName": repo.name,
            "lifecyclePolicyText": preview.policy_text,
            "status": status,
            "previewResults": [],
        }
        if status != "COMPLETE":
            return answer
        results = _filtered(preview.results, tag_status, image_ids)
        answer["previewResults"] = results[offset : offset + page_size]
        answer["summary"] = preview.summary
        if offset + page_size < len(results):
            answer["nextToken"] = _encode_token(offset + page_size)
        return answer

    def _next(self, repository: str, hold_seconds: float | None) -> tuple[float | None, _Ending]:
        """Delay until the next preview ends (None: never) and how it ends; consumes a queued outcome."""
        if hold_seconds is not None:
            return hold_seconds, "COMPLETE"
        queued = self._outcomes.get(repository)
        outcome: PreviewOutcome = queued.popleft() if queued else "COMPLETE"
        if outcome == "NEVER":
            return None, "COMPLETE"
        return self.latency_for(repository), outcome
