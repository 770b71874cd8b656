"""Hostile input end to end (issue 8, cases 6 and 8): tag patterns that would backtrack, and ECR's own validator
disagreeing with ours. Each test checks the answer, the live policy and the owner tag afterwards.

(Case 7 — a Python runtime too old for the bundled code, a repository in another region — is refused by
the construct at synth time and tested there.)"""

from __future__ import annotations

from handler_harness import HAND_MADE_POLICY, OLD_IMAGES_POLICY, Harness

from ecr_lifecycle_guard.local import SeedImage

HOSTILE_TAG = "a" * 120


def test_a_backtracking_protected_tag_pattern_is_refused_by_name_at_once(harness: Harness) -> None:
    # given: ten wildcards, more than ECR allows in its own tag patterns
    event = harness.event("create", properties={"ProtectedTags": ["*a*a*a*a*a*a*a*a*a*b"]})
    # when
    result = harness.invoke(event)
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith("ProtectedTags[0]: must be a tag pattern with at most 4 '*', got '*a*a*a*a")
    assert result.run.duration_seconds < 2
    assert harness.state() == (None, None)


def test_the_worst_allowed_pattern_against_a_long_pushed_tag_answers_in_time(harness: Harness) -> None:
    # given: anyone with push rights can push this tag onto an image the policy would expire
    harness.ecr.add_images("app", [SeedImage(tags=(HOSTILE_TAG,), pushed_days_ago=50)])
    event = harness.event(
        "create", properties={"LifecyclePolicyText": OLD_IMAGES_POLICY, "ProtectedTags": ["*a*a*a*b", "*a*a*a*a"]}
    )
    # when
    result = harness.invoke(event)
    # then: the second pattern matches the hostile tag, and the answer says so quickly
    assert result.status == "FAILED"
    assert result.reason.startswith(f"blocked by ProtectedTags: pattern '*a*a*a*a' matches tag '{HOSTILE_TAG[:20]}")
    assert result.run.duration_seconds < 5
    assert harness.state() == (None, None)


def test_ecrs_own_refusal_of_the_preview_is_named_with_ecrs_message_and_changes_nothing(harness: Harness) -> None:
    # given: ECR's validator disagrees with ours
    harness.put_policy(HAND_MADE_POLICY)
    message = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation"
    harness.ecr.faults.fail("StartLifecyclePolicyPreview", "InvalidParameterException", message)
    # when
    result = harness.invoke(harness.event("create"))
    # then
    assert result.status == "FAILED"
    assert result.reason.startswith(f"StartLifecyclePolicyPreview failed: InvalidParameterException: {message[:60]}")
    assert len(result.reason) <= 200
    assert harness.state() == (HAND_MADE_POLICY, None)
