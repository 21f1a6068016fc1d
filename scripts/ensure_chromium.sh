#!/usr/bin/env bash
# The browser for the end-to-end tests: Chromium from Debian's packages (no downloaded browser).
set -eu
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Cài Chromium cho các bài kiểm thử trình duyệt / installing Chromium for the browser tests…"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Cần Chromium cho các bài kiểm thử trình duyệt: sudo apt-get install chromium" >&2
echo "Chromium is needed for the browser tests: sudo apt-get install chromium" >&2
exit 1
