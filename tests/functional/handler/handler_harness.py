"""Helpers of the end-to-end handler tests: policies, seed images, and :class:`Harness`, which runs the real
assembled Lambda asset (like the Lambda runtime) against the local ECR stand-in and the HTTPS receiver.

``conftest.py`` puts ``lambda/`` and ``tests/events`` on ``sys.path`` before this module is imported."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfn_events import load_event

from ecr_lifecycle_guard.contract import OWNER_TAG_KEY, is_ownership_tag
from ecr_lifecycle_guard.local import EcrStandIn, LambdaRun, ResponseReceiver, SeedImage, run_lambda
from ecr_lifecycle_guard.local.lambda_runner import INIT_TIMEOUT_SECONDS

#: Seconds every stand-in preview stays IN_PROGRESS (short, to keep the suite fast).
PREVIEW_LATENCY = 0.3
#: Six images: three old untagged, one new untagged, an old release and a new tagged image.
SEED = (
    SeedImage(pushed_days_ago=30),
    SeedImage(pushed_days_ago=31),
    SeedImage(pushed_days_ago=32),
    SeedImage(pushed_days_ago=1),
    SeedImage(tags=("release-1",), pushed_days_ago=40),
    SeedImage(tags=("v2",), pushed_days_ago=2),
)


def rule(priority: int, tag_status: str, days: int, action: str = "expire", **selection: Any) -> dict[str, Any]:
    """One ``sinceImagePushed`` rule."""
    chosen = {"tagStatus": tag_status, **selection, "countType": "sinceImagePushed", "countUnit": "days"}
    chosen["countNumber"] = days
    act: dict[str, Any] = {"type": action}
    if action == "transition":
        act["targetStorageClass"] = "archive"
    return {"rulePriority": priority, "selection": chosen, "action": act}


def policy(*rules: dict[str, Any]) -> str:
    return json.dumps({"rules": list(rules)})


#: The create event's policy: untagged images older than 14 days expire (3 of the 6 seeded images).
CREATE_POLICY: str = load_event("create")["ResourceProperties"]["LifecyclePolicyText"]
#: The update event's policy: untagged images older than 7 days expire (the same 3).
UPDATE_POLICY: str = load_event("update")["ResourceProperties"]["LifecyclePolicyText"]
#: Everything older than 14 days expires: the 3 old untagged images and release-1.
OLD_IMAGES_POLICY = policy(rule(1, "any", 14))
#: Everything older than 20 days moves to archive (4 images).
ARCHIVE_POLICY = policy(rule(1, "any", 20, action="transition"))
#: A policy someone put by hand: keep everything for 10 years, oddly formatted.
HAND_MADE_POLICY = (
    '{ "rules" : [ {"rulePriority": 5, "description": "by hand", "selection": {"tagStatus": "any",'
    ' "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 3650}, "action": {"type": "expire"}} ] }'
)


@dataclass(frozen=True)
class Invocation:
    """One handler run and the response CloudFormation received."""

    run: LambdaRun
    response: dict[str, Any] | None
    attempts: int

    @property
    def status(self) -> str | None:
        return self.response["Status"] if self.response else None

    @property
    def reason(self) -> str:
        return str(self.response["Reason"]) if self.response else ""

    @property
    def physical_id(self) -> str | None:
        return self.response["PhysicalResourceId"] if self.response else None

    @property
    def log_records(self) -> list[dict[str, Any]]:
        """The handler's JSON log lines (stdout and stderr, as CloudWatch Logs holds them)."""
        records = []
        for line in self.run.logs.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records


@dataclass
class Harness:
    ecr: EcrStandIn
    rx: ResponseReceiver
    asset: Path
    stack_id: str
    invocations: list[Invocation] = field(default_factory=list)

    def event(self, kind: str, **changes: Any) -> dict[str, Any]:
        """A CloudFormation event for this stack (or ``StackId=...``), answered to the receiver."""
        return load_event(kind, **{"StackId": self.stack_id, **changes})

    def invoke(
        self,
        event: dict[str, Any],
        *,
        timeout_seconds: float = 90.0,
        init_timeout_seconds: float = INIT_TIMEOUT_SECONDS,
    ) -> Invocation:
        """Run the handler on ``event`` (with a fresh response URL) and collect its response."""
        key = f"{event.get('RequestId', 'none')}-{uuid.uuid4().hex[:8]}"
        if "ResponseURL" in event:
            event = {**event, "ResponseURL": self.rx.url_for(key)}
        run = run_lambda(
            self.asset,
            event,
            env=self.ecr.lambda_env(self.rx),
            timeout_seconds=timeout_seconds,
            init_timeout_seconds=init_timeout_seconds,
        )
        responses = self.rx.responses(key)
        assert len(responses) <= 1, "CloudFormation got more than one response"
        invocation = Invocation(run, responses[0] if responses else None, self.rx.attempts(key))
        assert self.rx.signature not in run.logs, "the ResponseURL's signature leaked into the logs"
        assert run.error is None, run.logs
        self.invocations.append(invocation)
        return invocation

    def live_policy(self, repository: str = "app") -> str | None:
        client = self.ecr.client("ecr")
        try:
            return str(client.get_lifecycle_policy(repositoryName=repository)["lifecyclePolicyText"])
        except client.exceptions.LifecyclePolicyNotFoundException:
            return None

    def owner_tag(self, repository: str = "app") -> str | None:
        """The repository's owner tag (``None`` when absent)."""
        client = self.ecr.client("ecr")
        arn = f"arn:aws:ecr:{self.ecr.region}:{self.ecr.account_id}:repository/{repository}"
        tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
        return next((str(t["Value"]) for t in tags if t["Key"] == OWNER_TAG_KEY), None)

    def ownership_tags(self, repository: str = "app") -> dict[str, str]:
        """Every tag this project writes on the repository (owner and hand-back record)."""
        client = self.ecr.client("ecr")
        arn = f"arn:aws:ecr:{self.ecr.region}:{self.ecr.account_id}:repository/{repository}"
        tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
        return {str(t["Key"]): str(t["Value"]) for t in tags if is_ownership_tag(str(t["Key"]))}

    def state(self, repository: str = "app") -> tuple[str | None, str | None]:
        """(live policy, owner tag) of the repository."""
        return self.live_policy(repository), self.owner_tag(repository)

    def put_policy(self, text: str, repository: str = "app") -> None:
        self.ecr.client("ecr").put_lifecycle_policy(repositoryName=repository, lifecyclePolicyText=text)

    def previews_started(self) -> int:
        return len(self.ecr.calls("StartLifecyclePolicyPreview"))
