"""Loading describe-images output: shapes, timestamp formats, defaults and error messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ecr_lifecycle_guard.engine import Image, load_images, parse_timestamp
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
