"""ImageReference: which texts are references to a private ECR repository, and to which one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.inuse import ImageReference, RepositoryRef

DIGEST = "sha256:" + "0123456789abcdef" * 4
HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
REPO = RepositoryRef("123456789012", "eu-west-1", "team/app")

REGISTRIES = st.from_regex(r"\A[0-9]{12}\Z")
REGIONS = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "il-central-1"])
COMPONENTS = st.from_regex(r"\A[a-z0-9]+(?:[._-][a-z0-9]+)*\Z").filter(lambda c: len(c) <= 30)
NAMES = st.lists(COMPONENTS, min_size=1, max_size=3).map("/".join).filter(lambda n: 2 <= len(n) <= 256)
TAGS = st.none() | st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
DIGESTS = st.none() | st.from_regex(r"\A[0-9a-f]{64}\Z").map(lambda h: f"sha256:{h}")
REFERENCES = st.builds(ImageReference, REGISTRIES, REGIONS, NAMES, TAGS, DIGESTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{HOST}/team/app:v1", ("123456789012", "eu-west-1", "team/app", "v1", None)),
        (f"{HOST}/team/app@{DIGEST}", ("123456789012", "eu-west-1", "team/app", None, DIGEST)),
        (f"{HOST}/team/app:v1@{DIGEST}", ("123456789012", "eu-west-1", "team/app", "v1", DIGEST)),
        (f"{HOST}/team/app", ("123456789012", "eu-west-1", "team/app", None, None)),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1.0",
            ("123456789012", "cn-north-1", "app", "1.0", None),
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a/b:x",
            ("123456789012", "us-gov-west-1", "a/b", "x", None),
        ),
        ("123456789012.dkr-ecr.eu-west-1.on.aws/team/app:v1", ("123456789012", "eu-west-1", "team/app", "v1", None)),
        ("123456789012.dkr-ecr-fips.us-east-1.on.aws/app:v1", ("123456789012", "us-east-1", "app", "v1", None)),
        (f"docker-pullable://{HOST}/team/app@{DIGEST}", ("123456789012", "eu-west-1", "team/app", None, DIGEST)),
        (
            f"  {HOST}/pull-through/docker-hub/library/nginx:1.27 ",
            ("123456789012", "eu-west-1", "pull-through/docker-hub/library/nginx", "1.27", None),
        ),
    ],
)
def test_ecr_references_are_parsed_into_registry_region_name_tag_and_digest(
    text: str, expected: tuple[str, str, str, str | None, str | None]
) -> None:
    # when
    ref = ImageReference.parse(text)
    # then
    assert ref is not None
    assert (ref.registry_id, ref.region, ref.repository, ref.tag, ref.digest) == expected


@pytest.mark.parametrize(
    "text",
    [
        "nginx:1.27",
        "docker.io/library/nginx:1.27",
        "public.ecr.aws/nginx/nginx:latest",
        "ghcr.io/org/app@" + DIGEST,
        "localhost:5000/app:v1",
        f"{HOST}",
        f"{HOST}/",
        f"{HOST}/Team/App:v1",
        f"{HOST}/team/app:bad tag",
        f"{HOST}/team/app:-v1",
        f"{HOST}/team/app@sha256:xyz",
        "12345678901.dkr.ecr.eu-west-1.amazonaws.com/app:v1",
        "123456789012.dkr.ecr.eu-west-1.example.com/app:v1",
        "",
    ],
)
def test_references_to_other_registries_or_malformed_ones_are_not_ecr_references(text: str) -> None:
    # when / then
    assert ImageReference.parse(text) is None


@pytest.mark.parametrize(
    ("text", "names_it"),
    [
        (f"{HOST}/team/app:v1", True),
        (f"{HOST}/team/app@{DIGEST}", True),
        ("123456789012.dkr-ecr.eu-west-1.on.aws/team/app:v1", True),
        (f"{HOST}/team/app-old:v1", False),
        (f"{HOST}/app:v1", False),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1", False),
        ("210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1", False),
    ],
)
def test_a_reference_names_the_repository_only_when_registry_region_and_name_all_match(
    text: str, names_it: bool
) -> None:
    # given
    ref = ImageReference.parse(text)
    # then
    assert ref is not None
    assert ref.names(REPO) is names_it


def test_a_reference_built_without_registry_names_no_repository() -> None:
    # given
    ref = ImageReference(registry_id=None, region=None, repository="team/app", tag="v1", digest=None)
    # then
    assert ref.names(REPO) is False
    assert str(ref) == "team/app:v1"


def test_pinning_a_digest_drops_the_tag() -> None:
    # given
    ref = ImageReference.parse(f"{HOST}/team/app:v1")
    assert ref is not None
    # when
    pinned = ref.pinned(DIGEST)
    # then
    assert str(pinned) == f"{HOST}/team/app@{DIGEST}"


@given(REFERENCES)
def test_rendering_then_parsing_gives_the_same_reference(ref: ImageReference) -> None:
    # when
    again = ImageReference.parse(str(ref))
    # then
    assert again == ref


@given(REFERENCES, REGISTRIES, REGIONS, NAMES)
def test_a_reference_names_exactly_the_repository_it_was_built_for(
    ref: ImageReference, registry: str, region: str, name: str
) -> None:
    # given
    other = RepositoryRef(registry, region, name)
    own = RepositoryRef(str(ref.registry_id), str(ref.region), ref.repository)
    # then
    assert ref.names(own)
    assert ref.names(other) is (other == own)
