//! The toolbar: pen, eraser, colours and widths (inline on wide screens, in a popover on
//! phones so the toolbar stays one row), undo and redo of the user's
//! own actions, and clear (after asking; undo brings it back).

use super::icons::Icon;
use crate::{
    client::BoardClient,
    drawing::{Tool, ToolSettings, PALETTE, WIDTHS},
    history::UndoHistory,
};
use leptos::prelude::*;
use tether_core::{board::Op, decimal::decimal};

#[component]
pub fn Toolbar() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let tools = expect_context::<ToolSettings>();

    let history = expect_context::<UndoHistory>();
    let clear = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message("Clear the whole board for everyone?")
                    .ok()
            })
            .unwrap_or(false);
        if confirmed {
            // Undo brings back exactly what this clear took away.
            history.removed(client.state.strokes.get_untracked());
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
                    aria-label=format!("Colour {color}")
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
                    data-width=decimal(f64::from(width), 2)
                    title=format!("Width {}", decimal(f64::from(width), 2))
                    aria-label=format!("Width {}", decimal(f64::from(width), 2))
                    aria-pressed=move || (tools.width.get() == width).to_string()
                    on:click=move |_| tools.width.set(width)
                >
                    <span class="width-dot" style=format!("--dot: {}px", decimal(f64::from(width.min(14.0)), 2))></span>
                </button>
            }
        })
        .collect_view();

    // On phones the colours and widths fold into a popover behind one button.
    let style_open = RwSignal::new(false);
    view! {
        <div class="toolbar" role="toolbar" aria-label="Drawing tools">
            <button
                data-testid="pen"
                title="Pen (P)"
                aria-pressed=move || (tools.tool.get() == Tool::Pen).to_string()
                on:click=move |_| tools.tool.set(Tool::Pen)
            >
                <Icon name="pen"/><span class="label">"Pen"</span>
            </button>
            <button
                data-testid="eraser"
                title="Eraser (E)"
                aria-pressed=move || (tools.tool.get() == Tool::Eraser).to_string()
                on:click=move |_| tools.tool.set(Tool::Eraser)
            >
                <Icon name="eraser"/><span class="label">"Eraser"</span>
            </button>
            <button
                class="style-toggle"
                data-testid="style-toggle"
                aria-label="Colour and width"
                aria-expanded=move || style_open.get().to_string()
                style=move || format!("--swatch: {}", tools.color.get())
                on:click=move |_| style_open.update(|open| *open = !*open)
            >
                <span class="current-swatch"></span>
            </button>
            <div class="tool-style" class:open=move || style_open.get() on:click=move |_| style_open.set(false)>
                <div class="swatches" role="group" aria-label="Colour">{colors}</div>
                <div class="widths" role="group" aria-label="Width">{widths}</div>
            </div>
            <button data-testid="undo" title="Undo (Ctrl+Z)" on:click=move |_| history.undo() disabled=move || !history.can_undo.get()>
                <Icon name="undo"/><span class="label">"Undo"</span>
            </button>
            <button data-testid="redo" title="Redo (Ctrl+Shift+Z)" on:click=move |_| history.redo() disabled=move || !history.can_redo.get()>
                <Icon name="redo"/><span class="label">"Redo"</span>
            </button>
            <button data-testid="clear" class="danger" title="Clear the board" on:click=clear>
                <Icon name="clear"/><span class="label">"Clear"</span>
            </button>
        </div>
    }
}
