//! Peers' pointers over the board, each with its owner's name, placed through this
//! viewer's camera (cursor positions travel in board units).

use crate::{client::BoardClient, viewport::Viewport};
use leptos::prelude::*;
use tether_core::{colors::text_color_on, decimal::decimal};

#[component]
pub fn Cursors() -> impl IntoView {
    let state = expect_context::<BoardClient>().state;
    let viewport = expect_context::<Viewport>();
    view! {
        <div class="cursors" aria-hidden="true">
            <For each=move || state.cursors.get() key=|c| (c.session.clone(), c.x.to_bits(), c.y.to_bits()) let:cursor>
                <div
                    class="cursor"
                    data-testid="cursor"
                    data-peer-name=cursor.name.clone()
                    style={
                        let (at, color) = ((cursor.x, cursor.y), cursor.color.clone());
                        move || {
                            let (x, y) = viewport.camera.get().to_screen(at);
                            format!("transform: translate({}px, {}px); --cursor: {color}; --cursor-text: {}", decimal(f64::from(x), 1), decimal(f64::from(y), 1), text_color_on(&color))
                        }
                    }
                >
                    <span class="cursor-name">{cursor.name.clone()}</span>
                </div>
            </For>
        </div>
    }
}
