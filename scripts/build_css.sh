#!/usr/bin/env bash
# Rebuilds registry/static/registry/workspace.css from registry/static_src/workspace.scss with
# GOV.UK Frontend's Sass (only when the stylesheet changes; the result is committed, so running the
# site needs no Node.js). Needs Node.js and npm; the versions are pinned here.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVUK_FRONTEND=6.6.0
SASS=1.108.2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent "govuk-frontend@$GOVUK_FRONTEND" "sass@$SASS")
"$work/node_modules/.bin/sass" --load-path="$work/node_modules" \
  --style=compressed --no-source-map \
  registry/static_src/workspace.scss registry/static/registry/workspace.css
printf '/* GOV.UK Frontend %s (MIT, see LICENCE-govuk-frontend.txt) with the registry'"'"'s own rules */\n' \
  "$GOVUK_FRONTEND" | cat - registry/static/registry/workspace.css > "$work/out.css"
mv "$work/out.css" registry/static/registry/workspace.css
wc -c registry/static/registry/workspace.css
