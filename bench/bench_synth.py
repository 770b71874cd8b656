"""Benchmark: synthesizing 300 guarded repositories against CDK's own ``Repository(lifecycle_rules=...)``.

Baseline: an app with N ``aws_ecr.Repository(lifecycle_rules=RULES)``. Measured: the same N repositories
without ``lifecycle_rules``, each guarded by a ``GuardedLifecyclePolicy(rules=RULES)``. Both apps spread
the repositories over stacks of at most 200 (a guarded repository is two of CloudFormation's 500
resources per stack), so the guarded app has one handler function per stack. Both are built and
synthesized (``app.synth()`` into a temporary folder, local bundling included), alternating rounds; the
medians are compared.

Reported: the synth-time ratio (target <= 1.4) measured two ways -- in-process (build + ``app.synth()``
only) and end to end (a fresh ``python`` process per app, as ``cdk synth`` runs it: jsii start, imports,
build, synth) --, the number of Lambda functions in the guarded app (1) and template bytes per repository
for both apps, plus the marginal bytes of one more guard.

Run it (about four minutes on 2 cores)::

    JSII_NODE=$PWD/node_modules/.bin/node .venv/bin/python bench/bench_synth.py [--repositories 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_lifecycle_guard import GuardedLifecyclePolicy

TARGET_RATIO = 1.4
#: A fleet is spread over stacks (CloudFormation allows 500 resources; a guarded repository is two).
REPOSITORIES_PER_STACK = 200
RULES = (
    ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14)),
    ecr.LifecycleRule(tag_prefix_list=["release-"], max_image_count=50),
    ecr.LifecycleRule(max_image_count=200),
)


def _stacks(app: cdk.App, count: int) -> list[tuple[cdk.Stack, range]]:
    """The stacks of an app of ``count`` repositories, at most REPOSITORIES_PER_STACK each."""
    return [
        (cdk.Stack(app, f"Bench{index}"), range(start, min(start + REPOSITORIES_PER_STACK, count)))
        for index, start in enumerate(range(0, count, REPOSITORIES_PER_STACK))
    ]


def baseline_app(count: int, outdir: str) -> cdk.App:
    """N repositories carrying CDK's own lifecycle rules."""
    app = cdk.App(outdir=outdir)
    for stack, indexes in _stacks(app, count):
        for index in indexes:
            ecr.Repository(stack, f"Repo{index}", repository_name=f"bench-{index}", lifecycle_rules=list(RULES))
    return app


def guarded_app(count: int, outdir: str) -> cdk.App:
    """The same N repositories, each with a GuardedLifecyclePolicy instead."""
    app = cdk.App(outdir=outdir)
    for stack, indexes in _stacks(app, count):
        for index in indexes:
            repository = ecr.Repository(stack, f"Repo{index}", repository_name=f"bench-{index}")
            GuardedLifecyclePolicy(stack, f"Guard{index}", repository=repository, rules=RULES)
    return app


def synth_once(build: Callable[[int, str], cdk.App], count: int) -> tuple[float, list[dict[str, object]]]:
    """Seconds to build and synthesize the app, and its templates."""
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        assembly = build(count, outdir).synth()
        seconds = time.perf_counter() - started
        return seconds, [stack.template for stack in assembly.stacks]


def _bytes(templates: list[dict[str, object]]) -> int:
    return sum(len(json.dumps(template, separators=(",", ":")).encode()) for template in templates)


def _functions(templates: list[dict[str, object]]) -> int:
    count = 0
    for template in templates:
        resources = template["Resources"]
        assert isinstance(resources, dict)
        count += sum(1 for r in resources.values() if r["Type"] == "AWS::Lambda::Function")
    return count


def _ratio_line(name: str, base_times: list[float], guard_times: list[float]) -> str:
    ratio = statistics.median(guard_times) / statistics.median(base_times)
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    return (
        f"{name}: baseline {statistics.median(base_times):.3f} s {[round(t, 3) for t in base_times]}, "
        f"guarded {statistics.median(guard_times):.3f} s {[round(t, 3) for t in guard_times]}, "
        f"ratio {ratio:.3f} (target <= {TARGET_RATIO}: {verdict})"
    )


def in_process(count: int, rounds: int) -> None:
    """Build + ``app.synth()`` of both apps in this process, alternating, after a warm-up of each."""
    synth_once(baseline_app, count)
    synth_once(guarded_app, count)
    base_times: list[float] = []
    guard_times: list[float] = []
    for _ in range(rounds):
        seconds, base_template = synth_once(baseline_app, count)
        base_times.append(seconds)
        seconds, guard_template = synth_once(guarded_app, count)
        guard_times.append(seconds)
    _, one_more = synth_once(guarded_app, count + 1)
    print(_ratio_line("in-process build + synth", base_times, guard_times))
    print(f"stacks: {len(guard_template)}, Lambda functions in the guarded app: {_functions(guard_template)}")
    per_repository = (_bytes(base_template) / count, _bytes(guard_template) / count)
    print(f"template bytes per repository: baseline {per_repository[0]:.0f}, guarded {per_repository[1]:.0f}")
    print(f"marginal template bytes of one more guarded repository: {_bytes(one_more) - _bytes(guard_template)}")


def end_to_end(count: int, rounds: int) -> None:
    """What ``cdk synth`` costs a user: a fresh ``python`` process per app (jsii start, imports, synth)."""
    base_times: list[float] = []
    guard_times: list[float] = []
    for _ in range(rounds):
        for app, times in (("baseline", base_times), ("guarded", guard_times)):
            with tempfile.TemporaryDirectory() as outdir:
                command = [sys.executable, __file__, "--app", app, "--repositories", str(count), "--outdir", outdir]
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times.append(time.perf_counter() - started)
    print(_ratio_line("end-to-end process (python app.py)", base_times, guard_times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--app", choices=("baseline", "guarded"), help=argparse.SUPPRESS)
    parser.add_argument("--outdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app:  # one end-to-end run, started by end_to_end()
        (baseline_app if args.app == "baseline" else guarded_app)(args.repositories, args.outdir).synth()
        return
    print(f"repositories: {args.repositories}, rounds: {args.rounds} (median; runs in brackets)")
    in_process(args.repositories, args.rounds)
    end_to_end(args.repositories, args.rounds)


if __name__ == "__main__":
    main()
