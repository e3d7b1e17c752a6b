#!/usr/bin/env bash
# The cluster benchmark, one run: one node on SQLite vs one node on Redis vs two nodes on
# Redis — op commit latency (writers wait for each ack) and the classroom (50 rooms × 20
# clients, clients spread over the nodes) — then the restart storm on a two-node cluster
# (a node restarted under 1 000 engine clients behind a round-robin balancer). Release
# builds; traffic to 127.0.0.1 only; every scenario bounded in clients, rate and time.
# Results: target/bench/cluster.jsonl, and a Markdown table on stdout for
# docs/BENCHMARKS.md ("Cluster" section).
#
#   scripts/bench-cluster.sh
#   STORM_CLIENTS=500 scripts/bench-cluster.sh     (quicker)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"

STORM_CLIENTS="${STORM_CLIENTS:-1000}"

prepare_benchmark
out="$TETHER_ROOT/target/bench"
mkdir -p "$out"
results="$out/cluster.jsonl"
machine="$(nproc) vCPU $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, Linux $(uname -r), $(redis-server --version | grep -o 'v=[0-9.]*')"
printf '{"scenario":"meta","result":{"machine":"%s","date":"%s"}}\n' "$machine" "$(date -u +%Y-%m-%d)" > "$results"

# The simulated clients share 127.0.0.1 and draw far faster than people: raise the
# per-address and per-client budgets, as scripts/bench-load.sh does.
export TETHER_OUTBOX_FRAMES=4096 TETHER_EPHEMERAL_PER_SECOND=10000000 TETHER_EPHEMERAL_BURST=10000000 \
  TETHER_JOINS_PER_SECOND=10000000 TETHER_JOINS_BURST=10000000 TETHER_MAX_CONNECTIONS_PER_IP=1000000 \
  TETHER_MAX_MEMBERS_PER_ROOM=100000 RUST_LOG=warn LEPTOS_SITE_ROOT=target/site

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

pid="" addrs="" first_pid=""
stop_setup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi
}
trap stop_setup EXIT

# Starts setup $1 (sqlite-1, redis-1, redis-2); sets pid (to stop), addrs and first_pid.
start_setup() {
  local work
  work="$(mktemp -d)"
  case "$1" in
    sqlite-1)
      TETHER_ADDR=127.0.0.1:0 TETHER_DATA_DIR="$work" RUST_LOG=info "$server_bin" > "$work/log" 2>&1 &
      pid=$!
      first_pid=$pid
      for _ in $(seq 1 100); do
        addrs="$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$work/log" | head -1)"
        [ -n "$addrs" ] && return 0
        sleep 0.1
      done
      die "server did not start: $(cat "$work/log")"
      ;;
    redis-*)
      # scripts/cluster.sh itself: Redis (appendfsync always) and the nodes; the load goes
      # straight to the nodes (its HAProxy is not in the path).
      TETHER_SERVER_BIN="$server_bin" TETHER_CLUSTER_NODES="${1#redis-}" \
        TETHER_CLUSTER_ADDR="127.0.0.1:$(free_port)" TETHER_CLUSTER_STATE="$work/state" \
        scripts/cluster.sh > "$work/log" 2>&1 &
      pid=$!
      for _ in $(seq 1 300); do [ -s "$work/state" ] && break; sleep 0.1; done
      [ -s "$work/state" ] || die "cluster did not start: $(cat "$work/log")"
      addrs="$(awk '/^node/ {print $3}' "$work/state" | paste -sd, -)"
      first_pid="$(awk '/^node1 / {print $2}' "$work/state")"
      ;;
  esac
}

for setup in sqlite-1 redis-1 redis-2; do
  log "== $setup =="
  start_setup "$setup"
  "$loadgen" commit --label "$setup" --addr "$addrs" >> "$results"
  "$loadgen" classroom --target tether --addr "$addrs" --server-pid "$first_pid" \
    | sed "s/\"scenario\":\"classroom\"/\"scenario\":\"classroom\",\"setup\":\"$setup\"/" >> "$results"
  stop_setup
done

log "restart storm on a two-node cluster: $STORM_CLIENTS clients"
"$loadgen" storm --server-bin "$server_bin" --clients "$STORM_CLIENTS" --cluster-nodes 2 >> "$results"

node - "$results" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const meta = lines.find((l) => l.scenario === 'meta').result;
const f = (x, d = 1) => Number(x).toFixed(d);
console.log(`Command: \`scripts/bench-cluster.sh\`. Machine: ${meta.machine}. Date: ${meta.date}.\n`);
console.log('| setup | commit p50 ms | commit p99 ms | acked ops/s | classroom delivered msgs/s | lost | classroom p50 ms | p99 ms | first node CPU % |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const setup of ['sqlite-1', 'redis-1', 'redis-2']) {
  const c = lines.find((l) => l.scenario === 'commit' && l.result.label === setup)?.result;
  const r = lines.find((l) => l.scenario === 'classroom' && l.setup === setup)?.result;
  if (!c || !r) continue;
  console.log(`| ${setup} | ${f(c.p50_ms, 2)} | ${f(c.p99_ms, 2)} | ${f(c.ops_per_sec, 0)} | ${f(r.delivered_per_sec, 0)} | ${r.lost} | ${f(r.p50_ms, 2)} | ${f(r.p99_ms, 2)} | ${r.server_cpu_percent == null ? '–' : f(r.server_cpu_percent, 0)} |`);
}
const s = lines.find((l) => l.scenario === 'storm-cluster')?.result;
if (s) {
  console.log('\n| restart storm | clients | rooms | restarted node\'s clients back | all resynced after SIGTERM | after the node was back | ops | lost | duplicated | rooms hash-equal |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${s.nodes} nodes on Redis | ${s.clients} | ${s.rooms} | ${s.reconnected} | ${f(s.all_resynced_after_stop_s, 2)} s | ${f(s.all_resynced_after_s, 2)} s | ${s.ops_created} | ${s.lost} | ${s.duplicated} | ${s.rooms_hash_equal} / ${s.rooms} |`);
}
JS
log "results: $results"
