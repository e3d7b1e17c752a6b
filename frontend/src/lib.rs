//! Tether's browser entry point. `hydrate()` is called by the script Leptos puts in the
//! server-rendered page: it installs the connection runtime, renders the app afresh and
//! puts it in place of the server-rendered DOM ([`take_over`]). The crate builds two
//! bundles: the board's, and with the `dashboard` feature the operator dashboard's
//! (`app::route::Bundle`).
//!
//! Layout (all wasm32-only; on a native target this crate is empty so that
//! `cargo test --workspace` never mixes the app's `csr` and `ssr` features):
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

/// Renders the app `root` makes and puts it in place of the page the server rendered.
///
/// Rendering afresh instead of hydrating the server's DOM keeps Leptos's hydration code
/// (a vtable entry per type-erased view) out of the bundle: 30 KiB gzip, a tenth of it
/// (docs/BENCHMARKS.md, "First load"). The server-rendered page is what a visitor sees
/// until then; the swap happens within one task, so nothing in between is painted.
#[cfg(target_arch = "wasm32")]
fn take_over<View: leptos::prelude::IntoView>(root: impl FnOnce() -> View + 'static) {
    // Panics show up in the browser console with a message instead of "unreachable".
    console_error_panic_hook::set_once();
    let body = leptos::prelude::document().body();
    let served = body.as_ref().map(served_nodes).unwrap_or_default();
    // The app is rendered while the server's nodes are still there: components read what
    // the server embedded in them (the board's snapshot) as they are built.
    leptos::mount::mount_to_body(root);
    if let Some(body) = body {
        for node in served {
            let _ = body.remove_child(&node);
        }
    }
}

/// What the server rendered into `<body>`: its `<main>` and the text and comment nodes
/// around it. Anything else there was put in by someone else (a browser extension's
/// overlay, say) and stays.
#[cfg(target_arch = "wasm32")]
fn served_nodes(body: &web_sys::HtmlElement) -> Vec<web_sys::Node> {
    let mut served = Vec::new();
    let mut next = body.first_child();
    while let Some(node) = next {
        next = node.next_sibling();
        let kind = node.node_type();
        if kind == web_sys::Node::TEXT_NODE
            || kind == web_sys::Node::COMMENT_NODE
            || node.node_name().eq_ignore_ascii_case("main")
        {
            served.push(node);
        }
    }
    served
}

/// Shows the board's pages and gives them the connection runtime. (`hydrate` is the name
/// the loading script Leptos writes into the page calls.)
#[cfg(all(target_arch = "wasm32", not(feature = "dashboard")))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::client::{Connector, ConnectorContext};
    use leptos::prelude::*;
    use std::rc::Rc;

    take_over(|| {
        let connector: Rc<dyn Connector> = Rc::new(runtime::BrowserConnector);
        provide_context(ConnectorContext(StoredValue::new_local(connector)));
        view! { <app::BoardApp/> }
    });
}

/// Shows the operator dashboard and gives it its refresh.
#[cfg(all(target_arch = "wasm32", feature = "dashboard"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::pages::admin::{AdminFeed, AdminFeedContext};
    use leptos::prelude::*;
    use std::rc::Rc;

    take_over(|| {
        let feed: Rc<dyn AdminFeed> = Rc::new(admin_feed::BrowserAdminFeed);
        provide_context(AdminFeedContext(StoredValue::new_local(feed)));
        view! { <app::DashboardApp/> }
    });
}
