#!/usr/bin/env bash
# Watching idle rooms: ROOMS offline rooms on a local fake platform, checked by the real PluginHost (one
# Lua VM; the plugin does one GET of ~2 KB JSON per check) through the CheckScheduler at INTERVAL seconds
# and a budget of RATE checks/s for the platform, for SECONDS seconds. Prints the measured check rate
# against the configured one, CPU per check and per hour of the biliup threads (Lua, network, scheduler),
# peak RSS, and a baseline from the same run: the same GET made straight from Swift at the same rate.
#
#   scripts/bench/watch.sh [SECONDS=120] [ROOMS=1000] [INTERVAL=30] [RATE=25]
#
# RATE below ROOMS / INTERVAL makes the budget, not the interval, set the pace: the rate is what is measured.
# WATCH_BENCH_BIN uses that binary instead of building one. Results also go to
# $BENCH_RESULTS (default /tmp/biliup-bench-results)/watch-ROOMS-DATE.txt.
set -euo pipefail
SECONDS_TO_RUN=${1:-120}
ROOMS=${2:-1000}
INTERVAL=${3:-30}
RATE=${4:-25}
repo=$(cd "$(dirname "$0")/../.." && pwd)
results_dir=${BENCH_RESULTS:-/tmp/biliup-bench-results}
mkdir -p "$results_dir"
report="$results_dir/watch-$ROOMS-$(date +%Y%m%d-%H%M%S).txt"

if [[ -n ${WATCH_BENCH_BIN:-} ]]; then
  bench=$WATCH_BENCH_BIN
else
  # Release build in the benchmarks' own scratch path (incremental; no contention with .build).
  (cd "$repo" && swift build -c release --static-swift-stdlib --scratch-path "$repo/.build-bench" --product watch-bench >&2)
  bench="$repo/.build-bench/release/watch-bench"
fi

{
  echo "# watch-bench $SECONDS_TO_RUN $ROOMS $INTERVAL $RATE  ($(date -u +%FT%TZ), build $(git -C "$repo" rev-parse --short HEAD), $(nproc) cores)"
  "$bench" "$SECONDS_TO_RUN" "$ROOMS" "$INTERVAL" "$RATE"
} | tee "$report"
echo "saved: $report" >&2
