"""Sixty guards updated in one deploy: every one answers SUCCESS in time against ECR's request rates.

CloudFormation updates independent custom resources of a stack in parallel, so a platform team's
deploy sends dozens of guards to the handler at once. The stand-in enforces per-operation request
rates like ECR's (``ECR_RATE_LIMITS``); each guard previews, gates and puts through the real handler
asset in its own process, over real HTTP.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from handler_harness import CREATE_POLICY, SEED, UPDATE_POLICY, Harness

from ecr_lifecycle_guard.engine import policies_equivalent
from ecr_lifecycle_guard.local import ECR_RATE_LIMITS, EcrStandIn, ResponseReceiver

GUARDS = 60
#: The event's PreviewTimeoutSeconds (60) plus the construct's 60 s margin: the Lambda timeout.
LAMBDA_TIMEOUT_SECONDS = 120.0
#: Each real Lambda environment initialises on its own CPU; here sixty share two cores, so their imports
#: may take longer than Lambda's 10 s init limit. The invocations themselves keep their real deadline.
SHARED_CPU_INIT_SECONDS = 90.0


@pytest.mark.slow
def test_sixty_guards_updated_at_once_all_succeed_within_their_timeouts(
    asset_dir: Path, receiver: ResponseReceiver
) -> None:
    # given: sixty repositories with the old policy, on a stand-in that throttles like ECR
    names = [f"platform/team-{i % 7:02d}/service-{i:03d}" for i in range(GUARDS)]
    with EcrStandIn(preview_latency=0.5) as ecr:
        ecr.create_repositories(names, images=SEED)
        client = ecr.client("ecr")
        for name in names:
            client.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=CREATE_POLICY)
        ecr.enable_rate_limits(ECR_RATE_LIMITS)
        harness = Harness(ecr, receiver, asset_dir, ecr.create_stack("platform-images"))
        events = [
            harness.event(
                "update",
                LogicalResourceId=f"Guard{index:03d}",
                PhysicalResourceId=f"{ecr.account_id}/{name}",
                properties={"RepositoryName": name, "LifecyclePolicyText": UPDATE_POLICY},
                old_properties={"RepositoryName": name, "LifecyclePolicyText": CREATE_POLICY},
            )
            for index, name in enumerate(names)
        ]

        # when: CloudFormation sends all sixty updates at once
        with ThreadPoolExecutor(max_workers=GUARDS) as pool:
            invocations = list(
                pool.map(
                    lambda event: harness.invoke(
                        event, timeout_seconds=LAMBDA_TIMEOUT_SECONDS, init_timeout_seconds=SHARED_CPU_INIT_SECONDS
                    ),
                    events,
                )
            )

        ecr.disable_rate_limits()  # the checks below are the test's own reads, not the deploy's

        # then: every guard answered SUCCESS before its deadline, and its new policy is live
        failed = [(i.physical_id, i.status, i.reason) for i in invocations if i.status != "SUCCESS"]
        assert failed == []
        assert all(not i.run.timed_out and i.run.duration_seconds < LAMBDA_TIMEOUT_SECONDS for i in invocations)
        for name in names:
            live = client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
            assert policies_equivalent(live, UPDATE_POLICY), name
            # ... and the repository's latest preview is of the policy that was put, not of another one
            preview = client.get_lifecycle_policy_preview(repositoryName=name)
            assert policies_equivalent(preview["lifecyclePolicyText"], UPDATE_POLICY), name
        # the rates were really exercised: some calls were throttled and retried
        assert any(call.throttled for call in ecr.calls())
