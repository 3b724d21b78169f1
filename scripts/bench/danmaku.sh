#!/usr/bin/env bash
# Danmaku benchmark: a flood of bilibili chat into one capture, against the floor of receiving it.
#
# usage: scripts/bench/danmaku.sh [RATE [SECONDS]]     (default 20000 messages/s for 60 s)
#
# A `chat-standin bilibili` sends RATE × SECONDS chat messages at RATE per second, batched into zlib and
# brotli frames of nested packets as Bilibili's server does (each batch size's frame built once and
# sent again, so that the stand-in's own encoding does not cap the rate on a 2-core machine). Two
# clients take the same script in turn, $RUNS times each (default 3; never overlapping: the machine has few cores):
#   floor    receives and decompresses only (same transport and WebSocket framing, packets split,
#            bodies inflated, nested packets counted): the least any client must spend;
#   capture  what `danmaku = true` adds: the production bilibili session decoding each message, the
#            capture's bounded queue and writer thread, one XML per 10-second segment.
# Reported, as medians: CPU-seconds per 1,000 messages, peak RSS, messages received, and capture / floor.
# Target (issue 12, acceptance 5): capture <= 3 x the floor.
#
# Binaries: release builds into .build-bench unless CHAT_STANDIN_BIN and DANMAKU_BENCH_BIN are set.
# Results also go to $BENCH_RESULTS (default /tmp/biliup-bench-results)/danmaku-DATE.txt.
set -euo pipefail

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
RATE=${1:-20000}
SECONDS_=${2:-60}
RUNS=${RUNS:-3}
[[ $# -le 2 && $RATE =~ ^[0-9]+$ && $SECONDS_ =~ ^[0-9]+$ && $RATE -gt 0 && $SECONDS_ -gt 0 ]] || usage
MESSAGES=$((RATE * SECONDS_))

repo=$(cd "$(dirname "$0")/../.." && pwd)
results_dir=${BENCH_RESULTS:-/tmp/biliup-bench-results}
mkdir -p "$results_dir"
work=$(mktemp -d /tmp/biliup-danmaku-bench.XXXXXX)
report="$results_dir/danmaku-$(date -u +%Y%m%dT%H%M%SZ).txt"
standin_pid=""
cleanup() {
  [[ -n $standin_pid ]] && kill "$standin_pid" 2>/dev/null && wait "$standin_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -n ${CHAT_STANDIN_BIN:-} && -n ${DANMAKU_BENCH_BIN:-} ]]; then
  standin=$CHAT_STANDIN_BIN
  bench=$DANMAKU_BENCH_BIN
else
  echo "building release binaries into .build-bench…" >&2
  (cd "$repo" && swift build -c release --scratch-path .build-bench --product chat-standin >&2 \
     && swift build -c release --scratch-path .build-bench --product danmaku-bench >&2)
  standin=$repo/.build-bench/release/chat-standin
  bench=$repo/.build-bench/release/danmaku-bench
fi

# run MODE N: one client run against a fresh stand-in; appends its JSON line to $work/MODE.jsonl
run() {
  local mode=$1 n=$2
  rm -f "$work/standin.out"
  "$standin" bilibili --messages "$MESSAGES" --rate "$RATE" --reuse-frames >"$work/standin.out" 2>"$work/standin.err" &
  standin_pid=$!
  for _ in $(seq 100); do [[ -s $work/standin.out ]] && break; sleep 0.1; done
  [[ -s $work/standin.out ]] || { echo "danmaku bench: the stand-in did not start: $(cat "$work/standin.err")" >&2; exit 1; }
  read -r url room token remap < <(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
print(d["url"], d["room_id"], d["token"], ",".join(d["remap"]))' "$work/standin.out")
  local dir="$work/xml-$mode-$n"
  mkdir -p "$dir"
  local args=("$mode" "$url" "$room" "$token" "$MESSAGES" "$((SECONDS_ * 3))")
  [[ $mode == capture ]] && args+=("$dir")
  BILIUP_HOST_REMAP=$remap "$bench" "${args[@]}" >>"$work/$mode.jsonl"
  kill "$standin_pid" 2>/dev/null; wait "$standin_pid" 2>/dev/null || true
  standin_pid=""
  if [[ $mode == capture ]]; then
    local files; files=$(find "$dir" -name '*.xml' | wc -l)
    echo "  capture run $n: $files XML files" >&2
    rm -rf "$dir"
  fi
}

echo "danmaku bench: $RATE messages/s for $SECONDS_ s ($MESSAGES messages), $RUNS runs each" >&2
for n in $(seq "$RUNS"); do
  for mode in floor capture; do
    echo "  $mode run $n…" >&2
    run "$mode" "$n"
  done
done

python3 - "$work" "$RATE" "$SECONDS_" "$MESSAGES" <<'EOF' | tee "$report"
import json, statistics, sys
work, rate, seconds, messages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = {m: [json.loads(l) for l in open(f"{work}/{m}.jsonl")] for m in ("floor", "capture")}
def med(m, f): return statistics.median(f(r) for r in rows[m])
per_k = {m: med(m, lambda r: r["cpu_s"] / max(r["received"], 1) * 1000) for m in rows}
print(f"danmaku bench: {rate} messages/s for {seconds} s ({messages} messages), medians of {len(rows['floor'])} runs")
print(f"{'':8} {'received':>9} {'wall s':>7} {'CPU-s':>7} {'CPU-s/1k msg':>13} {'peak RSS MiB':>13}")
for m in ("floor", "capture"):
    print(f"{m:8} {med(m, lambda r: r['received']):>9.0f} {med(m, lambda r: r['wall_s']):>7.1f} "
          f"{med(m, lambda r: r['cpu_s']):>7.2f} {per_k[m]:>13.4f} {med(m, lambda r: r['peak_rss_kib']) / 1024:>13.1f}")
lost = [r["received"] - r["written"] for r in rows["capture"]]
print(f"capture wrote every received message to XML: {all(x == 0 for x in lost)} (differences {lost})")
ratio = per_k["capture"] / per_k["floor"]
print(f"capture / floor (CPU per 1,000 messages): {ratio:.2f}  (target <= 3)")
EOF
