//! The drawing surface: a device-pixel-ratio aware canvas that paints the board, and the
//! pointer handling (mouse, touch and pen alike, with pointer capture) that turns
//! gestures into strokes and erasures.
//!
//! Painting is coalesced into one `requestAnimationFrame` per frame; the same frame sends
//! the new live points of the stroke being drawn and the cursor position, so peers get at
//! most one message of each per frame.

use super::{cursors::Cursors, render::paint};
use crate::{
    client::BoardClient,
    drawing::{Tool, ToolSettings, ERASER_RADIUS},
};
use leptos::{ev, html, prelude::*};
use std::collections::HashSet;
use tether_core::{
    board::{
        builder::{Added, StrokeBuilder},
        geometry::erased_by,
        Op, Point, Stroke,
    },
    protocol::LiveStroke,
};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, PointerEvent};

/// An eraser drag in progress: the last position and what it already erased.
struct EraserDrag {
    last: (f32, f32),
    erased: HashSet<String>,
}

/// The board: `[data-testid=board]` with its test hooks.
#[component]
pub fn BoardCanvas() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let tools = expect_context::<ToolSettings>();
    let state = client.state;
    let board_ref = NodeRef::<html::Div>::new();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let drawing = StoredValue::new(None::<StrokeBuilder>);
    let drawing_id = RwSignal::new(None::<String>);
    let eraser = StoredValue::new(None::<EraserDrag>);
    let cursor_unsent = StoredValue::new(None::<(f32, f32)>);
    let frame_pending = StoredValue::new(false);

    // One frame: send what peers should see, then paint.
    let on_frame = move || {
        frame_pending.set_value(false);
        drawing.update_value(|builder| {
            if let Some(builder) = builder {
                let points = builder.take_unsent();
                if !points.is_empty() {
                    let stroke = builder.stroke();
                    let live = live_batch(stroke, points, false);
                    client.with(|actions| actions.live(live));
                }
            }
        });
        if let Some((x, y)) = cursor_unsent.get_value() {
            cursor_unsent.set_value(None);
            client.with(|actions| actions.cursor(x, y));
        }
        paint_board(board_ref, canvas_ref, client, drawing);
    };
    let schedule = move || {
        if !frame_pending.get_value() {
            frame_pending.set_value(true);
            request_animation_frame(on_frame);
        }
    };

    // Repaint whenever what is shown changes.
    Effect::new(move |_| {
        state.strokes.track();
        state.live.track();
        schedule();
    });
    // Repaint (at the new size) when the window is resized.
    Effect::new(move |_| {
        let handle = window_event_listener(ev::resize, move |_| schedule());
        on_cleanup(move || handle.remove());
    });

    let position = move |ev: &PointerEvent| -> Option<Point> {
        let rect = board_ref.get_untracked()?.get_bounding_client_rect();
        let x = ev.client_x() as f32 - rect.left() as f32;
        let y = ev.client_y() as f32 - rect.top() as f32;
        let pressure = (ev.pointer_type() == "pen").then(|| ev.pressure());
        Some(Point { x, y, pressure })
    };

    let erase = move |from: (f32, f32), to: (f32, f32)| {
        let hits = state.strokes.with_untracked(|strokes| {
            erased_by(strokes.iter().map(|s| s.as_ref()), from, to, ERASER_RADIUS)
        });
        eraser.update_value(|drag| {
            if let Some(drag) = drag {
                for id in hits {
                    if drag.erased.insert(id.clone()) {
                        client.with(|actions| actions.submit(Op::EraseStroke { id }));
                    }
                }
                drag.last = to;
            }
        });
    };

    let start_stroke = move |at: Point| -> Option<StrokeBuilder> {
        let id = client.with(|actions| actions.new_id())?;
        // Empty until the server said this user's author id: the server sets it anyway.
        let author = state.author.get_untracked();
        Some(StrokeBuilder::start(
            id,
            tools.color.get_untracked(),
            tools.width.get_untracked(),
            author,
            at,
        ))
    };

    let submit_stroke = move |builder: StrokeBuilder| {
        let stroke = builder.finish();
        client.with(|actions| actions.submit(Op::AddStroke { stroke }));
    };

    let on_pointerdown = move |ev: PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        let Some(at) = position(&ev) else { return };
        ev.prevent_default();
        if let Some(board) = board_ref.get_untracked() {
            let _ = board.set_pointer_capture(ev.pointer_id());
        }
        match tools.tool.get_untracked() {
            Tool::Pen => {
                if let Some(builder) = start_stroke(at) {
                    drawing_id.set(Some(builder.stroke().id.clone()));
                    drawing.set_value(Some(builder));
                }
            }
            Tool::Eraser => {
                eraser.set_value(Some(EraserDrag {
                    last: (at.x, at.y),
                    erased: HashSet::new(),
                }));
                erase((at.x, at.y), (at.x, at.y));
            }
        }
        schedule();
    };

    let on_pointermove = move |ev: PointerEvent| {
        let Some(at) = position(&ev) else { return };
        cursor_unsent.set_value(Some((at.x, at.y)));
        let mut finished = None;
        drawing.update_value(|builder| {
            if let Some(current) = builder {
                if current.add(at) == Added::Full {
                    // Chain a new stroke from here so long gestures stay within limits.
                    let last = current.last_point();
                    let next = start_stroke(last);
                    finished = builder.take();
                    if let Some(next) = next {
                        drawing_id.set(Some(next.stroke().id.clone()));
                        *builder = Some(next);
                    }
                }
            }
        });
        if let Some(done) = finished {
            submit_stroke(done);
        }
        if let Some(from) = eraser.with_value(|drag| drag.as_ref().map(|d| d.last)) {
            erase(from, (at.x, at.y));
        }
        schedule();
    };

    let on_pointerup = move |_: PointerEvent| {
        if let Some(builder) = drawing.try_update_value(Option::take).flatten() {
            submit_stroke(builder);
        }
        drawing_id.set(None);
        eraser.set_value(None);
        schedule();
    };

    let on_pointercancel = move |_: PointerEvent| {
        if let Some(builder) = drawing.try_update_value(Option::take).flatten() {
            let cancelled = live_batch(builder.stroke(), Vec::new(), true);
            client.with(|actions| actions.live(cancelled));
        }
        drawing_id.set(None);
        eraser.set_value(None);
        schedule();
    };

    // Strokes visible: confirmed + pending + the one being drawn + peers' live ones.
    let stroke_count = Memo::new(move |_| {
        let strokes = state.strokes.get();
        let ids: HashSet<&str> = strokes.iter().map(|s| s.id.as_str()).collect();
        let drawing = drawing_id
            .get()
            .filter(|id| !ids.contains(id.as_str()))
            .is_some() as usize;
        let live = state
            .live
            .with(|live| live.iter().filter(|l| !ids.contains(l.id.as_str())).count());
        strokes.len() + drawing + live
    });

    view! {
        <div
            class="board"
            class:eraser=move || tools.tool.get() == Tool::Eraser
            data-testid="board"
            data-stroke-count=move || stroke_count.get().to_string()
            data-live-stroke-count=move || state.live.with(Vec::len).to_string()
            data-seq=move || state.seq.get().to_string()
            data-doc-hash=move || state.doc_hash.get()
            node_ref=board_ref
            on:pointerdown=on_pointerdown
            on:pointermove=on_pointermove
            on:pointerup=on_pointerup
            on:pointercancel=on_pointercancel
        >
            <canvas node_ref=canvas_ref aria-label="Shared drawing board"></canvas>
            <Cursors/>
        </div>
    }
}

