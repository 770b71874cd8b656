"""run_preview: start, wait, poll, restart and page through ECR's preview within a deadline."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from ecr_lifecycle_guard.ecr_preview import PREVIEW_PAGE_SIZE, run_preview
from ecr_lifecycle_guard.errors import PreviewFailedError, PreviewTimeoutError

PUSHED = datetime(2026, 1, 1, tzinfo=UTC)


def policy(days: int, storage_class: str | None = None) -> str:
    selection: dict[str, Any] = {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days"}
    selection["countNumber"] = days
    rules: list[dict[str, Any]] = [{"rulePriority": 1, "selection": selection, "action": {"type": "expire"}}]
    if storage_class == "archive":
        rules = [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "storageClass": "archive",
                    "countType": "sinceImageTransitioned",
                    "countUnit": "days",
                    "countNumber": 90 + days,
                },
                "action": {"type": "expire"},
            }
        ]
    return json.dumps({"rules": rules})


OURS = policy(30)
THEIRS = policy(60)


class FakeAwsError(Exception):
    """Shaped like botocore's ClientError: the code is in ``response['Error']['Code']``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code, "Message": code}}


@dataclass
class FakeClock:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Preview:
    text: str
    done_at: float
    final: str = "COMPLETE"  # COMPLETE, FAILED, EXPIRED or NEVER


