"""Evaluation rules of spec §3: selection, shielding, keep-N, ages, storage classes, warnings, preview shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from engine_helpers import NOW, acted, days_ago, image, policy, rule
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.engine import Image, Policy, evaluate, parse_policy, preview_item, preview_summary
from ecr_lifecycle_guard.engine.model import INDEX_MEDIA_TYPES


def run(rules: dict[str, object], images: list[object], now=NOW):  # type: ignore[no-untyped-def]
    return evaluate(parse_policy(rules), images, now)  # type: ignore[arg-type]


def test_keep_n_slots_are_shared_with_shielded_images() -> None:
    # given: spec §3.2 - 20 newest prod images shielded by a never-firing rule, 3 older dev images
    rules = policy(rule(1, tag_status="tagged", patterns=["prod-*"], number=9999), rule(2, number=20))
    images = [image(f"p{n}", f"prod-{n}", age=n + 1) for n in range(20)]
    images += [image(f"d{n}", f"dev-{n}", age=100 + n) for n in range(3)]
    # when
    result = run(rules, images)
    # then: all three dev images are expired although only three images are unshielded
    assert acted(result) == {"d0": 2, "d1": 2, "d2": 2}


def test_any_selection_shields_regardless_of_age() -> None:
    # given: release-* older than 365 days; any older than 30 days
    rules = policy(
        rule(1, tag_status="tagged", patterns=["release-*"], count_type="sinceImagePushed", number=365),
        rule(2, count_type="sinceImagePushed", number=30),
    )
    images = [image("r-young", "release-1", age=40), image("r-old", "release-0", age=400), image("x", "x", age=40)]
    # when / then: the 40-day-old release image is selected (shielded) by rule 1, not aged out by rule 2
    assert acted(run(rules, images)) == {"r-old": 1, "x": 2}


def test_age_is_strictly_older_than_n_times_24_hours() -> None:
    # given
    rules = policy(rule(1, tag_status="untagged", count_type="sinceImagePushed", number=14))
    at_threshold = image("exact", age=14)
    just_over = image("over", age=14 + 1 / 86_400)
    # when / then
    assert acted(run(rules, [at_threshold, just_over])) == {"over": 1}


def test_storage_classes_do_not_count_or_shield_each_other() -> None:
    # given: keep 1 standard image; archived images are invisible to that rule
    rules = policy(rule(1))
    images = [image("s-old", age=3), image("s-new", age=2), image("a-newest", age=1, status="ARCHIVED", archived=0.5)]
    # when
    result = run(rules, images)
    # then
    assert acted(result) == {"s-old": 1}
    assert result.visible_count == 2


def test_activating_images_are_still_archive_class() -> None:
    rules = policy(rule(1, storage="archive", count_type="sinceImageTransitioned", number=90))
    images = [image("restoring", age=400, status="ACTIVATING", archived=200), image("active", age=400)]
    assert acted(run(rules, images)) == {"restoring": 1}


def test_restored_image_is_ordered_by_its_activation_time() -> None:
    # given: pushed long ago but restored yesterday, so it is the newest for keep-N ordering
    rules = policy(rule(1))
    images = [image("restored", age=300, activated=1), image("recent", age=2)]
    # when
    result = run(rules, images)
    # then
    assert acted(result) == {"recent": 1}


@pytest.mark.parametrize(
    ("pulled", "activated", "acted_on"),
    [
        pytest.param(None, None, True, id="never-pulled-uses-push-time-100d"),
        pytest.param(10, None, False, id="pulled-10d-ago"),
        pytest.param(95, None, True, id="pulled-95d-ago"),
        pytest.param(None, 5, False, id="restored-5d-ago-never-pulled"),
        pytest.param(200, 5, False, id="pulled-before-restore-uses-restore"),
        pytest.param(2, 150, False, id="pulled-after-restore-uses-pull"),
    ],
)
def test_since_image_pulled_reference_time_and_fallbacks(
    pulled: float | None, activated: float | None, acted_on: bool
) -> None:
    # given: transition images not pulled for 90 days; image pushed 100 days ago
    rules = policy(rule(1, count_type="sinceImagePulled", number=90, action="transition"))
    images = [image("i", age=100, pulled=pulled, activated=activated)]
    # when
    result = run(rules, images)
    # then
    assert bool(result.outcomes) is acted_on


def test_transition_outcome_and_preview_shape() -> None:
    # given
    rules = policy(rule(7, count_type="sinceImagePulled", number=30, action="transition"))
    images = [image("sha256:t", "v1", age=40)]
    # when
    preview = run(rules, images).to_preview()
    # then
    assert preview == {
        "status": "COMPLETE",
        "previewResults": [
            {
                "imageDigest": "sha256:t",
                "imageTags": ["v1"],
                "imagePushedAt": days_ago(40).isoformat(),
                "action": {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"},
                "appliedRulePriority": 7,
                "storageClass": "STANDARD",
            }
        ],
        "summary": {
            "expiringImageTotalCount": 0,
            "transitioningImageTotalCounts": [{"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}],
        },
    }


def test_preview_in_epoch_seconds_and_untagged_images_without_image_tags() -> None:
    # given
    rules = policy(rule(1, storage="archive", count_type="sinceImageTransitioned", number=90))
    images = [image("sha256:u", age=400, status="ARCHIVED", archived=100)]
    # when
    (result,) = run(rules, images).to_preview(timestamps="epoch")["previewResults"]
    # then
    assert result == {
        "imageDigest": "sha256:u",
        "imagePushedAt": days_ago(400).timestamp(),
        "action": {"type": "EXPIRE"},
        "appliedRulePriority": 1,
        "storageClass": "ARCHIVE",
    }


def test_nothing_to_do_gives_empty_results_and_a_zero_expiring_count() -> None:
    preview = run(policy(rule(1, number=5)), [image("a")]).to_preview()
    assert preview == {"status": "COMPLETE", "previewResults": [], "summary": {"expiringImageTotalCount": 0}}


def test_outcomes_are_ordered_by_priority_then_oldest_first() -> None:
    rules = policy(rule(1, tag_status="untagged", number=1), rule(2, number=1))
    images = [
        image("u1", age=1),
        image("u2", age=2),
        image("u3", age=3),
        image("t1", "t", age=5),
        image("t2", "t", age=4),
    ]
    result = run(rules, images)
    assert [(o.rule_priority, o.image.digest) for o in result.outcomes] == [(1, "u3"), (1, "u2"), (2, "t1"), (2, "t2")]


def test_reasons_name_rule_criterion_and_evidence() -> None:
    # given
    rules = policy(
        rule(20, tag_status="tagged", patterns=["feature-*"], number=1),
        rule(30, tag_status="untagged", count_type="sinceImagePushed", number=14),
        rule(40, tag_status="tagged", prefixes=["x"], count_type="sinceImagePulled", number=3, action="transition"),
        rule(50, storage="archive", count_type="sinceImageTransitioned", number=90),
    )
    images = [
        image("f-new", "feature-2", age=1),
        image("f-old", "feature-1", age=2),
        image("u", age=40),
        image("x-pulled", "x1", age=30, pulled=10),
        image("x-never", "x2", age=30),
        image("x-restored", "x3", age=300, activated=12),
        image("arch", age=500, status="ARCHIVED", archived=100),
    ]
    # when
    reasons = {o.image.digest: o.reason for o in run(rules, images).outcomes}
    # then
    assert reasons == {
        "f-old": 'rule 20 (tagged "feature-*", keep 1 newest): rank 2 of 2 in the rule\'s selection',
        "u": "rule 30 (untagged, older than 14 days): pushed 40 days ago",
        "x-pulled": 'rule 40 (tagged prefix "x", not pulled for 3 days): last pulled 10 days ago',
        "x-never": 'rule 40 (tagged prefix "x", not pulled for 3 days): never pulled; pushed 30 days ago',
        "x-restored": 'rule 40 (tagged prefix "x", not pulled for 3 days): restored 12 days ago, not pulled since',
        "arch": "rule 50 (any archived, archived more than 90 days): archived 100 days ago",
    }


def test_warning_for_push_time_ties_across_a_keep_cut_and_digest_order_decides() -> None:
    # given: two images pushed at the same instant, keep 1
    rules = policy(rule(1))
    images = [image("sha256:b", age=1), image("sha256:a", age=1)]
    # when
    result = run(rules, images)
    # then
    assert acted(result) == {"sha256:b": 1}
    assert result.warnings == (
        "rule 1: images with equal push times straddle the keep cut; ECR's tie order is undocumented (this "
        "prediction orders ties by digest)",
    )


def test_warning_counts_images_crossing_an_age_threshold_within_24_hours() -> None:
    # given
    rules = policy(rule(3, tag_status="untagged", count_type="sinceImagePushed", number=14))
    images = [image("soon", age=13.5), image("later", age=12.5), image("now", age=15)]
    # when
    result = run(rules, images)
    # then
    assert acted(result) == {"now": 3}
    assert result.warnings == (
        "1 more image(s) cross an age threshold within 24 hours and would be acted on by then (rule 3: 1); ECR acts "
        "within 24 hours of an image meeting the criteria",
    )
    later = run(rules, images, NOW + timedelta(days=1))
    assert len(later.outcomes) == len(result.outcomes) + 1


def test_warning_for_restored_images_whose_fate_depends_on_the_reading_of_since_image_pushed() -> None:
    rules = policy(rule(1, count_type="sinceImagePushed", number=30))
    result = run(rules, [image("r", age=100, activated=3)])
    assert acted(result) == {"r": 1}
    assert result.warnings == (
        "rule 1: 1 restored image(s) would be treated differently if ECR measured sinceImagePushed from "
        "lastActivatedAt instead of imagePushedAt (undocumented; this prediction uses imagePushedAt)",
    )


def test_warnings_for_indexes_and_referrers() -> None:
    index_type = sorted(INDEX_MEDIA_TYPES)[0]
    images = [image("idx", "v1", media_type=index_type), image("sig", subject="sha256:idx")]
    result = run(policy(rule(1, number=5)), images)
    assert result.warnings == (
        "1 image index(es) / manifest list(s) present: the prediction is approximate, and images referenced by a live "
        "index are not acted on by ECR",
        "1 referrer artifact(s) (subjectManifestDigest) present: ECR also removes referrers within 24 hours of their "
        "subject, which this prediction does not show",
    )


def test_warning_when_an_archived_image_lacks_last_archived_at() -> None:
    rules = policy(rule(1, storage="archive", count_type="sinceImageTransitioned", number=90))
    result = run(rules, [image("a", age=400, status="ARCHIVED")])
    assert acted(result) == {"a": 1}
    assert result.warnings == (
        "1 archived image(s) have no lastArchivedAt; imagePushedAt was used for sinceImageTransitioned (acts "
        "earlier than ECR may)",
    )


def test_naive_now_is_read_as_utc() -> None:
    rules = policy(rule(1, tag_status="untagged", count_type="sinceImagePushed", number=1))
    result = run(rules, [image("a", age=2)], NOW.replace(tzinfo=None))
    assert result.now == NOW


def test_a_hand_built_policy_is_evaluated_in_priority_order_whatever_its_rule_order() -> None:
    # given: the same two rules, listed in both orders
    parsed = parse_policy(policy(rule(1, tag_status="tagged", patterns=["keep*"], number=9), rule(2, number=1)))
    reversed_rules = Policy(tuple(reversed(parsed.rules)))
    images = [image("k", "keep-1", age=5), image("n", "new", age=1), image("o", "old", age=9)]
    # when / then
    assert acted(evaluate(reversed_rules, images, NOW)) == acted(evaluate(parsed, images, NOW)) == {"o": 2}


# --- extreme count numbers and evaluation times: "older than N days" never overflows --------------------------------

EARLIEST, LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
EXTREME_NOWS = st.one_of(
    st.sampled_from([EARLIEST, EARLIEST + timedelta(hours=1), LATEST, LATEST - timedelta(hours=1), NOW]),
    st.datetimes(min_value=datetime.min, max_value=datetime.max, timezones=st.just(UTC)),
)
COUNT_NUMBERS = st.one_of(st.sampled_from([1, 2, 2_147_483_647, 999_999_999, 1_000_000_000]), st.integers(1, 2**31 - 1))
AGE_RULE_TYPES = st.sampled_from(["sinceImagePushed", "sinceImagePulled", "imageCountMoreThan"])
EXTREME_IMAGES = [
    Image("sha256:first", ("v1",), EARLIEST, last_pulled_at=EARLIEST),
    Image("sha256:last", (), LATEST, last_activated_at=LATEST),
    Image("sha256:mid", ("v2",), NOW, last_pulled_at=NOW),
    Image("sha256:arch", (), NOW, status="ARCHIVED", last_archived_at=EARLIEST),
]


@given(COUNT_NUMBERS, EXTREME_NOWS, AGE_RULE_TYPES)
def test_any_count_number_at_any_evaluation_time_evaluates_without_overflow(
    number: int, now: datetime, count_type: str
) -> None:
    # given
    action = "transition" if count_type == "sinceImagePulled" else "expire"
    rules = policy(
        rule(1, tag_status="tagged", prefixes=["v"], count_type=count_type, number=number, action=action),
        rule(2, tag_status="untagged", count_type="sinceImagePushed", number=number),
        rule(3, storage="archive", count_type="sinceImageTransitioned", number=max(number, 90)),
    )
    # when
    result = run(rules, EXTREME_IMAGES, now)
    # then: an age rule acts exactly on the images whose reference is more than N days before now
    for outcome in result.outcomes:
        if outcome.rank is None:
            reference = outcome.image.last_archived_at if outcome.rule_priority == 3 else outcome.image.pushed_at
            if outcome.rule_priority == 1 and count_type == "sinceImagePulled":
                reference = outcome.image.pull_reference
            assert (now - reference).days >= number
    assert result.to_preview()["summary"]["expiringImageTotalCount"] == result.expiring_count


def test_the_largest_count_number_selects_no_image_by_age() -> None:
    rules = policy(rule(1, tag_status="untagged", count_type="sinceImagePushed", number=2_147_483_647))
    assert run(rules, [Image("sha256:ancient", (), EARLIEST)], LATEST).outcomes == ()


def test_evaluating_at_year_one_finds_nothing_old() -> None:
    rules = policy(rule(1, count_type="sinceImagePushed", number=1))
    result = run(rules, [Image("sha256:a", (), EARLIEST)], EARLIEST)
    assert (result.outcomes, result.warnings) == ((), ())


def test_evaluating_at_the_end_of_time_finds_every_image_old_and_warns_of_nothing_more() -> None:
    rules = policy(rule(1, count_type="sinceImagePushed", number=1))
    result = run(
        rules, [Image("sha256:a", (), EARLIEST), Image("sha256:b", (), LATEST - timedelta(days=1, hours=1))], LATEST
    )
    assert acted(result) == {"sha256:a": 1, "sha256:b": 1}


def test_one_day_from_the_earliest_time_warns_that_the_image_turns_old_within_24_hours() -> None:
    # given: an image pushed at the earliest instant, evaluated 1.5 days later against "older than 1 day"... and 2
    rules = policy(rule(1, tag_status="untagged", count_type="sinceImagePushed", number=2))
    # when
    result = run(rules, [Image("sha256:a", (), EARLIEST)], EARLIEST + timedelta(days=1, hours=12))
    # then
    assert result.outcomes == ()
    assert result.warnings[0].startswith("1 more image(s) cross an age threshold within 24 hours")


def test_preview_items_come_from_the_engine_serialiser() -> None:
    # given
    rules = policy(
        rule(1, tag_status="tagged", prefixes=["v"], count_type="sinceImagePulled", number=1, action="transition"),
        rule(2),
    )
    images = [image("sha256:t", "v1", age=40), image("sha256:u", age=30), image("sha256:n", age=1)]
    # when
    evaluation = run(rules, images)
    # then
    assert evaluation.to_preview(timestamps="epoch")["previewResults"] == [
        preview_item(
            digest=o.image.digest,
            tags=o.image.tags,
            pushed_at=o.image.pushed_at,
            action_type=o.action,
            target_storage_class=o.target_storage_class,
            rule_priority=o.rule_priority,
            storage_class=o.image.storage_class,
            timestamps="epoch",
        )
        for o in evaluation.outcomes
    ]
    assert evaluation.to_preview()["summary"] == preview_summary(evaluation.expiring_count, 1)
