//! Who else is on this board, and whether they are connected right now: overlapping
//! avatars (names on hover and for screen readers) and a count.

use crate::client::BoardClient;
use leptos::prelude::*;
use tether_core::{colors::text_color_on, protocol::PeerState};

#[component]
pub fn Presence() -> impl IntoView {
    let state = expect_context::<BoardClient>().state;
    let count = move || state.peers.with(Vec::len) + 1;
    view! {
        <div class="presence-wrap">
        <span class="presence-count" data-testid="presence-count" title="People here, you included">{count}</span>
        <ul class="presence" data-testid="presence" aria-label="People on this board">
            <li class="me" data-testid="self" title="You">
                <span class="avatar">{move || initial(&state.name.get())}</span>
                <span class="peer-name">{move || state.name.get()} " (you)"</span>
            </li>
            {move || state.peers.get().into_iter().map(|peer| view! {
                <li
                    class="peer"
                    class:away=peer.state == PeerState::Away
                    data-testid="peer"
                    data-peer-name=peer.name.clone()
                    data-peer-state=match peer.state { PeerState::Active => "active", PeerState::Away => "away" }
                    title=match peer.state { PeerState::Active => peer.name.clone(), PeerState::Away => format!("{} (connection lost)", peer.name) }
                >
                    <span class="avatar" style=format!("background: {}; color: {}", peer.color, text_color_on(&peer.color))>{initial(&peer.name)}</span>
                    <span class="peer-name">{peer.name.clone()}</span>
                </li>
            }).collect_view()}
        </ul>
        </div>
    }
}

/// The name's first letter, upper-cased. In the browser JavaScript upper-cases a non-ASCII
/// letter: Rust's Unicode case tables would add ~12 KB to the WASM bundle for it.
fn initial(name: &str) -> String {
    let Some(first) = name.chars().next() else {
        return String::new();
    };
    if first.is_ascii() {
        return first.to_ascii_uppercase().to_string();
    }
    #[cfg(feature = "ssr")]
    let upper = first.to_uppercase().collect();
    #[cfg(not(feature = "ssr"))]
    let upper = js_sys::JsString::from(first).to_upper_case().into();
    upper
}
