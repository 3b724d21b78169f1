# Sourced by the API benchmarks (api.sh, metrics.sh): the binary to measure and a `biliup run` serving
# on a free loopback port, with the user bench/benchpassword in a temporary data directory and a check
# budget high enough that a first round of 1,000 checks takes a second, not minutes.
#
#   bench_binary          sets `biliup`: $BILIUP_BIN, or a release build in .build-bench
#   start_bench_server    sets `work`, `port`, `base`, `server_pid`; on exit the server is stopped and
#                         the directory removed
bench_binary() {
  local repo
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [[ -n ${BILIUP_BIN:-} ]]; then
    biliup=$BILIUP_BIN
  else
    (cd "$repo" && swift build -c release --static-swift-stdlib --scratch-path "$repo/.build-bench" --product biliup >&2)
    biliup="$repo/.build-bench/release/biliup"
  fi
}

start_bench_server() {
  work=$(mktemp -d)
  server_pid=""
  trap 'if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; fi; rm -rf "$work"' EXIT
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo "benchpassword" | "$biliup" user add bench --data-dir "$work/data" >/dev/null
  cat >"$work/main.lua" <<LUA
biliup.config { data_dir = "$work/data", check_rates = { default = 1000 }, server = { port = $port } }
LUA
  "$biliup" run "$work/main.lua" 2>"$work/server.log" &
  server_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 300); do curl -sf "$base/api/health" >/dev/null && return 0; sleep 0.1; done
  echo "the benchmark's server did not start:" >&2
  cat "$work/server.log" >&2
  return 1
}
