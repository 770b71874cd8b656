"""Benchmark: ``preview`` over a fleet of repositories on the stand-in, with a fixed preview latency.

The local stand-in keeps every preview ``IN_PROGRESS`` for L seconds (default 0.5). The command line
previews N repositories (default 100) ``--concurrency`` C at a time (default 4), each with in-use
discovery beside it, as a user runs it: ``python -m ecr_lifecycle_guard preview --repositories 'fleet/*'``
in its own process (as ECR is not in the user's process; the stand-in runs in this one), so the wall
time includes the command's start. The baseline is the time the latency alone forces: N x L / C.
Target (issue 11): wall time <= 1.5 x N x L / C.

Run: ``.venv/bin/python bench/bench_fleet_preview.py [--repositories 100] [--latency 0.5] [--concurrency 4]
[--no-in-use]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ecr_lifecycle_guard.local import EcrStandIn, SeedImage

POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3},
            "action": {"type": "expire"},
        }
    ]
}
IMAGES = [SeedImage(tags=(f"v{n}",), pushed_days_ago=n + 1) for n in range(8)]
TARGET_RATIO = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--no-in-use", action="store_true", help="skip in-use discovery")
    args = parser.parse_args()
    names = [f"fleet/r{n:03}" for n in range(args.repositories)]
    with tempfile.TemporaryDirectory() as scratch, EcrStandIn(preview_latency=args.latency) as ecr:
        environment = {**os.environ, **{k: v for k, v in ecr.lambda_env().items() if k != "AWS_ENDPOINT_URL"}}
        ecr.create_repositories(names, images=IMAGES)
        policy = Path(scratch, "policy.json")
        policy.write_text(json.dumps(POLICY), encoding="utf-8")
        argv = [sys.executable, "-m", "ecr_lifecycle_guard", "preview", "--repositories", "fleet/*"]
        argv += ["--policy", str(policy), "--json", "--endpoint-url", ecr.endpoint_url, "--region", ecr.region]
        argv += ["--timeout", "60", "--concurrency", str(args.concurrency), "--max-expiring", "10"]
        argv += ["--no-in-use"] if args.no_in_use else []
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=environment, check=False)
        wall = time.perf_counter() - started
    code = done.returncode
    totals = json.loads(done.stdout)["totals"]
    baseline = args.repositories * args.latency / args.concurrency
    ratio = wall / baseline
    print(f"fleet preview: {args.repositories} repositories, latency {args.latency} s, concurrency {args.concurrency}")
    print(f"  in-use discovery: {'off' if args.no_in_use else 'on'}; exit code {code}; totals {totals}")
    print(f"  baseline (N x L / C): {baseline:.2f} s")
    print(f"  wall time:            {wall:.2f} s  ({ratio:.2f} x baseline, target <= {TARGET_RATIO})")
    if code != 0 or totals["passed"] != args.repositories:
        print(done.stderr, file=sys.stderr)
        return 1
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
