//! Tether's browser entry point. `hydrate()` is called by the script Leptos puts in the
//! server-rendered page: it installs the connection runtime and attaches the app to the
//! existing DOM instead of re-rendering it. The crate builds two bundles: the board's,
//! and with the `dashboard` feature the operator dashboard's (`app::route::Bundle`).
//!
//! Layout (all wasm32-only; on a native target this crate is empty so that
//! `cargo test --workspace` never mixes the app's `hydrate` and `ssr` features):
//! - [`runtime`]: runs the `tether_core::sync` engine — performs its effects, feeds it events.
//! - [`transport`]: one face for both transports; [`websocket`]: the WebSocket transport
//!   (abandonable without waiting for `onclose`) and the upgrade probe; [`polling`]: the
//!   HTTP long-polling fallback; [`netsim`]: the dev-tools network simulator both pass
//!   through.
//! - [`storage`]: client id, display name and the persisted outbox (localStorage).
//! - [`browser`]: clock, randomness and ids from the browser.
//! - [`admin_feed`]: the operator dashboard's refresh.

// Built twice: without the `dashboard` feature it is the board's bundle (landing page,
// boards), with it the operator dashboard's (`/admin`); see `app::route::Bundle`.
#[cfg(all(target_arch = "wasm32", feature = "dashboard"))]
mod admin_feed;
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
mod browser;
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
mod netsim;
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
mod polling;
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
mod runtime;
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
mod storage;
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
mod transport;
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
mod websocket;

/// Hydrates the page the server rendered with the app `root` makes.
#[cfg(target_arch = "wasm32")]
fn hydrate_with<View: leptos::prelude::IntoView>(root: impl FnOnce() -> View + 'static) {
    // Panics show up in the browser console with a message instead of "unreachable".
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(root);
}

/// Hydrates the board's pages and gives them the connection runtime.
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::client::{Connector, ConnectorContext};
    use leptos::prelude::*;
    use std::rc::Rc;

    hydrate_with(|| {
        let connector: Rc<dyn Connector> = Rc::new(runtime::BrowserConnector);
        provide_context(ConnectorContext(StoredValue::new_local(connector)));
        view! { <app::BoardApp/> }
    });
}

/// Hydrates the operator dashboard and gives it its refresh.
#[cfg(all(target_arch = "wasm32", feature = "dashboard"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::pages::admin::{AdminFeed, AdminFeedContext};
    use leptos::prelude::*;
    use std::rc::Rc;

    hydrate_with(|| {
        let feed: Rc<dyn AdminFeed> = Rc::new(admin_feed::BrowserAdminFeed);
        provide_context(AdminFeedContext(StoredValue::new_local(feed)));
        view! { <app::DashboardApp/> }
    });
}
