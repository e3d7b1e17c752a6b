#!/usr/bin/env bash
# Builds and serves Tether on http://127.0.0.1:3000 with the embedded default storage.
#
#   scripts/run.sh             debug build
#   scripts/run.sh --release   optimized build
#
# TETHER_ADDR=127.0.0.1:8080 scripts/run.sh serves elsewhere; Ctrl-C stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"

"$TETHER_ROOT/scripts/setup.sh" --build
select_toolchain
server_bin="$("$TETHER_ROOT/scripts/build-site.sh" "$@" | tail -n 1)"

export LEPTOS_SITE_ROOT="target/site"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
[ "${1:-}" = "--release" ] && export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
log "serving on http://${TETHER_ADDR:-$LEPTOS_SITE_ADDR} (Ctrl-C to stop)"
exec "$server_bin"
