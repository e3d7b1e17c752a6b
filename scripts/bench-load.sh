#!/usr/bin/env bash
# The load benchmark: Tether against a minimal `ws` hub, a minimal socket.io hub and a raw
# TCP fan-out, on this machine, in one run; then the restart storm and the WASM size.
# Rewrites the load section of docs/BENCHMARKS.md. Traffic goes to 127.0.0.1 only; every
# scenario is bounded in clients, rate and time.
#
#   scripts/bench-load.sh
#   FANOUT_CLIENTS=500 IDLE_CONNECTIONS=2000 STORM_CLIENTS=1000 scripts/bench-load.sh  (quicker)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"

FANOUT_CLIENTS="${FANOUT_CLIENTS:-1000}"
IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-5000}"
STORM_CLIENTS="${STORM_CLIENTS:-2000}"
TARGETS="${TARGETS:-tether ws socketio raw}"

prepare_benchmark
rawhub="$TETHER_ROOT/target/server-release/rawhub"
if [ ! -d tools/peers/node_modules ] || [ tools/peers/package-lock.json -nt tools/peers/node_modules/.package-lock.json ]; then
  (cd tools/peers && npm ci --no-audit --no-fund --loglevel=error)
fi

out="$TETHER_ROOT/target/bench"
mkdir -p "$out"
results="$out/results.jsonl"
# KEEP_OTHER_RESULTS=1 with TARGETS=...: re-measure only those targets (and the storm and
# WASM size), keeping the previous run's lines for the other targets.
if [ "${KEEP_OTHER_RESULTS:-0}" = 1 ] && [ -f "$results" ]; then
  keep="$(mktemp)"
  pattern="\"target\":\"($(echo "$TARGETS" | tr ' ' '|'))\"|\"scenario\":\"(meta|storm|wasm)\""
  grep -v -E "$pattern" "$results" > "$keep" || true
  mv "$keep" "$results"
else
  : > "$results"
fi
machine="$(nproc) vCPU $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, Linux $(uname -r)"
node_version="$(node --version)"
peer_version() { node -p "require('./tools/peers/node_modules/$1/package.json').version"; }
printf '{"scenario":"meta","result":{"machine":"%s","date":"%s","command":"scripts/bench-load.sh","node":"%s","ws":"%s","socketio":"%s"}}\n' \
  "$machine" "$(date -u +%Y-%m-%d)" "$node_version" "$(peer_version ws)" "$(peer_version socket.io)" >> "$results"

hub_pid=""
hub_addr=""
stop_hub() {
  if [ -n "$hub_pid" ]; then
    kill "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
    hub_pid=""
  fi
}
trap stop_hub EXIT

# Starts the hub for $1 in the background; sets hub_pid and hub_addr. Tether's per-client
# budgets (ephemeral rate, joins and connections per address) are raised: the simulated
# drawers send far faster than people, and every simulated client shares 127.0.0.1.
start_hub() {
  local log_file="$out/hub-$1.log" data_dir
  case "$1" in
    tether)
      data_dir="$(mktemp -d)"
      TETHER_ADDR=127.0.0.1:0 TETHER_DATA_DIR="$data_dir" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn,server=info \
        TETHER_OUTBOX_FRAMES=4096 \
        TETHER_EPHEMERAL_PER_SECOND=10000000 TETHER_EPHEMERAL_BURST=10000000 \
        TETHER_JOINS_PER_SECOND=10000000 TETHER_JOINS_BURST=10000000 \
        TETHER_MAX_CONNECTIONS_PER_IP=1000000 TETHER_MAX_MEMBERS_PER_ROOM=100000 \
        "$server_bin" > "$log_file" 2>&1 &
      ;;
    ws) node tools/peers/ws-hub.js 0 > "$log_file" 2>&1 & ;;
    socketio) node tools/peers/socketio-hub.js 0 > "$log_file" 2>&1 & ;;
    raw) "$rawhub" 127.0.0.1:0 > "$log_file" 2>&1 & ;;
  esac
  hub_pid=$!
  for _ in $(seq 1 100); do
    hub_addr="$(sed -n 's/.*listening on \(http:\/\/\)\{0,1\}\([0-9.:]*\).*/\2/p' "$log_file" | head -1)"
    [ -n "$hub_addr" ] && return 0
    sleep 0.1
  done
  die "$1 hub did not start: $(cat "$log_file")"
}

for target in $TARGETS; do
  log "== $target =="
  start_hub "$target"
  log "fan-out: 1 room x $FANOUT_CLIENTS clients"
  "$loadgen" fanout --target "$target" --addr "$hub_addr" --server-pid "$hub_pid" --clients "$FANOUT_CLIENTS" >> "$results"
  stop_hub
  start_hub "$target"
  log "classroom: 50 rooms x 20 clients"
  "$loadgen" classroom --target "$target" --addr "$hub_addr" --server-pid "$hub_pid" >> "$results"
  stop_hub
  start_hub "$target"
  log "idle: $IDLE_CONNECTIONS connections"
  "$loadgen" idle --target "$target" --addr "$hub_addr" --server-pid "$hub_pid" --connections "$IDLE_CONNECTIONS" >> "$results"
  stop_hub
done

log "restart storm: $STORM_CLIENTS clients"
LEPTOS_SITE_ROOT=target/site "$loadgen" storm --server-bin "$server_bin" --clients "$STORM_CLIENTS" >> "$results"

wasm="target/site/pkg/tether.wasm"
printf '{"scenario":"wasm","result":{"target":"tether","raw_bytes":%s,"gzip_bytes":%s}}\n' \
  "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" >> "$results"

"$loadgen" report --results "$results" --doc docs/BENCHMARKS.md
log "results: $results; tables written to docs/BENCHMARKS.md"
