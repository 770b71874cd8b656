"""``ecr-lifecycle-guard demo``: the example app's guard rehearsed on the local ECR stand-in, narrated.

Synthesizes the example app (the real ``cdk synth``), starts the stand-in seeded with a realistic
repository and drives the synthesized ``Custom::EcrLifecyclePolicy`` through the real handler:
create (the preview passes the gate, the policy is applied), an aggressive update the gate blocks,
an update that would expire the image the demo's ECS service runs (blocked by in-use protection), a
rollback that restores the previous policy without a preview, and a delete. What it prints as the
outcome is what the handler answered CloudFormation and what ECR holds afterwards; explanations from
the policy engine are labelled as such. Exit 0 when every step behaved as expected.

Examples
--------
>>> parser = argparse.ArgumentParser()
>>> add_parser(parser.add_subparsers())
>>> parser.parse_args(["demo"]).run is run
True
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ecr_lifecycle_guard.cli import render
from ecr_lifecycle_guard.cli.demo_report import blocked_images_table, ecr_preview_table, rules_table
from ecr_lifecycle_guard.cli.progress import Progress
from ecr_lifecycle_guard.cli.synth import find_project, synthesize_example
from ecr_lifecycle_guard.contract import OWNER_TAG_KEY
from ecr_lifecycle_guard.engine import canonical_policy_text, load_images, policies_equivalent
from ecr_lifecycle_guard.errors import GuardError

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.engine import Image
    from ecr_lifecycle_guard.local import EcrStandIn
    from ecr_lifecycle_guard.local.rehearsal import Rehearsal, StepResult

__all__ = ["AGGRESSIVE_POLICY", "DEMO_CONTEXT", "IN_USE_POLICY", "add_parser", "run"]

#: The gate limits the demo synthesizes the example app with (CDK context of app.py).
DEMO_CONTEXT: Final = {"maxExpiringPercent": "50", "protectedTags": "latest"}
#: Step 2: a policy the gate must block.
AGGRESSIVE_POLICY: Final = canonical_policy_text(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Keep only the 20 newest images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20},
                "action": {"type": "expire"},
            }
        ]
    }
)
#: Step 3: an update the gate lets through, then rolled back.
TIGHTER_UNTAGGED_POLICY: Final = canonical_policy_text(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images after 7 days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                              "countNumber": 7},
                "action": {"type": "expire"},
            }
        ]
    }
)  # fmt: skip
#: Step 3: a policy that would expire the untagged image the demo's ECS service runs (pinned by digest).
IN_USE_POLICY: Final = canonical_policy_text(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images after 3 days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                              "countNumber": 3},
                "action": {"type": "expire"},
            }
        ]
    }
)  # fmt: skip
#: The ECS service of the demo (cluster/service) and the age of the untagged image it runs.
_SERVICE: Final = ("prod", "api")
_IN_USE_IMAGE_DAYS: Final = (4.0, 6.0)
_PREVIEW_LATENCY_SECONDS: Final = 1.0
_WIDTH: Final = 110


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``demo`` and its options.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_parser(parser.add_subparsers())
    >>> parser.parse_args(["demo", "--no-synth"]).no_synth
    True
    """
    parser = subparsers.add_parser(
        "demo",
        help="rehearse the example app's guard on a local ECR stand-in (no AWS account needed)",
        description=(
            "Synthesize the example app, seed a local ECR stand-in with a realistic repository and drive the "
            "guard's custom resource through create, a blocked update, a rollback and delete."
        ),
    )
    parser.add_argument(
        "--no-synth", action="store_true", help="skip the CDK CLI; synthesize the example stack in-process"
    )
    parser.add_argument("--keep", action="store_true", help="keep the synthesized cloud assembly and print its path")
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class _Check:
    name: str
    passed: bool
    line: str


