//! The page for any path no route matches.

use leptos::prelude::*;

/// Shown for unknown paths; the server also answers them with HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="not-found" data-testid="not-found">
            <h1>"Nothing here"</h1>
            <a href="/">"Go to Tether"</a>
        </section>
    }
}
