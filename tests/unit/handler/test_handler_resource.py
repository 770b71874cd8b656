"""The resource logic: preview, gate, put; rollbacks, no-op updates and deletes that only remove what is ours."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from unittest.mock import Mock

import pytest
from cfn_events import load_event

from ecr_lifecycle_guard.engine import canonical_policy_text, policies_equivalent
from ecr_lifecycle_guard.errors import EcrCallError, PreviewTimeoutError
from ecr_lifecycle_guard.gate import REASON_MAX_LENGTH, PreviewFigures, PreviewResult
from guard_handler.log import LogContext
from guard_handler.properties import failed_create_marker
from guard_handler.resource import RESPONSE_RESERVE_SECONDS, GuardedPolicyResource
from guard_handler.service import StackStatus

REPO = ("123456789012", "app")
CREATE_POLICY = load_event("create")["ResourceProperties"]["LifecyclePolicyText"]
UPDATE_POLICY = load_event("update")["ResourceProperties"]["LifecyclePolicyText"]
OTHER_POLICY = CREATE_POLICY.replace('"countNumber":14', '"countNumber":99')


@dataclass
class FakePolicies:
    """The repository's policy in memory, with the calls made."""

    live: dict[tuple[str, str], str] = field(default_factory=dict)
    missing_repository: bool = False
    calls: list[str] = field(default_factory=list)
    client: object = field(default_factory=object)

    def get(self, registry_id: str, repository: str) -> str | None:
        self.calls.append("get")
        if self.missing_repository:
            raise EcrCallError("GetLifecyclePolicy", "RepositoryNotFoundException", "no repository")
        return self.live.get((registry_id, repository))

    def put(self, registry_id: str, repository: str, policy_text: str) -> None:
        self.calls.append("put")
        self.live[(registry_id, repository)] = policy_text

    def delete(self, registry_id: str, repository: str) -> bool:
        self.calls.append("delete")
        return self.live.pop((registry_id, repository), None) is not None


@dataclass
class FakePreview:
    """Stands in for run_preview: returns fixed figures (or raises) and records its arguments."""

    figures: PreviewFigures = field(default_factory=lambda: PreviewFigures(1, 0, (), 10))
    error: Exception | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, client: object, **kwargs: Any) -> PreviewFigures:
        self.calls.append(kwargs)
        if self.error:
            raise self.error
        return self.figures


@dataclass
class FakeContext:
    remaining_ms: int = 60_000
    aws_request_id: str = "lambda-req-1"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:guard-handler"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class World:
    policies: FakePolicies = field(default_factory=FakePolicies)
    preview: FakePreview = field(default_factory=FakePreview)
    stacks: Mock = field(default_factory=lambda: Mock(spec=StackStatus))
    now: float = 1000.0

    def __post_init__(self) -> None:
        self.stacks.status.return_value = "UPDATE_IN_PROGRESS"

    def resource(self) -> GuardedPolicyResource:
        return GuardedPolicyResource(
            policies=self.policies,  # type: ignore[arg-type]
            stacks=self.stacks,
            clock=lambda: self.now,
            sleep=lambda seconds: None,
            log_context=LogContext(),
            preview=self.preview,
        )

    def handle(self, event: dict[str, Any], context: FakeContext | None = None) -> Any:
        return self.resource().handle(event, context or FakeContext())


@pytest.fixture
def world() -> World:
    return World()


def test_create_previews_gates_and_puts_the_canonical_policy(world: World) -> None:
    # given
    event = load_event("create")
    # when
    outcome = world.handle(event)
    # then
    assert (outcome.status, outcome.physical_id) == ("SUCCESS", "123456789012/app")
    assert world.policies.live[REPO] == canonical_policy_text(CREATE_POLICY)
    assert outcome.data == {
        "ExpiringImageCount": "1",
        "TransitioningImageCount": "0",
        "PolicyApplied": "true",
        "PreviewStatus": "COMPLETE",
    }


