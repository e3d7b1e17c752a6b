//! Peers' pointers over the board, each with its owner's name.

use crate::client::BoardClient;
use leptos::prelude::*;

#[component]
pub fn Cursors() -> impl IntoView {
    let state = expect_context::<BoardClient>().state;
    view! {
        <div class="cursors" aria-hidden="true">
            <For each=move || state.cursors.get() key=|c| (c.session.clone(), c.x.to_bits(), c.y.to_bits()) let:cursor>
                <div
                    class="cursor"
                    data-testid="cursor"
                    data-peer-name=cursor.name.clone()
                    style=format!("transform: translate({}px, {}px); --cursor: {}", cursor.x, cursor.y, cursor.color)
                >
                    <span class="cursor-name">{cursor.name.clone()}</span>
                </div>
            </For>
        </div>
    }
}
