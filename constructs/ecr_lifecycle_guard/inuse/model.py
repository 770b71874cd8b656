"""What in-use discovery finds: the guarded repository, workloads, image references and the report.

Standard library only (the Lambda asset ships this package). Frozen dataclasses, so results can be
shared between threads and compared in tests.

Examples
--------
>>> repo = RepositoryRef(registry_id="123456789012", region="eu-west-1", name="team/app")
>>> ref = ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1")
>>> ref.tag, ref.names(repo)
('v1', True)
>>> ImageReference.parse("docker.io/library/nginx:1.27") is None
True
>>> str(Workload("ECS service", "prod/api", "task definition api:42"))
'ECS service prod/api (task definition api:42)'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

__all__ = [
    "DEADLINE_EXCEEDED",
    "ImageReference",
    "InUseReport",
    "RepositoryRef",
    "SourceFailure",
    "Workload",
]

#: ``SourceFailure.code`` of a source that was not finished when the deadline came.
DEADLINE_EXCEEDED: Final = "DeadlineExceeded"

#: Prefixes container runtimes put before an image ID (``kubectl`` shows them in ``imageID``).
_SCHEMES: Final = ("docker-pullable://", "docker://")
#: ``<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`` and the dual-stack
#: ``<account>.dkr-ecr[-fips].<region>.on.aws`` forms (also the isolated partitions' domains).
_ECR_HOST: Final = re.compile(
    r"(?P<registry>\d{12})\.dkr[.-]ecr(?:-fips)?\."
    r"(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\."
    r"(?:amazonaws\.com(?:\.cn)?|on\.aws|on\.amazonwebservices\.com\.cn|api\.aws"
    r"|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)"
)
#: ECR repository names: lowercase components separated by ``/`` (``[a-z0-9]+(?:[._-][a-z0-9]+)*``).
_REPOSITORY: Final = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*")
_TAG: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST: Final = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}")
_DOMAINS: Final = {"cn": "amazonaws.com.cn"}


@dataclass(frozen=True)
class RepositoryRef:
    """The guarded repository: the registry (account), its region and the repository name.

    Examples
    --------
    >>> RepositoryRef("123456789012", "us-east-1", "app").uri
    '123456789012.dkr.ecr.us-east-1.amazonaws.com/app'
    """

    registry_id: str
    region: str
    name: str

    @property
    def uri(self) -> str:
        """The repository's URI, as ``docker pull`` and task definitions write it."""
        return f"{_registry_host(self.registry_id, self.region)}/{self.name}"


@dataclass(frozen=True)
class Workload:
    """Something that runs (or will run) an image.

    Parameters
    ----------
    kind
        ``ECS service``, ``ECS task``, ``Lambda function``, ``Batch job definition``, ``Kubernetes pod``
        or ``listed`` (a reference from a file).
    name
        Which one: ``prod/api`` (cluster/service), ``api-fn:live`` (function:alias), ``jobdef:3``.
    detail
        What of it: ``task definition api:42``, ``version 7``, ``container web``.
    account, region
        Where it was found (empty for references from a file).

    Examples
    --------
    >>> str(Workload("Lambda function", "api-fn:live", "version 7", account="111111111111"))
    'Lambda function api-fn:live (version 7)'
    """

    kind: str
    name: str
    detail: str = ""
    account: str = ""
    region: str = ""

    def __str__(self) -> str:
        text = f"{self.kind} {self.name}"
        return f"{text} ({self.detail})" if self.detail else text

    def as_log(self) -> dict[str, str]:
        """The workload as a JSON-ready dict (empty fields left out)."""
        fields = {"kind": self.kind, "name": self.name, "detail": self.detail}
        fields.update(account=self.account, region=self.region)
        return {key: value for key, value in fields.items() if value}