def test_live_policy_equal_to_the_desired_one_skips_the_preview(world: World) -> None:
    # given
    world.policies.live[REPO] = CREATE_POLICY.replace(",", ", ")
    # when
    outcome = world.handle(load_event("create"))
    # then
    assert outcome.status == "SUCCESS"
    assert outcome.data["PreviewStatus"] == "SKIPPED_UNCHANGED"
    assert world.preview.calls == []
    assert world.policies.calls == ["get"]
    world.stacks.status.assert_not_called()


def test_blocked_create_leaves_the_policy_and_answers_with_the_failed_create_marker(world: World) -> None:
    # given
    world.policies.live[REPO] = OTHER_POLICY
    world.preview.figures = PreviewFigures(12, 0, (), 40)
    event = load_event("create", properties={"MaxExpiringImages": "10"})
    # when
    outcome = world.handle(event)
    # then
    assert outcome.status == "FAILED"
    assert outcome.physical_id == failed_create_marker(event["RequestId"])
    assert outcome.reason == (
        "blocked by MaxExpiringImages: 12 images would expire, limit 10 (repository 'app');"
        " details in log, request lambda-req-1"
    )
    assert world.policies.live[REPO] == OTHER_POLICY
    assert "put" not in world.policies.calls


def test_blocked_update_keeps_the_physical_id(world: World) -> None:
    # given
    world.preview.figures = PreviewFigures(0, 3, (), 40)
    event = load_event("update", properties={"MaxTransitioningImages": "2"})
    # when
    outcome = world.handle(event)
    # then
    assert (outcome.status, outcome.physical_id) == ("FAILED", "123456789012/app")
    assert outcome.reason.startswith("blocked by MaxTransitioningImages: 3 images would be archived, limit 2")


def test_protected_tag_reason_names_the_pattern(world: World) -> None:
    # given
    hit = PreviewResult("sha256:1", ("release-1",), "EXPIRE", 1, "STANDARD")
    world.preview.figures = PreviewFigures(1, 0, (hit,), 40)
    event = load_event("create", properties={"ProtectedTags": ["release-*"]})
    # when
    outcome = world.handle(event)
    # then
    assert "pattern 'release-*' matches tag 'release-1'" in outcome.reason
    assert len(outcome.reason) <= REASON_MAX_LENGTH


def test_rollback_restores_the_requested_policy_without_preview(world: World) -> None:
    # given
    world.policies.live[REPO] = UPDATE_POLICY
    world.stacks.status.return_value = "UPDATE_ROLLBACK_IN_PROGRESS"
    event = load_event("update", properties={"LifecyclePolicyText": CREATE_POLICY, "MaxExpiringImages": "0"})
    # when
    outcome = world.handle(event)
    # then
    assert outcome.status == "SUCCESS"
    assert outcome.data["PreviewStatus"] == "SKIPPED_ROLLBACK"
    assert world.preview.calls == []
    assert policies_equivalent(world.policies.live[REPO], CREATE_POLICY)
    world.stacks.status.assert_called_once_with(event["StackId"])


def test_unknown_stack_status_gates_as_usual(world: World) -> None:
    # given
    world.stacks.status.side_effect = EcrCallError("DescribeStacks", "AccessDenied", "no")
    # when
    outcome = world.handle(load_event("update"))
    # then
    assert outcome.status == "SUCCESS"
    assert len(world.preview.calls) == 1


def test_preview_only_gates_but_never_puts(world: World) -> None:
    # given
    event = load_event("create", properties={"PreviewOnly": "true"})
    # when
    outcome = world.handle(event)
    # then
    assert outcome.status == "SUCCESS"
    assert outcome.data["PolicyApplied"] == "false"
    assert "put" not in world.policies.calls


def test_preview_deadline_is_the_preview_timeout_or_the_lambda_time_left_minus_the_reserve(world: World) -> None:
    # given
    short = load_event("create", properties={"PreviewTimeoutSeconds": "5", "PreviewOnly": "true"})
    long = load_event("create", properties={"PreviewTimeoutSeconds": "840", "PreviewOnly": "true"})
    # when
    world.handle(short, FakeContext(remaining_ms=60_000))
    world.handle(long, FakeContext(remaining_ms=60_000))
    # then
    deadlines = [call["deadline"] - world.now for call in world.preview.calls]
    assert deadlines == [5.0, 60.0 - RESPONSE_RESERVE_SECONDS]


