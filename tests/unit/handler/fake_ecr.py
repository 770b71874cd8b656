"""An in-memory ECR and CloudFormation with the semantics the handler relies on (not a mock of our code).

``FakeEcr`` answers the boto3 ECR calls the handler makes — lifecycle policies, repository tags (any
number per call, with ECR's limits: 50 per repository, keys of 1-128 and values of 0-256 characters of
letters, digits, spaces and ``+ - = . _ : / @``) and a preview that completes at once — with AWS's error
shapes (``response["Error"]["Code"]``), and can fail chosen calls, before or after applying them.
``World`` builds the real :class:`~guard_handler.resource.GuardedPolicyResource` on top of it with a fake
clock.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from cfn_events import load_event

from ecr_lifecycle_guard.contract import OWNER_TAG_KEY, is_ownership_tag
from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.inuse import InUseReport
from guard_handler.budget import TimeBudget
from guard_handler.in_use import InUseDiscovery
from guard_handler.latch import AnswerLatch
from guard_handler.log import LogContext
from guard_handler.outcome import Outcome
from guard_handler.resource import GuardedPolicyResource
from guard_handler.service import EcrPolicies
from guard_handler.stack_status import StackStatus

ACCOUNT = "123456789012"
REPOSITORY = "app"
ARN = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{REPOSITORY}"
CREATE_POLICY: str = load_event("create")["ResourceProperties"]["LifecyclePolicyText"]
UPDATE_POLICY: str = load_event("update")["ResourceProperties"]["LifecyclePolicyText"]
OTHER_POLICY = CREATE_POLICY.replace('"countNumber":14', '"countNumber":99')
#: ECR's tag rules (TagResource; AWS tag restrictions).
MAX_TAGS = 50
TAG_VALUE = re.compile(r"[\w\s+\-=.:/@]{0,256}")
TAG_KEY = re.compile(r"[\w\s+\-=.:/@]{1,128}")


def stack_id(name: str) -> str:
    return f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/{name}/5b8c2f60-0000-11ef-0000-0a1b2c3d4e5f"


class AwsError(Exception):
    """What botocore raises for an AWS error, reduced to what the handler reads."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        self.response = {"Error": {"Code": code, "Message": message}}
        self.operation_name = operation
        super().__init__(f"An error occurred ({code}) when calling the {operation} operation: {message}")


@dataclass
class Fault:
    """Fail the next call of ``operation`` with ``code``; ``applied``: the call took effect first.

    ``skip``: let that many calls of ``operation`` through first (to reach, e.g., the read after a write).
    """

    operation: str
    code: str
    applied: bool = False
    skip: int = 0


