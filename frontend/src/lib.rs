//! Tether's browser entry point. `hydrate()` is called by the script Leptos puts in the
//! server-rendered page: it installs the connection runtime and attaches the app to the
//! existing DOM instead of re-rendering it.
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

#[cfg(target_arch = "wasm32")]
mod admin_feed;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod netsim;
#[cfg(target_arch = "wasm32")]
mod polling;
#[cfg(target_arch = "wasm32")]
mod runtime;
#[cfg(target_arch = "wasm32")]
mod storage;
#[cfg(target_arch = "wasm32")]
mod transport;
#[cfg(target_arch = "wasm32")]
mod websocket;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::client::{Connector, ConnectorContext};
    use leptos::prelude::*;
    use std::rc::Rc;

    // Panics show up in the browser console with a message instead of "unreachable".
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(|| {
        let connector: Rc<dyn Connector> = Rc::new(runtime::BrowserConnector);
        provide_context(ConnectorContext(StoredValue::new_local(connector)));
        let feed: Rc<dyn app::pages::admin::AdminFeed> = Rc::new(admin_feed::BrowserAdminFeed);
        provide_context(app::pages::admin::AdminFeedContext(StoredValue::new_local(
            feed,
        )));
        view! { <app::App/> }
    });
}
