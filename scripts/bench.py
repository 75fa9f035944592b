#!/usr/bin/env python3
"""Benchmark: the full suite against the embedded double, several times, release build.

Prints the median wall time, scenarios per second, peak memory (max RSS) and the process
start-up time (`--version`). Usage: python3 scripts/bench.py [RUNS]   (default 10)
It builds with `cargo build --release` first; it asserts nothing, it measures.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "aitbc-conformance")


def timed(args):
    """Runs args; returns (wall seconds, exit code, max RSS in KiB of that process alone)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, proc.returncode, usage.ru_maxrss


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    env_free = {k: v for k, v in os.environ.items() if not k.startswith("AITBC_")}
    os.environ.clear()
    os.environ.update(env_free)
    walls, peaks, scenarios = [], [], None
    with tempfile.TemporaryDirectory() as reports:
        for _ in range(runs):
            wall, code, peak = timed([BIN, "run", "-q", "--report-dir", reports])
            if code != 0:
                sys.exit(f"run failed with exit code {code}")
            walls.append(wall)
            peaks.append(peak)
        with open(os.path.join(reports, "summary.json")) as f:
            scenarios = json.load(f)["scenarios_total"]
    peak_kib = max(peaks)
    startups = [timed([BIN, "--version"])[0] for _ in range(20)]
    median = statistics.median(walls)
    print(f"full suite: {scenarios} scenarios, {runs} runs")
    print(f"  median wall time  {median * 1000:8.1f} ms   (min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f})")
    print(f"  scenarios/second  {scenarios / median:8.0f}")
    print(f"  peak memory       {peak_kib / 1024:8.1f} MiB (max RSS of any run)")
    print(f"  start-up          {statistics.median(startups) * 1000:8.2f} ms   (median of 20 `--version`)")


if __name__ == "__main__":
    main()
