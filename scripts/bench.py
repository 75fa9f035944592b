#!/usr/bin/env python3
"""Benchmark: the full suite, several times, release build.

1. Against the embedded double: median wall time, scenarios per second, peak memory (max RSS).
2. Live path: against a standalone double (`aitbc-conformance double`, its own process on
   127.0.0.1) at concurrency 1: microseconds per request, end to end (harness + loopback +
   the double's own work, so an upper bound on the harness's overhead), over pooled keep-alive
   connections.
3. Process start-up (`--version`), and how soon a run against a closed port exits 3.
4. The peer workload (scripts/peer-workload/, the work hurl, behave and newman were timed on):
   100 scenarios x 4 checked requests against one nginx on 127.0.0.1, at the default
   concurrency and at 1, with the TCP connections nginx counted; the negative control must fail.
   Needs nginx (Debian: apt-get install nginx-light); skipped with a note when it is missing.
   With `hurl` on PATH the same workload is timed with hurl (--test --parallel --jobs 2).
5. OpenAPI documents: `check` with the real recorded documents of the current release (415 +
   144 operations, 580 KB) and with a generated one of 800 operations whose bodies are all
   `$ref`s into 400 component schemas (its size is printed).

Usage: python3 scripts/bench.py [RUNS]   (default 10)
It builds with `cargo build --release` first; it asserts nothing, it measures.
"""
import json
import os
import shutil
import socket
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
    unreachable = unreachable_exit(20)
    median = statistics.median(walls)
    print(f"full suite: {scenarios} scenarios, {runs} runs")
    print(f"  median wall time  {median * 1000:8.1f} ms   (min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f})")
    print(f"  scenarios/second  {scenarios / median:8.0f}")
    print(f"  peak memory       {peak_kib / 1024:8.1f} MiB (max RSS of any run)")
    print(f"live path (standalone double, concurrency 1, `not @waits`): {live[1]} requests per run")
    print(f"  median wall time  {live[0] * 1000:8.1f} ms")
    print(f"  per request       {live[0] / live[1] * 1e6:8.0f} µs   (whole run / requests: fixed costs included)")
    print(f"  marginal          {live[3] * 1e6:8.0f} µs   (per extra request: full run minus a one-command run)")
    print(f"  server floor      {live[2] * 1e6:8.0f} µs   (bare Python keep-alive client: mean of a node and a coordinator route)")
    print(f"  harness overhead ≈ {max(live[3] - live[2], 0) * 1e6:6.0f} µs   (marginal minus floor)")
    print(f"  harness CPU       {live[4] * 1e6:8.0f} µs   (the harness process's own CPU per extra request)")
    print(f"  start-up          {statistics.median(startups) * 1000:8.2f} ms   (median of 20 `--version`)")
    print(f"  unreachable target {statistics.median(unreachable) * 1000:7.2f} ms   (median of 20 runs against a closed port"
          f" with --timeout 2s, to exit 3; max {max(unreachable) * 1000:.1f})")
    peer_workload(max(runs, 20))
    hostile_memory()
    document_loading(max(runs, 10))
    probe_timing(max(runs // 2, 3))
    watch_memory()


def unreachable_exit(runs):
    """Wall seconds of `run` against a closed port (`--timeout 2s`), which must end with exit 3:
    the preflight's refused connection is retried `--retries` times (2: 25 ms, then 50 ms of
    backoff), never waited out to the timeout. A test checks the exit code and the one line;
    this measures how soon."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    walls = []
    with tempfile.TemporaryDirectory() as reports:
        for _ in range(runs):
            wall, code, _ = timed([BIN, "run", "--timeout", "2s", "--coordinator-url",
                                   f"http://127.0.0.1:{port}", "--report-dir", reports])
            if code != 3:
                sys.exit(f"a closed port gave exit code {code}, not 3")
            walls.append(wall)
    return walls


def generated_document(paths=400, schemas=400):
    """An OpenAPI 3.1 document of realistic size: GET and POST on each path, every body a $ref."""
    components = {
        f"S{i}": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "next": {"$ref": f"#/components/schemas/S{(i + 1) % schemas}"},
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/S{(i * 7) % schemas}"}}}}
        for i in range(schemas)
    }
    ref = lambda i: {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/S{i % schemas}"}}}}
    doc = {"openapi": "3.1.0", "info": {"title": "generated", "version": "1"}, "paths": {},
           "components": {"schemas": components}}
    for i in range(paths):
        doc["paths"][f"/v1/generated/{i}/{{item_id}}"] = {
            "get": {"operationId": f"get{i}", "responses": {"200": {"description": "ok", **ref(i)}}},
            "post": {"operationId": f"post{i}", "requestBody": ref(i + 1),
                     "responses": {"200": {"description": "ok", **ref(i + 2)}}},
        }
    return doc


def document_loading(runs):
    """`check` over big documents (files, so only parsing and matching are timed)."""
    recordings = os.path.join(ROOT, "tests", "recordings", "openapi")
    with tempfile.TemporaryDirectory() as work:
        generated = os.path.join(work, "generated.json")
        with open(generated, "w") as f:
            json.dump(generated_document(), f)
        cases = [
            ("real documents of the current release (415 + 144 operations)",
             ["--era", "jwt", "--openapi-coordinator", os.path.join(recordings, "head-coordinator.json"),
              "--openapi-node", os.path.join(recordings, "head-node.json")]),
            (f"generated document, 800 operations, 400 $ref'd schemas ({os.path.getsize(generated) // 1024} KB)",
             ["--openapi-coordinator", generated]),
        ]
        print(f"OpenAPI documents: `check` from files, {runs} runs")
        for label, extra in cases:
            walls = []
            for _ in range(runs):
                wall, code, _ = timed([BIN, "check", "--report-dir", work, *extra])
                if code not in (0, 1):
                    sys.exit(f"check failed with exit code {code}")
                walls.append(wall)
            print(f"  {label}: median {statistics.median(walls) * 1000:6.1f} ms")


def probe_timing(runs):
    """`run --probe-only` against the embedded double (wall time), and against the standalone
    double in a process of its own, with the default random phase and a hundred times more
    random requests: the harness's own peak memory must stay flat (findings are deduplicated,
    exchanges not kept; the double's state, which the probe's writes grow, is not measured)."""
    print(f"probe (`run --probe-only`), {runs} runs each")
    targets = [("embedded double", [])]
    server = subprocess.Popen([BIN, "double", "--port", "0", "--node-port", "0"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        coordinator = server.stdout.readline().split()[1]
        node = server.stdout.readline().split()[1]
        targets.append(("standalone double", ["--coordinator-url", coordinator, "--node-url", node,
                                              "--env-file", "tests/fixtures/coordinator.env",
                                              "--rate-limits", "off"]))
        for label, target in targets:
            for random in (300, 30000):
                walls, peaks, requests = [], [], None
                with tempfile.TemporaryDirectory() as reports:
                    for _ in range(runs):
                        wall, code, peak = timed([BIN, "run", "-q", "--probe-only", "--probe-budget",
                                                  "600s", "--probe-random", str(random),
                                                  "--report-dir", reports] + target)
                        if code not in (0, 1):
                            sys.exit(f"probe run failed with exit code {code}")
                        walls.append(wall)
                        peaks.append(peak)
                    with open(os.path.join(reports, "summary.json")) as f:
                        requests = json.load(f)["probe"]["requests"]
                median = statistics.median(walls)
                print(f"  {label:17} --probe-random {random:<6} {requests:6} requests  median"
                      f" {median * 1000:7.1f} ms ({requests / median:5.0f}/s)  harness peak"
                      f" {max(peaks) / 1024:5.1f} MiB")
    finally:
        server.terminate()
        server.wait()


def watch_memory():
    """`run --read-only --every 10ms` against the standalone double for 5 and for 100 runs:
    the harness's peak memory and the most file descriptors (sockets included) it held at any
    sample must not grow with the number of runs."""
    server = subprocess.Popen([BIN, "double", "--port", "0", "--node-port", "0"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        coordinator = server.stdout.readline().split()[1]
        node = server.stdout.readline().split()[1]
        print("watch (`run --read-only --every 10ms`, standalone double)")
        for repeat in (5, 100):
            with tempfile.TemporaryDirectory() as reports:
                args = [BIN, "run", "-q", "--read-only", "--every", "10ms", "--repeat", str(repeat),
                        "--coordinator-url", coordinator, "--node-url", node, "--env-file",
                        "tests/fixtures/coordinator.env", "--rate-limits", "off",
                        "--metrics", os.path.join(reports, "aitbc.prom"), "--report-dir", reports]
                start = time.perf_counter()
                proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL)
                most_fds, usage = 0, None
                while usage is None:
                    try:
                        most_fds = max(most_fds, len(os.listdir(f"/proc/{proc.pid}/fd")))
                    except OSError:
                        pass
                    pid, _, ru = os.wait4(proc.pid, os.WNOHANG)
                    if pid:
                        usage = ru
                    else:
                        time.sleep(0.02)
                wall = time.perf_counter() - start
                with open(os.path.join(reports, "history.jsonl")) as f:
                    lines = sum(1 for _ in f)
                peak = usage.ru_maxrss / 1024 if usage else float("nan")
                print(f"  {repeat:3} runs ({lines} history lines) in {wall:5.1f} s: harness peak"
                      f" {peak:5.1f} MiB, at most {most_fds} file descriptors")
    finally:
        server.terminate()
        server.wait()


def hostile_memory():
    """A full live run against a target that answers 60 MB to every request: wall time and
    peak memory (bounded by --max-body, whatever the target sends)."""
    server = subprocess.Popen([BIN, "double", "--hostile", "huge-body", "--port", "0",
                               "--node-port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        coordinator = server.stdout.readline().split()[1]
        node = server.stdout.readline().split()[1]
        with tempfile.TemporaryDirectory() as reports:
            wall, code, peak = timed([BIN, "run", "-q", "--coordinator-url", coordinator,
                                      "--node-url", node, "--env-file",
                                      "tests/fixtures/coordinator.env", "--report-dir", reports])
        print(f"hostile target (60 MB answers): exit {code}, {wall * 1000:.0f} ms, "
              f"peak {peak / 1024:.1f} MiB")
    finally:
        server.terminate()
        server.wait()


PEER = os.path.join(ROOT, "scripts", "peer-workload")


def wait_for_port(port, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on 127.0.0.1:{port}")


def port_taken(port):
    """Whether something already listens on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def nginx_accepts():
    """Connections nginx has accepted so far (stub_status)."""
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:18300/nginx_status") as r:
        return int(r.read().decode().splitlines()[2].split()[0])


def peer_workload(runs):
    """The peer benchmark: this harness (and hurl, when present) against one static nginx."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        print("peer workload: skipped (no nginx; apt-get install nginx-light)")
        return
    with tempfile.TemporaryDirectory() as work:
        for sub in ("logs", "tmp"):
            os.makedirs(os.path.join(work, sub))
        shutil.copy(os.path.join(PEER, "nginx.conf"), work)
        fixtures = os.path.join(work, "fixtures")
        os.makedirs(fixtures)
        shutil.copy(os.path.join(PEER, "commands.yaml"), fixtures)
        shutil.copy(os.path.join(ROOT, "fixtures", "double.yaml"), fixtures)
        with open(os.path.join(fixtures, "snapshots.yaml"), "w") as f:
            f.write("volatile: {}\n")
        if port_taken(18300) or port_taken(18301):
            sys.exit("peer workload: 127.0.0.1:18300 or :18301 is taken (another nginx?): stop it first")
        server = subprocess.Popen([nginx, "-p", work, "-c", "nginx.conf"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(18300)
            def args(port, extra=()):
                base = f"http://127.0.0.1:{port}"
                return [BIN, "run", "-q", "--features", os.path.join(PEER, "jobs.feature"),
                        "--fixtures", fixtures, "--client-key", "test-key-123",
                        "--snapshots", "off", "--coordinator-url", base, "--node-url", base,
                        "--report-dir", os.path.join(work, "reports"), *extra]
            if timed(args(18301))[1] != 1:
                sys.exit("the negative control (port 18301) did not fail")
            print(f"peer workload (100 scenarios x 4 requests, nginx on 127.0.0.1), {runs} runs")
            hurl = hurl_command(work)
            for label, extra in (("default concurrency", ()), ("--concurrency 1", ("--concurrency", "1"))):
                before = nginx_accepts()
                wall, code, _ = timed(args(18300, extra))
                connections = nginx_accepts() - before - 1  # minus the status request itself
                if code != 0:
                    sys.exit(f"peer workload failed with exit code {code}")
                # hurl runs between this harness's runs, so that both see the same machine
                # (its speed here varies by half within minutes): the ratio is of one run.
                walls, peaks, hurls = [], [], []
                for _ in range(runs):
                    wall, _, peak = timed(args(18300, extra))
                    walls.append(wall)
                    peaks.append(peak)
                    if hurl and not extra:
                        hurls.append(hurl_run(hurl))
                print(f"  this harness, {label:20} median {statistics.median(walls) * 1000:6.1f} ms"
                      f"  (min {min(walls) * 1000:.1f})  peak {max(peaks) / 1024:5.1f} MiB"
                      f"  {connections} TCP connections")
                if hurls:
                    ours, theirs = statistics.median(walls), statistics.median(hurls)
                    print(f"  hurl --parallel --jobs 2, between   median {theirs * 1000:6.1f} ms"
                          f"  (min {min(hurls) * 1000:.1f})  this harness / hurl: {ours / theirs:.2f}")
            if hurl is None:
                print("  hurl: not on PATH (the figures in shared/bench/ were taken on another run)")
        finally:
            server.terminate()  # SIGTERM: nginx stops its workers too (SIGKILL would orphan them)
            server.wait()


def hurl_command(work):
    """The same 400 requests as 100 hurl files, when hurl is installed: its command line."""
    hurl = shutil.which("hurl")
    if hurl is None:
        return None
    with open(os.path.join(PEER, "jobs.feature")) as f:
        refs = [line.split("|")[2].strip() for line in f if line.strip().startswith("|")][1:]
    files = []
    for ref in refs:
        path = os.path.join(work, f"{ref}.hurl")
        with open(path, "w") as f:
            f.write(HURL.replace("REF", ref))
        files.append(path)
    return [hurl, "--test", "--parallel", "--jobs", "2", "--variable", "base=http://127.0.0.1:18300", *files]


def hurl_run(cmd):
    """One hurl run's wall seconds; a failed run stops the benchmark."""
    wall, code, _ = timed(cmd)
    if code != 0:
        sys.exit(f"hurl failed with exit code {code}")
    return wall


HURL = """POST {{base}}/v1/jobs
X-Api-Key: test-key-123
{"model": "llama-3-8b", "gpu": "a100", "hours": 1, "client_ref": "REF"}
HTTP 201
[Asserts]
jsonpath "$.state" == "QUEUED"

GET {{base}}/v1/jobs/j1
HTTP 200

GET {{base}}/rpc/head
HTTP 200
[Asserts]
jsonpath "$.height" isInteger

GET {{base}}/v1/marketplace/gpu/list
HTTP 200
"""


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
        # Scenarios that let time pass on purpose (`@waits`: a job's expiry, 1.2 s) would be
        # counted as the harness's time per request.
        full = live_runs(runs, coordinator, node, ["--tags", "not @waits"])
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
