//! Tether's browser entry point. `hydrate()` is called by the script Leptos puts in the
//! server-rendered page: it attaches the app to the existing DOM instead of re-rendering.
//!
//! Everything here is wasm32-only; on a native target this crate is empty so that
//! `cargo test --workspace` never mixes the app's `hydrate` and `ssr` features.

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panics show up in the browser console with a message instead of "unreachable".
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
