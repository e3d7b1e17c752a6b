//! The zoom buttons in the board's bottom-right corner: out, the current zoom (which
//! resets to 100 % when pressed), in, and "fit to content".

use crate::{client::BoardClient, viewport::Viewport};
use leptos::prelude::*;
use tether_core::decimal::decimal;

#[component]
pub fn ZoomControls() -> impl IntoView {
    let viewport = expect_context::<Viewport>();
    let strokes = expect_context::<BoardClient>().state.strokes;
    let percent = move || {
        format!(
            "{}%",
            decimal(f64::from(viewport.camera.get().zoom) * 100.0, 0)
        )
    };
    let actual_size = move |_| {
        let (width, height) = viewport.size.get_untracked();
        let middle = (width / 2.0, height / 2.0);
        viewport.camera.update(|camera| {
            *camera = camera.zoomed_at(middle, 1.0 / camera.zoom);
        });
    };
    view! {
        <div class="zoom-controls" role="group" aria-label="Zoom">
            <button data-testid="zoom-out" title="Zoom out (-)" aria-label="Zoom out" on:click=move |_| viewport.zoom_out()>
                "−"
            </button>
            <button class="zoom-level" title="Zoom to 100%" aria-label="Zoom to 100%" on:click=actual_size>
                {percent}
            </button>
            <button data-testid="zoom-in" title="Zoom in (+)" aria-label="Zoom in" on:click=move |_| viewport.zoom_in()>
                "+"
            </button>
            <button
                data-testid="zoom-fit"
                title="Fit the drawing (0)"
                aria-label="Fit the drawing to the screen"
                on:click=move |_| strokes.with_untracked(|s| viewport.fit(s))
            >
                <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
                    <path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4" fill="none" stroke="currentColor" stroke-width="1.6"/>
                </svg>
            </button>
        </div>
    }
}
