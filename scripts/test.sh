#!/usr/bin/env bash
# The whole test suite: builds everything (the tests run the real `biliup` binary) and runs every test.
# Suites that measure rates, time limits or real-time pacing (live HLS edges, kills at a moment of the
# stream, an RTMP server restarted mid-stream, logins against the time of one bcrypt, connection
# timeouts and caps, a hook's program killed at its timeout) run in a second pass on their own: in the first pass
# every other suite runs in parallel and would starve their threads on a 2-core machine. The WebSocket
# load test (1,000 subscribers, ten million messages) and the swarm client's own load tests take both
# cores, so they run in a third pass, alone. The repair test (a cut, reconnect and resend at real-time
# pace) joins the timed pass, and so does the engine's danmaku recording (a chat that must connect while a
# 12-second live video plays: in the parallel pass its connection started late enough to miss messages). Last, the web page is driven in headless Chromium against the built
# binary (scripts/browser-test.py). Before it, the API is fuzzed from its own openapi.json
# (scripts/fuzz-api.sh, schemathesis, about 3 minutes). The reload test measures this process's resident
# memory over 1,000 loads of main.lua, so it runs alone: beside other suites their allocations are noise.
# Every pass runs even when an earlier one failed; a summary line per pass ends the output, and the
# exit status is non-zero when any pass failed.
set -uo pipefail
cd "$(dirname "$0")/.."
timed='SchedulerTests|PluginLimitTests|HLSSourceTests|StopAndKillTests|RepairTests|LoginLoadTests|ServerLimitsTests|InputVarietyTests|ChildProcessTests|DanmakuRecordingTests'
load='EventSocketTests|WebSocketSwarmTests'
memory='MainScriptReloadTests'
swift build --build-tests || { echo "test.sh: the build failed"; exit 1; }

summary=()
failures=0
# Each pass's output is also kept in test-output/logs; a failed pass's failure lines are printed again
# at the end, above the summary, where a truncated CI log still shows them.
logs=test-output/logs
mkdir -p "$logs"
failed_logs=()
pass() {
  local name=$1 start=$SECONDS
  local log="$logs/${name// /-}.log"
  shift
  if "$@" 2>&1 | tee "$log"; then
    summary+=("test.sh: $name: ok ($((SECONDS - start)) s)")
  else
    summary+=("test.sh: $name: FAILED ($((SECONDS - start)) s)")
    failures=$((failures + 1))
    failed_logs+=("$log")
  fi
}

# The lines of a failed pass's log that say what failed: swift-testing's ✘ lines, XCTest's errors,
# and schemathesis's failure report (from its FAILURES heading on).
failure_excerpt() {
  local log=$1
  echo "test.sh: what failed in $log:"
  { grep -E '✘|error:|FAILED|fatal|Fatal error' "$log" | cut -c1-600 | head -40
    sed -n '/FAILURES/,$p' "$log" | head -80; } | sed 's/^/  /'
}
pass "unit and CLI tests" swift test --skip-build --skip "$timed|$load|$memory"
pass "timed tests" swift test --skip-build --filter "$timed"
pass "load tests" swift test --skip-build --filter "$load"
pass "memory test" swift test --skip-build --filter "$memory"
pass "API fuzzing" scripts/fuzz-api.sh --biliup .build/debug/biliup
pass "browser test" /usr/bin/python3 scripts/browser-test.py --biliup .build/debug/biliup
for log in "${failed_logs[@]}"; do failure_excerpt "$log"; done
printf '%s\n' "${summary[@]}"
((failures == 0))
