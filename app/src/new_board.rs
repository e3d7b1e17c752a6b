//! Minting a new board: a fresh, unguessable room id from the browser's cryptographic
//! random source, and a page load of `/b/{id}` (there is no client router). Used by the
//! landing page and by the toast of a board that is full.

use tether_core::ids::{id_from_random, ID_RANDOM_BYTES};

/// Sends the browser to a new, empty board; `Err` says why it could not.
pub fn open_new_board() -> Result<(), String> {
    let id = random_room_id()?;
    let window = web_sys::window().ok_or("no browser window")?;
    window
        .location()
        .set_href(&format!("/b/{id}"))
        .map_err(|_| "the browser refused to open the new board".to_owned())
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
