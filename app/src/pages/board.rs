//! The board page at `/b/{room}`: the shared drawing surface of one room.

use crate::ids::is_valid_id;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/b/{room}`: the board of one room, or a clear message when the link is malformed.
#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let room = move || params.read().get("room").unwrap_or_default();

    move || {
        let room = room();
        if is_valid_id(&room) {
            let label = room.clone();
            view! {
                <section class="board-page" data-room=room>
                    <header class="board-header">
                        <a href="/" class="brand">"Tether"</a>
                        <span class="room-name" data-testid="room-name">{label}</span>
                    </header>
                    <div class="board" data-testid="board"></div>
                </section>
            }
            .into_any()
        } else {
            view! {
                <section class="board-page invalid" data-testid="invalid-room">
                    <h1>"This board link is not valid"</h1>
                    <p>"Board names use letters, digits, '_' and '-', at most 64 characters."</p>
                    <a href="/">"Start a new board"</a>
                </section>
            }
            .into_any()
        }
    }
}