def test_visible_images_are_counted_only_when_a_limit_needs_them(world: World) -> None:
    # given
    guarded = load_event("create", properties={"PreviewOnly": "true"})
    allow = load_event("create", properties={"PreviewOnly": "true", "AllowExpireAll": "true"})
    # when
    world.handle(guarded)
    world.handle(allow)
    # then
    assert [call["count_visible"] for call in world.preview.calls] == [True, False]


def test_preview_timeout_fails_with_a_short_reason(world: World) -> None:
    # given
    world.preview.error = PreviewTimeoutError("app", "no complete preview within the time allowed")
    # when
    outcome = world.handle(load_event("create"))
    # then
    assert outcome.status == "FAILED"
    assert outcome.reason.startswith("preview of app: no complete preview within the time allowed")


def test_bad_property_fails_naming_it(world: World) -> None:
    # given
    event = load_event("create", properties={"OnDelete": "keep"})
    # when
    outcome = world.handle(event)
    # then
    assert outcome.reason.startswith("""OnDelete: must be "delete" or "retain", got 'keep'; details in log""")
    assert world.policies.calls == []


def test_invalid_policy_fails_naming_rule_and_field(world: World) -> None:
    # given
    event = load_event("create", properties={"LifecyclePolicyText": CREATE_POLICY.replace('"days"', '"weeks"')})
    # when
    outcome = world.handle(event)
    # then
    assert outcome.reason.startswith("LifecyclePolicyText: rule 1 (priority 1): selection.countUnit")


def test_unexpected_error_fails_instead_of_raising(world: World) -> None:
    # given
    world.preview.error = RuntimeError("boom")
    # when
    outcome = world.handle(load_event("create"))
    # then
    assert outcome.status == "FAILED"
    assert outcome.reason.startswith("unexpected RuntimeError: boom (repository 'app')")


def test_repository_change_answers_with_the_new_physical_id(world: World) -> None:
    # given
    event = load_event("update", properties={"RepositoryName": "other"})
    # when
    outcome = world.handle(event)
    # then
    assert outcome.physical_id == "123456789012/other"
    assert ("123456789012", "other") in world.policies.live


def test_delete_removes_the_policy_this_resource_put(world: World) -> None:
    # given
    world.policies.live[REPO] = canonical_policy_text(CREATE_POLICY)
    # when
    outcome = world.handle(load_event("delete"))
    # then
    assert (outcome.status, outcome.physical_id) == ("SUCCESS", "123456789012/app")
    assert REPO not in world.policies.live


def test_delete_keeps_a_policy_changed_out_of_band(world: World) -> None:
    # given
    world.policies.live[REPO] = OTHER_POLICY
    # when
    outcome = world.handle(load_event("delete"))
    # then
    assert outcome.status == "SUCCESS"
    assert world.policies.live[REPO] == OTHER_POLICY


@pytest.mark.parametrize(
    "event",
    [
        load_event("delete", PhysicalResourceId=failed_create_marker("r-1")),
        load_event("delete", PhysicalResourceId="guarded_Guard_ABCDEFGH"),
        load_event("delete", properties={"OnDelete": "retain"}),
        load_event("delete", properties={"MaxExpiringImages": "lots"}),
    ],
    ids=["failed-create-marker", "foreign-id", "retain", "unreadable-properties"],
)
def test_delete_leaves_the_policy_alone_when_it_is_not_ours_to_remove(world: World, event: dict[str, Any]) -> None:
    # given
    world.policies.live[REPO] = canonical_policy_text(CREATE_POLICY)
    # when
    outcome = world.handle(event)
    # then
    assert (outcome.status, outcome.physical_id) == ("SUCCESS", event["PhysicalResourceId"])
    assert "delete" not in world.policies.calls


@pytest.mark.parametrize("missing_repository", [True, False])
def test_delete_succeeds_when_repository_or_policy_is_gone(world: World, missing_repository: bool) -> None:
    # given
    world.policies.missing_repository = missing_repository
    # when
    outcome = world.handle(load_event("delete"))
    # then
    assert outcome.status == "SUCCESS"