@dataclass
class FakeEcr:
    """One registry's repositories, lifecycle policies and tags, in memory."""

    repositories: set[str] = field(default_factory=lambda: {REPOSITORY})
    policies: dict[str, str] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    faults: deque[Fault] = field(default_factory=deque)
    calls: list[str] = field(default_factory=list)
    expiring: int = 1
    previewed: list[str] = field(default_factory=list)

    # --- test helpers --------------------------------------------------------------------------
    def fail(self, operation: str, code: str, *, applied: bool = False, times: int = 1, skip: int = 0) -> None:
        self.faults.extend(Fault(operation, code, applied, skip if i == 0 else 0) for i in range(times))

    def owner(self, repository: str = REPOSITORY) -> str | None:
        return self.tags[repository].get(OWNER_TAG_KEY)

    def ownership_tags(self, repository: str = REPOSITORY) -> dict[str, str]:
        """The owner tag and any hand-back record (every tag this project writes)."""
        return {k: v for k, v in self.tags[repository].items() if is_ownership_tag(k)}

    def writes(self) -> list[str]:
        return [c for c in self.calls if c in _WRITES]

    # --- ECR ------------------------------------------------------------------------------------
    def get_lifecycle_policy(self, *, registryId: str, repositoryName: str) -> dict[str, Any]:  # noqa: N803
        self._enter("GetLifecyclePolicy", repositoryName)
        if repositoryName not in self.policies:
            raise AwsError("GetLifecyclePolicy", "LifecyclePolicyNotFoundException", "Lifecycle policy does not exist")
        return {"lifecyclePolicyText": self.policies[repositoryName], "registryId": registryId}

    def put_lifecycle_policy(self, *, registryId: str, repositoryName: str, lifecyclePolicyText: str) -> None:  # noqa: N803
        self._write(
            "PutLifecyclePolicy", repositoryName, lambda: self.policies.__setitem__(repositoryName, lifecyclePolicyText)
        )

    def delete_lifecycle_policy(self, *, registryId: str, repositoryName: str) -> None:  # noqa: N803
        def delete() -> None:
            if repositoryName not in self.policies:
                raise AwsError("DeleteLifecyclePolicy", "LifecyclePolicyNotFoundException", "no policy")
            del self.policies[repositoryName]

        self._write("DeleteLifecyclePolicy", repositoryName, delete)

    def list_tags_for_resource(self, *, resourceArn: str) -> dict[str, Any]:  # noqa: N803
        name = self._enter("ListTagsForResource", _name(resourceArn))
        return {"tags": [{"Key": k, "Value": v} for k, v in self.tags[name].items()]}

    def tag_resource(self, *, resourceArn: str, tags: list[dict[str, str]]) -> None:  # noqa: N803
        name = _name(resourceArn)
        for tag in tags:
            if not TAG_KEY.fullmatch(tag["Key"]) or not TAG_VALUE.fullmatch(tag["Value"]):
                raise AwsError("TagResource", "InvalidTagParameterException", f"invalid tag {tag!r}")
        if len(set(self.tags[name]) | {t["Key"] for t in tags}) > MAX_TAGS:
            raise AwsError("TagResource", "TooManyTagsException", f"more than {MAX_TAGS} tags")
        self._write("TagResource", name, lambda: self.tags[name].update({t["Key"]: t["Value"] for t in tags}))

    def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> None:  # noqa: N803
        name = _name(resourceArn)
        self._write("UntagResource", name, lambda: [self.tags[name].pop(k, None) for k in tagKeys])

    def start_lifecycle_policy_preview(self, *, repositoryName: str, lifecyclePolicyText: str, **_: Any) -> None:  # noqa: N803
        self._enter("StartLifecyclePolicyPreview", repositoryName)
        self.previewed.append(lifecyclePolicyText)

    def get_lifecycle_policy_preview(self, *, repositoryName: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        self._enter("GetLifecyclePolicyPreview", repositoryName)
        return {
            "status": "COMPLETE",
            "lifecyclePolicyText": self.previewed[-1],
            "previewResults": [],
            "summary": {"expiringImageTotalCount": self.expiring},
        }

    def describe_images(self, *, repositoryName: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        self._enter("DescribeImages", repositoryName)
        return {"imageDetails": [{"imageDigest": f"sha256:{i:064x}", "imageStatus": "ACTIVE"} for i in range(10)]}

    def _enter(self, operation: str, repository: str) -> str:
        self.calls.append(operation)
        if repository not in self.repositories:
            message = f"The repository with name '{repository}' does not exist in the registry with id '{ACCOUNT}'"
            raise AwsError(operation, "RepositoryNotFoundException", message)
        if self.faults and self.faults[0].operation == operation and self.faults[0].skip:
            self.faults[0].skip -= 1
        elif self.faults and self.faults[0].operation == operation and not self.faults[0].applied:
            fault = self.faults.popleft()
            raise AwsError(operation, fault.code, f"injected {fault.code}")
        return repository

    def _write(self, operation: str, repository: str, apply: Any) -> None:
        self._enter(operation, repository)
        apply()
        if self.faults and self.faults[0].operation == operation and self.faults[0].applied:
            fault = self.faults.popleft()
            raise AwsError(operation, fault.code, f"injected {fault.code} (after applying)")


_WRITES = frozenset({"PutLifecyclePolicy", "DeleteLifecyclePolicy", "TagResource", "UntagResource"})


def _name(arn: str) -> str:
    return arn.split(":repository/", 1)[1]


@dataclass
class FakeCloudFormation:
    """``DescribeStacks``: a status per stack, or a queue of error codes to answer first."""

    status: str = "UPDATE_IN_PROGRESS"
    errors: deque[str] = field(default_factory=deque)
    always: str | None = None
    calls: int = 0

    def describe_stacks(self, *, StackName: str) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        if self.always:
            raise AwsError("DescribeStacks", self.always, "injected")
        if self.errors:
            raise AwsError("DescribeStacks", self.errors.popleft(), "Rate exceeded")
        return {"Stacks": [{"StackName": StackName, "StackStatus": self.status}]}


@dataclass
class FakeContext:
    remaining_ms: int = 120_000
    aws_request_id: str = "lambda-req-1"
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:guard-handler"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Clock:
    """A clock that only moves when the code sleeps."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class World:
    """The real resource over the in-memory AWS."""

    ecr: FakeEcr = field(default_factory=FakeEcr)
    cfn: FakeCloudFormation = field(default_factory=FakeCloudFormation)
    clock: Clock = field(default_factory=Clock)
    in_use: InUseReport = field(default_factory=lambda: InUseReport(images={}, failures=()))
    latch: AnswerLatch = field(default_factory=AnswerLatch)

    def resource(self) -> GuardedPolicyResource:
        return GuardedPolicyResource(
            policies=EcrPolicies(self.ecr, self.ecr),  # type: ignore[arg-type]
            stacks=StackStatus(self.cfn, clock=self.clock, sleep=self.clock.sleep),
            clock=self.clock,
            sleep=self.clock.sleep,
            log_context=LogContext(),
            latch=self.latch,
            budget=TimeBudget(),
            discovery=InUseDiscovery(discover=lambda **request: self.in_use, clock=self.clock, sleep=self.clock.sleep),
            poll_interval=0.1,
        )

    def handle(self, event: dict[str, Any], context: FakeContext | None = None) -> Outcome:
        self.latch.reset()
        return self.resource().handle(event, context or FakeContext())


def event(kind: str, *, stack: str = "guarded", logical_id: str = "Guard", **changes: Any) -> dict[str, Any]:
    """A CloudFormation event of ``stack`` for resource ``logical_id``."""
    return load_event(kind, StackId=stack_id(stack), LogicalResourceId=logical_id, **changes)


def canonical(text: str) -> str:
    return canonical_policy_text(text)


def owner_value(stack: str = "guarded", logical_id: str = "Guard") -> str:
    return f"{stack}/{logical_id}"


def dumps(value: Any) -> str:
    return json.dumps(value)
