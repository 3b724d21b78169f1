#!/usr/bin/env bash
# Runs the README's "Set up and run" command exactly as written (taken from the README itself), waits
# for biliup to say it serves the API and web page, stops it with SIGTERM and expects exit status 0:
# the first command a new user types must never break unnoticed.
set -euo pipefail
cd "$(dirname "$0")/.."
command=$(awk '/^## Set up and run/{section=1} section && /^```sh/{getline; print; exit}' README.md)
[ -n "$command" ] || { echo "readme-run: no command found under '## Set up and run' in README.md" >&2; exit 1; }
echo "readme-run: $command"
log=$(mktemp)
setsid bash -c "$command" >"$log" 2>&1 &
shell=$!
deadline=$((SECONDS + ${README_RUN_TIMEOUT:-1800}))
until grep -q "API and web page" "$log"; do
  if ! kill -0 "$shell" 2>/dev/null; then
    echo "readme-run: the command ended before serving:" >&2; tail -30 "$log" >&2; exit 1
  fi
  if ((SECONDS > deadline)); then
    echo "readme-run: no 'API and web page' line in time:" >&2; tail -30 "$log" >&2; kill -- -"$shell"; exit 1
  fi
  sleep 2
done
biliup=$(pgrep -g "$shell" -f 'biliup run' | head -1)
kill -TERM "$biliup"
status=0
wait "$shell" || status=$?
tail -5 "$log"
rm -f "$log"
if ((status != 0)); then echo "readme-run: exit status $status after SIGTERM (expected 0)" >&2; exit 1; fi
echo "readme-run: started, served, stopped by SIGTERM with status 0"
