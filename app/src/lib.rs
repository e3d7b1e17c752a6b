//! Tether's shared crate, compiled for the server (feature `ssr`) and for the browser
//! (feature `hydrate`).
//!
//! Layout:
//! - [`client`]: the reactive socket signal — board state and actions the components use
//!   (no browser APIs; the `frontend` runtime drives it).
//! - [`notices`]: the wording of toasts.  [`drawing`]: the drawing tools (pen, eraser,
//!   palette, widths).  [`snapshot`]: the board's state embedded in the server-rendered page.
//! - [`components`]: UI components, one per file; [`pages`]: the pages; [`route`]: which
//!   page a URL shows.
//! - this file: the HTML [`shell`] and the [`App`] root.
//!
//! The protocol, the board model and the sync engine live in `tether-core`, which every
//! crate shares; this crate is the UI around them.

// Leptos view types nest deeply; the board page exceeds the default query depth.
#![recursion_limit = "512"]

pub mod client;
pub mod components;
pub mod drawing;
pub mod history;
pub mod new_board;
pub mod notices;
pub mod pages;
pub mod route;
pub mod snapshot;
pub mod viewport;

use leptos::prelude::*;
use route::{current_url, page_for, query_value, Page};

/// The whole HTML document the server renders around [`App`]; the browser hydrates `<body>`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // Plain tags in the server-rendered head (no meta-tag machinery in the WASM).
                <title>"Tether"</title>
                <link rel="stylesheet" id="leptos" href="/pkg/tether.css"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: the page for the current URL (see [`route`]). `data-hydrated` on
/// `<main>` turns `true` once the WASM has taken over the server-rendered page: tests wait
/// for it before interacting.
#[component]
pub fn App() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects never run during server rendering, only in the browser after hydration.
    Effect::new(move |_| hydrated.set(true));
    let (path, query) = current_url();
    let page = match page_for(&path) {
        Page::Landing => view! { <pages::Landing/> }.into_any(),
        Page::Board(room) => {
            let name = query_value(&query, "name");
            let devtools = query_value(&query, "devtools").is_some_and(|v| v != "0");
            view! { <pages::BoardPage room name devtools/> }.into_any()
        }
        Page::Admin => view! { <pages::AdminPage/> }.into_any(),
        Page::NotFound => view! { <pages::NotFound/> }.into_any(),
    };

    view! {
        <main data-hydrated=move || hydrated.get().to_string()>{page}</main>
    }
}
