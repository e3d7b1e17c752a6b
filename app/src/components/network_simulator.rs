//! The dev-tools network simulator (`?devtools=1`, or Ctrl+Shift+D to show or hide it):
//! offline, online, Slow 3G, 30 % loss, black hole and reset, for developers and demos.
//! It only picks the mode; the browser runtime applies it inside Tether's own transports,
//! so the chip, toasts and metrics panel show what a user on such a network would see.
//! Hidden, it keeps simulating — like the browser's own dev tools.

use crate::client::BoardClient;
use leptos::{ev, prelude::*};
use tether_core::sync::netsim::SimMode;
use web_sys::KeyboardEvent;

#[component]
pub fn NetworkSimulator(
    /// Shown from the start (`?devtools=1`).
    initially_open: bool,
) -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let open = RwSignal::new(initially_open);
    let mode = RwSignal::new(SimMode::Online);
    Effect::new(move |_| {
        let keys = window_event_listener(ev::keydown, move |ev: KeyboardEvent| {
            let command = ev.ctrl_key() || ev.meta_key();
            if command && ev.shift_key() && ev.key().eq_ignore_ascii_case("d") {
                ev.prevent_default();
                open.update(|o| *o = !*o);
            }
        });
        on_cleanup(move || keys.remove());
    });
    let choose = move |chosen: SimMode| {
        client.with(|actions| actions.simulate_network(chosen));
        mode.set(chosen);
    };
    let button = move |chosen: SimMode, label: &'static str| {
        view! {
            <button
                data-testid=format!("netsim-{}", chosen.as_str())
                aria-pressed=move || (mode.get() == chosen).to_string()
                title=chosen.describe()
                on:click=move |_| choose(chosen)
            >
                {label}
            </button>
        }
    };
    view! {
        {move || open.get().then(|| view! {
            <section class="netsim" data-testid="netsim" data-mode=move || mode.get().as_str() aria-label="Network simulator">
                <header class="netsim-head">
                    <h2>"Network simulator"</h2>
                    // Phones have no Ctrl+Shift+D: the panel can be put away from here.
                    <button class="netsim-hide" data-testid="netsim-hide" aria-label="Hide the network simulator" title="Hide (Ctrl+Shift+D shows it again)" on:click=move |_| open.set(false)>"×"</button>
                </header>
                <div class="netsim-modes">
                    {button(SimMode::Offline, "Go offline")}
                    {button(SimMode::Online, "Go online")}
                    {button(SimMode::Slow, "Slow 3G")}
                    {button(SimMode::Lossy, "30% loss")}
                    {button(SimMode::BlackHole, "Black hole")}
                    <button data-testid="netsim-reset" on:click=move |_| choose(SimMode::Online)>"Reset"</button>
                </div>
                <p class="netsim-mode" role="status">{move || mode.get().describe()}</p>
            </section>
        })}
    }
}
