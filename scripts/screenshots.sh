#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/images/*.png) from the real app: builds the
# site, starts the server on a free port and drives headless Chromium through
# end2end/screenshots/readme.shots.ts.
#
#   scripts/screenshots.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"
"$TETHER_ROOT/scripts/setup.sh"
server_bin="$("$TETHER_ROOT/scripts/build-site.sh" | tail -n 1)"
export TETHER_SERVER_BIN="$TETHER_ROOT/$server_bin"
export TETHER_SITE_ROOT="$TETHER_ROOT/target/site"
(cd end2end && npx playwright test --config playwright.screenshots.config.ts)
log "screenshots written to docs/images/"
