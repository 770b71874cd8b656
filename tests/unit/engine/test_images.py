"""Loading describe-images output: shapes, timestamp formats, defaults and error messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.engine import Image, load_images, parse_timestamp
from ecr_lifecycle_guard.engine.images import load_image
from ecr_lifecycle_guard.errors import ImagesInputError

DETAIL = {"imageDigest": "sha256:aa", "imageTags": ["v1"], "imagePushedAt": "2024-05-01T10:00:00+02:00"}


def test_describe_images_output_and_bare_list_load_the_same() -> None:
    assert load_images({"imageDetails": [DETAIL]}) == load_images([DETAIL])


def test_all_fields_are_read() -> None:
    # given
    detail = {
        **DETAIL,
        "imageStatus": "ARCHIVED",
        "lastRecordedPullTime": 1714557600,
        "lastArchivedAt": "2024-06-01T00:00:00Z",
        "lastActivatedAt": 1717200000.5,
        "subjectManifestDigest": "sha256:subject",
        "imageManifestMediaType": "application/vnd.oci.image.index.v1+json",
        "artifactMediaType": "application/vnd.example",
    }
    # when
    (loaded,) = load_images([detail])
    # then
    assert loaded == Image(
        digest="sha256:aa",
        tags=("v1",),
        pushed_at=datetime(2024, 5, 1, 8, tzinfo=UTC),
        last_pulled_at=datetime(2024, 5, 1, 10, tzinfo=UTC),
        status="ARCHIVED",
        last_archived_at=datetime(2024, 6, 1, tzinfo=UTC),
        last_activated_at=datetime(2024, 6, 1, 0, 0, 0, 500000, tzinfo=UTC),
        subject_manifest_digest="sha256:subject",
        media_type="application/vnd.oci.image.index.v1+json",
        artifact_media_type="application/vnd.example",
    )
    assert loaded.is_index
    assert loaded.storage_class == "archive"


def test_missing_status_means_active_and_missing_tags_mean_untagged() -> None:
    (loaded,) = load_images([{"imageDigest": "sha256:bb", "imagePushedAt": 0}])
    assert (loaded.status, loaded.tags, loaded.storage_class) == ("ACTIVE", (), "standard")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789+00:00", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2019-10-28T09:55:50-07:00", datetime(2019, 10, 28, 16, 55, 50, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (1704164645, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (1704164645.25, datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)),
        (datetime(2024, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1))), datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_timestamps_as_the_aws_cli_prints_them_epoch_seconds_or_boto3_datetimes(text: Any, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ({"images": []}, 'images: must be describe-images output ({"imageDetails": [...]}) or a list, got object'),
        ([5], "images: image 1: must be an object, got number"),
        ([{"imagePushedAt": 0}], "images: image 1: imageDigest: must be a non-empty string, got null"),
        ([{"imageDigest": "sha256:a"}], "images: image 1 (sha256:a): imagePushedAt: required field is missing"),
        (
            [{"imageDigest": "sha256:a", "imagePushedAt": "yesterday"}],
            "images: image 1 (sha256:a): imagePushedAt: must be an ISO-8601 timestamp or epoch seconds, "
            'got "yesterday"',
        ),
        (
            [{"imageDigest": "sha256:a", "imagePushedAt": True}],
            "images: image 1 (sha256:a): imagePushedAt: must be an ISO-8601 timestamp or epoch seconds, got boolean",
        ),
        (
            [{"imageDigest": "sha256:a", "imagePushedAt": 0, "imageTags": "v1"}],
            'images: image 1 (sha256:a): imageTags: must be an array of strings, got "v1"',
        ),
        (
            [{"imageDigest": "sha256:a", "imagePushedAt": 0, "imageStatus": "DELETED"}],
            'images: image 1 (sha256:a): imageStatus: must be one of ACTIVE, ARCHIVED, ACTIVATING, got "DELETED"',
        ),
        (
            [{"imageDigest": "sha256:a", "imagePushedAt": 0, "lastRecordedPullTime": "soon"}],
            "images: image 1 (sha256:a): lastRecordedPullTime: must be an ISO-8601 timestamp or epoch seconds, "
            'got "soon"',
        ),
        (
            [{"imageDigest": "sha256:a", "imagePushedAt": 0}, {"imageDigest": "sha256:a", "imagePushedAt": 1}],
            "images: image 2 (sha256:a): imageDigest: duplicate of image 1",
        ),
    ],
)
def test_bad_input_names_source_image_field_and_value(items: Any, message: str) -> None:
    with pytest.raises(ImagesInputError) as caught:
        load_images(items)
    assert str(caught.value) == message


def test_error_names_the_given_source() -> None:
    with pytest.raises(ImagesInputError) as caught:
        load_images([{}], source="repo.json")
    assert caught.value.source == "repo.json"


# --- robust input: every bad value names the image and the field ---------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        pytest.param("imagePushedAt", float("nan"), "epoch seconds must be a finite number, got NaN", id="nan"),
        pytest.param("imagePushedAt", float("inf"), "epoch seconds must be a finite number, got Infinity", id="inf"),
        pytest.param(
            "imagePushedAt", 10**30, f"epoch seconds out of range (years 1 to 9999), got {10**30}", id="huge-int"
        ),
        pytest.param(
            "lastRecordedPullTime",
            -1e12,
            "epoch seconds out of range (years 1 to 9999), got -1000000000000.0",
            id="before-year-1",
        ),
        pytest.param(
            "imagePushedAt",
            "10000-01-01T00:00:00Z",
            'must be an ISO-8601 timestamp or epoch seconds, got "10000-01-01T00:00:00Z"',
            id="year-10000",
        ),
        pytest.param(
            "lastArchivedAt",
            "0001-01-01T00:00:00+01:00",
            'out of range once in UTC (years 1 to 9999), got "0001-01-01T00:00:00+01:00"',
            id="year-1-with-an-offset",
        ),
        pytest.param(
            "lastActivatedAt",
            "9999-12-31T23:30:00-01:00",
            'out of range once in UTC (years 1 to 9999), got "9999-12-31T23:30:00-01:00"',
            id="year-9999-with-an-offset",
        ),
        pytest.param("imageTags", ["v1", 2], 'must be an array of strings, got ["v1", 2]', id="non-string-tag"),
        pytest.param("imageTags", [["v1"]], 'must be an array of strings, got [["v1"]]', id="nested-tag"),
        pytest.param(
            "imageStatus",
            ["ACTIVE"],
            'must be one of ACTIVE, ARCHIVED, ACTIVATING, got ["ACTIVE"]',
            id="unhashable-status",
        ),
        pytest.param("imageManifestMediaType", ["x"], "must be a string, got array", id="media-type-array"),
        pytest.param("subjectManifestDigest", 5, "must be a string, got number", id="subject-number"),
    ],
)
def test_unusable_values_name_the_image_and_the_field(field: str, value: Any, detail: str) -> None:
    # given: a valid image first, so the error must point at the second
    items = [{"imageDigest": "sha256:ok", "imagePushedAt": 0}, {"imageDigest": "sha256:b", "imagePushedAt": 0}]
    items[1][field] = value
    # when
    with pytest.raises(ImagesInputError) as caught:
        load_images(items, source="images.json")
    # then
    assert str(caught.value) == f"images.json: image 2 (sha256:b): {field}: {detail}"


def test_a_digest_that_is_not_printable_is_shown_quoted() -> None:
    with pytest.raises(ImagesInputError) as caught:
        load_images([{"imageDigest": "sha256:a\nb"}])
    assert str(caught.value) == 'images: image 1 ("sha256:a\\nb"): imagePushedAt: required field is missing'


def test_timestamps_at_the_edges_of_the_representable_range_load() -> None:
    (loaded,) = load_images(
        [
            {
                "imageDigest": "sha256:a",
                "imagePushedAt": "0001-01-01T00:00:00Z",
                "lastRecordedPullTime": "9999-12-31T23:59:59.999999+00:00",
            }
        ]
    )
    assert loaded.pushed_at == datetime.min.replace(tzinfo=UTC)
    assert loaded.last_pulled_at == datetime.max.replace(tzinfo=UTC)


TIMESTAMPS = st.one_of(
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])).map(
        datetime.isoformat
    ),
    st.datetimes().map(datetime.isoformat),
    st.integers(-(10**11), 10**11),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["yesterday", "", "2024-13-01T00:00:00Z"]),
)
DETAILS = st.fixed_dictionaries(
    {"imagePushedAt": TIMESTAMPS},
    optional={
        "imageTags": st.one_of(st.lists(st.text(max_size=4), max_size=3), st.none(), st.just(["v", 1])),
        "imageStatus": st.sampled_from(["ACTIVE", "ARCHIVED", "ACTIVATING", "DELETED", None]),
        "lastRecordedPullTime": st.none() | TIMESTAMPS,
        "lastArchivedAt": TIMESTAMPS,
        "lastActivatedAt": TIMESTAMPS,
        "imageManifestMediaType": st.none() | st.sampled_from(["application/vnd.oci.image.index.v1+json", "x"]),
        "subjectManifestDigest": st.none() | st.just("sha256:s") | st.just(7),
    },
)


@given(st.lists(DETAILS, max_size=6))
def test_loading_a_list_names_its_first_unreadable_image_or_reads_each_as_alone(details: list[dict[str, Any]]) -> None:
    # given: distinct digests, so only the fields differ
    items = [{"imageDigest": f"sha256:{n}", **detail} for n, detail in enumerate(details)]
    readable = []
    for item in items:
        try:
            readable.append(load_image(item))
        except ImagesInputError as error:
            readable.append(error)
    # when
    try:
        loaded: list[Image] | ImagesInputError = load_images(items)
    except ImagesInputError as error:
        loaded = error
    # then
    first_bad = next((n for n, entry in enumerate(readable) if isinstance(entry, ImagesInputError)), None)
    if first_bad is None:
        assert loaded == readable
    else:
        assert isinstance(loaded, ImagesInputError)
        assert str(loaded).startswith(f"images: image {first_bad + 1} (sha256:{first_bad}): ")
        assert str(loaded).endswith(str(readable[first_bad]).removeprefix("image: "))