fn live_batch(stroke: &Stroke, points: Vec<Point>, cancelled: bool) -> LiveStroke {
    LiveStroke {
        stroke_id: stroke.id.clone(),
        color: stroke.color.clone(),
        width: stroke.width,
        points,
        session: String::new(),
        cancelled,
    }
}

/// Sizes the canvas to its box at the device pixel ratio and paints everything.
fn paint_board(
    board_ref: NodeRef<html::Div>,
    canvas_ref: NodeRef<html::Canvas>,
    client: BoardClient,
    drawing: StoredValue<Option<StrokeBuilder>>,
) {
    let (Some(board), Some(canvas)) = (board_ref.get_untracked(), canvas_ref.get_untracked())
    else {
        return;
    };
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (width, height) = (board.client_width() as f64, board.client_height() as f64);
    let (pixel_width, pixel_height) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
    if canvas.width() != pixel_width || canvas.height() != pixel_height {
        canvas.set_width(pixel_width);
        canvas.set_height(pixel_height);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|ctx| ctx.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let state = client.state;
    state.strokes.with_untracked(|strokes| {
        state.live.with_untracked(|live| {
            drawing.with_value(|current| {
                let own = current.as_ref().map(|b| b.stroke());
                let all = strokes
                    .iter()
                    .map(|s| s.as_ref())
                    .chain(live.iter())
                    .chain(own);
                paint(&ctx, width, height, dpr, all);
            })
        })
    });
}
