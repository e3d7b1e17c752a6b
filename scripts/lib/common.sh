# shellcheck shell=bash
# Shared helpers for the project's scripts: logging, privileged installs, and choosing the
# Rust toolchain that can build for wasm32. Sourced, never executed.

# The project root, whatever folder the caller ran from.
TETHER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TETHER_ROOT

# The name cargo-leptos would use for the JS/WASM/CSS bundle (`name` in
# [[workspace.metadata.leptos]]); the server needs it at compile time and at run time.
export LEPTOS_OUTPUT_NAME="tether"

# Where the Debian rustc-web fallback keeps the wasm32 standard library once built.
DEBIAN_WASM_STD_DIR="/usr/lib/rustlib/wasm32-unknown-unknown/lib"
# The rustup toolchain name under which /usr (Debian's rustc-web) is linked.
DEBIAN_TOOLCHAIN="debian-web"

log() { printf '\033[1;34m[tether]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[tether] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root (CI), through sudo otherwise (laptops).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install sudo or run as root)"
  fi
}

# True when the rustup toolchain the caller would get by default already has wasm32 std.
default_toolchain_has_wasm() {
  [ "${TETHER_TOOLCHAIN:-}" = debian ] && return 1
  command -v rustup >/dev/null 2>&1 || return 1
  [ "${RUSTUP_TOOLCHAIN:-}" = "$DEBIAN_TOOLCHAIN" ] && return 1
  rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'
}

# True when the Debian fallback is complete: compiler, wasm std, linker and rustup link.
debian_toolchain_ready() {
  [ -x /usr/bin/rustc ] || return 1
  compgen -G "$DEBIAN_WASM_STD_DIR/libstd-*.rlib" >/dev/null || return 1
  [ -e /usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld ] || return 1
  command -v rustup >/dev/null 2>&1 || return 0
  rustup toolchain list 2>/dev/null | grep -q "^$DEBIAN_TOOLCHAIN"
}

# TETHER_TOOLCHAIN=debian forces the Debian fallback even where rustup has wasm32 (to test
# that path, or to build with the same 1.96 compiler that cargo-leptos needs).
# Exports RUSTUP_TOOLCHAIN when the Debian fallback is the toolchain that can build wasm.
# Every cargo call of the project (native and wasm) then uses the same compiler, so the
# one target dir is never rebuilt by a second compiler version.
select_toolchain() {
  if default_toolchain_has_wasm; then
    return 0
  elif debian_toolchain_ready; then
    if command -v rustup >/dev/null 2>&1; then
      export RUSTUP_TOOLCHAIN="$DEBIAN_TOOLCHAIN"
    else
      export PATH="/usr/bin:$PATH"
    fi
    return 0
  fi
  return 1
}

# The wasm-bindgen version the lockfile pins; wasm-bindgen-cli must match it exactly.
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$TETHER_ROOT/Cargo.lock"
}

# Puts the cargo bin dir on PATH (fresh shells in CI may not have it).
export PATH="$HOME/.cargo/bin:$PATH"

# For the benchmarks: tools installed, every open file the process may have (thousands of
# sockets on each side), the release site and server and the release load generator (and
# raw hub). Sets server_bin and loadgen.
prepare_benchmark() {
  "$TETHER_ROOT/scripts/setup.sh" --build
  select_toolchain
  ulimit -n "$(ulimit -Hn)"
  log "release builds (server, WASM with wasm-opt, load generator, raw hub)"
  server_bin="$TETHER_ROOT/$("$TETHER_ROOT/scripts/build-site.sh" --release | tail -n 1)"
  cargo build --quiet --profile server-release -p loadgen
  loadgen="$TETHER_ROOT/target/server-release/loadgen"
}
