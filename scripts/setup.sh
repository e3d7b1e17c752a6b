#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already there.
# Unattended (no prompts), idempotent, and safe to run on every build: a second run takes
# seconds. Works on this project's Debian machines (no rustup downloads: falls back to
# Debian's rustc-web) and on an ordinary laptop with rustup and internet.
#
#   scripts/setup.sh            everything (build + browser tests)
#   scripts/setup.sh --build    only what building and serving the site needs
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

want_browser_tests=1
[ "${1:-}" = "--build" ] && want_browser_tests=0

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
# Installs Debian packages that are not installed yet (one apt-get update per run at most).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  if [ $apt_updated = 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------- Rust for wasm32
# Builds the wasm32 standard library from Debian's rust-web-src, once, into the sysroot.
build_debian_wasm_std() {
  local scratch
  scratch="$(mktemp -d)"
  log "building the wasm32 standard library from Debian's rust-web-src (~1 min, once)"
  mkdir -p "$scratch/src"
  printf '[package]\nname = "wasm_std_scratch"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["rlib"]\n[workspace]\n' \
    > "$scratch/Cargo.toml"
  : > "$scratch/src/lib.rs"
  (cd "$scratch" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo build --quiet --release --target wasm32-unknown-unknown \
    -Zbuild-std=std,panic_abort,panic_unwind,proc_macro)
  as_root mkdir -p "$DEBIAN_WASM_STD_DIR"
  as_root find "$scratch/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' \
    ! -name 'libwasm_std_scratch-*' -exec cp {} "$DEBIAN_WASM_STD_DIR/" \;
  rm -rf "$scratch"
}

setup_debian_toolchain() {
  apt_install rustc-web cargo-web rust-web-src lld-22
  compgen -G "$DEBIAN_WASM_STD_DIR/libstd-*.rlib" >/dev/null || build_debian_wasm_std
  local lld_link=/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld
  if [ ! -e "$lld_link" ]; then
    log "linking rust-lld to LLVM 22's lld"
    as_root mkdir -p "$(dirname "$lld_link")"
    as_root ln -sf /usr/lib/llvm-22/bin/lld "$lld_link"
  fi
  if command -v rustup >/dev/null 2>&1 && ! rustup toolchain list | grep -q "^$DEBIAN_TOOLCHAIN"; then
    log "rustup toolchain link $DEBIAN_TOOLCHAIN /usr"
    rustup toolchain link "$DEBIAN_TOOLCHAIN" /usr
  fi
}

setup_rust() {
  if select_toolchain; then
    log "rust: wasm32 toolchain present (${RUSTUP_TOOLCHAIN:-rustup default})"
    return 0
  fi
  if command -v rustup >/dev/null 2>&1 && [ "${TETHER_TOOLCHAIN:-}" != debian ]; then
    # Where rustup can download (laptops) this is all it takes. On this project's
    # machines the download hangs forever, hence the timeout and the fallback.
    log "rustup target add wasm32-unknown-unknown (60 s limit)"
    if timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 && select_toolchain; then
      log "rust: wasm32 target installed by rustup"
      return 0
    fi
    log "rustup could not fetch the wasm32 std: using Debian's rustc-web instead"
  fi
  setup_debian_toolchain
  select_toolchain || die "no Rust toolchain that can build wasm32 after setup"
  log "rust: using ${RUSTUP_TOOLCHAIN:-/usr/bin/rustc} ($(rustc --version))"
}

# ---------------------------------------------------------------- build tools
setup_wasm_bindgen() {
  local want have
  want="$(locked_wasm_bindgen_version)"
  [ -n "$want" ] || die "Cargo.lock pins no wasm-bindgen version"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" || true
  if [ "$have" = "$want" ]; then
    log "wasm-bindgen-cli $want present"
    return 0
  fi
  log "cargo install wasm-bindgen-cli $want (~4 min, once)"
  # No --locked: one of its locked dependencies is no longer on the registry.
  cargo install --quiet --force wasm-bindgen-cli --version "$want"
}

setup_node_tools() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  local dir
  for dir in "$@"; do
    # npm ci only when package-lock.json changed since the last install.
    if [ -f "$dir/node_modules/.package-lock.json" ] \
       && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
      log "npm packages in ${dir#"$TETHER_ROOT"/} present"
      continue
    fi
    log "npm ci in ${dir#"$TETHER_ROOT"/}"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  done
}

setup_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then
    log "chromium: $CHROMIUM_PATH"
    return 0
  fi
  apt_install chromium
  log "chromium: $(command -v chromium)"
}

# Redis (the cluster's store) and HAProxy (its load balancer): the tests start real ones.
setup_cluster_tools() {
  apt_install redis-server haproxy
  log "redis: $(redis-server --version | awk '{print $3}'), haproxy: $(haproxy -v | awk 'NR==1 {print $3}')"
}

# Prometheus: `promtool check metrics` validates /metrics in the tests, and the alert
# rules in docs/ are checked with `promtool check rules`.
setup_prometheus_tools() {
  apt_install prometheus
  log "promtool: $(promtool --version 2>&1 | awk 'NR==1 {print $3}')"
}

setup_rust
setup_wasm_bindgen
setup_cluster_tools
setup_prometheus_tools
setup_node_tools "$TETHER_ROOT/tools/wasm-opt"
if [ $want_browser_tests = 1 ]; then
  setup_chromium
  setup_node_tools "$TETHER_ROOT/end2end"
fi
log "setup complete"
