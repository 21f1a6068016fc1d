#!/usr/bin/env bash
# Programs the tests drive, from Debian's packages (no downloaded browser): Chromium for the
# end-to-end tests, pdftotext (poppler-utils) to read back the PDF reports, LibreOffice for the
# HCD forms as PDF.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="chromium"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
# LibreOffice headless turns the HCD forms (DOCX) into PDF; DejaVu fonts carry Vietnamese.
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-writer-nogui"
[ -d /usr/share/fonts/truetype/dejavu ] || missing="$missing fonts-dejavu"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Cài $missing cho các bài kiểm thử / installing $missing for the tests…"
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  exit 0
fi
echo "Cần cài cho các bài kiểm thử: sudo apt-get install$missing" >&2
echo "The tests need: sudo apt-get install$missing" >&2
exit 1
