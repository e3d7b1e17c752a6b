#!/usr/bin/env bash
# Tether as a cluster on one machine: a Redis, two server nodes and an HAProxy load
# balancer (round-robin, health-checked, WebSocket-aware) on http://127.0.0.1:3000.
#
#   scripts/cluster.sh             debug build
#   scripts/cluster.sh --release   optimized build
#
# Redis and the nodes run on free ports in a temp dir and are stopped (by PID) with
# Ctrl-C or SIGTERM. TETHER_CLUSTER_ADDR=127.0.0.1:8080 serves the balancer elsewhere;
# TETHER_CLUSTER_NODES=3 runs more nodes; other TETHER_* settings reach every node.
# For tests: TETHER_SERVER_BIN runs that binary (no setup, no build; the site must be in
# LEPTOS_SITE_ROOT, default target/site), and TETHER_CLUSTER_STATE=<file> gets one line per
# process once all are up: `redis <pid> <port>`, `node<n> <pid> <addr>`, `haproxy <pid> <addr>`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"

if [ -n "${TETHER_SERVER_BIN:-}" ]; then
  server_bin="$TETHER_SERVER_BIN"
else
  "$TETHER_ROOT/scripts/setup.sh" --build
  select_toolchain
  server_bin="$TETHER_ROOT/$("$TETHER_ROOT/scripts/build-site.sh" "$@" | tail -n 1)"
fi

balancer="${TETHER_CLUSTER_ADDR:-127.0.0.1:3000}"
nodes="${TETHER_CLUSTER_NODES:-2}"
work="$(mktemp -d -t tether-cluster.XXXXXX)"
pids=()

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# A port nothing on 127.0.0.1 answers on.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# Waits until `file` has a line matching `pattern` (a process announcing it is up; a node's
# `listening on` line is logged at info, so `server=info` is always added to RUST_LOG).
wait_for_line() {
  local file="$1" pattern="$2" what="$3"
  for _ in $(seq 1 200); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  die "$what did not start; its log: $file"
}

redis_port="$(free_port)"
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" \
  --appendonly yes --appendfsync always --maxmemory-policy noeviction --save "" \
  --logfile "$work/redis/redis.log" &
pids+=($!)
state="redis $! $redis_port"$'\n'
wait_for_line "$work/redis/redis.log" "Ready to accept connections" "redis-server"
log "redis on 127.0.0.1:$redis_port (appendonly, appendfsync always, noeviction)"

export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
[ "${1:-}" = "--release" ] && export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
backends=""
for n in $(seq 1 "$nodes"); do
  mkdir -p "$work/node$n"
  TETHER_ADDR=127.0.0.1:0 \
    TETHER_REDIS_URL="redis://127.0.0.1:$redis_port/0" \
    TETHER_DATA_DIR="$work/node$n" \
    TETHER_TRUSTED_PROXY=127.0.0.1 \
    TETHER_PUBLIC_URL="http://$balancer" \
    RUST_LOG="${RUST_LOG:-info},server=info" \
    "$server_bin" >"$work/node$n/server.log" 2>&1 &
  pids+=($!)
  node_pid=$!
  wait_for_line "$work/node$n/server.log" "listening on http://" "node $n"
  addr="$(grep -o 'listening on http://[0-9.:]*' "$work/node$n/server.log" | head -n 1 | sed 's|.*http://||')"
  log "node $n on $addr (log: $work/node$n/server.log)"
  state+="node$n $node_pid $addr"$'\n'
  backends+="    server node$n $addr check inter 1s fall 2 rise 1 cookie node$n"$'\n'
done

# What matters for Tether: round-robin, a readiness check (a node whose Redis link is
# down, or that is shutting down, gets no new clients), long tunnel timeouts for
# WebSockets, and X-Forwarded-For so per-address budgets see real clients. A browser sticks
# to its node (cookie `tether-node`: fewer moves between nodes, warm rooms) until that
# node fails; then `redispatch` sends it to another one, where its session resumes.
cat >"$work/haproxy.cfg" <<CFG
global
    # Two sockets per proxied connection must fit the open-file limit.
    maxconn $(( $(ulimit -n) / 2 - 100 ))

defaults
    mode http
    option forwardfor
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    timeout http-keep-alive 10s
    option redispatch
    retries 3

frontend tether
    bind $balancer
    default_backend nodes

backend nodes
    balance roundrobin
    cookie tether-node insert indirect nocache httponly
    option httpchk GET /readyz
    http-check expect status 200
$backends
CFG
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=($haproxy_pid)
state+="haproxy $haproxy_pid $balancer"$'\n'
if [ -n "${TETHER_CLUSTER_STATE:-}" ]; then printf '%s' "$state" >"$TETHER_CLUSTER_STATE"; fi
log "haproxy round-robin on http://$balancer across $nodes nodes (config: $work/haproxy.cfg)"
log "open http://$balancer/ (Ctrl-C stops everything)"
status=0
wait "$haproxy_pid" || status=$?
[ $status = 0 ] || [ $status -ge 128 ] || { cat "$work/haproxy.log" >&2; die "haproxy stopped ($status)"; }
