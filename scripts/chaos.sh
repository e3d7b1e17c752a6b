#!/usr/bin/env bash
# On-demand chaos runs (the test command runs a short one itself).
#   scripts/chaos.sh                 the long run: 10 min, 24 clients, 4 rooms, 5 kill -9, 5 graceful
#   scripts/chaos.sh --cluster       the same on two nodes + Redis, with 3 Redis crashes
#   scripts/chaos.sh --seconds 60 --clients 12     any `chaos` flags instead
# Prints the summary line; the long run's figures belong in docs/RELIABILITY.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"
"$TETHER_ROOT/scripts/setup.sh" --build >/dev/null
select_toolchain
cargo build --quiet -p server -p chaos
if [ $# -eq 0 ]; then
  set -- --seconds 600 --clients 24 --rooms 4 --kills 5 --graceful 5
elif [ "$*" = "--cluster" ]; then
  set -- --seconds 600 --clients 24 --rooms 4 --kills 5 --graceful 5 --cluster-nodes 2 --redis-restarts 3
fi
exec target/debug/chaos --server-bin target/debug/server --json "$@"
