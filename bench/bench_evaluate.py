"""Benchmark: ``ecr-lifecycle-guard evaluate --json`` end to end against a bare ``json.load``.

Two shapes of data (``bench/generate_images.py``): the *constructed* one — 10,000 and 100,000 images
(distinct push times) and policies of 10 and 50 rules, whose expected counts are known by
construction — and the *realistic* one — 100,000 images as the AWS CLI prints them (75 % tagged, a
fifth of those with two tags, half with pull times, a tenth archived) and a ten-rule policy mixing
tag patterns, prefixes, counts, ages and archive rules. The script generates the files
(``bench/data/``, git-ignored), then runs, with the interpreter running this script and in alternation:

* the baseline: ``python -c "json.load(...)"`` of the same file (parsing the input is the floor);
* the measured run: ``python -m ecr_lifecycle_guard evaluate --json`` with stdout to a file.

Each is run ``--repeat`` times; the table shows medians of wall time and of CPU time (user +
system, less sensitive to other load on the machine), the ratios to the baseline, the 10k -> 100k
growth (CPU) and the child's peak memory (``ru_maxrss`` from ``os.wait4``, both processes). The
constructed shape's ``expiringImageTotalCount`` and result count are checked against the count
expected by construction (:func:`generate_images.expected_expiring`); the realistic shape's summary
is checked against its results. Targets: 100k x 10 rules <= 2 s and <= 5x the baseline, growth <=
20x, peak <= 400 MB; realistic 100k <= 4x the baseline, end to end (process start included).

``--fast-json off`` runs the command line as if ``orjson`` were not installed (the standard library
reads and writes the JSON), to show what the optional ``[cli]`` dependency buys.

Usage: ``python bench/bench_evaluate.py [--repeat 3] [--only realistic|constructed] [--fast-json on|off]``
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

from generate_images import NOW, expected_expiring

DATA = Path(__file__).resolve().parent / "data"
SIZES = (10_000, 100_000)
RULES = (10, 50)
REALISTIC_SIZE = 100_000
_BASELINE = "import json, sys\nwith open(sys.argv[1], encoding='utf-8') as f:\n    json.load(f)"
# The command line without orjson: an import of it fails as it would were it not installed.
_WITHOUT_ORJSON = (
    "import runpy, sys\nsys.modules['orjson'] = None\nsys.argv[0] = 'ecr-lifecycle-guard'\n"
    "runpy.run_module('ecr_lifecycle_guard', run_name='__main__')"
)


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


_SUMMARY = {
    "expiring": re.compile(r'"expiringImageTotalCount": ?(\d+)[,}]'),
    "transitioning": re.compile(r'"targetStorageClass": ?"ARCHIVE", ?"imageTotalCount": ?(\d+)\}\]'),
}


def _counts(out_path: Path) -> tuple[int | None, int, int]:
    """``expiringImageTotalCount``, the transitioning total and the number of results, read as a stream.

    The output is streamed as text so that this process stays small: a child's ``ru_maxrss`` starts
    from the size of the parent it was forked from. Compact and spaced JSON are both understood.
    """
    marker, results, tail = '"imageDigest":', 0, ""
    totals: dict[str, int] = {}
    with out_path.open(encoding="utf-8") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), ""):
            text = tail + chunk
            results += (text[-len(chunk) - len(marker) + 1 :]).count(marker)  # a marker split across chunks once
            for name, pattern in _SUMMARY.items():
                found = pattern.search(text)
                if found:
                    totals[name] = int(found.group(1))
            tail = text[-256:]
    return totals.get("expiring"), totals.get("transitioning", 0), results


def measure(images_path: Path, policy_path: Path, repeat: int, *, fast_json: bool) -> dict[str, float]:
    """Median baseline and evaluate timings for one file (the output is checked by the caller)."""
    out_path = DATA / f"out-{images_path.stem}.json"
    arguments = ["--policy", str(policy_path), "--images", str(images_path), "--now", NOW.isoformat(), "--json"]
    if fast_json:
        evaluate = [sys.executable, "-m", "ecr_lifecycle_guard", "evaluate", *arguments]
    else:
        evaluate = [sys.executable, "-c", _WITHOUT_ORJSON, "evaluate", *arguments]
    baseline = [sys.executable, "-c", _BASELINE, str(images_path)]
    base_times, base_cpu, base_peaks, eval_times, eval_cpu, peaks = [], [], [], [], [], []
    for _ in range(repeat):
        seconds, cpu, peak = _run(baseline, DATA / "baseline.out")
        base_times.append(seconds)
        base_cpu.append(cpu)
        base_peaks.append(peak)
        seconds, cpu, peak = _run(evaluate, out_path)
        eval_times.append(seconds)
        eval_cpu.append(cpu)
        peaks.append(peak)
    expiring, transitioning, results = _counts(out_path)
    return {
        "baseline": statistics.median(base_times),
        "evaluate": statistics.median(eval_times),
        "baseline_cpu": statistics.median(base_cpu),
        "evaluate_cpu": statistics.median(eval_cpu),
        "baseline_peak": max(base_peaks),
        "peak": max(peaks),
        "expiring": -1 if expiring is None else expiring,
        "transitioning": transitioning,
        "results": results,
    }


def _generate(count: int, shape: str) -> tuple[Path, Path]:
    """Write (once) an images file and its policy, in a child: this process must stay small (see :func:`_counts`)."""
    command = [sys.executable, str(Path(__file__).with_name("generate_images.py")), str(count), shape, str(DATA)]
    images, policy = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    return Path(images), Path(policy)


def _constructed(repeat: int, fast_json: bool) -> dict[tuple[int, int], dict[str, float]]:
    results = {}
    for rules in RULES:
        for count in SIZES:
            images_path, policy_path = _generate(count, str(rules))
            r = measure(images_path, policy_path, repeat, fast_json=fast_json)
            expected = expected_expiring(count, rules)
            if (r["expiring"], r["results"]) != (expected, expected):
                raise SystemExit(f"{count} images x {rules} rules: expected {expected} expiring, got {r}")
            results[(count, rules)] = r
    return results


def _realistic(repeat: int, fast_json: bool) -> dict[str, float]:
    images_path, policy_path = _generate(REALISTIC_SIZE, "realistic")
    r = measure(images_path, policy_path, repeat, fast_json=fast_json)
    if r["expiring"] < 0 or r["expiring"] + r["transitioning"] != r["results"] or not r["results"]:
        raise SystemExit(f"realistic {REALISTIC_SIZE}: the summary does not add up to the results: {r}")
    r["size_mb"] = images_path.stat().st_size / 1e6
    return r


def _header(repeat: int, fast_json: bool) -> None:
    library = "orjson (the [cli] extra)" if fast_json else "the standard library's json (orjson hidden)"
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {repeat} runs, "
        f"load average {os.getloadavg()[0]:.2f}; JSON in the command line: {library}"
    )
    print("wall = elapsed, cpu = child user+system time; baseline = python -c 'json.load(...)' of the same file")


def _print_constructed(results: dict[tuple[int, int], dict[str, float]]) -> None:
    print(
        f"{'images':>8} {'rules':>5} {'expiring':>8} {'load wall':>9} {'eval wall':>9} {'ratio':>6} "
        f"{'load cpu':>8} {'eval cpu':>8} {'ratio':>6} {'growth':>7} {'peak MB':>7}"
    )
    for (count, rules), r in results.items():
        small = results[(SIZES[0], rules)]["evaluate_cpu"]
        growth = f"{r['evaluate_cpu'] / small:6.1f}x" if count != SIZES[0] else "      -"
        print(
            f"{count:>8} {rules:>5} {r['expiring']:>8.0f} {r['baseline']:>8.3f}s {r['evaluate']:>8.3f}s "
            f"{r['evaluate'] / r['baseline']:>5.2f}x {r['baseline_cpu']:>7.3f}s {r['evaluate_cpu']:>7.3f}s "
            f"{r['evaluate_cpu'] / r['baseline_cpu']:>5.2f}x {growth} {r['peak']:>7.0f}"
        )
    target = results[(100_000, 10)]
    verdict = target["evaluate"] <= 2.0 and target["evaluate"] <= 5 * target["baseline"] and target["peak"] <= 400
    print(
        f"target 100k x 10 rules (wall <= 2 s and <= 5x json.load, peak <= 400 MB): {'met' if verdict else 'NOT met'}"
    )


def _print_realistic(r: dict[str, float]) -> None:
    print(
        f"realistic: {REALISTIC_SIZE:,} images ({r['size_mb']:.0f} MB), {r['expiring']:.0f} expire, "
        f"{r['transitioning']:.0f} transition"
    )
    base = f"wall {r['baseline']:.3f} s  cpu {r['baseline_cpu']:.3f} s  peak {r['baseline_peak']:.0f} MB"
    print(f"  baseline json.load  {base}")
    print(f"  evaluate --json     wall {r['evaluate']:.3f} s  cpu {r['evaluate_cpu']:.3f} s  peak {r['peak']:.0f} MB")
    ratio, cpu_ratio = r["evaluate"] / r["baseline"], r["evaluate_cpu"] / r["baseline_cpu"]
    print(f"  ratio               wall {ratio:.2f}x  cpu {cpu_ratio:.2f}x")
    print(f"target realistic 100k (evaluate --json <= 4x json.load, wall): {'met' if ratio <= 4 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("realistic", "constructed"))
    parser.add_argument("--fast-json", choices=("on", "off"), default="on")
    args = parser.parse_args()
    fast_json = args.fast_json == "on"
    _header(args.repeat, fast_json)
    if args.only != "realistic":
        _print_constructed(_constructed(args.repeat, fast_json))
    if args.only != "constructed":
        _print_realistic(_realistic(args.repeat, fast_json))


if __name__ == "__main__":
    main()