class _Demo:
    """One run of the narrated rehearsal against a running stand-in."""

    def __init__(self, rehearsal: Rehearsal, stand_in: EcrStandIn, guard: str) -> None:
        self.rehearsal = rehearsal
        self.stand_in = stand_in
        self.guard = guard
        self.repository = rehearsal.repository_name(guard)
        self.app_policy = str(rehearsal.properties(guard)["LifecyclePolicyText"])
        self.checks: list[_Check] = []

    def step(self, label: str, action: Callable[[], StepResult]) -> StepResult:
        with Progress(f"{label}: the handler is running"):
            result = action()
        line = f"{label} -> {result.status} in {result.seconds:.1f} s{_reason(result)}"
        print(textwrap.fill(line, width=_WIDTH, initial_indent="  ", subsequent_indent="      "))
        return result

    def check(self, name: str, passed: bool, line: str, result: StepResult) -> None:
        self.checks.append(_Check(name, passed, line))
        print(f"  {_mark(passed)} {line}")
        if not passed:
            print("    handler log (last lines):")
            for log_line in result.log_lines[-5:]:
                print(f"      {log_line[:160]}")

    def images(self) -> list[Image]:
        client = self.stand_in.client("ecr")
        paginator = client.get_paginator("describe_images")
        pages = paginator.paginate(repositoryName=self.repository, filter={"imageStatus": "ANY"})
        details = [detail for page in pages for detail in page["imageDetails"]]
        return load_images(details, source="DescribeImages")

    def create(self) -> None:
        print("\nStep 1 - Create: CloudFormation creates the guard; it previews the app's policy, gates, applies")
        print("  What the app's policy does to this repository (the policy engine's offline explanation):")
        print(rules_table(self.app_policy, self.images()))
        result = self.step("create", lambda: self.rehearsal.create(self.guard))
        owner = self._owner()
        applied = result.succeeded and _same(result.live_policy, self.app_policy) and owner is not None
        print(f"  ECR now: the app's policy is live; the repository's {OWNER_TAG_KEY} tag names {owner}")
        self.check("create", applied, "preview within limits; the app's policy is live and owned by the guard", result)

    def blocked_update(self) -> None:
        print('\nStep 2 - Update to an aggressive policy ("keep only the 20 newest images"): the gate must block it')
        live_before = self._live()
        changes = {"LifecyclePolicyText": AGGRESSIVE_POLICY}
        result = self.step("update", lambda: self.rehearsal.update(self.guard, changes))
        print("  What ECR's preview of that policy said (read back with GetLifecyclePolicyPreview):")
        print(ecr_preview_table(self._ecr_preview()))
        protected = self.rehearsal.properties(self.guard).get("ProtectedTags") or []
        print("  Why (the policy engine's offline explanation of the same policy):")
        print(blocked_images_table(AGGRESSIVE_POLICY, self.images(), tuple(protected)))
        unchanged = result.status == "FAILED" and "blocked by" in result.reason and result.live_policy == live_before
        self.check("blocked update", unchanged, "deploy blocked; the live policy is still the app's", result)

    def in_use_update(self, digest: str) -> None:
        cluster, service = _SERVICE
        print(
            f"\nStep 3 - Update to 'expire untagged images after 3 days' while ECS service {cluster}/{service} runs an"
            f" untagged image ({render.short_digest(digest)}, pinned by digest): in-use protection must block it"
        )
        live_before = self._live()
        changes = {"LifecyclePolicyText": IN_USE_POLICY}
        result = self.step("update", lambda: self.rehearsal.update(self.guard, changes))
        named = "blocked by InUse" in result.reason and f"{cluster}/{service}" in result.reason
        blocked = result.status == "FAILED" and named and result.live_policy == live_before
        line = f"deploy blocked: the image ECS service {cluster}/{service} runs stays; the live policy is unchanged"
        self.check("in-use update", blocked, line, result)

    def rollback(self) -> None:
        print(
            "\nStep 4 - Rollback: an update passes and is applied, then another resource fails and the stack rolls back"
        )
        changes = {"LifecyclePolicyText": TIGHTER_UNTAGGED_POLICY}
        applied = self.step("update", lambda: self.rehearsal.update(self.guard, changes))
        print("  ('Expire untagged images after 7 days' is live; the stack is now UPDATE_ROLLBACK_IN_PROGRESS")
        print("   and CloudFormation sends the guard its previous properties)")
        previews = len(self.stand_in.calls("StartLifecyclePolicyPreview"))
        result = self.step("rollback", lambda: self.rehearsal.rollback(self.guard))
        started = len(self.stand_in.calls("StartLifecyclePolicyPreview")) - previews
        restored = applied.succeeded and result.succeeded and _same(result.live_policy, self.app_policy)
        line = f"the app's policy is restored with {started} previews started (a gate must never fail a rollback)"
        self.check("rollback", restored and started == 0, line, result)

    def delete(self) -> None:
        print("\nStep 5 - Delete: the stack is deleted; the guard removes the policy it owns")
        result = self.step("delete", lambda: self.rehearsal.delete(self.guard))
        removed = result.succeeded and result.live_policy is None and self._owner() is None
        line = f"'{self.repository}' has no lifecycle policy and no {OWNER_TAG_KEY} tag any more"
        self.check("delete", removed, line, result)

    def run_service_on_untagged_image(self) -> str:
        """Start the demo's ECS service on an untagged image a few days old (deployed by digest); its digest."""
        from ecr_lifecycle_guard.local.workloads import WorkloadSeeder

        newest, oldest = _IN_USE_IMAGE_DAYS
        now = time.time()
        candidates = [
            image
            for image in self.images()
            if not image.tags and newest * 86400 <= now - image.pushed_at.timestamp() <= oldest * 86400
        ]
        digest = candidates[0].digest
        seeder = WorkloadSeeder(self.stand_in)
        cluster, service = _SERVICE
        seeder.ecs_service(cluster, service, [seeder.image_uri(self.repository, digest=digest)], tasks=2)
        return digest

    def _ecr_preview(self) -> list[dict[str, Any]]:
        client = self.stand_in.client("ecr")
        pages = client.get_paginator("get_lifecycle_policy_preview").paginate(repositoryName=self.repository)
        return [item for page in pages for item in page.get("previewResults", [])]

    def _owner(self) -> str | None:
        client = self.stand_in.client("ecr")
        arn = f"arn:aws:ecr:{self.stand_in.region}:{self.stand_in.account_id}:repository/{self.repository}"
        tags = client.list_tags_for_resource(resourceArn=arn).get("tags", [])
        return next((str(tag["Value"]) for tag in tags if tag["Key"] == OWNER_TAG_KEY), None)

    def _live(self) -> str | None:
        client = self.stand_in.client("ecr")
        try:
            return str(client.get_lifecycle_policy(repositoryName=self.repository)["lifecyclePolicyText"])
        except client.exceptions.LifecyclePolicyNotFoundException:
            return None


