#!/usr/bin/env bash
# Recording benchmark: biliup (one process for N streams) against `ffmpeg -c copy` (one process per stream).
#
# usage: scripts/bench/record.sh N [SECONDS]        (SECONDS of media per stream, default 60)
#
# What it measures, on N concurrent real-time 6 Mbit/s HTTP-FLV streams (H.264 1280x720 30 fps with a
# keyframe every 2 s + AAC, made once with ffmpeg into $BENCH_CACHE and served, looping, by `live-source`
# at speed 1; every stream has its own clock starting at its first connection):
#   phase 0  (N > 1 only) baseline: one `biliup download` of ONE stream for $BASELINE_SECONDS, for its
#            peak RSS, so that "RSS per additional stream" = (RSS(N) - RSS(1)) / (N - 1).
#   phase A  ONE `biliup download URL1..URLN --duration SECONDS` process, under /usr/bin/time:
#            CPU-seconds (user + sys) and peak RSS (ru_maxrss); per-thread CPU sampled from
#            /proc/PID/task/*/stat once a second (grouped by thread name: biliup-net, biliup-rec, ...).
#   phase B  N `ffmpeg -nostdin -loglevel error -i URL -c copy -t SECONDS -f flv OUT` processes at once,
#            each under /usr/bin/time: CPU summed over all processes, peak RSS summed and averaged.
# Each phase gets a fresh live-source; phases never overlap (the machine has few cores). Reported:
#   CPU-s per stream-minute = CPU-s / (N * SECONDS / 60), peak RSS total and per stream, the ratios
#   biliup / ffmpeg, and a verdict on real time and lost frames: the biliup process must finish within
#   SECONDS + $LAG_LIMIT s of wall time (a recorder that falls behind a real-time source finishes late),
#   and every recording must hold SECONDS * fps video frames (+- one GOP, as files start on a keyframe)
#   with no holes (frames >= duration * fps - 1, counted by ffprobe), no gaps, fixes or reconnects in its
#   sidecar report. ffmpeg's files get the same frame count check.
# Targets (issue, acceptance point 7): biliup CPU per stream-minute <= 0.4 x ffmpeg's; RSS per additional
# stream <= 8 MB; at N = 200 every stream keeps real time with no lost frames. MB = 10^6 bytes.
#
# Environment: BILIUP_BIN, LIVE_SOURCE_BIN (skip the release build), BENCH_CACHE (test media, default
# /tmp/biliup-bench-cache), BENCH_WORK (recordings, default a fresh /tmp/biliup-bench.XXXXXX, removed at
# exit unless KEEP=1), BASELINE_SECONDS (default 20), LAG_LIMIT (default 3), PHASES (default "0AB").
# The results are also written to $BENCH_RESULTS (default /tmp/biliup-bench-results)/record-N-DATE.txt.
# Run on an otherwise idle machine: each phase waits (up to WAIT_IDLE s, default 300) for the machine to
# be quiet, and the report shows the CPU used by everything else during each phase (noise).
set -euo pipefail

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 && $# -le 2 && $1 =~ ^[0-9]+$ && $1 -ge 1 ]] || usage
N=$1
DUR=${2:-60}
[[ $DUR =~ ^[0-9]+$ && $DUR -ge 5 ]] || { echo "SECONDS must be a whole number >= 5" >&2; exit 2; }
BASELINE_SECONDS=${BASELINE_SECONDS:-20}
((BASELINE_SECONDS > DUR)) && BASELINE_SECONDS=$DUR
LAG_LIMIT=${LAG_LIMIT:-3}
PHASES=${PHASES:-0AB}
((N == 1)) && PHASES=${PHASES//0/}

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BENCH_CACHE:-/tmp/biliup-bench-cache}
results_dir=${BENCH_RESULTS:-/tmp/biliup-bench-results}
mkdir -p "$cache" "$results_dir"
if [[ -n ${BENCH_WORK:-} ]]; then work=$BENCH_WORK; mkdir -p "$work"; else work=$(mktemp -d /tmp/biliup-bench.XXXXXX); fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
report="$results_dir/record-$N-$stamp.txt"

for tool in ffmpeg ffprobe /usr/bin/time awk; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y ffmpeg time gawk)" >&2; exit 1; }
done

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- Processes this script started, ended at exit ------------------------------------------------------

source_pid=""
declare -a wrapper_pids=()
sampler_pid=""

