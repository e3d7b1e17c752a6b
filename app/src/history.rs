//! Undo of this user's own work on the board.

use crate::client::BoardClient;
use leptos::prelude::*;
use tether_core::board::Op;

/// The id of this user's newest stroke still on the board (confirmed or pending).
pub fn own_last(client: BoardClient) -> Option<String> {
    let state = client.state;
    let me = state.author.get();
    state.strokes.with(|strokes| {
        strokes
            .iter()
            .rev()
            // No author yet: drawn here before the server said who we are.
            .find(|s| s.author.is_empty() || (!me.is_empty() && s.author == me))
            .map(|s| s.id.clone())
    })
}

/// Removes this user's newest stroke.
pub fn undo_own_last(client: BoardClient) {
    if let Some(id) = own_last(client) {
        client.with(|actions| actions.submit(Op::EraseStroke { id }));
    }
}
