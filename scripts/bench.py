#!/usr/bin/env python3
"""Benchmark: the full suite, several times, release build.

1. Against the embedded double: median wall time, scenarios per second, peak memory (max RSS).
2. Live path: against a standalone double (`aitbc-conformance double`, its own process on
   127.0.0.1) at concurrency 1: microseconds per request, end to end (harness + loopback +
   the double's own work, so an upper bound on the harness's overhead), over pooled keep-alive
   connections.
3. Process start-up (`--version`).

Usage: python3 scripts/bench.py [RUNS]   (default 10)
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


def timed(args, cpu=None):
    """Runs args; returns (wall seconds, exit code, max RSS in KiB of that process alone).
    With a list as `cpu`, appends the process's own CPU seconds (user + system) to it."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
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
    live = live_per_request(runs)
    startups = [timed([BIN, "--version"])[0] for _ in range(20)]
    median = statistics.median(walls)
    print(f"full suite: {scenarios} scenarios, {runs} runs")
    print(f"  median wall time  {median * 1000:8.1f} ms   (min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f})")
    print(f"  scenarios/second  {scenarios / median:8.0f}")
    print(f"  peak memory       {peak_kib / 1024:8.1f} MiB (max RSS of any run)")
    print(f"live path (standalone double, concurrency 1): {live[1]} requests per run")
    print(f"  median wall time  {live[0] * 1000:8.1f} ms")
    print(f"  per request       {live[0] / live[1] * 1e6:8.0f} µs   (whole run / requests: fixed costs included)")
    print(f"  marginal          {live[3] * 1e6:8.0f} µs   (per extra request: full run minus a one-command run)")
    print(f"  server floor      {live[2] * 1e6:8.0f} µs   (bare Python keep-alive client: mean of a node and a coordinator route)")
    print(f"  harness overhead ≈ {max(live[3] - live[2], 0) * 1e6:6.0f} µs   (marginal minus floor)")
    print(f"  harness CPU       {live[4] * 1e6:8.0f} µs   (the harness process's own CPU per extra request)")
    print(f"  start-up          {statistics.median(startups) * 1000:8.2f} ms   (median of 20 `--version`)")


def server_floor(base, path, headers=None, n=500):
    """Seconds per keep-alive request of a bare Python client to the double: loopback + server."""
    import http.client
    import urllib.parse
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    start = time.perf_counter()
    for _ in range(n):
        conn.request("GET", path, headers=headers or {})
        conn.getresponse().read()
    return (time.perf_counter() - start) / n


def live_runs(runs, coordinator, node, extra):
    """Median wall time and harness CPU time of live runs at concurrency 1, and the requests
    one run makes."""
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as reports:
        args = [BIN, "run", "-q", "--concurrency", "1", "--coordinator-url", coordinator,
                "--node-url", node, "--env-file", "tests/fixtures/coordinator.env",
                "--report-dir", reports] + extra
        for _ in range(runs):
            wall, code, _ = timed(args, cpus)
            if code != 0:
                sys.exit(f"live run failed with exit code {code}")
            walls.append(wall)
        with open(os.path.join(reports, "summary.json")) as f:
            requests = sum(e["exchanges"] for e in json.load(f)["endpoints"])
    return statistics.median(walls), requests, statistics.median(cpus)


def live_per_request(runs):
    """Median wall time of a live run at concurrency 1, and the requests it makes."""
    double = subprocess.Popen([BIN, "double", "--port", "0", "--node-port", "0"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        coordinator = double.stdout.readline().split()[1]
        node = double.stdout.readline().split()[1]
        full = live_runs(runs, coordinator, node, [])
        small = live_runs(runs, coordinator, node, ["--tags", "@command:blockchain-head"])
        # The difference between a full and a one-command run cancels the fixed costs
        # (start-up, parsing, preflight, report files): what is left is per request.
        marginal = (full[0] - small[0]) / (full[1] - small[1])
        cpu = (full[2] - small[2]) / (full[1] - small[1])
        floors = [server_floor(node, "/rpc/blocks/5"),
                  server_floor(coordinator, "/v1/jobs/" + "0" * 32, {"X-Api-Key": "client_dev_key_1_valid"})]
        return full[0], full[1], statistics.mean(floors), marginal, cpu
    finally:
        double.kill()
        double.wait()


if __name__ == "__main__":
    main()
