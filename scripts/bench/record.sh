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
#            CPU-seconds (user + sys) and peak RSS (ru_maxrss); PSS at SECONDS/2; per-thread CPU sampled
#            from /proc/PID/task/*/schedstat once a second, grouped as network thread (the one blocked in
#            poll), main thread and the rest (one recording thread per stream).
#   phase B  N `ffmpeg -nostdin -loglevel error -i URL -c copy -t SECONDS -f flv OUT` processes at once,
#            each under /usr/bin/time: CPU summed over all processes, peak RSS summed and averaged, PSS
#            summed over all of them at SECONDS/2.
# Each phase gets a fresh live-source (a phase during which it exits is reported INVALID); phases never
# overlap (the machine has few cores). Reported: CPU-s per stream-minute = CPU-s / (N * SECONDS / 60),
# memory total and per stream, the ratios biliup / ffmpeg, and a verdict on real time and lost frames:
# the biliup process must finish within SECONDS + $LAG_LIMIT s of wall time (a recorder that falls
# behind a real-time source finishes late), every recording must hold SECONDS * fps video frames (+- one
# GOP, as files start on a keyframe), its video and audio packets must be an unbroken run of the source's
# packets (compared by size sequence with ffprobe: no frame lost, doubled or damaged), and its sidecar
# report must note no gaps, timestamp fixes or reconnects. ffmpeg's files get the same content check.
# Targets (issue, acceptance point 7): biliup CPU per stream-minute <= 0.4 x ffmpeg's; RSS per additional
# stream <= 8 MB; at N = 200 every stream keeps real time with no lost frames. MB = 10^6 bytes.
#
# Environment: PERF=1 also runs `perf record -a` (199 Hz) during phases A and B and reports the share
# of each tool's CPU spent writing files (page cache; on a VM its cost depends on the host) and the CPU
# per stream-minute without it. BILIUP_BIN, LIVE_SOURCE_BIN (use these binaries; both needed, else a
# release build into .build-bench), BENCH_CACHE (test media, default /tmp/biliup-bench-cache),
# BENCH_WORK (recordings, default a fresh /tmp/biliup-bench.XXXXXX, removed at exit unless KEEP=1),
# BASELINE_SECONDS (default 20), LAG_LIMIT (default 3), PHASES (default "0AB"; "prepare" only builds
# and makes the media, printing their paths), WAIT_IDLE (see below).
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
  [[ -n ${perf_pid:-} ]] && kill -INT "$perf_pid" 2>/dev/null
  for pid in "${wrapper_pids[@]}"; do kill_tree "$pid"; done
  declare -F stop_source >/dev/null && stop_source
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
    (cd "$repo" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product" >"$work/build.log" 2>&1) \
      || { cat "$work/build.log" >&2; exit 1; }
  done
  bin=$(cd "$repo" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)
  biliup=${BILIUP_BIN:-$bin/biliup}
  live_source=${LIVE_SOURCE_BIN:-$bin/live-source}
fi
[[ -x $biliup && -x $live_source ]] || { echo "no binaries: $biliup $live_source" >&2; exit 1; }
# Run copies, so that a build started meanwhile (others share the scratch path) cannot swap them mid-run.
if [[ $PHASES != prepare ]]; then
  mkdir -p "$work/bin"
  cp "$biliup" "$work/bin/biliup"
  cp "$live_source" "$work/bin/live-source"
  biliup_sha=$(sha256sum "$biliup" | cut -c1-12)
  biliup=$work/bin/biliup live_source=$work/bin/live-source
fi

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
if [[ $PHASES == prepare ]]; then  # for scripts/bench/profile.sh: binaries and media only
  printf 'biliup=%q\nlive_source=%q\nmedia=%q\n' "$biliup" "$live_source" "$media"
  exit 0
fi

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

source_cpu() {  # CPU-s the live source has used so far (0 if it is gone)
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$source_pid/stat" 2>/dev/null || echo 0
}

# A source that died during a phase ends every stream early: the phase's numbers are then invalid.
check_source_alive() {  # phase
  kill -0 "$source_pid" 2>/dev/null && return 0
  local status=0
  wait "$source_pid" 2>/dev/null || status=$?
  source_pid=""
  verdict_ok=0
  verdict_lines+=("INVALID phase $1: live-source exited during the phase (status $status): $(tail -3 "$work/source.err" | tr '\n' ' ')")
  cp "$work/source.err" "$results_dir/live-source-$N-$stamp-$1.err" 2>/dev/null || true
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

# Lost frames are found by content, not timestamps (the looping source leaves a one-frame timestamp
# seam at each loop point, which both tools copy): the packet sizes of a recording's track must be a
# contiguous run of the source's (cyclic) packet sizes. For each file prints "v-frames v-lost v-extra
# a-frames a-lost a-extra": source frames skipped inside the recording, and recorded frames that fit
# nowhere (duplicates, damage).
align_file() {  # file (runs under xargs: uses only exported variables)
  ffprobe -v error -show_entries packet=stream_index,size -of csv=p=0 "$1" | awk -v vi="$BENCH_VIDEO_INDEX" '
    function align(src, m, rec, n,    w, start, k, i, ok, j, lost, extra, found, d) {
      if (n == 0) return "0 0 0"
      w = (n < 16 ? n : 16); start = -1
      for (k = 0; k < m && start < 0; k++) {
        ok = 1
        for (i = 0; i < w; i++) if (rec[i] != src[(k + i) % m]) { ok = 0; break }
        if (ok) start = k
      }
      if (start < 0) return n " 0 " n
      j = start; lost = 0; extra = 0
      for (i = 0; i < n; i++) {
        if (rec[i] == src[j % m]) { j++; continue }
        found = 0
        for (d = 1; d < m / 2; d++)
          if (rec[i] == src[(j + d) % m] && (i + 1 >= n || rec[i + 1] == src[(j + d + 1) % m])) { found = 1; break }
        if (found) { lost += d; j += d + 1 } else extra++
      }
      return n " " lost " " extra
    }
    FILENAME != "-" { if ($1 == "v") sv[mv++] = $2; else sa[ma++] = $2; next }
    { split($0, f, ","); if (f[1] == vi) rv[nv++] = f[2]; else ra[na++] = f[2] }
    END { print align(sv, mv, rv, nv), align(sa, ma, ra, na) }
  ' "$BENCH_SIZES" -
}
export -f align_file

# Checks every FILE: video frames within one GOP of DUR * fps, no video or audio frame lost or extra.
# Prints a one-line summary; returns 1 if any file fails. Files are probed two at a time.
check_frames() {  # label files...
  local label=$1; shift
  if [[ ! -s $media.sizes ]]; then
    { ffprobe -v error -select_streams v:0 -show_entries packet=size -of csv=p=0 "$media" | sed 's/^/v /'
      ffprobe -v error -select_streams a:0 -show_entries packet=size -of csv=p=0 "$media" | sed 's/^/a /'; } >"$media.sizes.tmp"
    mv "$media.sizes.tmp" "$media.sizes"
  fi
  # Stream order is the same in every file a tool writes: take it from the first.
  printf '%s\n' "$@" | BENCH_VIDEO_INDEX=$(ffprobe -v error -select_streams v:0 -show_entries stream=index -of csv=p=0 "$1") \
    BENCH_SIZES="$media.sizes" xargs -P 2 -n 1 bash -c 'echo "$(basename "$0") $(align_file "$0")"' >"$work/$label.frames"
  awk -v label="$label" -v e=$((DUR * fps)) -v g="$gop" -v files=$# '
    { v = $2; if (v < min || NR == 1) min = v; if (v > max) max = v; lost += $3 + $6; extra += $4 + $7
      if ($3 + $4 + $6 + $7 > 0 || v < e - g || v > e + g) {
        bad++; if (bad <= 5) problems = problems sprintf(" %s:%dv(lost %d, extra %d)/%da(lost %d, extra %d)", $1, $2, $3, $4, $5, $6, $7) } }
    END {
      if (bad > 5) problems = problems " ..."
      if (NR != files) { bad += files - NR; problems = problems " " files - NR " not checked" }
      printf "%s: %d files, video frames min %d max %d (expected %d +- %d); frames lost %d, extra %d; %d bad file(s)%s\n",
        label, files, min, max, e, g, lost, extra, bad, (problems == "" ? "" : ":" problems)
      exit bad > 0
    }' "$work/$label.frames"
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

# Samples the threads of PID once a second into FILE until it exits: "tid name cpu-ns syscall" per
# thread (the syscall it is blocked in tells the network thread, which waits in poll, from the others).
# CPU time comes from schedstat (nanoseconds) where the kernel has it; stat's utime + stime are whole
# clock ticks per thread, which lost up to 10 ms per thread, a sixth of the total at N = 1.
sample_threads() {  # pid file pss-at-second
  local i=0
  while kill -0 "$1" 2>/dev/null; do
    awk -v hz="$hz" '
      FILENAME ~ /\/stat$/ { split(FILENAME, p, "/"); ticks[p[5]] = $14 + $15; name[p[5]] = $2 }
      FILENAME ~ /\/schedstat$/ { split(FILENAME, p, "/"); ns[p[5]] = $1 }
      FILENAME ~ /\/syscall$/ { split(FILENAME, p, "/"); sc[p[5]] = $1 }
      END {
        for (t in ticks) printf "%s %s %.0f %s\n", t, name[t], ((t in ns) ? ns[t] : ticks[t] * 1e9 / hz), ((t in sc) ? sc[t] : "?")
        print "--"
      }
    ' /proc/"$1"/task/*/stat /proc/"$1"/task/*/schedstat /proc/"$1"/task/*/syscall >>"$2" 2>/dev/null || true
    i=$((i + 1))
    ((i == $3)) && pss_kb "$1" >"$2.pss"
    sleep 1
  done
}

# Proportional set size (KiB) summed over PIDS: memory really used, shared library pages split among
# the processes that map them (RSS counts them fully in every process).
pss_kb() {  # pids...
  local pid files=()
  for pid in "$@"; do files+=("/proc/$pid/smaps_rollup"); done
  awk '$1 == "Pss:" { s += $2 } END { print s + 0 }' "${files[@]}" 2>/dev/null || true
}

# With PERF=1, `perf record -a` runs during phases A and B, to split each tool's CPU into writing files
# (page cache: the same bytes for both tools, and on a VM its cost depends on the host) and the rest.
perf_pid=""
perf_start() {  # tag
  [[ ${PERF:-0} == 1 ]] || return 0
  perf record -q -a -g -e cpu-clock -F 199 -o "$work/$1.perf" >/dev/null 2>&1 &
  perf_pid=$!
}
perf_stop() {  # (in this shell: perf must be this shell's child to be waited for)
  [[ -n $perf_pid ]] || return 0
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  perf_pid=""
}
perf_share() {  # tag comm -> prints "file-write-share-percent samples"
  [[ -s $work/$1.perf ]] || return 0
  perf script -i "$work/$1.perf" -F comm,ip,sym 2>/dev/null | awk -v comm="$2" -v RS= '
    $1 == comm { n++; if ($0 ~ /vfs_write|do_writev|ksys_write/) w++ }
    END { printf "%.1f %d\n", n ? 100 * w / n : 0, n }'
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
  if [[ -n $pid ]]; then sample_threads "$pid" "$work/$tag.threads" $((d / 2)) & sampler_pid=$!; fi
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
  b_pss_kb=$(cat "$work/$tag.threads.pss" 2>/dev/null || echo 0)
  b_cpu=$(awk -v u="$b_user" -v s="$b_sys" 'BEGIN { printf "%.2f", u + s }')
}

# Per-thread CPU from the samples: the last sample of each thread, grouped as main thread, network
# thread (seen blocked in poll or ppoll, as curl_multi_poll does), and the rest (the recording threads, one per stream,
# plus any runtime threads); threads with a kernel name other than the process's keep their name.
thread_breakdown() {  # file total-cpu pid
  awk -v hz="$hz" -v total="$2" -v pid="$3" '
    $1 == "--" { next }
    { cpu[$1] = $3 / 1e9; name[$1] = $2; if ($4 == 7 || $4 == 271) polls[$1]++ }
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
      printf "%012.2f|    %-18s %4s         %8.2f CPU-s %6.1f%%\n", -1, "(after last sample)", "", total - seen, (total > 0 ? 100 * (total - seen) / total : 0)
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
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$work/base"
fi

if [[ $PHASES == *A* ]]; then
  log "phase A: one biliup process, $N streams, $DUR s (load $(load))"
  wait_quiet
  start_source "$N"
  src0=$(source_cpu) m0=$(machine_busy)
  perf_start a
  run_biliup a "$N" "$DUR"
  perf_stop
  result[a_perf]=$(perf_share a biliup)
  rm -f "$work/a.perf"
  check_source_alive A
  result[a_src_cpu]=$(awk -v a="$(source_cpu)" -v b="$src0" 'BEGIN { printf "%.2f", a - b }')
  result[a_other]=$(awk -v m="$(machine_busy)" -v m0="$m0" -v s="${result[a_src_cpu]}" -v c="$b_cpu" 'BEGIN { printf "%.2f", m - m0 - s - c }')
  stop_source
  result[a_wall]=$b_wall result[a_cpu]=$b_cpu result[a_user]=$b_user result[a_sys]=$b_sys result[a_rss_kb]=$b_rss_kb
  result[a_pss_kb]=$b_pss_kb
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
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$work/a"
fi

if [[ $PHASES == *B* ]]; then
  log "phase B: $N ffmpeg -c copy processes, $DUR s (load $(load))"
  wait_quiet
  start_source "$N"
  src0=$(source_cpu) m0=$(machine_busy)
  mkdir -p "$work/b"
  mapfile -t list < <(urls "$N")
  pids=()
  perf_start b
  for ((i = 1; i <= N; i++)); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/b/$i.time" \
      ffmpeg -nostdin -loglevel error -i "${list[i - 1]}" -c copy -t "$DUR" -f flv "$work/b/$i.flv" \
      2>"$work/b/$i.log" &
    pids+=($!)
    wrapper_pids+=($!)
  done
  sleep $((DUR / 2))
  mapfile -t ffmpeg_pids < <(IFS=,; pgrep -P "${pids[*]}")
  result[b_pss_kb]=$(pss_kb "${ffmpeg_pids[@]}")
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  perf_stop
  result[b_perf]=$(perf_share b ffmpeg)
  rm -f "$work/b.perf"
  wrapper_pids=()
  check_source_alive B
  result[b_src_cpu]=$(awk -v a="$(source_cpu)" -v b="$src0" 'BEGIN { printf "%.2f", a - b }')
  m1=$(machine_busy)
  stop_source
  ((failed > 0)) && { echo "$failed ffmpeg processes failed, e.g.:" >&2; cat "$work"/b/*.log | head -5 >&2; }
  # "Command exited with non-zero status" lines precede the numbers in a failed process's file.
  read -r 'result[b_wall]' 'result[b_user]' 'result[b_sys]' 'result[b_rss_kb]' 'result[b_rss_max_kb]' < <(
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
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$work/b"
fi

# --- Report --------------------------------------------------------------------------------------------

per_min() { awk -v c="$1" -v n="$N" -v d="$DUR" 'BEGIN { printf "%.3f", c / (n * d / 60) }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

{
  echo "biliup recording benchmark: N = $N streams x $DUR s, $mbps Mbit/s H.264 1280x720 ${fps} fps (GOP $gop) + AAC FLV"
  echo "machine: $machine; $(date -u +%Y-%m-%dT%H:%M:%SZ); biliup $commit, binary sha256 $biliup_sha"
  echo
  row='%-27s %13s %9s %14s %11s %15s %13s %11s %7s\n'
  printf "$row" "" "CPU-s/str-min" "CPU-s" "peak RSS total" "RSS/stream" "RSS/addl strm" "PSS mid-run" "PSS/stream" "wall s"
  if [[ -n ${result[a_cpu]:-} ]]; then
    a_min=$(per_min "${result[a_cpu]}")
    a_rss=$(mb "${result[a_rss_kb]}")
    a_per=$(awk -v r="$a_rss" -v n="$N" 'BEGIN { printf "%.2f", r / n }')
    a_pss=$(mb "${result[a_pss_kb]:-0}")
    a_pss_per=$(awk -v r="$a_pss" -v n="$N" 'BEGIN { printf "%.2f", r / n }')
    a_add="-"
    if [[ -n ${result[base_rss_kb]:-} ]]; then
      a_add=$(awk -v r="$a_rss" -v b="$(mb "${result[base_rss_kb]}")" -v n="$N" 'BEGIN { printf "%.2f", (r - b) / (n - 1) }')
    fi
    printf "$row" "biliup (1 process)" "$a_min" "${result[a_cpu]}" "$a_rss MB" "$a_per MB" \
      "$a_add$( [[ $a_add != - ]] && echo " MB")" "$a_pss MB" "$a_pss_per MB" "${result[a_wall]}"
  fi
  if [[ -n ${result[b_cpu]:-} ]]; then
    b_min=$(per_min "${result[b_cpu]}")
    b_rss=$(mb "${result[b_rss_kb]}")
    b_per=$(awk -v r="$b_rss" -v n="$N" 'BEGIN { printf "%.2f", r / n }')
    b_pss=$(mb "${result[b_pss_kb]:-0}")
    b_pss_per=$(awk -v r="$b_pss" -v n="$N" 'BEGIN { printf "%.2f", r / n }')
    printf "$row" "ffmpeg -c copy ($N proc.)" "$b_min" "${result[b_cpu]}" \
      "$b_rss MB" "$b_per MB" "$b_per MB" "$b_pss MB" "$b_pss_per MB" "${result[b_wall]}"
  fi
  if [[ -n ${result[a_cpu]:-} && -n ${result[b_cpu]:-} ]]; then
    printf "$row" "biliup / ffmpeg" "$(ratio "$a_min" "$b_min")" "" "$(ratio "$a_rss" "$b_rss")" "$(ratio "$a_per" "$b_per")" \
      "$( [[ $a_add != - ]] && ratio "$a_add" "$b_per" || echo -)" "$(ratio "$a_pss" "$b_pss")" "$(ratio "$a_pss_per" "$b_pss_per")" ""
  fi
  echo "(MB = 10^6 bytes. RSS: peak ru_maxrss; for ffmpeg summed over its processes, so shared libraries count once"
  echo " per process. PSS: /proc/PID/smaps_rollup summed at SECONDS/2, shared pages split among their users.)"
  echo
  [[ -n ${result[base_rss_kb]:-} ]] && echo "baseline: biliup with 1 stream for $BASELINE_SECONDS s peaked at $(mb "${result[base_rss_kb]}") MB RSS"
  [[ -n ${result[a_cpu]:-} ]] && {
    echo "biliup CPU: user ${result[a_user]} s + sys ${result[a_sys]} s; by thread (sampled once a second):"
    echo "${result[a_threads]}"
  }
  [[ -n ${result[b_cpu]:-} ]] && echo "ffmpeg CPU: user ${result[b_user]} s + sys ${result[b_sys]} s; largest process peak RSS $(mb "${result[b_rss_max_kb]}") MB"
  if [[ -n ${result[a_perf]:-} && -n ${result[b_perf]:-} && -n ${result[a_cpu]:-} && -n ${result[b_cpu]:-} ]]; then
    read -r a_w a_n <<<"${result[a_perf]}"
    read -r b_w b_n <<<"${result[b_perf]}"
    a_nw=$(awk -v m="$a_min" -v w="$a_w" 'BEGIN { printf "%.3f", m * (1 - w / 100) }')
    b_nw=$(awk -v m="$b_min" -v w="$b_w" 'BEGIN { printf "%.3f", m * (1 - w / 100) }')
    echo "file writes (perf -a at 199 Hz): $a_w% of biliup's $a_n samples, $b_w% of ffmpeg's $b_n samples;"
    echo "  CPU-s/stream-min without them: biliup $a_nw, ffmpeg $b_nw, ratio $(ratio "$a_nw" "$b_nw")"
  fi
  echo "live-source CPU during phase A: ${result[a_src_cpu]:--} s, phase B: ${result[b_src_cpu]:--} s"
  echo "other CPU on the machine (kernel threads, other users) during phase A: ${result[a_other]:--} s, phase B: ${result[b_other]:--} s"
  for ph in a b; do
    if [[ -n ${result[${ph}_other]:-} ]] && awk -v o="${result[${ph}_other]}" -v c="${result[${ph}_cpu]}" 'BEGIN { exit !(o > 0.1 * c + 3) }'; then
      echo "WARNING: much other CPU during phase ${ph^^} (${result[${ph}_other]} CPU-s: kernel writeback and reclaim, or other load): check for noise"
    fi
  done
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
