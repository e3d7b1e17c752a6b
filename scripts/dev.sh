#!/usr/bin/env bash
# Development loop: `cargo leptos watch` (rebuild + live reload on every save), using the
# same toolchain and tools as scripts/run.sh. Extra arguments go to cargo-leptos, e.g.
#   scripts/dev.sh             cargo leptos watch
#   scripts/dev.sh build       cargo leptos build (same site layout as scripts/build-site.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"

"$TETHER_ROOT/scripts/setup.sh" --build
select_toolchain
if ! cargo leptos --version >/dev/null 2>&1; then
  die "cargo-leptos is not installed. It needs rustc >= 1.96 and compiles for ~31 min on 2 cores:
    TETHER_TOOLCHAIN=debian scripts/setup.sh --build   # only where rustup's stable is older than 1.96
    cargo +debian-web install cargo-leptos --locked --features no_downloads
  (on a laptop with a recent stable: cargo install cargo-leptos --locked)"
fi
# cargo-leptos builds one bundle, the board's (`/pkg/tether.*`). The operator dashboard's
# (`/pkg/tether-admin.*`, the frontend crate's `dashboard` feature) is built here, once,
# with the rest of the site: rerun this script after changing the dashboard.
"$TETHER_ROOT/scripts/build-site.sh" >/dev/null
# no_downloads: cargo-leptos takes wasm-bindgen and wasm-opt from PATH.
export PATH="$TETHER_ROOT/tools/wasm-opt/node_modules/.bin:$PATH"
exec cargo leptos "${@:-watch}"
