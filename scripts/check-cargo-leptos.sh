#!/usr/bin/env bash
# Checks that `cargo leptos build` still produces the site layout scripts/build-site.sh
# produces, and that the page it builds serves and comes alive. Needs cargo-leptos (see the
# README); without it, says so and exits 0 without checking anything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"
select_toolchain || die "run scripts/setup.sh first"

if ! cargo leptos --version >/dev/null 2>&1; then
  log "cargo-leptos is not installed: the cargo-leptos build was NOT checked (see README)"
  exit 0
fi
# cargo-leptos builds one bundle, the board's; the dashboard's comes from build-site.sh
# (as in scripts/dev.sh), which also clears the compressed copies a release build left.
"$TETHER_ROOT/scripts/build-site.sh" >/dev/null
log "cargo leptos build"
PATH="$TETHER_ROOT/tools/wasm-opt/node_modules/.bin:$PATH" cargo leptos build >/dev/null 2>&1 \
  || { PATH="$TETHER_ROOT/tools/wasm-opt/node_modules/.bin:$PATH" cargo leptos build; die "cargo leptos build failed"; }
for file in pkg/tether.js pkg/tether.wasm pkg/tether.css favicon.svg; do
  [ -f "target/site/$file" ] || die "cargo leptos build did not produce target/site/$file"
done
log "cargo-leptos layout matches; checking that its build comes alive"
(cd end2end && TETHER_SERVER_BIN="$TETHER_ROOT/target/debug/server" npx playwright test tests/hydration.spec.ts)
log "cargo-leptos build checked"
