"""Benchmark: in-use discovery over many workloads on the local stand-in.

Seeds 50 ECS clusters x 40 services x 3 running tasks (each service its own task definition family;
every fifth service runs an image of the guarded repository) and 500 Lambda image functions (every
fourth with a published version behind an alias), then times ``discover_in_use`` over real HTTP
(boto3 -> the stand-in, 8 threads; the stand-in runs in the same process) and prints the calls made
per operation. The baseline is the
same number of the cheapest call (ListClusters) made one after another from one thread, which is
what the stand-in's HTTP round trip costs.

Target (issue 10): discovery well inside the handler's budget, "a few seconds" on the stand-in.

Run: ``.venv/bin/python bench/bench_inuse.py [--clusters 50] [--services 40] [--tasks 3] [--functions 500]``
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from ecr_lifecycle_guard.inuse import BotoClients, RepositoryRef, discover_in_use
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage
from ecr_lifecycle_guard.local.workloads import WorkloadSeeder

REPOSITORY = "team/app"


def _seed(ecr: EcrStandIn, args: argparse.Namespace) -> None:
    ecr.create_repository(REPOSITORY, images=[SeedImage(tags=(f"v{i}",), pushed_days_ago=i) for i in range(20)])
    ecr.create_repository("other", images=[SeedImage(tags=("v1",))])
    seeder = WorkloadSeeder(ecr)
    for cluster in range(args.clusters):
        for service in range(args.services):
            guarded = service % 5 == 0
            image = seeder.image_uri(REPOSITORY, f"v{service % 20}") if guarded else seeder.image_uri("other", "v1")
            seeder.ecs_service(f"c{cluster}", f"s{service}", [image], tasks=args.tasks)
    for function in range(args.functions):
        image = seeder.image_uri(REPOSITORY, f"v{function % 20}")
        versions = [seeder.image_uri(REPOSITORY, f"v{(function + 1) % 20}")] if function % 4 == 0 else []
        seeder.lambda_image_function(f"fn{function}", image, versions=versions, alias="live" if versions else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--functions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with EcrStandIn() as ecr:
        started = time.perf_counter()
        _seed(ecr, args)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        clients = BotoClients(
            region=ecr.region,
            endpoint_url=ecr.endpoint_url,
            account=ecr.account_id,
            credentials={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"},
        )
        repository = RepositoryRef(ecr.account_id, ecr.region, REPOSITORY)
        runs = []
        for _ in range(args.runs):
            before = len(ecr.calls())
            report = discover_in_use(
                repository, clients, deadline=time.monotonic() + 120, clock=time.monotonic, sleep=time.sleep
            )
            calls = ecr.calls()[before:]
            runs.append(report.seconds)
            if report.failures:
                raise SystemExit(f"discovery failed: {[str(f) for f in report.failures]}")
        ecs = clients.client("ecs")
        started = time.perf_counter()
        for _ in range(len(calls)):
            ecs.list_clusters(maxResults=1)
        baseline = time.perf_counter() - started
    workloads = sum(len(w) for w in report.images.values())
    print(
        f"workloads: {args.clusters} clusters x {args.services} services x {args.tasks} tasks, "
        f"{args.functions} functions; {len(report.images)} in-use images, {workloads} workload references"
    )
    print(
        f"calls per discovery: {len(calls)}  "
        + ", ".join(f"{op} {n}" for op, n in Counter(c.operation for c in calls).most_common())
    )
    each = 1000 * baseline / len(calls)
    print(f"baseline: {len(calls)} sequential ListClusters calls: {baseline:.2f} s ({each:.1f} ms each)")
    print(
        "discovery: "
        + ", ".join(f"{seconds:.2f} s" for seconds in runs)
        + f" (median {sorted(runs)[len(runs) // 2]:.2f} s)"
    )


if __name__ == "__main__":
    main()
