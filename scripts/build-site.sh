#!/usr/bin/env bash
# Builds the server binary and the site (WASM bundle, CSS, public assets) in exactly the
# layout `cargo leptos build` produces, without needing cargo-leptos:
#
#   target/<profile>/server                 the server (ssr)
#   target/site/pkg/tether.{js,wasm,css}    hydration bundle and stylesheet
#   target/site/*                           everything in public/
#
#   scripts/build-site.sh             debug build
#   scripts/build-site.sh --release   release build (WASM size-optimized with wasm-opt)
#
# Prints the server binary's path as its last line. Run scripts/setup.sh first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TETHER_ROOT"
select_toolchain || die "no Rust toolchain with wasm32: run scripts/setup.sh first"

release=0
[ "${1:-}" = "--release" ] && release=1
if [ $release = 1 ]; then
  server_args=(--profile server-release); server_dir=server-release
  wasm_args=(--release); wasm_dir=release
else
  server_args=(); server_dir=debug
  wasm_args=(); wasm_dir=debug
fi

site="target/site"
pkg="$site/pkg"

log "cargo build -p server ${server_args[*]}"
cargo build --quiet -p server "${server_args[@]}"

log "cargo build -p frontend --target wasm32-unknown-unknown ${wasm_args[*]}"
cargo build --quiet -p frontend --lib --target wasm32-unknown-unknown "${wasm_args[@]}"

log "wasm-bindgen -> $pkg/$LEPTOS_OUTPUT_NAME.{js,wasm}"
rm -rf "$pkg"
mkdir -p "$pkg"
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name "$LEPTOS_OUTPUT_NAME" \
  "target/wasm32-unknown-unknown/$wasm_dir/frontend.wasm"
# cargo-leptos' name for the module; the hydration script asks for `<name>.wasm`.
mv "$pkg/${LEPTOS_OUTPUT_NAME}_bg.wasm" "$pkg/$LEPTOS_OUTPUT_NAME.wasm"

if [ $release = 1 ]; then
  wasm_opt="$TETHER_ROOT/tools/wasm-opt/node_modules/.bin/wasm-opt"
  [ -x "$wasm_opt" ] || die "wasm-opt missing: run scripts/setup.sh"
  log "wasm-opt -Oz"
  "$wasm_opt" -Oz "$pkg/$LEPTOS_OUTPUT_NAME.wasm" -o "$pkg/$LEPTOS_OUTPUT_NAME.wasm"
fi

cp style/main.css "$pkg/$LEPTOS_OUTPUT_NAME.css"
cp -R public/. "$site/"

log "site ready in $site ($(du -h "$pkg/$LEPTOS_OUTPUT_NAME.wasm" | cut -f1) wasm)"
echo "target/$server_dir/server"