def run(args: argparse.Namespace) -> int:
    """Synthesize, seed, rehearse and narrate; return 0 when every step behaved as expected, else 1."""
    started = time.perf_counter()
    outdir = Path(tempfile.mkdtemp(prefix="ecr-lifecycle-guard-demo-"))
    try:
        checks = _synthesize_and_rehearse(outdir, use_cli=not args.no_synth)
    except ImportError as error:
        print(f"error: the demo needs the [local] extra ({error}): pip install 'cdk-ecr-lifecycle-guard[local]'",
              file=sys.stderr)  # fmt: skip
        return 1
    except (GuardError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(outdir, ignore_errors=True)
    print("\nSummary")
    print(render.table(("OK", "STEP", "WHAT WAS CHECKED"), [(_mark(c.passed), c.name, c.line) for c in checks]))
    passed = sum(c.passed for c in checks)
    verdict = "every step behaved as expected" if passed == len(checks) else "some steps did NOT behave as expected"
    print(f"{passed} of {len(checks)} steps passed - {verdict} ({time.perf_counter() - started:.0f} s)")
    if args.keep:
        print(f"The cloud assembly is kept in {outdir}")
    return 0 if passed == len(checks) else 1


def _synthesize_and_rehearse(outdir: Path, *, use_cli: bool) -> list[_Check]:
    print("ecr-lifecycle-guard demo - a guarded ECR lifecycle policy, rehearsed locally (no AWS, no Docker)\n")
    with Progress("synthesizing the example app"):
        synthesis = synthesize_example(outdir, project=find_project(), use_cli=use_cli, context=dict(DEMO_CONTEXT))
    print(f"Synthesized: {synthesis.note} ({synthesis.seconds:.1f} s)")
    return _rehearse(outdir)


def _rehearse(outdir: Path) -> list[_Check]:
    from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver
    from ecr_lifecycle_guard.local.rehearsal import Rehearsal, load_synthesized_stack
    from ecr_lifecycle_guard.local.sample import SAMPLE_SUMMARY, sample_images

    stack = load_synthesized_stack(outdir)
    with EcrStandIn(preview_latency=_PREVIEW_LATENCY_SECONDS) as stand_in, ResponseReceiver() as receiver:
        rehearsal = Rehearsal(stack, stand_in, receiver)
        guard = rehearsal.guards[0]
        demo = _Demo(rehearsal, stand_in, guard)
        print(f"  stack {stack.name}: guard {guard} on repository '{demo.repository}'")
        print(f"  gate: {_limits(rehearsal.properties(guard))}")
        with Progress("seeding the stand-in"):
            images = sample_images()
            stand_in.create_repository(demo.repository, images=images)
        print(f"Local ECR stand-in at {stand_in.endpoint_url} (each preview takes {_PREVIEW_LATENCY_SECONDS:.0f} s)")
        print(f"  '{demo.repository}' seeded with {len(images)} images:")
        print(f"  {SAMPLE_SUMMARY}")
        digest = demo.run_service_on_untagged_image()
        cluster, service = _SERVICE
        print(f"  ECS service {cluster}/{service} runs {render.short_digest(digest)} (untagged, deployed by digest)")
        demo.create()
        demo.blocked_update()
        demo.in_use_update(digest)
        demo.rollback()
        demo.delete()
        return demo.checks


def _limits(properties: dict[str, Any]) -> str:
    names = (
        "MaxExpiringImages",
        "MaxExpiringPercent",
        "MaxTransitioningImages",
        "ProtectedTags",
        "AllowExpireAll",
        "ProtectInUse",
    )
    shown = [f"{name} {_value(properties[name])}" for name in names if name in properties]
    return ", ".join(shown) or "defaults"


def _value(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def _reason(result: StepResult) -> str:
    """What the handler answered: its reason, or the attributes it reported."""
    if result.reason:
        return f": {result.reason}"
    data = result.data
    if data.get("PreviewStatus") == "COMPLETE":
        return (
            f": ECR's preview: {data.get('ExpiringImageCount')} expire, {data.get('TransitioningImageCount')} archived;"
            f" PolicyApplied {data.get('PolicyApplied')}"
        )
    return f" (PreviewStatus {data['PreviewStatus']})" if data.get("PreviewStatus") else ""


def _same(live: str | None, expected: str) -> bool:
    return live is not None and policies_equivalent(live, expected)


def _mark(passed: bool) -> str:
    return "✓" if passed else "✗"
