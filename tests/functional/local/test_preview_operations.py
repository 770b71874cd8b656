"""StartLifecyclePolicyPreview / GetLifecyclePolicyPreview on the stand-in, over real HTTP (spec §4)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from stand_in_helpers import REPO, archive_older_than, keep_newest, wait_until_done

from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

ACCOUNT = "123456789012"


def _seed_ten(stand_in: EcrStandIn) -> None:
    stand_in.create_repository(
        REPO, images=[SeedImage(tags=(f"v{day}",), pushed_days_ago=day + 0.5) for day in range(10)]
    )


def test_start_answers_in_progress_and_echoes_the_submitted_text(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    policy = keep_newest(3)
    # when
    answer = ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=policy)
    # then
    assert answer["status"] == "IN_PROGRESS"
    assert answer["lifecyclePolicyText"] == policy
    assert (answer["registryId"], answer["repositoryName"]) == (ACCOUNT, REPO)


def test_preview_stays_in_progress_for_the_latency_then_completes(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    stand_in.set_preview_latency(0.5, repository=REPO)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # when
    during = ecr.get_lifecycle_policy_preview(repositoryName=REPO)
    time.sleep(0.55)
    after = ecr.get_lifecycle_policy_preview(repositoryName=REPO)
    # then
    assert (during["status"], during["previewResults"], "summary" in during) == ("IN_PROGRESS", [], False)
    assert after["status"] == "COMPLETE"


def test_complete_preview_lists_the_expiring_images_oldest_first_with_a_summary(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    policy = keep_newest(7)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=policy)
    # when
    answer = wait_until_done(ecr)
    # then
    assert answer["lifecyclePolicyText"] == policy
    assert answer["summary"] == {"expiringImageTotalCount": 3}
    assert [r["imageTags"] for r in answer["previewResults"]] == [["v9"], ["v8"], ["v7"]]
    first = answer["previewResults"][0]
    assert first["action"] == {"type": "EXPIRE"}
    assert (first["appliedRulePriority"], first["storageClass"]) == (1, "STANDARD")
    assert first["imagePushedAt"].timestamp() == pytest.approx(time.time() - 9.5 * 86400, abs=60)


def test_transitions_are_summarised_per_target_storage_class(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=archive_older_than(5))
    # when
    answer = wait_until_done(ecr)
    # then
    assert answer["summary"] == {
        "expiringImageTotalCount": 0,
        "transitioningImageTotalCounts": [{"targetStorageClass": "ARCHIVE", "imageTotalCount": 5}],
    }
    assert {r["action"]["targetStorageClass"] for r in answer["previewResults"]} == {"ARCHIVE"}


def test_results_are_paginated_with_max_results_and_next_token(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    stand_in.create_repository(REPO, images=[SeedImage(pushed_days_ago=n / 10) for n in range(130)])
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(5))
    wait_until_done(ecr)
    # when
    default_page = ecr.get_lifecycle_policy_preview(repositoryName=REPO)
    pages = list(ecr.get_paginator("get_lifecycle_policy_preview").paginate(repositoryName=REPO, maxResults=60))
    # then
    assert len(default_page["previewResults"]) == 100
    assert "nextToken" in default_page
    assert [len(page["previewResults"]) for page in pages] == [60, 60, 5]
    assert "nextToken" not in pages[-1]
    digests = [r["imageDigest"] for page in pages for r in page["previewResults"]]
    assert len(set(digests)) == 125
    assert all(page["summary"] == {"expiringImageTotalCount": 125} for page in pages)


def test_max_results_above_one_hundred_is_an_invalid_parameter(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # when
    with pytest.raises(ClientError) as caught:
        ecr.get_lifecycle_policy_preview(repositoryName=REPO, maxResults=101)
    # then
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "'maxResults'" in caught.value.response["Error"]["Message"]


def test_tag_status_filter_keeps_only_matching_results(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    stand_in.create_repository(
        REPO,
        images=[SeedImage(tags=("a",), pushed_days_ago=9), SeedImage(pushed_days_ago=8), SeedImage(pushed_days_ago=1)],
    )
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(1))
    wait_until_done(ecr)
    # when
    tagged = ecr.get_lifecycle_policy_preview(repositoryName=REPO, filter={"tagStatus": "TAGGED"})
    untagged = ecr.get_lifecycle_policy_preview(repositoryName=REPO, filter={"tagStatus": "UNTAGGED"})
    # then
    assert [r.get("imageTags") for r in tagged["previewResults"]] == [["a"]]
    assert [r.get("imageTags") for r in untagged["previewResults"]] == [None]
    assert tagged["summary"]["expiringImageTotalCount"] == 2


def test_image_ids_select_results_by_tag_or_digest(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    complete = wait_until_done(ecr)
    by_digest = complete["previewResults"][1]["imageDigest"]
    # when
    answer = ecr.get_lifecycle_policy_preview(
        repositoryName=REPO, imageIds=[{"imageTag": "v9"}, {"imageDigest": by_digest}]
    )
    # then
    assert [r["imageTags"] for r in answer["previewResults"]] == [["v9"], ["v8"]]


def test_get_without_any_preview_is_preview_not_found(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    # when
    with pytest.raises(ClientError) as caught:
        ecr.get_lifecycle_policy_preview(repositoryName=REPO)
    # then
    assert caught.value.response["Error"]["Code"] == "LifecyclePolicyPreviewNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_second_start_while_in_progress_is_rejected(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    stand_in.set_preview_latency(5.0)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # when
    with pytest.raises(ClientError) as caught:
        ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(4))
    # then
    assert caught.value.response["Error"]["Code"] == "LifecyclePolicyPreviewInProgressException"
    assert ecr.get_lifecycle_policy_preview(repositoryName=REPO)["lifecyclePolicyText"] == keep_newest(3)


def test_a_new_start_after_completion_replaces_the_previous_preview(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    wait_until_done(ecr)
    # when
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(8))
    answer = wait_until_done(ecr)
    # then
    assert answer["lifecyclePolicyText"] == keep_newest(8)
    assert answer["summary"]["expiringImageTotalCount"] == 2


def test_start_without_text_previews_the_attached_policy(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=keep_newest(6))
    # when
    started = ecr.start_lifecycle_policy_preview(repositoryName=REPO)
    answer = wait_until_done(ecr)
    # then
    assert started["lifecyclePolicyText"] == keep_newest(6)
    assert answer["summary"]["expiringImageTotalCount"] == 4


def test_start_without_text_and_without_a_policy_is_policy_not_found(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    # when
    with pytest.raises(ClientError) as caught:
        ecr.start_lifecycle_policy_preview(repositoryName=REPO)
    # then
    assert caught.value.response["Error"]["Code"] == "LifecyclePolicyNotFoundException"


def test_preview_results_reflect_the_images_at_start_time(stand_in: EcrStandIn, ecr: Any) -> None:
    # given
    _seed_ten(stand_in)
    stand_in.set_preview_latency(0.3)
    ecr.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=keep_newest(3))
    # when
    stand_in.add_images(REPO, [SeedImage(pushed_days_ago=100)])
    answer = wait_until_done(ecr)
    # then
    assert answer["summary"]["expiringImageTotalCount"] == 7


def test_preview_of_a_missing_repository_is_repository_not_found(stand_in: EcrStandIn, ecr: Any) -> None:
    # given: no repository
    # when
    with pytest.raises(ClientError) as caught:
        ecr.start_lifecycle_policy_preview(repositoryName="missing", lifecyclePolicyText=keep_newest(3))
    # then
    assert caught.value.response["Error"]["Code"] == "RepositoryNotFoundException"
