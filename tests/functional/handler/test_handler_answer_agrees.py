"""The answer agrees with the live state (issue 8, case 4) when a write is slow near the Lambda deadline, end to
end: the real handler asset in a Lambda-like subprocess with a real deadline, real HTTP to the stand-in and
real PUTs to the HTTPS receiver.

Each test checks that CloudFormation got exactly one answer, that no write reached ECR after it, and that it
agrees with the live policy and owner tag once the stand-in has finished every request it holds: SUCCESS with
the new policy live and this resource as owner, FAILED with the old policy and owner tag exactly as before.
Then the request CloudFormation sends next (the rollback, or the retried delete) is run and the repository
ends as it was before the deploy.

A write that hangs cannot be what Lambda kills: the write budget ends it long before the deadline (the "hung"
tests check the run was not killed). What can outlive the deadline is a read (botocore retries it), so the
killed invocation here hangs in its first read, after crhelper's timeout answer went out.

A put throttled until the write budget is spent is ``test_handler_deadline``'s first test; it is not repeated
here."""

from __future__ import annotations

import signal
import time
from datetime import datetime
from typing import Literal

import pytest
from handler_harness import CREATE_POLICY, HAND_MADE_POLICY, Harness, Invocation

from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.local.faults import RecordedCall

#: Lambda time for a create: ECR's preview must leave 48 s for the writes and the response.
NEAR_DEADLINE = 52.0
#: Lambda time for a delete (no preview): the untag must leave room for two more writes and the response (48 s),
#: the delete for one more (37 s).
DELETE_DEADLINE = 50.0
#: Lambda time of the invocations whose first read hangs: crhelper's timeout answer fires at half of it, before
#: the read client's 10 s read timeout; the Lambda is killed before that read's retry can end.
KILLED_AFTER = 14.0
#: Longer than the write client's 8 s read timeout: the handler never sees ECR's answer to a held request.
HELD = 10.0
#: Longer than any invocation here: a hung request is never applied, and answered only by a dropped connection.
HUNG = 120.0
WRITES = ("PutLifecyclePolicy", "DeleteLifecyclePolicy", "TagResource", "UntagResource")
ADOPTED = canonical_policy_text(HAND_MADE_POLICY)
CREATED = canonical_policy_text(CREATE_POLICY)
#: The create adopts a repository that shipped its own policy, and gives it back on delete.
ADOPTING = {"ProtectInUse": "false", "RestorePolicyText": HAND_MADE_POLICY}
Slowness = Literal["hung", "held"]


def write_calls(harness: Harness) -> list[RecordedCall]:
    return [call for operation in WRITES for call in harness.ecr.calls(operation)]


def settle(harness: Harness, within: float = 30.0) -> None:
    """Wait (bounded) until the stand-in has applied and answered every write it holds; hung ones are never applied."""
    until = time.monotonic() + within
    while held := [call for call in write_calls(harness) if call.answered_at is None and call.fault != "hang"]:
        assert time.monotonic() < until, f"the stand-in still holds {held}"
        time.sleep(0.05)


def answered_at(result: Invocation) -> float:
    """When the one answer was delivered (wall clock): the handler's "response delivered" log line."""
    stamps = [
        datetime.fromisoformat(record["timestamp"]).timestamp()
        for record in result.log_records
        if record.get("message") == "response delivered to CloudFormation"
    ]
    assert len(stamps) == 1, result.run.logs
    return stamps[0]


def assert_no_write_after_the_answer(writes: list[RecordedCall], result: Invocation) -> None:
    answer = answered_at(result) + 0.001  # the log stamp is cut to milliseconds
    late = [call for call in writes if call.received_at > answer]
    assert late == [], f"writes sent after the answer: {late}"


def assert_one_answer(result: Invocation) -> None:
    assert result.response is not None, result.run.logs
    assert result.attempts == 1


