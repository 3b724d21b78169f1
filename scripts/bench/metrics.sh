#!/usr/bin/env bash
# What a Prometheus scrape costs: a `biliup run` with STREAMERS streamers (added through the API, their
# checks failing fast against a closed port, so every platform and streamer series exists), scraped
# SCRAPES times in a row over one keep-alive connection with a bearer token, as Prometheus does.
# The same invocation measures two baselines the same way: GET /api/status (the dashboard's poll:
# the engine actor and JSON) and GET /api/health (a trivial route). Per route it prints the answer's
# size, the latency per request (median and p99) and the server's CPU time per request (from
# /proc/PID/stat, minus what the idle server spends over the same wall time).
#
#   scripts/bench/metrics.sh [SCRAPES=200] [STREAMERS=1000]
#
# BILIUP_BIN uses that binary instead of building a release one. Results also go to
# $BENCH_RESULTS (default /tmp/biliup-bench-results)/metrics-DATE.txt.
set -euo pipefail
SCRAPES=${1:-200}
STREAMERS=${2:-1000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
results_dir=${BENCH_RESULTS:-/tmp/biliup-bench-results}
mkdir -p "$results_dir"
report="$results_dir/metrics-$(date +%Y%m%d-%H%M%S).txt"

source "$repo/scripts/bench/bench-server.sh"
bench_binary
start_bench_server

python3 - "$base" "$STREAMERS" "$SCRAPES" "$server_pid" "$biliup" <<'PY' | tee "$report"
import json, sys, time, os, http.client, urllib.request, concurrent.futures, statistics
base, n, scrapes, pid, binary = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
host, port = base[len("http://"):].split(":")
def post(path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST", headers=headers)
    with urllib.request.urlopen(req) as r:
        return json.load(r)
token = post("/api/login", {"username": "bench", "password": "benchpassword"})["token"]
def add(i):
    post("/api/streamers", {"name": f"streamer-{i:04d}", "url": f"http://127.0.0.1:9/room{i}.m3u8",
                            "overrides": {"check_interval": 3600}}, token)
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(add, range(n)))
conn = http.client.HTTPConnection(host, int(port))
def get(path):
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    body = r.read()
    return r.status, body
# Every streamer checked once (each check fails), so the check series are in their steady state.
deadline = time.time() + 120
while time.time() < deadline:
    status, body = get("/metrics")
    rooms = sum(float(l.split()[-1]) for l in body.decode().splitlines() if l.startswith("biliup_check_rooms_total{"))
    if rooms >= n: break
    time.sleep(0.5)
ticks = os.sysconf("SC_CLK_TCK")
def cpu():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks
# What the idle server spends per wall second (the scheduler, the progress timer), to subtract.
c0, t0 = cpu(), time.time(); time.sleep(5); idle = (cpu() - c0) / (time.time() - t0)
print(f"binary: {binary}")
print(f"streamers: {n}, requests per route: {scrapes}, idle server CPU: {idle*1000:.1f} ms/s")
print(f"{'route':<14} {'bytes':>8} {'median ms':>10} {'p99 ms':>8} {'CPU ms/req':>11}")
for path in ["/api/health", "/api/status", "/metrics"]:
    for _ in range(5): get(path)  # warm up
    latencies = []
    c0, t0 = cpu(), time.time()
    for _ in range(scrapes):
        s = time.perf_counter(); status, body = get(path); latencies.append((time.perf_counter() - s) * 1000)
        assert status == 200, (path, status)
    wall = time.time() - t0
    spent = max(0.0, cpu() - c0 - idle * wall)
    latencies.sort()
    print(f"{path:<14} {len(body):>8} {statistics.median(latencies):>10.2f} {latencies[int(len(latencies)*0.99)-1]:>8.2f} {spent/scrapes*1000:>11.2f}")
PY
echo "report: $report" >&2
