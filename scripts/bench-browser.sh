#!/usr/bin/env bash
# Browser benchmarks in headless Chromium against the real server (debug build, as the
# tests use): reconnect time after a link restore, one stroke's latency over WebSocket vs
# the polling fallback, a fast drawer's send rates against the rate budgets, and a board's
# first load on an emulated slow-3G phone (pass --release to measure the release bundle), and
# how soon a black hole is noticed while drawing.
# Prints one JSON line per benchmark.
#   scripts/bench-browser.sh             10 runs each
#   BENCH_RUNS=30 scripts/bench-browser.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"
"$TETHER_ROOT/scripts/setup.sh" >/dev/null
select_toolchain
server_bin="$("$TETHER_ROOT/scripts/build-site.sh" "$@" | tail -n 1)"
export TETHER_SERVER_BIN="$TETHER_ROOT/$server_bin"
cd end2end && npx playwright test --config playwright.bench.config.ts 2>&1 | grep '^BENCH ' | sed 's/^BENCH //'