@dataclass(frozen=True)
class ImageReference:
    """One image reference found in a workload, parsed.

    ``registry_id`` and ``region`` are ``None`` only for references built by hand; :meth:`parse`
    returns ``None`` for every reference that is not to a private ECR registry.

    Examples
    --------
    >>> ref = ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1@sha256:" + "a" * 64)
    >>> ref.repository, ref.tag, ref.digest == "sha256:" + "a" * 64
    ('app', 'v1', True)
    >>> str(ref.pinned("sha256:" + "b" * 64))[-20:]
    'bbbbbbbbbbbbbbbbbbbb'
    """

    registry_id: str | None
    region: str | None
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageReference | None:
        """Parse ``text``; ``None`` when it is not a reference to a private ECR repository.

        Accepts ``<host>/<name>``, ``<host>/<name>:<tag>``, ``<host>/<name>@<digest>`` and
        ``<host>/<name>:<tag>@<digest>`` for every ECR registry host (standard, ``.amazonaws.com.cn``,
        ``ecr-fips``, dual-stack ``dkr-ecr.<region>.on.aws``), with or without a runtime prefix such
        as ``docker-pullable://``. Docker Hub, ``public.ecr.aws`` and malformed references give ``None``.

        Examples
        --------
        >>> ImageReference.parse("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a/b:1").region
        'us-gov-west-1'
        >>> ImageReference.parse("123456789012.dkr-ecr.eu-west-1.on.aws/app:v1").registry_id
        '123456789012'
        >>> ImageReference.parse("public.ecr.aws/nginx/nginx:latest") is None
        True
        """
        if not isinstance(text, str):
            return None
        rest = text.strip()
        for scheme in _SCHEMES:
            if rest.startswith(scheme):
                rest = rest[len(scheme) :]
        host, slash, path = rest.partition("/")
        match = _ECR_HOST.fullmatch(host)
        if not slash or match is None:
            return None
        path, at, digest = path.partition("@")
        if at and _DIGEST.fullmatch(digest) is None:
            return None
        name, colon, tag = path.rpartition(":") if ":" in path else (path, "", "")
        if (colon and _TAG.fullmatch(tag) is None) or _REPOSITORY.fullmatch(name) is None or len(name) > 256:
            return None
        return cls(match["registry"], match["region"], name, tag or None, digest or None)

    def names(self, repo: RepositoryRef) -> bool:
        """Whether this reference is to ``repo``: same registry, region and repository name.

        Examples
        --------
        >>> ref = ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1")
        >>> ref.names(RepositoryRef("123456789012", "us-east-1", "app"))
        True
        >>> ref.names(RepositoryRef("123456789012", "us-west-2", "app"))
        False
        """
        return self.registry_id == repo.registry_id and self.region == repo.region and self.repository == repo.name

    def pinned(self, digest: str) -> ImageReference:
        """The same repository, by ``digest`` (no tag): what a task that pinned the digest runs."""
        return replace(self, tag=None, digest=digest)

    def __str__(self) -> str:
        text = self.repository
        if self.registry_id is not None and self.region is not None:
            text = f"{_registry_host(self.registry_id, self.region)}/{text}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


@dataclass(frozen=True)
class SourceFailure:
    """A source that could not be listed (completely): it may hide workloads, so the gate blocks.

    Examples
    --------
    >>> str(SourceFailure("ECS services", "123456789012", "us-east-1", "AccessDeniedException", "not authorized"))
    'cannot list ECS services in 123456789012/us-east-1: AccessDeniedException'
    >>> role = "arn:aws:iam::111111111111:role/r"
    >>> str(SourceFailure(f"assume role {role}", "111111111111", "us-east-1", "AccessDenied", ""))
    'cannot assume role arn:aws:iam::111111111111:role/r in 111111111111/us-east-1: AccessDenied'
    """

    source: str
    account: str
    region: str
    code: str
    message: str

    def __str__(self) -> str:
        verb = "" if self.source.startswith("assume role") else "list "
        return f"cannot {verb}{self.source} in {self.account}/{self.region}: {self.code}"

    def as_log(self) -> dict[str, str]:
        """The failure as a JSON-ready dict."""
        return {
            "source": self.source,
            "account": self.account,
            "region": self.region,
            "code": self.code,
            "message": self.message,
        }


def _frozen(mapping: Mapping[str, tuple[Workload, ...]]) -> Mapping[str, tuple[Workload, ...]]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class InUseReport:
    """Which images of the guarded repository workloads use, and what could not be looked at.

    Parameters
    ----------
    images
        Image digest -> the workloads using it (tag references resolved to the digest they name now).
    failures
        Sources that could not be listed, or not completely before the deadline.
    unresolved
        Tag -> the workloads referencing it, for tags that name no image in the repository now.
    seconds
        How long discovery took.

    Examples
    --------
    >>> api = Workload("ECS service", "prod/api", "task definition api:42")
    >>> report = InUseReport(images={"sha256:aa": (api,)}, failures=())
    >>> [str(w) for w in report.workloads_of("sha256:aa")], report.workloads_of("sha256:bb")
    (['ECS service prod/api (task definition api:42)'], ())
    >>> report.as_log()["images"]
    [{'digest': 'sha256:aa', 'workloads': ['ECS service prod/api (task definition api:42)'], 'count': 1}]
    """

    images: Mapping[str, tuple[Workload, ...]]
    failures: tuple[SourceFailure, ...]
    unresolved: Mapping[str, tuple[Workload, ...]] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "images", _frozen(self.images))
        object.__setattr__(self, "unresolved", _frozen(self.unresolved))
        object.__setattr__(self, "failures", tuple(self.failures))

    def workloads_of(self, digest: str) -> tuple[Workload, ...]:
        """The workloads using the image ``digest`` (empty when none does)."""
        return self.images.get(digest, ())

    @property
    def complete(self) -> bool:
        """Whether every source was listed completely (no failures)."""
        return not self.failures

    def as_log(self, *, sample_size: int = 20) -> dict[str, Any]:
        """The report as one JSON-ready dict for the log; at most ``sample_size`` workloads per image."""
        return {
            "images": _entries("digest", self.images, sample_size),
            "unresolved": _entries("tag", self.unresolved, sample_size),
            "failures": [failure.as_log() for failure in self.failures],
            "seconds": round(self.seconds, 3),
        }


def _entries(key: str, mapping: Mapping[str, tuple[Workload, ...]], sample_size: int) -> list[dict[str, Any]]:
    return [
        {key: name, "workloads": [str(w) for w in workloads[:sample_size]], "count": len(workloads)}
        for name, workloads in mapping.items()
    ]


def _registry_host(registry_id: str, region: str) -> str:
    domain = _DOMAINS.get(region.split("-", 1)[0], "amazonaws.com")
    return f"{registry_id}.dkr.ecr.{region}.{domain}"
