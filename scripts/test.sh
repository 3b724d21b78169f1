#!/usr/bin/env bash
# The whole test suite: builds everything (the tests run the real `biliup` binary) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
