"""Benchmark: the custom-resource handler's own time beyond ECR's preview latency.

With the local stand-in's preview latency fixed (1.0 s), run the real Lambda asset (subprocess, real
boto3 HTTP to the stand-in, real HTTPS response) for a Create that previews, gates and puts, and for a
Delete of an owned policy. Reports medians over several runs of the handler's duration (from the
handler call to its return, the response sent) and of the cold-start init (interpreter start and
``import index``), next to a baseline: an empty handler in the same Lambda-like subprocess.

The Create runs the whole turn-2 path: owner tag read, DescribeStacks, in-use discovery beside the
preview (against the stand-in's empty ECS, Lambda and Batch), the gate, the owner-tag claim and the put;
the Delete reads the owner tag and the policy, releases the tag and deletes the policy. The function's
timeout is 90 s, the smallest the construct sets (30 s preview timeout + 60 s).

The same Create runs a second time on a stand-in with workloads (``--clusters`` x ``--services`` ECS
services with one task each, and ``--functions`` Lambda image functions; every one runs a tagged image
of the guarded repositories, which the policy keeps), so discovery has real work to do while ECR
computes the preview: its row shows what in-use protection adds to a deploy.

Targets (issues 3, 8 and 10): Create duration - latency <= 1 s, with workloads too (while discovery
is faster than the preview); Delete duration <= 2 s.

Run: ``.venv/bin/python bench/bench_handler.py [--runs 7] [--latency 1.0] [--clusters 5] [--services 10]
[--functions 20]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from ecr_lifecycle_guard.handler_asset import assemble_handler_asset
from ecr_lifecycle_guard.local import EcrStandIn, LambdaRun, ResponseReceiver, SeedImage, run_lambda
from ecr_lifecycle_guard.local.workloads import WorkloadSeeder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "events"))

from cfn_events import load_event

#: The smallest function timeout the construct sets (preview timeout 30 s + 60 s).
LAMBDA_TIMEOUT = 90.0
SEED = [SeedImage(pushed_days_ago=30 + i) for i in range(5)] + [
    SeedImage(tags=(f"v{i}",), pushed_days_ago=i) for i in range(5)
]


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f})"


def _checked(run: LambdaRun, rx: ResponseReceiver, key: str) -> LambdaRun:
    response = rx.responses(key)
    if run.error or not response or response[0]["Status"] != "SUCCESS":
        raise SystemExit(f"benchmark run failed: {run.error} {response}\n{run.logs}")
    return run


def _creates_and_deletes(
    asset: Path, rx: ResponseReceiver, args: argparse.Namespace, *, workloads: bool
) -> tuple[list[LambdaRun], list[LambdaRun], list[LambdaRun]]:
    """Baseline, Create and Delete runs on a fresh stand-in (seeded with workloads or not)."""
    label = "w" if workloads else "e"
    empty = asset.parent / "empty"
    empty.mkdir(exist_ok=True)
    (empty / "index.py").write_text("def handler(event, context):\n    return None\n", encoding="utf-8")
    with EcrStandIn(preview_latency=args.latency) as ecr:
        env = ecr.lambda_env(rx)
        stack_id = ecr.create_stack("bench")
        repositories = [f"bench-{i}" for i in range(args.runs)]
        ecr.create_repositories(repositories, images=SEED)
        if workloads:
            _seed_workloads(ecr, repositories, args)
        baseline = [run_lambda(empty, {}, env=env) for _ in range(args.runs)]
        creates: list[LambdaRun] = []
        deletes: list[LambdaRun] = []
        for i, repository in enumerate(repositories):
            properties = {"RepositoryName": repository}
            key = f"{label}c{i}"
            create = load_event("create", StackId=stack_id, properties=properties, ResponseURL=rx.url_for(key))
            creates.append(_checked(run_lambda(asset, create, env=env, timeout_seconds=LAMBDA_TIMEOUT), rx, key))
            key = f"{label}d{i}"
            delete = load_event(
                "delete",
                StackId=stack_id,
                properties=properties,
                PhysicalResourceId=f"{ecr.account_id}/{repository}",
                ResponseURL=rx.url_for(key),
            )
            deletes.append(_checked(run_lambda(asset, delete, env=env, timeout_seconds=LAMBDA_TIMEOUT), rx, key))
    return baseline, creates, deletes


def _seed_workloads(ecr: EcrStandIn, repositories: list[str], args: argparse.Namespace) -> None:
    """ECS services and Lambda functions running tagged images (which the Create's policy keeps)."""
    seeder = WorkloadSeeder(ecr)
    for cluster in range(args.clusters):
        for service in range(args.services):
            image = seeder.image_uri(repositories[service % len(repositories)], f"v{service % 5}")
            seeder.ecs_service(f"c{cluster}", f"s{service}", [image], tasks=1)
    for function in range(args.functions):
        image = seeder.image_uri(repositories[function % len(repositories)], f"v{function % 5}")
        seeder.lambda_image_function(f"fn{function}", image)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--functions", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, ResponseReceiver() as rx:
        asset = assemble_handler_asset(Path(scratch) / "asset")
        baseline, creates, deletes = _creates_and_deletes(asset, rx, args, workloads=False)
        _, busy_creates, _ = _creates_and_deletes(asset, rx, args, workloads=True)
    print(f"runs: {args.runs}; stand-in preview latency: {args.latency:.3f} s")
    print(f"baseline (empty handler)  init {_median([r.init_seconds for r in baseline])}")
    print(f"                          duration {_median([r.duration_seconds for r in baseline])}")
    print(f"create  init              {_median([r.init_seconds for r in creates])}")
    print(f"create  duration          {_median([r.duration_seconds for r in creates])}")
    beyond = [r.duration_seconds - args.latency for r in creates]
    print(f"create  beyond latency    {_median(beyond)}   target <= 1.000 s")
    cold = [r.init_seconds + r.duration_seconds - args.latency for r in creates]
    print(f"create  beyond latency, cold start included  {_median(cold)}")
    busy = [r.duration_seconds - args.latency for r in busy_creates]
    print(
        f"create  beyond latency, {args.clusters * args.services} services + {args.functions} functions to discover  "
        f"{_median(busy)}   target <= 1.000 s"
    )
    print(f"delete  init              {_median([r.init_seconds for r in deletes])}")
    print(f"delete  duration          {_median([r.duration_seconds for r in deletes])}   target <= 2.000 s")


if __name__ == "__main__":
    main()
