"""Property: any interleaving of create/update/delete of two guards on one repository keeps the promise.

Two resources (in one stack — a rename — or in two stacks) send CloudFormation's requests to the real
handler over an in-memory ECR, in any order, with any properties (``PreviewOnly``, ``OnDelete``,
``RestorePolicyText``), during deploys or rollbacks, and with an AWS failure injected into any write
(before it applies, or after it applied and the answer was lost). After every request:

* the live policy is the original one, none, or one that a resource put with a SUCCESS answer;
* FAILED means the live policy and the owner tag are unchanged;
* SUCCESS of a Create/Update (not ``PreviewOnly``) means the desired policy is live and owned by it;
* a Delete never changes the policy (or the tag) of a repository another resource owns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fake_ecr import CREATE_POLICY, REPOSITORY, World, canonical, event, owner_value
from hypothesis import given
from hypothesis import strategies as st

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
        request = event(kind, stack=guard.stack, logical_id=guard.logical_id, properties=sent)
        # when
        outcome = world.handle(request)
        # then
        after = (world.ecr.policies.get(REPOSITORY), world.ecr.owner())
        if outcome.status == "FAILED":
            assert after == before, (kind, guard, outcome.reason)
        elif kind != "delete":
            guard.properties = desired
            if not choice["preview_only"]:
                assert after == (canonical(desired["LifecyclePolicyText"]), guard.owner)
                allowed.add(after[0])
        else:
            if before[1] != guard.owner:
                assert after == before, ("a delete changed what it does not own", guard, before, after)
            else:
                assert after[1] is None
                if sent.get("RestorePolicyText") and after[0] is not None:
                    allowed.add(after[0])
        assert after[0] in allowed, ("the live policy is one nobody put", after[0])
