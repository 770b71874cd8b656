"""Benchmark: ``ecr-lifecycle-guard evaluate --json`` end to end against a bare ``json.load``.

For 10,000 and 100,000 images (distinct push times) and policies of 10 and 50 rules, the script
generates describe-images files (``bench/data/``, git-ignored), then runs, with the interpreter
running this script and in alternation:

* the baseline: ``python -c "json.load(...)"`` of the same file (parsing the input is the floor);
* the measured run: ``python -m ecr_lifecycle_guard evaluate --json`` with stdout to a file.

Each is run ``--repeat`` times; the table shows medians of wall time and of CPU time (user +
system, less sensitive to other load on the machine), the ratios to the baseline, the 10k -> 100k
growth (CPU) and the child's peak memory (``ru_maxrss`` from ``os.wait4``). The output's
``expiringImageTotalCount`` and result count are checked against the count expected by construction
(:func:`generate_images.expected_expiring`). Targets: 100k x 10 rules <= 2 s and <= 5x the baseline,
growth <= 20x, peak <= 400 MB.

Usage: ``python bench/bench_evaluate.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate_images import NOW, expected_expiring, write

DATA = Path(__file__).resolve().parent / "data"
SIZES = (10_000, 100_000)
RULES = (10, 50)
_BASELINE = "import json, sys\nwith open(sys.argv[1], encoding='utf-8') as f:\n    json.load(f)"


def _run(command: list[str], stdout_path: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MB of one child process."""
    with stdout_path.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {child.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _counts(out_path: Path) -> tuple[int, int]:
    """``expiringImageTotalCount`` and the number of results, read without building the document.

    The output is streamed as text so that this process stays small: a child's ``ru_maxrss`` starts
    from the size of the parent it was forked from.
    """
    marker, results, total, tail = '"imageDigest": ', 0, None, ""
    with out_path.open(encoding="utf-8") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), ""):
            text = tail + chunk
            results += (text[-len(chunk) - len(marker) + 1 :]).count(marker)  # a marker split across chunks once
            found = re.search(r'"expiringImageTotalCount": (\d+)[,}]', text)
            total = int(found.group(1)) if found else total
            tail = text[-64:]
    if total is None:
        raise SystemExit(f"{out_path}: no summary.expiringImageTotalCount")
    return total, results


def measure(count: int, rules: int, repeat: int) -> dict[str, float]:
    """Median baseline and evaluate timings for one file, with the output checked."""
    images_path, policy_path = write(count, rules, DATA)
    out_path = DATA / f"out-{count}-{rules}.json"
    evaluate = [
        sys.executable,
        "-m",
        "ecr_lifecycle_guard",
        "evaluate",
        "--policy",
        str(policy_path),
        "--images",
        str(images_path),
        "--now",
        NOW.isoformat(),
        "--json",
    ]
    baseline = [sys.executable, "-c", _BASELINE, str(images_path)]
    base_times, base_cpu, eval_times, eval_cpu, peaks = [], [], [], [], []
    for _ in range(repeat):
        seconds, cpu, _ = _run(baseline, DATA / "baseline.out")
        base_times.append(seconds)
        base_cpu.append(cpu)
        seconds, cpu, peak = _run(evaluate, out_path)
        eval_times.append(seconds)
        eval_cpu.append(cpu)
        peaks.append(peak)
    expected = expected_expiring(count, rules)
    found = _counts(out_path)
    if found != (expected, expected):
        raise SystemExit(f"{count} images x {rules} rules: expected {expected} expiring, got {found}")
    return {
        "baseline": statistics.median(base_times),
        "evaluate": statistics.median(eval_times),
        "baseline_cpu": statistics.median(base_cpu),
        "evaluate_cpu": statistics.median(eval_cpu),
        "peak": max(peaks),
        "expiring": expected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    results = {(count, rules): measure(count, rules, repeat) for rules in RULES for count in SIZES}
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {repeat} runs, "
        f"load average {os.getloadavg()[0]:.2f}; wall = elapsed, cpu = child user+system time"
    )
    print(
        f"{'images':>8} {'rules':>5} {'expiring':>8} {'load wall':>9} {'eval wall':>9} {'ratio':>6} "
        f"{'load cpu':>8} {'eval cpu':>8} {'ratio':>6} {'growth':>7} {'peak MB':>7}"
    )
    for (count, rules), r in results.items():
        small = results[(SIZES[0], rules)]["evaluate_cpu"]
        growth = f"{r['evaluate_cpu'] / small:6.1f}x" if count != SIZES[0] else "      -"
        print(
            f"{count:>8} {rules:>5} {r['expiring']:>8} {r['baseline']:>8.3f}s {r['evaluate']:>8.3f}s "
            f"{r['evaluate'] / r['baseline']:>5.2f}x {r['baseline_cpu']:>7.3f}s {r['evaluate_cpu']:>7.3f}s "
            f"{r['evaluate_cpu'] / r['baseline_cpu']:>5.2f}x {growth} {r['peak']:>7.0f}"
        )
    target = results[(100_000, 10)]
    verdict = target["evaluate"] <= 2.0 and target["evaluate"] <= 5 * target["baseline"] and target["peak"] <= 400
    print(
        f"target 100k x 10 rules (wall <= 2 s and <= 5x json.load, peak <= 400 MB): {'met' if verdict else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