kill_tree() {  # a /usr/bin/time wrapper and its one child (by parent pid, never by name)
  local pid=$1 child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill "$child" 2>/dev/null || true; done
  kill "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  set +e
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null
  for pid in "${wrapper_pids[@]}"; do kill_tree "$pid"; done
  stop_source
  wait 2>/dev/null
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Binaries ----------------------------------------------------------------------------------------

if [[ -n ${BILIUP_BIN:-} && -n ${LIVE_SOURCE_BIN:-} ]]; then
  biliup=$BILIUP_BIN
  live_source=$LIVE_SOURCE_BIN
else
  # `swift build` is incremental: it rebuilds only what changed, so this also catches stale binaries.
  # A scratch path of its own keeps it from contending with a debug build in .build.
  log "building release binaries (first time: a few minutes)"
  scratch="$repo/.build-bench"
  for product in biliup live-source; do
    (cd "$repo" && swift build -c release --scratch-path "$scratch" --product "$product" >"$work/build.log" 2>&1) \
      || { cat "$work/build.log" >&2; exit 1; }
  done
  bin=$(cd "$repo" && swift build -c release --scratch-path "$scratch" --show-bin-path)
  biliup=${BILIUP_BIN:-$bin/biliup}
  live_source=${LIVE_SOURCE_BIN:-$bin/live-source}
fi
[[ -x $biliup && -x $live_source ]] || { echo "no binaries: $biliup $live_source" >&2; exit 1; }

# --- Test media (made once, cached) --------------------------------------------------------------------

media="$cache/avc-1280x720-30fps-gop2s-6M-30s.flv"
if [[ ! -s $media || ! -s $media.meta ]]; then
  log "making test media $media (about 30 s)"
  # Noise on every frame makes the content really need its 6 Mbit/s; video is held near-CBR at 5872 kbit/s
  # so that with 128 kbit/s AAC the stream is 6.0 Mbit/s. No B-frames; keyframes exactly every 60 frames.
  ffmpeg -nostdin -v error -y \
    -f lavfi -i "testsrc2=s=1280x720:r=30:d=30,noise=alls=20:allf=t" \
    -f lavfi -i "sine=frequency=440:sample_rate=44100:d=30" \
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
    -b:v 5872k -minrate 5872k -maxrate 5872k -bufsize 3M -g 60 -keyint_min 60 -sc_threshold 0 -bf 0 \
    -c:a aac -b:a 128k -ac 2 -f flv "$media.tmp"
  # Verify: ~6 Mbit/s over the whole file, 30 fps, a keyframe every 2 s.
  ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,size,flags -of csv=p=0 "$media.tmp" \
    | awk -F, -v total="$(stat -c %s "$media.tmp")" '
        { n++; if ($3 ~ /K/) { k++; if (k == 2) gop = n - first; if (k == 1) first = n } ; last = $1 }
        END {
          seconds = (n / 30); mbps = total * 8 / seconds / 1e6
          if (mbps < 5.7 || mbps > 6.5) { print "test media is " mbps " Mbit/s, not ~6" > "/dev/stderr"; exit 1 }
          if (gop != 60) { print "test media GOP is " gop " frames, not 60" > "/dev/stderr"; exit 1 }
          printf "fps=30\ngop=%d\nmbps=%.2f\nframes=%d\n", gop, mbps, n
        }' >"$media.meta.tmp"
  mv "$media.tmp" "$media"
  mv "$media.meta.tmp" "$media.meta"
fi
fps=$(awk -F= '$1 == "fps" { print $2 }' "$media.meta")
gop=$(awk -F= '$1 == "gop" { print $2 }' "$media.meta")
mbps=$(awk -F= '$1 == "mbps" { print $2 }' "$media.meta")

hz=$(getconf CLK_TCK)

# --- Live source ---------------------------------------------------------------------------------------

port=""
start_source() {  # N
  local out="$work/source.out"
  : >"$out"
  "$live_source" --flv "$media" --streams "$1" --speed 1 >"$out" 2>"$work/source.err" &
  source_pid=$!
  for _ in $(seq 300); do
    port=$(awk '$1 == "READY" { print $2 }' "$out")
    [[ -n $port ]] && return 0
    kill -0 "$source_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/source.err" >&2
  echo "live-source did not start" >&2
  exit 1
}

source_cpu() {  # CPU-s the live source has used so far
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$source_pid/stat"
}

stop_source() {
  [[ -z $source_pid ]] && return 0
  kill "$source_pid" 2>/dev/null || true
  wait "$source_pid" 2>/dev/null || true
  source_pid=""
}

urls() {  # N
  local i
  for ((i = 1; i <= $1; i++)); do echo "http://127.0.0.1:$port/live/s$i.flv"; done
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# CPU-seconds the whole machine has been busy (user, nice, system, irq, softirq, steal), for the CPU
# that others used during a phase: machine busy - measured processes - live-source.
machine_busy() { awk -v hz="$hz" '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat; }

# Waits (up to WAIT_IDLE s, default 300) until the machine is quiet: under 0.15 cores busy over 3 s.
wait_quiet() {
  local waited=0 busy
  while :; do
    local b0; b0=$(machine_busy); sleep 3
    busy=$(awk -v a="$(machine_busy)" -v b="$b0" 'BEGIN { printf "%.2f", (a - b) / 3 }')
    awk -v x="$busy" 'BEGIN { exit !(x < 0.15) }' && return 0
    waited=$((waited + 3))
    if ((waited >= ${WAIT_IDLE:-300})); then log "machine still busy ($busy cores), going on"; return 0; fi
    ((waited % 30 == 0)) && log "waiting for a quiet machine ($busy cores busy)"
  done
}

# --- Frame checks --------------------------------------------------------------------------------------

# Prints "frames duration" of a file's video stream as ffprobe reads it (packets, last pts - first pts + 1 frame).
probe_video() {
  ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$1" \
    | awk -v fps="$fps" 'NR == 1 { first = $1 } { n++; last = $1 } END { printf "%d %.3f\n", n, (n ? last - first + 1 / fps : 0) }'
}

# Checks every FILE: video frames within one GOP of DUR * fps, and no holes. Prints a one-line summary;
# returns 1 if any file fails.
check_frames() {  # label files...
  local label=$1; shift
  local bad=0 f frames duration min=999999 max=0 expected=$((DUR * fps)) problems=""
  for f in "$@"; do
    read -r frames duration < <(probe_video "$f")
    ((frames < min)) && min=$frames
    ((frames > max)) && max=$frames
    if ! awk -v n="$frames" -v d="$duration" -v e="$expected" -v g="$gop" -v fps="$fps" \
        'BEGIN { exit !(n >= e - g && n <= e + g && n >= d * fps - 1) }'; then
      bad=$((bad + 1)); problems+=" $(basename "$f"):${frames}f/${duration}s"
    fi
  done
  echo "$label: $# files, video frames min $min max $max (expected $expected +- $gop), $bad with lost frames or wrong length${problems:+:$problems}"
  ((bad == 0))
}

# Sidecar reports: biliup's own account of gaps, timestamp fixes and reconnects, and its frame counts.
check_sidecars() {  # dir n
  local dir=$1 n=$2 i bad=0 missing=0
  for ((i = 1; i <= n; i++)); do
    [[ -s $dir/$i.flv.json ]] || { missing=$((missing + 1)); continue; }
  done
  # One JSON file per stream; the fields checked are flat, so awk suffices.
  bad=$(cat "$dir"/*.flv.json 2>/dev/null | awk -v e=$((DUR * fps)) -v g="$gop" '
      /"videoFrames"/ { gsub(/[^0-9]/, "", $3); v = $3 + 0; if (v < e - g || v > e + g) bad++ }
      /"(gaps|reconnects|timestampFixes)" : \[$/ { open = 1; next }
      open && /^ *\]/ { open = 0; next }
      open && /[^ ]/ { bad++; open = 0 }
      END { print bad + 0 }')
  echo "sidecars: $((n - missing)) of $n present; $bad report lost frames, gaps, fixes or reconnects"
  ((missing == 0 && bad == 0))
}

# --- Phases --------------------------------------------------------------------------------------------

# Samples the threads of PID once a second into FILE until it exits: "tid name cpu-ticks syscall" per
# thread (the syscall it is blocked in tells the network thread, which waits in poll, from the others;
# thread names do not help: Foundation's Thread.name does not reach the kernel on Linux).
sample_threads() {  # pid file
  while kill -0 "$1" 2>/dev/null; do
    awk '
      FILENAME ~ /\/stat$/ { split(FILENAME, p, "/"); cpu[p[5]] = $14 + $15; name[p[5]] = $2 }
      FILENAME ~ /\/syscall$/ { split(FILENAME, p, "/"); sc[p[5]] = $1 }
      END { for (t in cpu) print t, name[t], cpu[t], ((t in sc) ? sc[t] : "?"); print "--" }
    ' /proc/"$1"/task/*/stat /proc/"$1"/task/*/syscall >>"$2" 2>/dev/null || true
    sleep 1
  done
}

# Runs one biliup download of the first n streams for d seconds; sets b_wall b_cpu b_user b_sys b_rss_kb.
run_biliup() {  # tag n d
  local tag=$1 n=$2 d=$3 dir="$work/$1"
  mkdir -p "$dir"
  mapfile -t list < <(urls "$n")
  /usr/bin/time -f '%e %U %S %M' -o "$work/$tag.time" \
    "$biliup" download "${list[@]}" -o "$dir/{index}" --duration "${d}s" 2>"$work/$tag.log" &
  local wrapper=$!
  wrapper_pids+=("$wrapper")
  local pid=""
  for _ in $(seq 100); do
    pid=$(ps -o pid= --ppid "$wrapper" | tr -d ' ')
    [[ -n $pid ]] && break
    sleep 0.05
  done
  : >"$work/$tag.threads"
  b_pid=$pid
  if [[ -n $pid ]]; then sample_threads "$pid" "$work/$tag.threads" & sampler_pid=$!; fi
  local status=0
  wait "$wrapper" || status=$?
  wrapper_pids=()
  [[ -n $sampler_pid ]] && { wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""; }
  if ((status != 0)); then
    tail -20 "$work/$tag.log" >&2
    echo "biliup exited with status $status" >&2
    return 1
  fi
  read -r b_wall b_user b_sys b_rss_kb <"$work/$tag.time"
  b_cpu=$(awk -v u="$b_user" -v s="$b_sys" 'BEGIN { printf "%.2f", u + s }')
}

# Per-thread CPU from the samples: the last sample of each thread, grouped as main thread, network
# thread (seen blocked in poll or ppoll, as curl_multi_poll does), and the rest (the recording threads, one per stream,
# plus any runtime threads); threads with a kernel name other than the process's keep their name.
thread_breakdown() {  # file total-cpu pid
  awk -v hz="$hz" -v total="$2" -v pid="$3" '
    $1 == "--" { next }
    { cpu[$1] = $3 / hz; name[$1] = $2; if ($4 == 7 || $4 == 271) polls[$1]++ }
    END {
      for (t in cpu) {
        n = name[t]; gsub(/[()]/, "", n)
        if (n != "biliup") w = n
        else if (t == pid) w = "main thread"
        else if (polls[t] > 0) w = "network (poll)"
        else w = "recording+other"
        by[w] += cpu[t]; count[w]++; seen += cpu[t]
      }
      for (w in by) printf "%012.2f|    %-18s %4d threads %8.2f CPU-s %6.1f%%\n", by[w], w, count[w], by[w], (total > 0 ? 100 * by[w] / total : 0)
      printf "%012.2f|    %-18s %4s         %8.2f CPU-s %6.1f%%\n", -1, "(exited unsampled)", "", total - seen, (total > 0 ? 100 * (total - seen) / total : 0)
    }' "$1" | sort -r | cut -d'|' -f2-
}

declare -A result
machine="$(nproc) x $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1e6 }' /proc/meminfo), Linux $(uname -r)"
commit=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(cd "$repo" && git status --porcelain -- Sources 2>/dev/null | head -1)
[[ -n $dirty ]] && commit+=" (Sources modified)"
verdict_ok=1
verdict_lines=()

if [[ $PHASES == *0* ]]; then
  log "phase 0: baseline, biliup with 1 stream for $BASELINE_SECONDS s (load $(load))"
  start_source 1
  run_biliup base 1 "$BASELINE_SECONDS"
  stop_source
  result[base_rss_kb]=$b_rss_kb
  rm -rf "$work/base"
fi

if [[ $PHASES == *A* ]]; then
  log "phase A: one biliup process, $N streams, $DUR s (load $(load))"
  wait_quiet
  start_source "$N"
  src0=$(source_cpu) m0=$(machine_busy)
  run_biliup a "$N" "$DUR"
  result[a_src_cpu]=$(awk -v a="$(source_cpu)" -v b="$src0" 'BEGIN { printf "%.2f", a - b }')
  result[a_other]=$(awk -v m="$(machine_busy)" -v m0="$m0" -v s="${result[a_src_cpu]}" -v c="$b_cpu" 'BEGIN { printf "%.2f", m - m0 - s - c }')
  stop_source
  result[a_wall]=$b_wall result[a_cpu]=$b_cpu result[a_user]=$b_user result[a_sys]=$b_sys result[a_rss_kb]=$b_rss_kb
  result[a_threads]=$(thread_breakdown "$work/a.threads" "$b_cpu" "$b_pid")
  log "phase A: checking $N recordings"
  files=()
  for ((i = 1; i <= N; i++)); do files+=("$work/a/$i.flv"); done
  missing=0
  for f in "${files[@]}"; do [[ -s $f ]] || missing=$((missing + 1)); done
  if ((missing > 0)); then
    verdict_ok=0; verdict_lines+=("biliup: $missing of $N recordings missing")
  else
    line=$(check_frames "biliup" "${files[@]}") || verdict_ok=0
    verdict_lines+=("$line")
  fi
  line=$(check_sidecars "$work/a" "$N") || verdict_ok=0
  verdict_lines+=("biliup $line")
  if awk -v w="$b_wall" -v d="$DUR" -v l="$LAG_LIMIT" 'BEGIN { exit !(w <= d + l) }'; then
    verdict_lines+=("biliup real time: wall $b_wall s for $DUR s of media (limit $DUR + $LAG_LIMIT s)")
  else
    verdict_ok=0; verdict_lines+=("biliup fell behind: wall $b_wall s for $DUR s of media (limit $DUR + $LAG_LIMIT s)")
  fi
  rm -rf "$work/a"
fi

if [[ $PHASES == *B* ]]; then
  log "phase B: $N ffmpeg -c copy processes, $DUR s (load $(load))"
  wait_quiet
  start_source "$N"
  src0=$(source_cpu) m0=$(machine_busy)
  mkdir -p "$work/b"
  mapfile -t list < <(urls "$N")
  pids=()
  for ((i = 1; i <= N; i++)); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/b/$i.time" \
      ffmpeg -nostdin -loglevel error -i "${list[i - 1]}" -c copy -t "$DUR" -f flv "$work/b/$i.flv" \
      2>"$work/b/$i.log" &
    pids+=($!)
    wrapper_pids+=($!)
  done
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  wrapper_pids=()
  result[b_src_cpu]=$(awk -v a="$(source_cpu)" -v b="$src0" 'BEGIN { printf "%.2f", a - b }')
  m1=$(machine_busy)
  stop_source
  ((failed > 0)) && { echo "$failed ffmpeg processes failed, e.g.:" >&2; cat "$work"/b/*.log | head -5 >&2; }
  # "Command exited with non-zero status" lines precede the numbers in a failed process's file.
  read -r result[b_wall] result[b_user] result[b_sys] result[b_rss_kb] result[b_rss_max_kb] < <(
    for ((i = 1; i <= N; i++)); do tail -1 "$work/b/$i.time"; done \
      | awk '{ if ($1 > w) w = $1; u += $2; s += $3; r += $4; if ($4 > m) m = $4 } END { print w, u, s, r, m }')
  result[b_cpu]=$(awk -v u="${result[b_user]}" -v s="${result[b_sys]}" 'BEGIN { printf "%.2f", u + s }')
  result[b_other]=$(awk -v m="$m1" -v m0="$m0" -v s="${result[b_src_cpu]}" -v c="${result[b_cpu]}" 'BEGIN { printf "%.2f", m - m0 - s - c }')
  log "phase B: checking $N recordings"
  files=()
  for ((i = 1; i <= N; i++)); do files+=("$work/b/$i.flv"); done
  if ((failed == 0)); then
    line=$(check_frames "ffmpeg" "${files[@]}") || true
    verdict_lines+=("$line (not a target)")
  else
    verdict_lines+=("ffmpeg: $failed of $N processes failed")
  fi
  rm -rf "$work/b"
fi

# --- Report --------------------------------------------------------------------------------------------

per_min() { awk -v c="$1" -v n="$N" -v d="$DUR" 'BEGIN { printf "%.3f", c / (n * d / 60) }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

{
  echo "biliup recording benchmark: N = $N streams x $DUR s, $mbps Mbit/s H.264 1280x720 ${fps} fps (GOP $gop) + AAC FLV"
  echo "machine: $machine; $(date -u +%Y-%m-%dT%H:%M:%SZ); biliup $commit"
  echo
  printf '%-28s %14s %10s %15s %12s %16s %8s\n' "" "CPU-s/str-min" "CPU-s" "peak RSS total" "RSS/stream" "RSS/addl stream" "wall s"
  if [[ -n ${result[a_cpu]:-} ]]; then
    a_min=$(per_min "${result[a_cpu]}")
    a_rss=$(mb "${result[a_rss_kb]}")
    a_per=$(awk -v r="$a_rss" -v n="$N" 'BEGIN { printf "%.2f", r / n }')
    a_add="-"
    if [[ -n ${result[base_rss_kb]:-} ]]; then
      a_add=$(awk -v r="$a_rss" -v b="$(mb "${result[base_rss_kb]}")" -v n="$N" 'BEGIN { printf "%.2f", (r - b) / (n - 1) }')
    fi
    printf '%-28s %14s %10s %15s %12s %16s %8s\n' "biliup (1 process)" "$a_min" "${result[a_cpu]}" "$a_rss MB" "$a_per MB" \
      "$a_add$( [[ $a_add != - ]] && echo " MB")" "${result[a_wall]}"
  fi
  if [[ -n ${result[b_cpu]:-} ]]; then
    b_min=$(per_min "${result[b_cpu]}")
    b_rss=$(mb "${result[b_rss_kb]}")
    b_per=$(awk -v r="$b_rss" -v n="$N" 'BEGIN { printf "%.2f", r / n }')
    printf '%-28s %14s %10s %15s %12s %16s %8s\n' "ffmpeg -c copy ($N process$( ((N > 1)) && echo es))" "$b_min" "${result[b_cpu]}" \
      "$b_rss MB" "$b_per MB" "$b_per MB" "${result[b_wall]}"
  fi
  if [[ -n ${result[a_cpu]:-} && -n ${result[b_cpu]:-} ]]; then
    printf '%-28s %14s %10s %15s %12s %16s\n' "biliup / ffmpeg" "$(ratio "$a_min" "$b_min")" "" \
      "$(ratio "$a_rss" "$b_rss")" "$(ratio "$a_per" "$b_per")" "$( [[ $a_add != - ]] && ratio "$a_add" "$b_per" || echo -)"
  fi
  echo
  [[ -n ${result[base_rss_kb]:-} ]] && echo "baseline: biliup with 1 stream for $BASELINE_SECONDS s peaked at $(mb "${result[base_rss_kb]}") MB RSS"
  [[ -n ${result[a_cpu]:-} ]] && {
    echo "biliup CPU: user ${result[a_user]} s + sys ${result[a_sys]} s; by thread (sampled once a second):"
    echo "${result[a_threads]}"
  }
  [[ -n ${result[b_cpu]:-} ]] && echo "ffmpeg CPU: user ${result[b_user]} s + sys ${result[b_sys]} s; largest process peak RSS $(mb "${result[b_rss_max_kb]}") MB"
  echo "live-source CPU during phase A: ${result[a_src_cpu]:--} s, phase B: ${result[b_src_cpu]:--} s"
  echo "other CPU on the machine (kernel threads, other users) during phase A: ${result[a_other]:--} s, phase B: ${result[b_other]:--} s"
  echo
  for line in "${verdict_lines[@]}"; do echo "$line"; done
  echo
  if [[ -n ${result[a_cpu]:-} ]]; then
    verdict() { if [[ $1 == 1 ]]; then echo met; else echo NOT MET; fi; }
    [[ -n ${result[b_cpu]:-} ]] && echo "target CPU/stream-min <= 0.4 x ffmpeg: $(ratio "$a_min" "$b_min") x -> $(verdict "$(awk -v a="$a_min" -v b="$b_min" 'BEGIN { print (a <= 0.4 * b) }')")"
    [[ $a_add != - ]] && echo "target RSS per additional stream <= 8 MB: $a_add MB -> $(verdict "$(awk -v a="$a_add" 'BEGIN { print (a <= 8) }')")"
    echo "target real time, no lost frames (N = $N): $(verdict "$verdict_ok")"
  fi
} | tee "$report"
log "report saved to $report"
((verdict_ok == 1))
