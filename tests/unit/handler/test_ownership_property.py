"""Properties: any interleaving of create/update/delete of two guards on one repository keeps the promise,
and a rename inside a stack ends, by cleanup or by rollback, with the policy of the resource that stays.

Two resources (in one stack — a rename — or in two stacks) send CloudFormation's requests to the real
handler over an in-memory ECR, in any order, with any properties (``PreviewOnly``, ``OnDelete``,
``RestorePolicyText``), during deploys or rollbacks, and with an AWS failure injected into any write
(before it applies, or after it applied and the answer was lost). After every request:

* the live policy is the original one, none, or one that a resource put with a SUCCESS answer;
* FAILED means the live policy and the ownership tags are unchanged;
* SUCCESS of a Create/Update (not ``PreviewOnly``) means the desired policy is live and owned by it;
* a Delete never changes the policy (or the owner tag) of a repository another resource owns; the
  owner's Delete releases the ownership, or — when it took over inside the stack and the stack rolls
  back — hands it back to the resource it took it from.

The rename property drives CloudFormation's own sequence: the old resource deployed, the new one
created, then either the update's cleanup (the old one deleted; later, perhaps, the new one removed)
or its rollback (the new one deleted, while rolling back, in the cleanup after the rollback, or with a
stack status that cannot be read), with a failure injected into any write and the failed request sent
again as CloudFormation (or ``continue-update-rollback``) would. At the end the live policy is the one
the remaining resource expects, owned by it, with no hand-back record left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fake_ecr import CREATE_POLICY, REPOSITORY, World, canonical, event, owner_value
from hypothesis import example, given
from hypothesis import strategies as st

from ecr_lifecycle_guard.contract import PREVIOUS_OWNER_TAG_KEY, failed_create_marker

POLICIES = tuple(CREATE_POLICY.replace('"countNumber":14', f'"countNumber":{n}') for n in (14, 30, 60, 90))
ORIGINAL = '{"rules":[{"rulePriority":7,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":500},"action":{"type":"expire"}}]}'  # noqa: E501
WRITES = ("TagResource", "UntagResource", "PutLifecyclePolicy", "DeleteLifecyclePolicy")

faults = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(WRITES), st.sampled_from(["AccessDeniedException", "ValidationException"]), st.just(False)
    ),
    st.tuples(st.sampled_from(WRITES), st.sampled_from(["InternalFailure", "ServerException"]), st.booleans()),
    st.tuples(st.sampled_from(WRITES), st.just("ThrottlingException"), st.just(False)),
)
requests = st.tuples(
    st.sampled_from(["create", "update", "delete"]),
    st.sampled_from([0, 1]),
    st.fixed_dictionaries(
        {
            "policy": st.sampled_from(range(len(POLICIES))),
            "preview_only": st.booleans(),
            "retain": st.booleans(),
            "restore": st.one_of(st.none(), st.sampled_from(range(len(POLICIES)))),
            "rollback": st.booleans(),
        }
    ),
    faults,
)


@dataclass
class Guard:
    stack: str
    logical_id: str
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def owner(self) -> str:
        return owner_value(self.stack, self.logical_id)


def properties(choice: dict[str, Any]) -> dict[str, Any]:
    return {
        "LifecyclePolicyText": POLICIES[choice["policy"]],
        "PreviewOnly": "true" if choice["preview_only"] else "false",
        "OnDelete": "retain" if choice["retain"] else "delete",
        "RestorePolicyText": POLICIES[choice["restore"]] if choice["restore"] is not None else None,
        "ProtectInUse": "false",
        "AllowExpireAll": "true",
    }


@given(
    same_stack=st.booleans(),
    original=st.booleans(),
    steps=st.lists(requests, min_size=1, max_size=14),
)
def test_any_interleaving_keeps_the_live_policy_owned_and_the_answers_truthful(
    same_stack: bool, original: bool, steps: list[tuple[str, int, dict[str, Any], Any]]
) -> None:
    # given
    world = World()
    if original:
        world.ecr.policies[REPOSITORY] = ORIGINAL
    guards = [Guard("s1", "GuardA"), Guard("s1" if same_stack else "s2", "GuardB")]
    allowed = {None, ORIGINAL}
    for kind, which, choice, fault in steps:
        guard = guards[which]
        desired = properties(choice)
        sent = desired if kind != "delete" else (guard.properties or desired)
        world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS" if choice["rollback"] else "UPDATE_IN_PROGRESS"
        world.ecr.faults.clear()
        if fault is not None:
            operation, code, applied = fault
            world.ecr.fail(operation, code, applied=applied, times=3 if code == "ThrottlingException" else 1)
        before = (world.ecr.policies.get(REPOSITORY), world.ecr.owner())
        tags_before = world.ecr.ownership_tags()
        request = event(kind, stack=guard.stack, logical_id=guard.logical_id, properties=sent)
        # when
        outcome = world.handle(request)
        # then
        after = (world.ecr.policies.get(REPOSITORY), world.ecr.owner())
        if outcome.status == "FAILED":
            assert after == before, (kind, guard, outcome.reason)
            assert world.ecr.ownership_tags() == tags_before, (kind, guard, outcome.reason)
        elif kind != "delete":
            guard.properties = desired
            if not choice["preview_only"]:
                assert after == (canonical(desired["LifecyclePolicyText"]), guard.owner)
                allowed.add(after[0])
        else:
            previous = tags_before.get(PREVIOUS_OWNER_TAG_KEY)
            if before[1] != guard.owner:
                assert after == before, ("a delete changed what it does not own", guard, before, after)
            elif previous is not None and previous.startswith(f"{guard.stack}/") and choice["rollback"]:
                assert after[1] == previous, ("a rolled-back rename did not hand back", guard, after)
            else:
                assert after[1] is None
                if sent.get("RestorePolicyText") and after[0] is not None:
                    allowed.add(after[0])
        assert after[0] in allowed, ("the live policy is one nobody put", after[0])


# --- a rename inside one stack, then the update's cleanup or its rollback ---------------------------

ENDINGS = (
    "cleanup",
    "cleanup-then-removal",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "status-unreadable",
)
#: One failure per rename, equally likely: which request, which write, refused / applied but answer lost / throttled.
RENAME_FAULTS: tuple[Any, ...] = (
    None,
    *(
        (step, (operation, code, applied))
        for step in ("create", "ending")
        for operation in WRITES
        for code, applied in (
            ("AccessDeniedException", False),
            ("InternalFailure", True),
            ("ThrottlingException", False),
        )
    ),
)


def send(world: World, request: dict[str, Any], fault: Any) -> tuple[str, dict[str, Any]]:
    """Send ``request`` (with ``fault`` injected once), checking the per-request promise; resend a FAILED delete."""
    world.ecr.faults.clear()
    if fault is not None:
        operation, code, applied = fault
        world.ecr.fail(operation, code, applied=applied, times=3 if code == "ThrottlingException" else 1)
    for _ in range(2):
        before = (world.ecr.policies.get(REPOSITORY), world.ecr.ownership_tags())
        outcome = world.handle(request)
        world.ecr.faults.clear()
        after = (world.ecr.policies.get(REPOSITORY), world.ecr.ownership_tags())
        if outcome.status == "FAILED":
            assert after == before, (request["RequestType"], request["LogicalResourceId"], outcome.reason)
        if request["RequestType"] == "Delete":
            owner = before[1].get("ecr-lifecycle-guard:owner")
            if owner is not None and owner != f"s1/{request['LogicalResourceId']}":
                assert (after[0], after[1].get("ecr-lifecycle-guard:owner")) == (before[0], owner), "removed another's"
        if outcome.status == "SUCCESS" or request["RequestType"] != "Delete":
            return outcome.status, outcome.data
    raise AssertionError(f"a resent delete failed: {outcome.reason}")


@example(old_policy=0, new_policy=1, new_preview_only=False, old_retain=False, ending=ENDINGS[2], fault=None)
@example(old_policy=0, new_policy=0, new_preview_only=False, old_retain=False, ending=ENDINGS[3], fault=None)
@example(old_policy=0, new_policy=1, new_preview_only=False, old_retain=False, ending=ENDINGS[4], fault=None)
@example(old_policy=0, new_policy=1, new_preview_only=False, old_retain=False, ending=ENDINGS[1], fault=None)
@example(
    old_policy=0,
    new_policy=1,
    new_preview_only=False,
    old_retain=False,
    ending=ENDINGS[0],
    fault=("create", ("PutLifecyclePolicy", "AccessDeniedException", False)),
)
@given(
    old_policy=st.sampled_from(range(len(POLICIES))),
    new_policy=st.sampled_from(range(len(POLICIES))),
    new_preview_only=st.booleans(),
    old_retain=st.booleans(),
    ending=st.sampled_from(ENDINGS),
    fault=st.sampled_from(RENAME_FAULTS),
)
def test_a_rename_ends_with_the_policy_of_the_resource_that_stays(
    old_policy: int, new_policy: int, new_preview_only: bool, old_retain: bool, ending: str, fault: Any
) -> None:
    # given: Old deployed in stack s1
    world = World()
    old = {**properties({**CHOICE, "policy": old_policy, "retain": old_retain}), "RestorePolicyText": None}
    new = {**properties({**CHOICE, "policy": new_policy, "preview_only": new_preview_only}), "RestorePolicyText": None}
    world.cfn.status = "CREATE_IN_PROGRESS"
    assert world.handle(event("create", stack="s1", logical_id="Old", properties=old)).status == "SUCCESS"
    # when: the update creates New; then its cleanup deletes Old, or its rollback deletes New
    world.cfn.status = "UPDATE_IN_PROGRESS"
    created, _ = send(
        world,
        event("create", stack="s1", logical_id="New", properties=new),
        fault[1] if fault and fault[0] == "create" else None,
    )
    ending_fault = fault[1] if fault and fault[0] == "ending" else None
    rolled_back = created == "FAILED" or not ending.startswith("cleanup")
    if rolled_back:
        world.cfn.status = "UPDATE_ROLLBACK_IN_PROGRESS" if ending.startswith("cleanup") else ending
        if ending == "status-unreadable":
            world.cfn.always = "AccessDenied"
        physical = failed_create_marker("req") if created == "FAILED" else f"123456789012/{REPOSITORY}"
        delete_new = event("delete", stack="s1", logical_id="New", properties=new, PhysicalResourceId=physical)
        send(world, delete_new, ending_fault)
    else:
        world.cfn.status = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
        send(world, event("delete", stack="s1", logical_id="Old", properties=old), ending_fault)
        if ending == "cleanup-then-removal":
            send(world, event("delete", stack="s1", logical_id="New", properties=new), None)
    # then: the live policy is the one the resource that stays expects, and no hand-back record is left
    live, tags = world.ecr.policies.get(REPOSITORY), world.ecr.ownership_tags()
    if rolled_back:
        assert (live, tags) == (canonical(old["LifecyclePolicyText"]), {"ecr-lifecycle-guard:owner": "s1/Old"})
    elif ending == "cleanup-then-removal" and not new_preview_only:
        assert (live, tags) == (None, {})
    elif not new_preview_only:
        assert (live, tags) == (canonical(new["LifecyclePolicyText"]), {"ecr-lifecycle-guard:owner": "s1/New"})
    else:  # New never owned: Old's delete removed (or, retained, left) its own policy
        assert (live, tags) == (canonical(old["LifecyclePolicyText"]) if old_retain else None, {})


CHOICE: dict[str, Any] = {"policy": 0, "preview_only": False, "retain": False, "restore": None, "rollback": False}
