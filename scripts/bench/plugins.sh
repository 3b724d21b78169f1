#!/usr/bin/env bash
# Plugin checks at scale: N concurrent checks of the shipped bilibili plugin (WBI-signed room info and
# play info against a local fake API) in ONE Lua VM, for ROUNDS rounds; baseline in the same run: the
# same two HTTP requests per check made from Swift without Lua. Prints checks per second and CPU per
# check (Lua thread, network thread) and the ratio check / bare requests.
#
#   scripts/bench/plugins.sh [N=1000] [ROUNDS=5]
#
# PLUGIN_BENCH_BIN uses that binary instead of building one. Results also go to
# $BENCH_RESULTS (default /tmp/biliup-bench-results)/plugins-N-DATE.txt.
set -euo pipefail
N=${1:-1000}
ROUNDS=${2:-5}
repo=$(cd "$(dirname "$0")/../.." && pwd)
results_dir=${BENCH_RESULTS:-/tmp/biliup-bench-results}
mkdir -p "$results_dir"
report="$results_dir/plugins-$N-$(date +%Y%m%d-%H%M%S).txt"

if [[ -n ${PLUGIN_BENCH_BIN:-} ]]; then
  bench=$PLUGIN_BENCH_BIN
else
  # Release build in the benchmarks' own scratch path (incremental; no contention with .build).
  (cd "$repo" && swift build -c release --static-swift-stdlib --scratch-path "$repo/.build-bench" --product plugin-bench >&2)
  bench="$repo/.build-bench/release/plugin-bench"
fi

{
  echo "# plugin-bench $N $ROUNDS  ($(date -u +%FT%TZ), build $(git -C "$repo" rev-parse --short HEAD), $(nproc) cores)"
  "$bench" "$N" "$ROUNDS"
} | tee "$report"
echo "saved: $report" >&2
