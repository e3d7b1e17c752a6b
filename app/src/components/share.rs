//! Sharing and keeping the board: copy its link, and download it as PNG or SVG. On
//! phones the three fold behind one "share" button, like the colours.

use super::{icons::Icon, render::paint};
use crate::{client::BoardClient, notices::ToastKind};
use leptos::prelude::*;
use std::sync::Arc;
use tether_core::{
    board::Stroke,
    view::{export_frame, to_svg, Camera},
};
use wasm_bindgen::JsCast;

/// Device pixels per board unit in a PNG export (sharp on high-density screens)...
const PNG_SCALE: f32 = 2.0;
/// ...unless that would make a side longer than this.
const PNG_MAX_SIDE: f32 = 8192.0;

/// The share buttons of the board of `room` (which names the downloaded files).
#[component]
pub fn Share(room: String) -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let open = RwSignal::new(false);
    let copy_link = move |_| copy_link(client);
    let export_png = {
        let room = room.clone();
        move |_| {
            client
                .state
                .strokes
                .with_untracked(|strokes| export_png(&room, strokes))
        }
    };
    let export_svg = move |_| {
        client.state.strokes.with_untracked(|strokes| {
            let svg = to_svg(strokes.iter().map(|s| s.as_ref()));
            let url = format!(
                "data:image/svg+xml;charset=utf-8,{}",
                js_sys::encode_uri_component(&svg)
            );
            download(&url, &format!("{room}.svg"));
        })
    };
    view! {
        <div class="share-group">
        <button
            class="share-toggle"
            data-testid="share-toggle"
            aria-label="Share and export"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            <Icon name="link"/>
        </button>
        <div class="share" class:open=move || open.get() on:click=move |_| open.set(false)>
            <button data-testid="copy-link" title="Copy the board's link" aria-label="Copy link" on:click=copy_link>
                <Icon name="link"/><span class="label">"Link"</span>
            </button>
            <button data-testid="export-png" title="Download as PNG" aria-label="Export as PNG" on:click=export_png>
                <Icon name="download"/><span class="label">"PNG"</span>
            </button>
            <button data-testid="export-svg" title="Download as SVG" aria-label="Export as SVG" on:click=export_svg>
                <Icon name="download"/><span class="label">"SVG"</span>
            </button>
        </div>
        </div>
    }
}

/// Copies the page's address (without `?name=`, which is personal) and says so.
fn copy_link(client: BoardClient) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let link = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    let state = client.state;
    let promise = window.navigator().clipboard().write_text(&link);
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => state.toast(
                ToastKind::Info,
                "Link copied: send it to anyone to draw together.".into(),
            ),
            Err(_) => state.toast(
                ToastKind::Info,
                format!("Copy this link to share the board: {link}"),
            ),
        }
    });
}

/// Renders the whole drawing on an off-screen canvas and downloads it.
fn export_png(room: &str, strokes: &[Arc<Stroke>]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(canvas) = document
        .create_element("canvas")
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    let frame = export_frame(strokes.iter().map(|s| s.as_ref()));
    let (x, y, width, height) = (frame.min_x, frame.min_y, frame.width(), frame.height());
    let scale = PNG_SCALE.min(PNG_MAX_SIDE / width.max(height));
    canvas.set_width((width * scale).ceil() as u32);
    canvas.set_height((height * scale).ceil() as u32);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let camera = Camera { x, y, zoom: scale };
    let size = ((width * scale) as f64, (height * scale) as f64);
    paint(
        &ctx,
        size,
        1.0,
        camera,
        Some("#ffffff"),
        strokes.iter().map(|s| s.as_ref()),
    );
    if let Ok(url) = canvas.to_data_url_with_type("image/png") {
        download(&url, &format!("{room}.png"));
    }
}

/// Starts a download of `url` under `filename`.
fn download(url: &str, filename: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(url);
        anchor.set_download(filename);
        anchor.click();
    }
}
