#!/usr/bin/env bash
# The whole test suite: builds everything (the tests run the real `biliup` binary) and runs every test.
# Suites that measure rates, time limits or real-time pacing (live HLS edges, kills at a moment of the
# stream) run in a second pass on their own: in the first pass every other suite runs in parallel and
# would starve their threads on a 2-core machine. The WebSocket load test (1,000 subscribers, ten million
# messages) and the swarm client's own load tests take both cores, so they run in a third pass, alone. The
# repair test (a cut, reconnect and resend at real-time pace) joins the timed pass.
# Then the API is fuzzed from its own openapi.json (scripts/fuzz-api.sh, schemathesis, about 3 minutes).
# Last, the web page is driven in headless Chromium against the built binary (scripts/browser-test.py).
set -euo pipefail
cd "$(dirname "$0")/.."
timed='SchedulerTests|PluginLimitTests|HLSSourceTests|StopAndKillTests|RepairTests'
load='EventSocketTests|WebSocketSwarmTests'
swift build --build-tests
swift test --skip-build --skip "$timed|$load"
swift test --skip-build --filter "$timed"
swift test --skip-build --filter "$load"
scripts/fuzz-api.sh --biliup .build/debug/biliup
/usr/bin/python3 scripts/browser-test.py --biliup .build/debug/biliup
