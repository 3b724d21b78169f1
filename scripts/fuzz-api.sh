#!/usr/bin/env bash
# Fuzzes the HTTP API from its own description (GET /api/openapi.json) with schemathesis: every
# operation gets generated valid and invalid requests, and every answer must be no 5xx, a documented
# status and content type, and match the documented schema. Two passes over a fresh `biliup server`
# each: without users (no login needed), then with an admin user and an API token sent as a bearer.
#
# The server runs on a free loopback port with a temporary data directory (removed afterwards) as its
# working directory, so all it writes stays there; with no main.lua and an empty plugin directory
# (BILIUP_LUA_DIR), no plugin matches the URLs the fuzzer invents, so nothing is fetched from the
# network (and the proxy variables point libcurl at a closed port besides). The routes that talk to
# Bilibili (accounts: QR login, cookie import, renew) reach the local `bilibili-standin` through
# --host-remap instead, so they answer as documented (201, 400, 404) rather than 502 "Bilibili cannot
# be reached", which is what they answer when it really cannot be and which this check would count as
# a server error.
#
#   scripts/fuzz-api.sh [--biliup PATH]      FUZZ_EXAMPLES (default 100) examples per operation
#   (the stand-in is the bilibili-standin beside the biliup binary)
set -euo pipefail
cd "$(dirname "$0")/.."
biliup=.build/debug/biliup
[ "${1:-}" = "--biliup" ] && biliup=$2
standin=$(dirname "$biliup")/bilibili-standin
examples=${FUZZ_EXAMPLES:-100}
# Wall-clock bound of both passes together: they take about 3 minutes on a 2-core machine; twice
# that means something hangs.
total_seconds=${FUZZ_SECONDS:-600}
venv=$PWD/.build/fuzz-venv
# The schemathesis major version whose command line this script speaks.
schemathesis_spec='schemathesis>=4.0,<5'

if ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
  echo "fuzz-api: installing schemathesis into $venv"
  /usr/bin/python3 -m venv "$venv" || { echo "fuzz-api: python3 -m venv failed: install python3-venv (scripts/setup.sh)" >&2; exit 1; }
  "$venv/bin/pip" install -q "$schemathesis_spec"
fi
[ -x "$biliup" ] || { echo "fuzz-api: $biliup not found: build first (swift build)" >&2; exit 1; }
[ -x "$standin" ] || { echo "fuzz-api: $standin not found: build first (swift build)" >&2; exit 1; }
biliup=$(cd "$(dirname "$biliup")" && pwd)/$(basename "$biliup")

work=$(mktemp -d /tmp/biliup-fuzz.XXXXXX)
server_pid=""
standin_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$standin_pid" ]; then kill "$standin_pid" 2>/dev/null || true; wait "$standin_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/lua/plugins"

# The stand-in prints one JSON line with its --host-remap rules, then serves until killed.
"$standin" --dir "$work/standin" >"$work/standin.json" 2>"$work/standin.log" &
standin_pid=$!
for _ in $(seq 1 200); do [ -s "$work/standin.json" ] && break; sleep 0.1; done
remap_args=()
while IFS= read -r rule; do remap_args+=(--host-remap "$rule"); done < <(
  /usr/bin/python3 -c 'import json, sys; print("\n".join(json.loads(sys.stdin.readline())["remap"]))' <"$work/standin.json")
[ "${#remap_args[@]}" -gt 0 ] || { echo "fuzz-api: bilibili-standin did not start:" >&2; cat "$work/standin.log" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts `biliup server` in DIR on a free port; sets port and server_pid.
start_server() {
  local dir=$1
  port=$(free_port)
  (cd "$dir" && exec env BILIUP_LUA_DIR="$work/lua" BILIUP_PLUGIN_PATH= http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
     ALL_PROXY=http://127.0.0.1:9 no_proxy=127.0.0.1 "$biliup" server --data-dir "$dir/data" --port "$port" "${remap_args[@]}" \
     >"$dir/server.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/api/me" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "fuzz-api: the server did not start:" >&2
  cat "$dir/server.log" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" && wait "$server_pid" || true
  server_pid=""
}

# Records of every kind the API makes, so that list answers hold items whose schema is checked and
# ids exist for the routes under {id}. Arguments: extra curl options (the bearer header).
seed() {
  local body
  for body in '{"name": "seed-a", "url": "https://live.example.invalid/1", "overrides": {"format": "mkv"}, "schedule": ["20:00-02:00"]}' \
              '{"name": "seed-b", "urls": ["http://127.0.0.1:9/b.m3u8"], "paused": true, "options": {"qn": 10000}}'; do
    curl -fsS -o /dev/null -H 'Content-Type: application/json' "$@" -d "$body" "http://127.0.0.1:$port/api/streamers"
  done
  curl -fsS -o /dev/null -H 'Content-Type: application/json' "$@" -d '{"name": "seed", "fields": {"tid": 171}}' \
    "http://127.0.0.1:$port/api/templates"
}

# One schemathesis run against the server on $port; extra arguments are passed on.
fuzz() {
  local name=$1; shift
  echo "fuzz-api: pass '$name' on port $port ($examples examples per operation)"
  local started=$SECONDS
  local left=$((deadline - SECONDS))
  local status=0
  [ "$left" -gt 0 ] || { echo "fuzz-api: no time left for pass '$name' (FUZZ_SECONDS=$total_seconds)" >&2; return 1; }
  # From the temporary directory: schemathesis keeps its cache (.schemathesis) in the working directory.
  (cd "$work" && timeout --kill-after=10 "$left" "$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" --workers 2 --request-timeout 30 --no-color "$@") || status=$?
  echo "fuzz-api: pass '$name' took $((SECONDS - started)) s"
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "fuzz-api: pass '$name' ran out of the ${total_seconds} s the fuzzing may take" >&2
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "fuzz-api: the server died during pass '$name':" >&2
    tail -50 "$work/$name/server.log" >&2
    status=1
  fi
  return "$status"
}

failed=0
deadline=$((SECONDS + total_seconds))

mkdir -p "$work/open"
start_server "$work/open"
seed
# Adding a user would end this pass's purpose (everything needs a login then); the next pass adds users.
fuzz open --exclude-operation-id postUsers || failed=1
stop_server

mkdir -p "$work/login"
echo "fuzzpassword1" | "$biliup" user add admin --data-dir "$work/login/data" >/dev/null
start_server "$work/login"
session=$(curl -fsS -H 'Content-Type: application/json' -d '{"username": "admin", "password": "fuzzpassword1"}' \
  "http://127.0.0.1:$port/api/login" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
token=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $session" -d '{"name": "fuzz"}' \
  "http://127.0.0.1:$port/api/tokens" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
seed -H "Authorization: Bearer $token"
curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
  -d '{"name": "viewer", "password": "viewerpassword"}' "http://127.0.0.1:$port/api/users"
# Logging out and revoking tokens would end the fuzzer's own credentials; the open pass covers them.
fuzz login -H "Authorization: Bearer $token" --exclude-operation-id postLogout --exclude-operation-id deleteTokensId || failed=1
stop_server

if [ "$failed" -ne 0 ]; then
  echo "fuzz-api: FAILED (the failures and curl commands to reproduce them are above)" >&2
  exit 1
fi
echo "fuzz-api: no server errors, every answer as documented"
