#!/usr/bin/env bash
# The HTTP API under load: a release `biliup run` with STREAMERS streamers (added through the API,
# their checks failing fast against a closed port; measured once every streamer was checked, so that
# the list is in its steady state, changing only when a room's state does), driven by wrk (Debian's
# package) for SECONDS seconds per route with CONNECTIONS connections on 2 threads. Logged in: every
# request carries a bearer token, as the web page's cookie would. Routes:
#   GET /api/streamers             the list's default page (50 streamers, ~17 KB)
#   GET /api/streamers?limit=1000  every streamer in one answer (~330 KB)
#   GET /api/status                the dashboard's poll
#   GET /api/events?limit=100      the log page: a read of the store's event table per request
#   GET /index.html                baseline: the web page from memory, same server, same run
# Prints requests/s and p99 latency per route and the ratio to the baseline's requests/s.
#
#   scripts/bench/api.sh [SECONDS=15] [STREAMERS=1000] [CONNECTIONS=64]
#
# BILIUP_BIN uses that binary instead of building one. Results also go to
# $BENCH_RESULTS (default /tmp/biliup-bench-results)/api-DATE.txt, and wrk's own output to api-DATE.txt.wrk.
set -euo pipefail
SECONDS_TO_RUN=${1:-15}
STREAMERS=${2:-1000}
CONNECTIONS=${3:-64}
repo=$(cd "$(dirname "$0")/../.." && pwd)
results_dir=${BENCH_RESULTS:-/tmp/biliup-bench-results}
mkdir -p "$results_dir"
report="$results_dir/api-$(date +%Y%m%d-%H%M%S).txt"
command -v wrk >/dev/null || { echo "api.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

source "$repo/scripts/bench/bench-server.sh"
bench_binary
start_bench_server
token=$(curl -sf -X POST "$base/api/login" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"benchpassword"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Streamers through the API, as a user would add them (several at once to keep this short).
python3 - "$base" "$token" "$STREAMERS" <<'PY'
import json, sys, urllib.request, concurrent.futures
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def add(i):
    body = json.dumps({"name": f"streamer-{i:04d}", "url": f"http://127.0.0.1:9/room{i}.m3u8",
                       "overrides": {"check_interval": 3600}}).encode()
    req = urllib.request.Request(base + "/api/streamers", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        assert r.status == 201, r.status
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(add, range(n)))
PY
listed=$(curl -sf "$base/api/streamers?limit=1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
[[ $listed == "$STREAMERS" ]] || { echo "api.sh: expected $STREAMERS streamers, the API lists $listed" >&2; exit 1; }
# Wait for every streamer's first check (each fails: the port is closed), which changes the list.
for _ in $(seq 600); do
  unchecked=$(curl -sf "$base/api/streamers?limit=1000" -H "Authorization: Bearer $token" |
    python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin)["items"] if not s["last_error"]))')
  [[ $unchecked == 0 ]] && break
  sleep 0.5
done
[[ $unchecked == 0 ]] || { echo "api.sh: $unchecked streamers were never checked" >&2; exit 1; }

run() {  # name path -> "rps p99_ms bytes_per_answer"
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_TO_RUN}s" --latency -H "Authorization: Bearer $token" "$base$2")
  echo "$out" >>"$report.wrk"
  local rps p99 non2xx size
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  [[ -z $non2xx ]] || { echo "api.sh: $2 answered $non2xx non-2xx responses" >&2; exit 1; }
  size=$(curl -sf "$base$2" -H "Authorization: Bearer $token" | wc -c)
  echo "$rps $p99 $size"
}

{
  echo "# biliup API under wrk: $STREAMERS streamers, ${SECONDS_TO_RUN}s per route, $CONNECTIONS connections, 2 wrk threads, $(nproc) cores"
  echo "# $(date -Is) $(uname -r)"
  read -r base_rps base_p99 base_size < <(run baseline /index.html)
  printf "%-32s %10s %9s %9s %8s\n" route "req/s" "p99 ms" bytes "vs base"
  printf "%-32s %10.0f %9.2f %9d %8s\n" "GET /index.html (baseline)" "$base_rps" "$base_p99" "$base_size" "1.00"
  for path in "/api/streamers" "/api/streamers?limit=1000" "/api/status" "/api/events?limit=100"; do
    read -r rps p99 size < <(run route "$path")
    printf "%-32s %10.0f %9.2f %9d %8.2f\n" "GET $path" "$rps" "$p99" "$size" "$(python3 -c "print($rps/$base_rps)")"
  done
  echo "# server RSS after the runs: $(awk '/VmRSS/ {print $2, $3}' /proc/$server_pid/status)"
} | tee "$report"
echo "(report: $report)" >&2
