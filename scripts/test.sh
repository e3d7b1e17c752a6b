#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (native), then the Playwright browser
# tests against the real server binary in headless Chromium. Installs what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"

started=$SECONDS
# A one-shot CI build never reuses incremental state; skipping it saves gigabytes of disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
"$TETHER_ROOT/scripts/setup.sh"
select_toolchain

log "cargo test --workspace"
cargo test --workspace --quiet

# The operator's example Prometheus setup: valid config, and the alert rules fire when
# (and only when) they should.
log "promtool: config and alert rules"
promtool check config ops/prometheus/prometheus.yml >/dev/null
promtool test rules ops/prometheus/alerts_test.yml

server_bin="$("$TETHER_ROOT/scripts/build-site.sh" | tail -n 1)"

# Chaos: native engine clients through the fault proxy, random faults, one kill -9 and one
# graceful restart; fails on any lost, doubled, divergent or stuck op.
log "chaos run (30 s)"
cargo build --quiet -p chaos
target/debug/chaos --server-bin "$server_bin" --seconds 30 --clients 6 --rooms 2 --kills 1 --graceful 1
# The same on a cluster: two nodes on a real Redis behind the (balancing) fault proxy; nodes
# are killed or restarted one at a time, and Redis crashes once.
log "chaos run, cluster mode (30 s)"
target/debug/chaos --server-bin "$server_bin" --seconds 30 --clients 6 --rooms 2 --kills 1 --graceful 1 \
  --cluster-nodes 2 --redis-restarts 1

log "playwright test"
export TETHER_SERVER_BIN="$TETHER_ROOT/$server_bin"
export TETHER_SITE_ROOT="$TETHER_ROOT/target/site"
(cd end2end && npx playwright test)

log "all tests passed in $((SECONDS - started)) s"
