#!/usr/bin/env bash
# Builds the server binary and the site (WASM bundle, CSS, public assets) in exactly the
# layout `cargo leptos build` produces, without needing cargo-leptos:
#
#   target/<profile>/server                 the server (ssr)
#   target/site/pkg/tether.{js,wasm,css}    the board's hydration bundle and the stylesheet
#   target/site/pkg/tether-admin.{js,wasm}  the operator dashboard's bundle (app::route::Bundle)
#   target/site/pkg/*.{br,gz}               release only: compressed copies the server sends
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

rm -rf "$pkg"
mkdir -p "$pkg"

# One bundle: the frontend crate built with `features`, as `pkg/<name>.{js,wasm}`. Both
# bundles come from the same crate, so each is taken out of the target dir before the
# next build replaces it.
build_bundle() {
  local name=$1 features=$2
  log "cargo build -p frontend --target wasm32-unknown-unknown ${wasm_args[*]} --features '$features'"
  cargo build --quiet -p frontend --lib --target wasm32-unknown-unknown "${wasm_args[@]}" \
    --features "$features"
  log "wasm-bindgen -> $pkg/$name.{js,wasm}"
  wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name "$name" \
    "target/wasm32-unknown-unknown/$wasm_dir/frontend.wasm"
  # cargo-leptos' name for the module; the hydration script asks for `<name>.wasm`.
  mv "$pkg/${name}_bg.wasm" "$pkg/$name.wasm"
  if [ $release = 1 ]; then
    local wasm_opt="$TETHER_ROOT/tools/wasm-opt/node_modules/.bin/wasm-opt"
    [ -x "$wasm_opt" ] || die "wasm-opt missing: run scripts/setup.sh"
    log "wasm-opt -Oz $name.wasm"
    "$wasm_opt" -Oz "$pkg/$name.wasm" -o "$pkg/$name.wasm"
  fi
}
build_bundle "$LEPTOS_OUTPUT_NAME" ""
build_bundle "$LEPTOS_OUTPUT_NAME-admin" "dashboard"

cp style/main.css "$pkg/$LEPTOS_OUTPUT_NAME.css"
cp -R public/. "$site/"

if [ $release = 1 ]; then
  # Compressed copies, made once here instead of per request (server/src/bundles.rs).
  log "precompress (brotli 11, gzip 9)"
  node scripts/lib/precompress.js "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css >/dev/null
fi

log "site ready in $site ($(du -h "$pkg/$LEPTOS_OUTPUT_NAME.wasm" | cut -f1) board wasm, $(du -h "$pkg/$LEPTOS_OUTPUT_NAME-admin.wasm" | cut -f1) dashboard wasm)"
echo "target/$server_dir/server"
