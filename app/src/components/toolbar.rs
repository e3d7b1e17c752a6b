//! The toolbar: pen colours and widths, eraser, undo (the user's own last stroke) and
//! clear (after asking).

use crate::{
    client::BoardClient,
    drawing::{Tool, ToolSettings, PALETTE, WIDTHS},
};
use leptos::prelude::*;
use tether_core::board::Op;

#[component]
pub fn Toolbar() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let tools = expect_context::<ToolSettings>();
    let state = client.state;

    // The user's newest stroke still on the board (confirmed or pending).
    let own_last = move || {
        let me = state.author.get();
        state.strokes.with(|strokes| {
            strokes
                .iter()
                .rev()
                // No author yet: drawn here before the server said who we are.
                .find(|s| s.author.is_empty() || (!me.is_empty() && s.author == me))
                .map(|s| s.id.clone())
        })
    };
    let undo = move |_| {
        if let Some(id) = own_last() {
            client.with(|actions| actions.submit(Op::EraseStroke { id }));
        }
    };
    let clear = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message("Clear the whole board for everyone?")
                    .ok()
            })
            .unwrap_or(false);
        if confirmed {
            client.with(|actions| actions.submit(Op::Clear));
        }
    };

    let colors = PALETTE
        .iter()
        .map(|&color| {
            let pick = move |_| {
                tools.color.set(color.to_owned());
                tools.tool.set(Tool::Pen);
            };
            view! {
                <button
                    class="swatch"
                    data-testid="color"
                    data-color=color
                    title=format!("Colour {color}")
                    aria-pressed=move || (tools.tool.get() == Tool::Pen && tools.color.get() == color).to_string()
                    style=format!("--swatch: {color}")
                    on:click=pick
                ></button>
            }
        })
        .collect_view();
    let widths = WIDTHS
        .iter()
        .map(|&width| {
            view! {
                <button
                    class="width"
                    data-testid="width"
                    data-width=width.to_string()
                    title=format!("Width {width}")
                    aria-pressed=move || (tools.width.get() == width).to_string()
                    on:click=move |_| tools.width.set(width)
                >
                    <span class="width-dot" style=format!("--dot: {}px", width.min(14.0))></span>
                </button>
            }
        })
        .collect_view();

    view! {
        <div class="toolbar" role="toolbar" aria-label="Drawing tools">
            <button
                data-testid="pen"
                aria-pressed=move || (tools.tool.get() == Tool::Pen).to_string()
                on:click=move |_| tools.tool.set(Tool::Pen)
            >
                "Pen"
            </button>
            <div class="swatches">{colors}</div>
            <div class="widths">{widths}</div>
            <button
                data-testid="eraser"
                aria-pressed=move || (tools.tool.get() == Tool::Eraser).to_string()
                on:click=move |_| tools.tool.set(Tool::Eraser)
            >
                "Eraser"
            </button>
            <button data-testid="undo" on:click=undo disabled=move || own_last().is_none()>
                "Undo"
            </button>
            <button data-testid="clear" class="danger" on:click=clear>
                "Clear"
            </button>
        </div>
    }
}
