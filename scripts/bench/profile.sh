#!/usr/bin/env bash
# Where biliup's CPU goes while recording N real-time streams (companion to scripts/bench/record.sh).
#
# usage: scripts/bench/profile.sh N [WINDOW]        (WINDOW seconds per measurement, default 20)
#
# Starts live-source with N streams (the media of record.sh), runs ONE `biliup download` of all N, lets
# it settle for 10 s, then in two consecutive windows of WINDOW seconds (a) counts syscalls, context
# switches and CPU per thread with `perf stat --per-thread` and (b) samples stacks with
# `perf record -e cpu-clock -g`. Prints syscalls per second per stream by kind, and the CPU share per
# thread class (network thread / recording threads / main) and per cost (syscall or user-space leaf
# function). Needs perf (apt-get install -y linux-perf) with tracepoints readable (run as root).
# Environment: BILIUP_BIN, LIVE_SOURCE_BIN as for record.sh; KEEP=1 keeps perf.data in the work dir.
set -euo pipefail

[[ $# -ge 1 && $# -le 2 && $1 =~ ^[0-9]+$ && $1 -ge 1 ]] || { sed -n '4p' "$0" | sed 's/^# //'; exit 2; }
N=$1
WINDOW=${2:-20}
WARMUP=10
here=$(cd "$(dirname "$0")" && pwd)
command -v perf >/dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 1; }

biliup="" live_source="" media=""
eval "$(PHASES=prepare "$here/record.sh" 1)"  # sets biliup, live_source, media
work=$(mktemp -d /tmp/biliup-profile.XXXXXX)
source_pid="" biliup_pid=""
cleanup() {
  set +e
  [[ -n $biliup_pid ]] && kill "$biliup_pid" 2>/dev/null
  [[ -n $source_pid ]] && kill "$source_pid" 2>/dev/null
  wait 2>/dev/null
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

"$live_source" --flv "$media" --streams "$N" --speed 1 >"$work/source.out" 2>"$work/source.err" &
source_pid=$!
port=""
for _ in $(seq 300); do
  port=$(awk '$1 == "READY" { print $2 }' "$work/source.out")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/source.err" >&2; exit 1; }

urls=()
for ((i = 1; i <= N; i++)); do urls+=("http://127.0.0.1:$port/live/s$i.flv"); done
total=$((WARMUP + 2 * WINDOW + 5))
"$biliup" download "${urls[@]}" -o "$work/rec/{index}" --duration "${total}s" 2>"$work/biliup.log" &
biliup_pid=$!
sleep "$WARMUP"

echo "biliup, $N streams: perf stat for $WINDOW s" >&2
events=task-clock,context-switches,raw_syscalls:sys_enter
for s in recvfrom poll ppoll epoll_wait futex read write writev sendto openat close mmap munmap madvise; do
  events+=",syscalls:sys_enter_$s"
done
perf stat --per-thread -x, -e "$events" -p "$biliup_pid" -o "$work/stat.csv" -- sleep "$WINDOW" 2>/dev/null

echo "biliup, $N streams: perf record for $WINDOW s" >&2
perf record -q -e cpu-clock -F 499 -g -p "$biliup_pid" -o "$work/perf.data" -- sleep "$WINDOW" 2>/dev/null

# Per-thread stat lines: "biliup-TID,value,unit,event,..."; threads are classed by what they do:
# the network thread is the one in poll, recording threads read files and futexes, main is tid == pid.
echo
echo "== syscalls and CPU over $WINDOW s, $N streams (per second per stream, and thread class totals)"
awk -F, -v n="$N" -v w="$WINDOW" -v pid="$biliup_pid" '
  /^#/ || NF < 4 { next }
  {
    split($1, a, "-"); tid = a[length(a)]; ev = $4; v = $2 + 0
    sub(/^syscalls:sys_enter_/, "", ev); sub(/^raw_syscalls:sys_enter$/, "all syscalls", ev)
    val[tid, ev] = v; evs[ev] = 1; tids[tid] = 1
  }
  END {
    for (t in tids) {
      if (t == pid) cls[t] = "main"
      else if (val[t, "poll"] > 0 || val[t, "ppoll"] > 0) cls[t] = "network"
      else if (val[t, "writev"] + val[t, "write"] > 0) cls[t] = "recording"
      else cls[t] = "other"
      count[cls[t]]++
    }
    printf "%-16s %12s %12s %12s %12s\n", "per s per stream", "network", "recording", "main", "other"
    for (e in evs) {
      line = sprintf("%-16s", e)
      for (c = 1; c <= 4; c++) {
        k = (c == 1 ? "network" : c == 2 ? "recording" : c == 3 ? "main" : "other"); sum = 0
        for (t in tids) if (cls[t] == k) sum += val[t, e]
        if (e == "task-clock") line = line sprintf(" %10.2fms", sum / w / n)
        else line = line sprintf(" %12.1f", sum / w / n)
      }
      print line
    }
    printf "threads: network %d, recording %d, main %d, other %d\n", count["network"], count["recording"], count["main"], count["other"]
  }' "$work/stat.csv" | (read -r header; echo "$header"; sort)

echo
echo "== CPU samples by thread class and cost (perf record, cpu-clock at 499 Hz)"
perf script -i "$work/perf.data" -F tid,ip,sym 2>/dev/null | swift demangle --simplified \
  | python3 "$here/perf-classify.py" "$biliup_pid"
echo
echo "== hottest symbols, all threads"
perf report -i "$work/perf.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | head -25 | swift demangle --simplified
