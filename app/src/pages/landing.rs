//! The landing page: explains Tether in a line and mints a new board.

use leptos::prelude::*;
use tether_core::ids::{id_from_random, ID_RANDOM_BYTES};

/// `/`: a "New board" button that sends the user to a fresh, unguessable `/b/{id}`.
///
/// The button is a `<button>`, not a link: the id is minted in the browser from
/// `crypto.getRandomValues`, so it only works once the WASM has hydrated the page.
#[component]
pub fn Landing() -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    // An ordinary page load: the server renders the new board (there is no client router).
    let new_board = move |_| match random_room_id() {
        Ok(id) => {
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href(&format!("/b/{id}"));
            }
        }
        Err(message) => error.set(Some(message)),
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

/// Mints a room id from the browser's cryptographic random source.
fn random_room_id() -> Result<String, String> {
    let mut bytes = [0u8; ID_RANDOM_BYTES];
    let crypto = web_sys::window()
        .ok_or("no browser window")?
        .crypto()
        .map_err(|_| "this browser has no secure random source (window.crypto)")?;
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "crypto.getRandomValues failed")?;
    Ok(id_from_random(&bytes))
}
