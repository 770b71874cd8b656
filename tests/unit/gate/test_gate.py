"""The gate: each limit blocks above its threshold, passes at it, and explains itself briefly."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_lifecycle_guard.errors import PropertyError
from ecr_lifecycle_guard.gate import (
    EXPIRE_ALL_CHECK,
    IN_USE_CHECK,
    REASON_MAX_LENGTH,
    UNKNOWN_ACTION,
    GateLimits,
    PreviewFigures,
    PreviewResult,
    check_gate,
)
from ecr_lifecycle_guard.inuse.model import Workload


def limits_of(**values: object) -> GateLimits:
    """Limits without in-use protection (tested on its own below)."""
    return GateLimits(**{"protect_in_use": False, **values})  # type: ignore[arg-type]


ALLOW_ALL = limits_of(allow_expire_all=True)


def figures(
    expiring: int = 0, transitioning: int = 0, visible: int | None = 100, results: Sequence[PreviewResult] = ()
) -> PreviewFigures:
    return PreviewFigures(expiring, transitioning, tuple(results), visible)


def result(*tags: str, action: str = "EXPIRE", digest: str = "sha256:1") -> PreviewResult:
    return PreviewResult(digest=digest, tags=tags, action=action, rule_priority=1, storage_class="STANDARD")


def test_no_limits_and_a_partial_expiry_pass() -> None:
    # given / when
    verdict = check_gate(limits_of(), figures(expiring=3, visible=10))
    # then
    assert verdict.passed
    assert verdict.violations == ()


@pytest.mark.parametrize(("expiring", "passed"), [(10, True), (11, False)])
def test_max_expiring_images_blocks_only_above_the_limit(expiring: int, passed: bool) -> None:
    # given
    limits = limits_of(max_expiring_images=10)
    # when
    verdict = check_gate(limits, figures(expiring=expiring))
    # then
    assert verdict.passed is passed


def test_max_expiring_images_reason_names_limit_count_and_repository() -> None:
    # given
    verdict = check_gate(limits_of(max_expiring_images=10), figures(expiring=12))
    # when
    reason = verdict.short_reason("team/app")
    # then
    assert reason == "blocked by MaxExpiringImages: 12 images would expire, limit 10 (repository 'team/app')"


@pytest.mark.parametrize(("expiring", "visible", "passed"), [(25, 100, True), (26, 100, False), (5, 0, False)])
def test_max_expiring_percent_compares_with_the_visible_images(expiring: int, visible: int, passed: bool) -> None:
    # given
    limits = limits_of(max_expiring_percent=25.0, allow_expire_all=True)
    # when
    verdict = check_gate(limits, figures(expiring=expiring, visible=visible))
    # then
    assert verdict.passed is passed


def test_max_expiring_percent_reason_shows_share_and_counts() -> None:
    # given
    verdict = check_gate(limits_of(max_expiring_percent=10), figures(expiring=3, visible=8))
    # when
    reason = verdict.short_reason("app")
    # then
    assert reason == ("blocked by MaxExpiringPercent: 37.5% would expire (3 of 8 images), limit 10% (repository 'app')")


@pytest.mark.parametrize(
    ("limits", "check"),
    [
        (limits_of(max_expiring_percent=100, allow_expire_all=True), "MaxExpiringPercent"),
        (limits_of(), EXPIRE_ALL_CHECK),
    ],
)
def test_checks_that_need_the_visible_count_fail_closed_when_it_was_not_measured(
    limits: GateLimits, check: str
) -> None:
    # given: images expire but nobody counted the images the policy can see
    # when
    verdict = check_gate(limits, figures(expiring=50, visible=None))
    # then
    assert not verdict.passed
    assert [v.limit for v in verdict.violations] == [check]
    assert verdict.violations[0].count in (None, 50)


def test_nothing_expiring_passes_the_count_checks_without_a_visible_count() -> None:
    # given / when
    verdict = check_gate(limits_of(max_expiring_percent=0), figures(expiring=0, visible=None))
    # then
    assert verdict.passed


@pytest.mark.parametrize(("transitioning", "passed"), [(4, True), (5, False)])
def test_max_transitioning_images_blocks_only_above_the_limit(transitioning: int, passed: bool) -> None:
    # given
    limits = limits_of(max_transitioning_images=4)
    # when
    verdict = check_gate(limits, figures(transitioning=transitioning))
    # then
    assert verdict.passed is passed
    if not passed:
        assert str(verdict.violations[0]) == "MaxTransitioningImages: 5 images would be archived, limit 4"


def test_protected_tag_on_an_expiring_image_blocks_naming_pattern_and_tag() -> None:
    # given
    results = [result("build-7", "release-1.2", digest="sha256:a"), result("release-1.3", digest="sha256:b")]
    # when
    verdict = check_gate(limits_of(protected_tags=("release-*",)), figures(expiring=2, results=results))
    # then
    assert not verdict.passed
    assert str(verdict.violations[0]) == (
        "ProtectedTags: pattern 'release-*' matches tag 'release-1.2' (2 images would be expired, limit 0)"
    )


def test_protected_tag_on_an_archived_image_blocks_too() -> None:
    # given
    results = [result("prod", action="TRANSITION")]
    # when
    verdict = check_gate(limits_of(protected_tags=("prod",)), figures(transitioning=1, results=results))
    # then
    assert [v.threshold for v in verdict.violations] == ["prod"]
    assert "would be archived" in verdict.violations[0].message


def test_protected_patterns_match_whole_tags_only() -> None:
    # given
    results = [result("prod-1"), result("preprod", digest="sha256:2")]
    # when
    verdict = check_gate(limits_of(protected_tags=("prod",)), figures(expiring=2, results=results))
    # then
    assert verdict.passed


def test_expire_all_check_blocks_a_policy_that_expires_every_visible_image_under_its_own_name() -> None:
    # given
    limits = limits_of()
    # when
    verdict = check_gate(limits, figures(expiring=7, visible=7))
    # then
    assert [v.limit for v in verdict.violations] == ["ExpireAll"]
    assert verdict.short_reason("app") == (
        "blocked by ExpireAll: this policy would expire every image in the repository (7 of 7);"
        " set AllowExpireAll to allow it (repository 'app')"
    )


@pytest.mark.parametrize(("limits", "visible"), [(ALLOW_ALL, 7), (limits_of(), 0)])
def test_expire_all_check_is_off_when_allowed_or_nothing_expires(limits: GateLimits, visible: int) -> None:
    # given / when
    verdict = check_gate(limits, figures(expiring=visible, visible=visible))
    # then
    assert verdict.passed


def test_several_violations_are_all_listed_and_the_reason_counts_the_rest() -> None:
    # given
    limits = limits_of(max_expiring_images=1, max_transitioning_images=0)
    # when
    verdict = check_gate(limits, figures(expiring=5, transitioning=2))
    # then
    assert [v.limit for v in verdict.violations] == ["MaxExpiringImages", "MaxTransitioningImages"]
    reason = verdict.short_reason("app")
    assert reason.startswith("blocked by MaxExpiringImages: 5 images would expire, limit 1 (+1 more)")


def test_needs_visible_count_only_for_percent_or_the_default_guard() -> None:
    # given / when / then
    assert limits_of().needs_visible_count
    assert limits_of(max_expiring_percent=5, allow_expire_all=True).needs_visible_count
    assert not ALLOW_ALL.needs_visible_count


def test_preview_result_reads_the_api_shape() -> None:
    # given
    item = {
        "imageDigest": "sha256:ab",
        "imageTags": ["v1", "latest"],
        "action": {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"},
        "appliedRulePriority": 3,
        "storageClass": "STANDARD",
    }
    # when
    parsed = PreviewResult.from_api(item)
    # then
    assert parsed == PreviewResult("sha256:ab", ("v1", "latest"), "TRANSITION", 3, "STANDARD")


def test_log_summary_keeps_only_the_first_affected_images() -> None:
    # given
    many = figures(expiring=30, results=[result(f"t{i}", digest=f"sha256:{i}") for i in range(30)])
    # when
    summary = many.as_log(sample_size=20)
    # then
    assert summary["affectedImages"] == 30
    assert len(summary["firstAffectedImages"]) == 20
    assert summary["firstAffectedImages"][0]["imageTags"] == ["t0"]


@given(
    repository=st.text(min_size=1, max_size=300),
    pattern=st.text(min_size=1, max_size=300).filter(lambda p: p.count("*") <= 4),
    suffix=st.text(max_size=60),
)
def test_short_reason_never_exceeds_the_cloudformation_budget(repository: str, pattern: str, suffix: str) -> None:
    # given
    verdict = check_gate(
        limits_of(max_expiring_images=0, protected_tags=(pattern,)), figures(expiring=9, results=[result(pattern)])
    )
    # when
    reason = verdict.short_reason(repository, suffix=suffix)
    # then
    assert len(reason) <= REASON_MAX_LENGTH
    assert reason.endswith(suffix)


def test_a_preview_result_without_an_action_is_recorded_as_unknown_not_as_expire() -> None:
    # given
    item = {"imageDigest": "sha256:ab", "imageTags": ["v1"], "appliedRulePriority": 1}
    # when
    parsed = PreviewResult.from_api(item)
    # then
    assert parsed.action == UNKNOWN_ACTION
    assert parsed.raw is item


def test_an_image_of_unknown_action_with_a_protected_tag_still_blocks() -> None:
    # given
    unknown = PreviewResult.from_api({"imageDigest": "sha256:ab", "imageTags": ["release-1"]})
    # when
    verdict = check_gate(limits_of(protected_tags=("release-*",)), figures(expiring=1, results=[unknown]))
    # then
    assert str(verdict.violations[0]) == (
        "ProtectedTags: pattern 'release-*' matches tag 'release-1' (1 image would be acted on, limit 0)"
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_expiring_images": -1}, "MaxExpiringImages: must be an integer from 0 to 2147483647, got -1"),
        ({"max_expiring_percent": float("nan")}, "MaxExpiringPercent: must be a number from 0 to 100, got nan"),
        ({"max_transitioning_images": 2**40}, "MaxTransitioningImages: must be an integer from 0 to 2147483647"),
        ({"protected_tags": ("*a*a*a*a*a",)}, "ProtectedTags[0]: must be a tag pattern with at most 4 '*'"),
    ],
)
def test_limits_validate_themselves_with_the_contract_messages(values: dict[str, object], message: str) -> None:
    # given / when / then
    with pytest.raises(PropertyError) as caught:
        GateLimits(**values)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


class Report:
    """An in-use report as the gate reads it (images: digest -> workloads; failures)."""

    def __init__(self, images: dict[str, tuple[Workload, ...]], failures: tuple[str, ...] = ()) -> None:
        self.images = images
        self.failures = failures


def test_in_use_protection_blocks_expiring_an_image_a_workload_runs() -> None:
    # given
    results = [result("v1", digest="sha256:" + "a" * 64), result("v0", digest="sha256:" + "b" * 64)]
    report = Report({"sha256:" + "a" * 64: (Workload("ECS service", "prod/api", "task definition api:42"),)})
    # when
    verdict = check_gate(limits_of(protect_in_use=True), figures(expiring=2, results=results), in_use=report)
    # then
    assert [v.limit for v in verdict.violations] == [IN_USE_CHECK]
    assert verdict.short_reason("app") == (
        "blocked by InUse: image 'v1' (sha256:aaaaaaaaaaaa) (expire) used by"
        " ECS service prod/api (task definition api:42) (repository 'app')"
    )


def test_a_shortened_in_use_reason_keeps_the_workload_and_the_counts_of_what_else_is_in_the_log() -> None:
    # given: two in-use images, the first used by two workloads with long details, and a source not listed
    long = "sha256:" + "c" * 64
    results = [result("v1", digest="sha256:" + "a" * 64), result(digest=long)]
    service = Workload("ECS service", "prod/checkout", "task definition checkout:1234")
    report = Report(
        {
            "sha256:" + "a" * 64: (service, Workload("ECS task", "prod/0123456789abcdef", "container x")),
            long: (Workload("Lambda function", "checkout-worker:live", "version 42"),),
        },
        failures=("cannot list Batch job definitions in 123456789012/us-east-1: AccessDeniedException",),
    )
    # when
    verdict = check_gate(limits_of(protect_in_use=True), figures(expiring=2, results=results), in_use=report)
    suffix = "; details in log, request 33397827-fcf4-4982-a348-a5e78b4a02a9"  # as the handler ends a reason
    reason = verdict.short_reason("app", suffix=suffix)
    # then: the workload's name and both counts survive; the task definition detail is what was cut
    assert len(reason) <= REASON_MAX_LENGTH
    assert reason.startswith(
        "blocked by InUse: image 'v1' (sha256:aaaaaaaaaaaa) (expire) used by ECS service prod/checkout (+2 more)"
    )
    assert reason.endswith(f"... (+1 more) (repository 'app'){suffix}")


def test_in_use_protection_passes_when_no_acted_on_image_is_used() -> None:
    # given
    report = Report({"sha256:other": (Workload("Lambda function", "fn:live"),)})
    # when
    verdict = check_gate(limits_of(protect_in_use=True), figures(expiring=1, results=[result("v1")]), in_use=report)
    # then
    assert verdict.passed


def test_in_use_protection_blocks_when_a_source_could_not_be_listed() -> None:
    # given
    report = Report({}, failures=("cannot list ECS services in 123456789012/us-east-1: AccessDeniedException",))
    # when
    verdict = check_gate(limits_of(protect_in_use=True), figures(expiring=0), in_use=report)
    # then
    assert verdict.short_reason("app").startswith(
        "blocked by InUse: cannot list ECS services in 123456789012/us-east-1: AccessDeniedException"
    )


def test_in_use_protection_without_a_report_fails_closed() -> None:
    # given / when
    verdict = check_gate(GateLimits(), figures(expiring=0))
    # then
    assert [v.limit for v in verdict.violations] == [IN_USE_CHECK]
