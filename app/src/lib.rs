//! Tether's shared crate, compiled for the server (feature `ssr`) and for the browser
//! (feature `csr`: the browser renders the page afresh over the server's, see
//! `frontend`'s `take_over`).
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
use route::{current_url, page_for, query_value, Bundle, Page};

/// The whole HTML document the server renders around [`App`]; the browser renders `<body>`
/// again with the page's own bundle ([`Bundle`]) and puts it in place of the server's.
pub fn shell(mut options: LeptosOptions) -> impl IntoView {
    let (path, _) = current_url();
    options.output_name = Bundle::for_page(&page_for(&path))
        .output_name(&options.output_name)
        .into();
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

/// The application as the server renders it: the page for the current URL (see
/// [`route`]), whichever it is.
#[component]
pub fn App() -> impl IntoView {
    root(|page, query| match page {
        Page::Admin => dashboard_pages(page, query),
        page => board_pages(page, query),
    })
}

/// The application as the board's bundle renders it: it holds no dashboard.
#[component]
pub fn BoardApp() -> impl IntoView {
    root(board_pages)
}

/// The application as the dashboard's bundle renders it: it holds no board.
#[component]
pub fn DashboardApp() -> impl IntoView {
    root(dashboard_pages)
}

/// The pages of [`Bundle::Board`]. The dashboard is not one of them: the server loads the
/// other bundle on `/admin`, so it never shows here.
fn board_pages(page: Page, query: &str) -> AnyView {
    match page {
        Page::Landing => view! { <pages::Landing/> }.into_any(),
        Page::Board(room) => {
            let name = query_value(query, "name");
            let devtools = query_value(query, "devtools").is_some_and(|v| v != "0");
            view! { <pages::BoardPage room name devtools/> }.into_any()
        }
        Page::Admin | Page::NotFound => view! { <pages::NotFound/> }.into_any(),
    }
}

/// The page of [`Bundle::Dashboard`].
fn dashboard_pages(page: Page, _query: &str) -> AnyView {
    match page {
        Page::Admin => view! { <pages::AdminPage/> }.into_any(),
        _ => view! { <pages::NotFound/> }.into_any(),
    }
}

/// `<main>` around the page for the current URL, as `pages` shows it; `data-hydrated` on
/// `<main>` turns `true` once the WASM has taken over the server-rendered page: tests wait
/// for it before interacting. Every bundle renders this same structure as the server.
fn root(pages: fn(Page, &str) -> AnyView) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects never run during server rendering, only in the browser once the app is live.
    Effect::new(move |_| hydrated.set(true));
    let (path, query) = current_url();
    let page = pages(page_for(&path), &query);
    view! {
        <main data-hydrated=move || hydrated.get().to_string()>{page}</main>
    }
}
