#!/usr/bin/env bash
# Upload benchmark: `biliup upload` through the whole UPOS protocol against `curl -T` of the same bytes,
# both to the same local sink (`bilibili-standin --discard`, which reads and counts every byte).
#
# usage: scripts/bench/upload.sh [LIMIT]        (LIMIT: chunks in flight per file, biliup's --limit, default 3)
#
# Two workloads, each sent by both tools in turn, $RUNS times (default 3; never overlapping: the machine
# has few cores):
#   big    one 2 GB file (2,000,000,000 bytes)
#   four   four 500 MB files (one archive of four parts for biliup; four `curl -T` one after another)
# Each run is timed with /usr/bin/time: wall seconds, CPU-seconds (user + sys) and peak RSS. Reported,
# as the median of the runs: MB/s (10^6 bytes), CPU-seconds per GB (10^9 bytes), peak RSS, and
# biliup / curl for CPU per GB (the CPU of one `curl -T` swings by 2x between runs on this VM).
# The stand-in's chunk size is its default, 10 MiB. Targets (issue 11, acceptance 5):
# CPU per GB <= 1.5 x curl's, and RSS <= 64 MiB + LIMIT x chunk size (RSS in MiB).
#
# The files are random bytes made once into $BENCH_CACHE (default /tmp/biliup-bench-cache). Binaries:
# BILIUP_BIN and STANDIN_BIN, else a release build of both into .build-bench (biliup linked as the
# README builds it, with --static-swift-stdlib). Results are also written
# to $BENCH_RESULTS (default /tmp/biliup-bench-results)/upload-DATE.txt.
set -euo pipefail

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
LIMIT=${1:-3}
RUNS=${RUNS:-3}
[[ $# -le 1 && $LIMIT =~ ^[0-9]+$ && $LIMIT -ge 1 ]] || usage

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BENCH_CACHE:-/tmp/biliup-bench-cache}
results_dir=${BENCH_RESULTS:-/tmp/biliup-bench-results}
mkdir -p "$cache" "$results_dir"
work=$(mktemp -d /tmp/biliup-upload-bench.XXXXXX)
report="$results_dir/upload-$(date -u +%Y%m%dT%H%M%SZ).txt"
standin_pid=""
cleanup() {
  [[ -n $standin_pid ]] && kill "$standin_pid" 2>/dev/null && wait "$standin_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for tool in curl /usr/bin/time awk python3; do
  command -v "$tool" >/dev/null || { echo "upload bench: $tool is needed" >&2; exit 1; }
done

if [[ -n ${BILIUP_BIN:-} && -n ${STANDIN_BIN:-} ]]; then
  biliup=$BILIUP_BIN
  standin=$STANDIN_BIN
else
  echo "building release binaries into .build-bench…" >&2
  (cd "$repo" && swift build -c release --static-swift-stdlib --scratch-path .build-bench --product biliup >&2 \
     && swift build -c release --scratch-path .build-bench --product bilibili-standin >&2)
  biliup=$repo/.build-bench/release/biliup
  standin=$repo/.build-bench/release/bilibili-standin
fi

make_file() {  # PATH BYTES: random bytes, made once
  local path=$1 bytes=$2
  if [[ ! -f $path || $(stat -c %s "$path") != "$bytes" ]]; then
    echo "making $(basename "$path") ($bytes bytes)…" >&2
    head -c "$bytes" /dev/urandom >"$path.tmp" && mv "$path.tmp" "$path"
  fi
}
big=$cache/upload-2g.bin
make_file "$big" 2000000000
four=()
for i in 1 2 3 4; do make_file "$cache/upload-500m-$i.bin" 500000000; four+=("$cache/upload-500m-$i.bin"); done

"$standin" --discard --dir "$work/standin" >"$work/standin.json" 2>"$work/standin.err" &
standin_pid=$!
for _ in $(seq 100); do [[ -s $work/standin.json ]] && break; sleep 0.1; done
[[ -s $work/standin.json ]] || { echo "upload bench: the stand-in did not start: $(cat "$work/standin.err")" >&2; exit 1; }
read -r base cookies remap < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["base"], d["cookies"], ",".join(d["remap"]))' "$work/standin.json")

# timed LABEL CMD...: runs CMD under /usr/bin/time; appends "LABEL wall cpu rss_kb" to $work/times
timed() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.$label" "$@" >"$work/out.$label" 2>"$work/err.$label" || {
    echo "upload bench: $label failed:" >&2; tail -5 "$work/err.$label" >&2; exit 1; }
  read -r wall user sys rss <"$work/time.$label"
  echo "$label $wall $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}') $rss" >>"$work/times"
}

biliup_upload() {  # LABEL FILE...: a fresh data dir, so nothing is resumed
  local label=$1; shift
  timed "$label" env BILIUP_HOST_REMAP="$remap" "$biliup" upload -u "$cookies" --data-dir "$work/data-$label" \
    --title "bench $label" --tid 171 --tag bench --line bda2 --limit "$LIMIT" "$@"
}
curl_put() {  # LABEL FILE...: one `curl -T` per file, one after another, timed together
  local label=$1; shift
  local script=$work/curl-$label.sh
  { echo "set -e"; for f in "$@"; do echo "curl -sS --fail -o /dev/null -T '$f' '$base/sink/$(basename "$f")'"; done; } >"$script"
  timed "$label" bash "$script"
}

for run in $(seq "$RUNS"); do
  biliup_upload biliup-big "$big"
  curl_put curl-big "$big"
  biliup_upload biliup-four "${four[@]}"
  curl_put curl-four "${four[@]}"
  rm -rf "$work"/data-*
done

{
  echo "upload benchmark $(date -u +%FT%TZ) on $(nproc) cores, $(git -C "$repo" rev-parse --short HEAD), --limit $LIMIT, chunk 10 MiB, median of $RUNS runs"
  awk -v limit="$LIMIT" '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { w[$1] = w[$1] " " $2; c[$1] = c[$1] " " $3; m[$1] = m[$1] " " $4 / 1024 }
    END {
      for (k in w) { wall[k] = median(w[k]); cpu[k] = median(c[k]); rss[k] = median(m[k]) }
      split("big four", runs, " ")
      bytes["big"] = 2e9; bytes["four"] = 2e9
      printf "%-6s %-7s %9s %9s %11s %9s\n", "run", "tool", "wall s", "MB/s", "CPU-s/GB", "RSS MiB"
      for (i = 1; i <= 2; i++) {
        r = runs[i]
        for (j = 1; j <= 2; j++) {
          t = (j == 1 ? "biliup" : "curl"); k = t "-" r
          printf "%-6s %-7s %9.1f %9.1f %11.3f %9.1f\n", r, t, wall[k], bytes[r] / 1e6 / wall[k], cpu[k] / (bytes[r] / 1e9), rss[k]
        }
        ratio = (cpu["biliup-" r] / bytes[r]) / (cpu["curl-" r] / bytes[r])
        limitRSS = 64 + limit * 10
        printf "%-6s biliup/curl CPU per GB %.2f (target <= 1.5: %s); biliup RSS %.1f MiB (target <= %.0f: %s)\n", r, ratio,
          ratio <= 1.5 ? "met" : "MISSED", rss["biliup-" r], limitRSS, rss["biliup-" r] <= limitRSS ? "met" : "MISSED"
      }
    }' "$work/times"
} | tee "$report"