@pytest.mark.parametrize("slowness", ["hung", "held"])
def test_a_slow_put_near_the_deadline_gets_one_answer_that_agrees_with_the_live_policy_and_owner(
    harness: Harness, slowness: Slowness
) -> None:
    # given: an adopted repository; every put hangs unapplied, or the first put is applied only after the client
    # gave up on it (and after the handler has answered)
    harness.put_policy(ADOPTED)
    before = harness.state()
    if slowness == "hung":
        harness.ecr.faults.hang("PutLifecyclePolicy", HUNG, times=None)
    else:
        harness.ecr.faults.delay("PutLifecyclePolicy", HELD, times=1, apply="before")
    create = harness.event("create", properties=ADOPTING)
    seeded = len(harness.ecr.calls("PutLifecyclePolicy"))
    # when
    result = harness.invoke(create, timeout_seconds=NEAR_DEADLINE)
    settle(harness)
    after, writes = harness.state(), write_calls(harness)
    puts = harness.ecr.calls("PutLifecyclePolicy")[seeded:]
    harness.ecr.faults.clear()
    rollback = harness.invoke(
        harness.event("delete", PhysicalResourceId=result.physical_id, properties=create["ResourceProperties"])
    )
    # then
    assert_one_answer(result)
    assert not result.run.timed_out
    assert_no_write_after_the_answer(writes, result)
    if slowness == "hung":
        assert result.status == "FAILED"
        assert result.reason.startswith("PutLifecyclePolicy failed: ReadTimeoutError: "), result.reason
        assert len(puts) >= 2
        assert all(call.applied_at is None for call in puts)
        assert after == before
    else:
        assert result.status == "SUCCESS"
        assert puts[0].applied_at is not None
        assert puts[0].applied_at > answered_at(result)
        assert after == (CREATED, "guarded/Guard")
    assert rollback.status == "SUCCESS"
    assert harness.state() == before == (ADOPTED, None)


@pytest.mark.parametrize("slowness", ["hung", "held"])
def test_a_slow_delete_near_the_deadline_gets_one_answer_that_agrees_with_the_live_policy_and_owner(
    harness: Harness, slowness: Slowness
) -> None:
    # given: this resource owns its policy; every delete hangs unapplied, or the first delete is applied only
    # after the client gave up on it
    harness.invoke(harness.event("create", properties={"ProtectInUse": "false"}))
    owned = harness.state()
    if slowness == "hung":
        harness.ecr.faults.hang("DeleteLifecyclePolicy", HUNG, times=None)
    else:
        harness.ecr.faults.delay("DeleteLifecyclePolicy", HELD, times=1, apply="before")
    delete = harness.event("delete", properties={"ProtectInUse": "false"})
    # when
    result = harness.invoke(delete, timeout_seconds=DELETE_DEADLINE)
    settle(harness)
    after, writes = harness.state(), write_calls(harness)
    deletes = harness.ecr.calls("DeleteLifecyclePolicy")
    harness.ecr.faults.clear()
    retried = harness.invoke(delete)
    # then
    assert_one_answer(result)
    assert not result.run.timed_out
    assert_no_write_after_the_answer(writes, result)
    if slowness == "hung":
        assert result.status == "FAILED"
        assert result.reason.startswith("DeleteLifecyclePolicy failed: ReadTimeoutError: "), result.reason
        assert len(deletes) >= 2
        assert all(call.applied_at is None for call in deletes)
        assert after == owned == (CREATED, "guarded/Guard")
    else:
        assert result.status == "SUCCESS"
        assert deletes[0].applied_at is not None
        assert deletes[0].applied_at > answered_at(result)
        assert after == (None, None)
    assert retried.status == "SUCCESS"
    assert harness.state() == (None, None)


@pytest.mark.parametrize("read_hangs", ["once", "until_killed"])
def test_the_timeout_answer_is_the_only_answer_whether_the_main_thread_resumes_or_the_lambda_is_killed(
    harness: Harness, read_hangs: str
) -> None:
    # given: this resource owns its policy; the delete's first read hangs past crhelper's timeout answer (half of
    # the Lambda time here): once (botocore's retry succeeds and the main thread goes on to its writes before the
    # deadline), or on every retry until Lambda kills the invocation
    harness.invoke(harness.event("create", properties={"ProtectInUse": "false"}))
    owned = harness.state()
    writes_before = len(write_calls(harness))
    harness.ecr.faults.hang("ListTagsForResource", HUNG, times=1 if read_hangs == "once" else None)
    delete = harness.event("delete", properties={"ProtectInUse": "false"})
    # when
    result = harness.invoke(delete, timeout_seconds=KILLED_AFTER)
    harness.ecr.faults.clear()
    after, writes = harness.state(), write_calls(harness)
    retried = harness.invoke(delete)
    # then
    assert_one_answer(result)
    assert result.status == "FAILED"
    assert result.reason == f"the handler ran out of time; details in log, request {result.run.request_id}"
    assert len(writes) == writes_before
    assert after == owned == (CREATED, "guarded/Guard")
    if read_hangs == "once":
        assert not result.run.timed_out
        assert "DeleteLifecyclePolicy not started: the timeout answer was already claimed" in result.run.logs
        assert "the timeout path has the answer for this request; the main thread sends nothing" in result.run.logs
    else:
        assert result.run.timed_out
        assert result.run.exit_code == -signal.SIGKILL
    assert retried.status == "SUCCESS"
    assert harness.state() == (None, None)
