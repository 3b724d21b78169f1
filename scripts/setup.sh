#!/usr/bin/env bash
# Installs what biliup needs to build, run and be tested on Debian 12: the C libraries it links
# (FFmpeg's libav*, Lua 5.4, libcurl, OpenSSL's libcrypto, SQLite, libqrencode and libpng for login QR
# codes, zlib and brotli for compressed chat frames), the ffmpeg/ffprobe tools the tests
# and benchmarks use, the openssl command the digest tests check against, headless Chromium with its
# driver and Selenium for the web page's test (plus CJK fonts, so the Chinese page renders in its
# screenshots), wrk for the API benchmark, and python3-venv for the API fuzzer's virtual environment
# (scripts/fuzz-api.sh installs schemathesis there from PyPI).
set -euo pipefail
packages=(pkg-config ffmpeg libavformat-dev libavcodec-dev libavutil-dev liblua5.4-dev libssl-dev openssl
          libcurl4-openssl-dev libsqlite3-dev chromium chromium-driver python3-selenium fonts-noto-cjk wrk
          python3-venv libqrencode-dev libpng-dev zlib1g-dev libbrotli-dev
          systemd prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
