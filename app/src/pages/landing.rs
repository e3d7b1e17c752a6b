//! The landing page: explains Tether in a line and mints a new board.

use crate::new_board::open_new_board;
use leptos::prelude::*;

/// `/`: a "New board" button that sends the user to a fresh, unguessable `/b/{id}`.
///
/// The button is a `<button>`, not a link: the id is minted in the browser from
/// `crypto.getRandomValues`, so it only works once the WASM has hydrated the page.
#[component]
pub fn Landing() -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let new_board = move |_| {
        if let Err(message) = open_new_board() {
            error.set(Some(message));
        }
    };

    view! {
        <section class="landing">
            <h1>"Tether"</h1>
            <p class="tagline">"Draw together. Every stroke arrives, whatever the network does."</p>
            <button data-testid="new-board" class="primary" on:click=new_board>
                "New board"
            </button>
            {move || error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        </section>
    }
}