@dataclass
class FakeEcr:
    """ECR's preview API in memory, on the fake clock: one preview per repository, no preview id."""

    clock: FakeClock
    latency: float = 1.0
    results: list[dict[str, Any]] = field(default_factory=list)
    finals: list[str] = field(default_factory=list)  # final status of each preview we start, in order
    current: Preview | None = None
    get_errors: list[str] = field(default_factory=list)
    start_errors: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    replace_after_start: str | None = None
    replace_while_paging: str | None = None

    def start_lifecycle_policy_preview(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("start", kwargs))
        if self.start_errors:
            raise FakeAwsError(self.start_errors.pop(0))
        if self.current and self.status() == "IN_PROGRESS":
            raise FakeAwsError("LifecyclePolicyPreviewInProgressException")
        final = self.finals.pop(0) if self.finals else "COMPLETE"
        text = kwargs["lifecyclePolicyText"]
        if self.replace_after_start:
            text, self.replace_after_start = self.replace_after_start, None
        self.current = Preview(text, self.clock.now + self.latency, final)
        return {"status": "IN_PROGRESS"}

    def status(self) -> str:
        assert self.current is not None
        if self.current.final == "NEVER" or self.clock.now < self.current.done_at:
            return "IN_PROGRESS"
        return self.current.final

    def get_lifecycle_policy_preview(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get", kwargs))
        if self.get_errors:
            raise FakeAwsError(self.get_errors.pop(0))
        if self.current is None:
            raise FakeAwsError("LifecyclePolicyPreviewNotFoundException")
        if kwargs.get("nextToken") and self.replace_while_paging:
            self.current = Preview(self.replace_while_paging, done_at=self.clock.now)
            self.replace_while_paging = None
        page: dict[str, Any] = {"status": self.status(), "lifecyclePolicyText": self.current.text}
        if page["status"] != "COMPLETE":
            return page
        start = int(kwargs.get("nextToken") or 0)
        size = kwargs["maxResults"]
        page["previewResults"] = self.results[start : start + size]
        if start + size < len(self.results):
            page["nextToken"] = str(start + size)
        expiring = sum(1 for r in self.results if r["action"]["type"] == "EXPIRE")
        page["summary"] = {"expiringImageTotalCount": expiring}
        moving = len(self.results) - expiring
        if moving:
            page["summary"]["transitioningImageTotalCounts"] = [
                {"targetStorageClass": "ARCHIVE", "imageTotalCount": moving}
            ]
        return page

    def describe_images(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("describe", kwargs))
        start = int(kwargs.get("nextToken") or 0)
        page: dict[str, Any] = {"imageDetails": self.images[start : start + 2]}
        if start + 2 < len(self.images):
            page["nextToken"] = str(start + 2)
        return page

    def count(self, name: str) -> int:
        return sum(1 for call, _ in self.calls if call == name)


def expire(i: int) -> dict[str, Any]:
    return {
        "imageDigest": f"sha256:{i:04d}",
        "imageTags": [f"v{i}"],
        "action": {"type": "EXPIRE"},
        "appliedRulePriority": 1,
        "storageClass": "STANDARD",
    }


def image(i: int, status: str) -> dict[str, Any]:
    return {"imageDigest": f"sha256:{i:064d}", "imageTags": [f"t{i}"], "imagePushedAt": PUSHED, "imageStatus": status}


def preview(ecr: FakeEcr, *, text: str = OURS, budget: float = 30.0, **kwargs: Any) -> Any:
    return run_preview(
        ecr,  # type: ignore[arg-type]
        repository="app",
        registry_id="123456789012",
        policy_text=text,
        deadline=ecr.clock.now + budget,
        clock=ecr.clock,
        sleep=ecr.clock.sleep,
        poll_interval=0.25,
        **kwargs,
    )


def test_returns_summary_and_every_result_page() -> None:
    # given
    ecr = FakeEcr(FakeClock(), results=[expire(i) for i in range(250)])
    # when
    figures = preview(ecr)
    # then
    assert figures.expiring == 250
    assert [r.digest for r in figures.results] == [f"sha256:{i:04d}" for i in range(250)]
    get_calls = [kw for name, kw in ecr.calls if name == "get"]
    assert {kw["maxResults"] for kw in get_calls} == {PREVIEW_PAGE_SIZE}
    assert [kw.get("nextToken") for kw in get_calls[-3:]] == [None, "100", "200"]
    assert all(kw["registryId"] == "123456789012" for _, kw in ecr.calls)


def test_overhead_after_ecr_finishes_is_at_most_one_poll_interval() -> None:
    # given
    ecr = FakeEcr(FakeClock(), latency=3.0)
    # when
    preview(ecr)
    # then
    assert 3.0 <= ecr.clock.now <= 3.0 + 0.25


def test_transitions_are_summed_from_the_summary() -> None:
    # given
    moving = {**expire(1), "action": {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}}
    ecr = FakeEcr(FakeClock(), results=[expire(0), moving])
    # when
    figures = preview(ecr)
    # then
    assert (figures.expiring, figures.transitioning) == (1, 1)


def test_waits_for_another_policys_preview_then_runs_its_own() -> None:
    # given
    ecr = FakeEcr(FakeClock(), current=Preview(THEIRS, done_at=2.0), results=[expire(1)])
    # when
    figures = preview(ecr)
    # then
    assert figures.expiring == 1
    assert ecr.current is not None
    assert ecr.current.text == OURS
    assert ecr.clock.now >= 2.0 + ecr.latency


def test_adopts_a_running_preview_of_the_same_policy() -> None:
    # given
    ecr = FakeEcr(FakeClock(), current=Preview(OURS, done_at=1.0), results=[expire(1)])
    # when
    figures = preview(ecr)
    # then
    assert figures.expiring == 1
    assert ecr.clock.now < 1.0 + ecr.latency


def test_expired_preview_is_started_again_within_the_budget() -> None:
    # given
    ecr = FakeEcr(FakeClock(), finals=["EXPIRED", "COMPLETE"])
    # when
    preview(ecr)
    # then
    assert ecr.count("start") == 2


def test_failed_preview_raises_preview_failed() -> None:
    # given
    ecr = FakeEcr(FakeClock(), finals=["FAILED"])
    # when / then
    with pytest.raises(PreviewFailedError, match="FAILED"):
        preview(ecr)


@pytest.mark.parametrize("final", ["NEVER", "EXPIRED"])
def test_gives_up_before_the_deadline_when_no_preview_completes(final: str) -> None:
    # given
    ecr = FakeEcr(FakeClock(), finals=[final] * 100)
    # when / then
    with pytest.raises(PreviewTimeoutError, match="no complete preview within the time allowed"):
        preview(ecr, budget=5.0)
    assert ecr.clock.now <= 5.0


def test_a_preview_replaced_by_another_policy_is_not_trusted() -> None:
    # given
    ecr = FakeEcr(FakeClock(), replace_after_start=THEIRS, results=[expire(1)])
    # when
    figures = preview(ecr)
    # then
    assert figures.expiring == 1
    assert ecr.clock.now >= 2 * ecr.latency
    assert ecr.current is not None
    assert ecr.current.text == OURS


def test_equivalent_policy_text_with_other_formatting_is_trusted() -> None:
    # given
    ecr = FakeEcr(FakeClock(), results=[expire(1)])
    reformatted = json.dumps(json.loads(OURS), indent=2)
    # when
    figures = preview(ecr, text=reformatted)
    # then
    assert figures.expiring == 1
    assert ecr.count("start") == 1


def test_throttled_calls_are_retried() -> None:
    # given
    ecr = FakeEcr(FakeClock(), start_errors=["ThrottlingException"], get_errors=["ThrottlingException"] * 2)
    # when
    figures = preview(ecr)
    # then
    assert figures.expiring == 0
    assert ecr.count("start") == 2


def test_other_aws_errors_are_raised_unchanged() -> None:
    # given
    ecr = FakeEcr(FakeClock(), start_errors=["RepositoryNotFoundException"])
    # when / then
    with pytest.raises(FakeAwsError, match="RepositoryNotFoundException"):
        preview(ecr)


def test_counts_visible_images_of_the_policys_storage_classes_over_all_pages() -> None:
    # given
    images = [image(0, "ACTIVE"), image(1, "ARCHIVED"), image(2, "ACTIVE"), image(3, "ACTIVATING"), image(4, "ACTIVE")]
    standard = FakeEcr(FakeClock(), images=images, results=[expire(0)])
    archive = FakeEcr(FakeClock(), images=images, results=[expire(1)])
    # when
    standard_count = preview(standard, count_visible=True).visible_images
    archive_count = preview(archive, text=policy(1, "archive"), count_visible=True).visible_images
    # then
    assert (standard_count, archive_count) == (3, 2)
    describe = [kw for name, kw in standard.calls if name == "describe"]
    assert len(describe) == 3
    assert all(kw["filter"] == {"imageStatus": "ANY"} and kw["maxResults"] == 1000 for kw in describe)


def test_visible_images_are_not_counted_when_nothing_expires() -> None:
    # given
    ecr = FakeEcr(FakeClock(), images=[image(0, "ACTIVE")])
    # when
    figures = preview(ecr, count_visible=True)
    # then
    assert figures.visible_images is None
    assert ecr.count("describe") == 0


def test_visible_images_are_not_counted_unless_asked() -> None:
    # given
    ecr = FakeEcr(FakeClock(), images=[image(0, "ACTIVE")], results=[expire(0)])
    # when
    figures = preview(ecr)
    # then
    assert figures.visible_images is None
    assert ecr.count("describe") == 0


def test_progress_is_reported() -> None:
    # given
    messages: list[str] = []
    ecr = FakeEcr(FakeClock())
    # when
    preview(ecr, progress=messages.append)
    # then
    assert messages[0] == "preview started (1)"
    assert messages[-1] == "preview complete: 0 expiring, 0 transitioning"


def test_results_are_read_again_when_another_preview_replaces_ours_while_paging() -> None:
    # given
    ecr = FakeEcr(FakeClock(), results=[expire(i) for i in range(150)], replace_while_paging=THEIRS)
    # when
    figures = preview(ecr)
    # then
    assert len(figures.results) == 150
    assert figures.expiring == 150
    assert ecr.count("start") == 2
    assert ecr.current is not None
    assert ecr.current.text == OURS
