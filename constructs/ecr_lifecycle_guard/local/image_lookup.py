"""Find the stand-in's (moto's) ECR image an image reference names, in whichever account and region.

Used where AWS resolves an image when a workload starts: ECS pins a task's ``imageDigest``, Lambda
resolves ``ImageUri`` to ``ResolvedImageUri``. A reference without tag or digest means ``latest``,
as for ``docker pull``.

Examples
--------
>>> resolve_image("docker.io/library/nginx:1.27") is None
True
>>> repository_part("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1@sha256:" + "a" * 64)
'123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app'
"""

from __future__ import annotations

from typing import Any

from moto.ecr.models import ecr_backends

from ecr_lifecycle_guard.inuse.model import ImageReference

__all__ = ["repository_part", "resolve_image"]


def repository_part(uri: str) -> str:
    """``uri`` without its tag and digest."""
    base = uri.split("@", 1)[0]
    host, slash, path = base.rpartition("/")
    return f"{host}{slash}{path.split(':', 1)[0]}"


def resolve_image(uri: str) -> Any | None:
    """moto's image object that ``uri`` names now, or ``None`` (not ECR, no such repository or image)."""
    ref = ImageReference.parse(uri)
    if ref is None or ref.registry_id is None or ref.region is None:
        return None
    if ref.registry_id not in ecr_backends or ref.region not in ecr_backends[ref.registry_id]:
        return None
    repository = ecr_backends[ref.registry_id][ref.region].repositories.get(ref.repository)
    if repository is None:
        return None
    for image in repository.images:
        if ref.digest is not None:
            if image.image_digest == ref.digest:
                return image
        elif (ref.tag or "latest") in (image.image_tags or []):
            return image
    return None
