//! Small line icons for the toolbar, drawn inline (no icon font, no extra request).

use leptos::prelude::*;

/// An icon by name; unknown names draw nothing. Always `aria-hidden`: the button around
/// it carries the accessible name.
#[component]
pub fn Icon(name: &'static str) -> impl IntoView {
    let path = match name {
        "pen" => "M3 13l1-4 7-7 3 3-7 7-4 1zM10 3l3 3",
        "eraser" => "M6 14h8M2.5 10.5l6-6 5 5-4 4.5H6.5z",
        "undo" => "M5 3L2 6l3 3M2 6h8a4 4 0 010 8H6",
        "redo" => "M11 3l3 3-3 3M14 6H6a4 4 0 000 8h4",
        "clear" => "M3 4h10M6 4V2.5h4V4M4.5 4l.8 10h5.4l.8-10",
        "link" => "M7 9a3 3 0 004 0l2-2a3 3 0 00-4-4l-1 1M9 7a3 3 0 00-4 0l-2 2a3 3 0 004 4l1-1",
        "download" => "M8 2v8M4.5 6.5L8 10l3.5-3.5M3 13h10",
        _ => "",
    };
    view! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d=path fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}
