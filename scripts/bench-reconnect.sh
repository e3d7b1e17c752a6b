#!/usr/bin/env bash
# Benchmark: time from link restore to "pending 0 and the peer updated", in headless
# Chromium against the real server (debug build, like the tests). Prints the JSON line.
#   scripts/bench-reconnect.sh            10 runs
#   BENCH_RUNS=30 scripts/bench-reconnect.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"
"$TETHER_ROOT/scripts/setup.sh" >/dev/null
select_toolchain
server_bin="$("$TETHER_ROOT/scripts/build-site.sh" "$@" | tail -n 1)"
export TETHER_SERVER_BIN="$TETHER_ROOT/$server_bin"
cd end2end && npx playwright test --config playwright.bench.config.ts 2>&1 | grep '^BENCH ' | sed 's/^BENCH //'
