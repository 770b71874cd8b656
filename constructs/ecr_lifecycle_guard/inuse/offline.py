"""In-use images without AWS calls: references from files, resolved against ``describe-images`` output.

The command line's ``evaluate`` is offline: workloads come only from files (``--in-use-from``), and a
tag reference is resolved to the digest it points to in the very images being evaluated. Region
matching is conservative: when the region of the images is not known, a reference naming the
repository in any region counts as in use (it can only block more, never less).

Examples
--------
>>> from datetime import UTC, datetime
>>> from ecr_lifecycle_guard.engine import Image
>>> images = [Image("sha256:aa", ("v1",), datetime(2026, 1, 1, tzinfo=UTC))]
>>> pod = Workload("Kubernetes pod", "web/api-7d9f", "container api")
>>> report = report_from_references(
...     [("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1", pod)], images,
...     registry_id="123456789012", region=None, repository="app")
>>> [str(w) for w in report.workloads_of("sha256:aa")]
['Kubernetes pod web/api-7d9f (container api)']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ecr_lifecycle_guard.inuse.model import ImageReference, InUseReport, Workload

__all__ = ["report_from_references"]


class _ImageLike(Protocol):
    @property
    def digest(self) -> str: ...

    @property
    def tags(self) -> tuple[str, ...]: ...


def report_from_references(
    references: Sequence[tuple[str, Workload]],
    images: Sequence[_ImageLike],
    *,
    registry_id: str | None,
    region: str | None,
    repository: str,
) -> InUseReport:
    """The in-use report of ``images`` for the workloads of ``references``.

    Parameters
    ----------
    references
        ``(image reference text, workload)`` pairs (:func:`~ecr_lifecycle_guard.inuse.references_from_file`).
    images
        The repository's images (digest and tags).
    registry_id, region, repository
        The repository the images belong to; ``None`` matches any registry or region.
    """
    by_tag = {tag: image.digest for image in images for tag in image.tags}
    digests = {image.digest for image in images}
    used: dict[str, list[Workload]] = {}
    unresolved: dict[str, list[Workload]] = {}
    for text, workload in references:
        reference = ImageReference.parse(text)
        if reference is None or reference.repository != repository:
            continue
        if registry_id and reference.registry_id and reference.registry_id != registry_id:
            continue
        if region and reference.region and reference.region != region:
            continue
        digest = reference.digest if reference.digest in digests else None
        if digest is None and reference.tag is not None:
            digest = by_tag.get(reference.tag)
        if digest is not None:
            used.setdefault(digest, []).append(workload)
        elif reference.tag is not None:
            unresolved.setdefault(reference.tag, []).append(workload)
    return InUseReport(
        images={digest: tuple(found) for digest, found in used.items()},
        failures=(),
        unresolved={tag: tuple(found) for tag, found in unresolved.items()},
    )
