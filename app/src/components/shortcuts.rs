//! Keyboard shortcuts on the board page: P pen, E eraser, + / − zoom, 0 fit, space + drag
//! pans, Ctrl/⌘+Z undo, Ctrl/⌘+Shift+Z (or Ctrl+Y) redo. Keys typed into a text field are left alone.

use crate::{
    client::BoardClient,
    drawing::{Tool, ToolSettings},
    history::UndoHistory,
    viewport::Viewport,
};
use leptos::{ev, prelude::*};
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

/// Listens on the window while the board page is open; renders nothing.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let tools = expect_context::<ToolSettings>();
    let viewport = expect_context::<Viewport>();
    let history = expect_context::<UndoHistory>();
    Effect::new(move |_| {
        let down = window_event_listener(ev::keydown, move |ev: KeyboardEvent| {
            if typing(&ev) || (ev.key() == " " && on_button(&ev)) {
                return;
            }
            let command = ev.ctrl_key() || ev.meta_key();
            let handled = match ev.key().as_str() {
                " " => {
                    viewport.pan_key.set(true);
                    true
                }
                "z" | "Z" if command && !ev.shift_key() => {
                    history.undo();
                    true
                }
                "z" | "Z" | "y" | "Y" if command => {
                    history.redo();
                    true
                }
                _ if command || ev.alt_key() => false,
                "p" | "P" | "b" | "B" => {
                    tools.tool.set(Tool::Pen);
                    true
                }
                "e" | "E" => {
                    tools.tool.set(Tool::Eraser);
                    true
                }
                "+" | "=" => {
                    viewport.zoom_in();
                    true
                }
                "-" | "_" => {
                    viewport.zoom_out();
                    true
                }
                "0" => {
                    client.state.strokes.with_untracked(|s| viewport.fit(s));
                    true
                }
                _ => false,
            };
            if handled {
                ev.prevent_default();
            }
        });
        let up = window_event_listener(ev::keyup, move |ev: KeyboardEvent| {
            if ev.key() == " " {
                viewport.pan_key.set(false);
            }
        });
        // Keys released while the window had no focus never send keyup.
        let blur = window_event_listener(ev::blur, move |_| viewport.pan_key.set(false));
        on_cleanup(move || {
            down.remove();
            up.remove();
            blur.remove();
        });
    });
}

fn target_tag(ev: &KeyboardEvent) -> String {
    ev.target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .map(|element| element.tag_name())
        .unwrap_or_default()
}

/// True when the key goes to a text field.
fn typing(ev: &KeyboardEvent) -> bool {
    matches!(target_tag(ev).as_str(), "INPUT" | "TEXTAREA" | "SELECT")
}

/// True when the key goes to a button (space must still press it).
fn on_button(ev: &KeyboardEvent) -> bool {
    target_tag(ev) == "BUTTON"
}
