//! The drawing surface: a device-pixel-ratio aware canvas that paints the board through
//! the viewer's camera, and the pointer and wheel handling that feeds the gesture machine
//! (mouse, touch and pen alike, each pointer tracked by id, with pointer capture).
//!
//! Painting is coalesced into one `requestAnimationFrame` per frame; the same frame sends
//! the new live points of the stroke being drawn or, when there are none, the cursor
//! position (peers put a drawing user's cursor at the pen's last point), so peers get at
//! most one message per frame. On a slow link both wait for the level's interval; what
//! still waits when a frame ends is sent by a frame that a timer asks for, so a pointer
//! that comes to rest is not left showing peers where it was before.

use super::{board_input::BoardInput, cursors::Cursors, render::paint};
use crate::{
    client::BoardClient,
    drawing::{Tool, ToolSettings},
    history::UndoHistory,
    viewport::Viewport,
};
use leptos::{ev, html, prelude::*};
use tether_core::view::{Button, Gesture, Gestures, PointerKind, Sample};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, PointerEvent, WheelEvent};

/// Wheel deltas in lines (Firefox) are about this many pixels.
const PIXELS_PER_WHEEL_LINE: f32 = 16.0;

/// The board: `[data-testid=board]` with its test hooks.
#[component]
pub fn BoardCanvas() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let tools = expect_context::<ToolSettings>();
    let viewport = expect_context::<Viewport>();
    let state = client.state;
    let board_ref = NodeRef::<html::Div>::new();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let input = BoardInput::new(client, tools, viewport, expect_context::<UndoHistory>());
    let gestures = StoredValue::new(Gestures::new());
    let cursor_unsent = StoredValue::new(None::<(f32, f32)>);
    // When the cursor last went out: on a slow link no more often than live batches.
    let cursor_sent_at = StoredValue::new(f64::NEG_INFINITY);
    let frame_pending = StoredValue::new(false);
    // Asks for a frame once a waiting cursor position or live batch may go out.
    let flush_due = Trigger::new();
    let flush_timer_set = StoredValue::new(false);

    // One frame: send what peers should see, then paint.
    let on_frame = move || {
        frame_pending.set_value(false);
        let now = js_sys::Date::now();
        if let Some(live) = input.take_live(now) {
            client.with(|actions| actions.live(live));
            // Peers put the cursor at the batch's last point: no cursor message needed.
            cursor_unsent.set_value(None);
            cursor_sent_at.set_value(now);
        }
        let interval = state.status.with_untracked(|s| s.detail.live_interval_ms());
        if let Some((x, y)) = cursor_unsent.get_value() {
            if now - cursor_sent_at.get_value() >= interval {
                cursor_unsent.set_value(None);
                cursor_sent_at.set_value(now);
                client.with(|actions| actions.cursor(x, y));
            }
        }
        let cursor_due = cursor_unsent
            .get_value()
            .map(|_| cursor_sent_at.get_value() + interval);
        let due = [cursor_due, input.live_due()]
            .into_iter()
            .flatten()
            .reduce(f64::min);
        if let Some(due) = due {
            if !flush_timer_set.get_value() {
                flush_timer_set.set_value(true);
                let wait = std::time::Duration::from_millis((due - now).max(0.0).ceil() as u64);
                set_timeout(
                    move || {
                        flush_timer_set.set_value(false);
                        flush_due.notify();
                    },
                    wait,
                );
            }
        }
        paint_board(board_ref, canvas_ref, client, viewport, input);
    };
    let schedule = move || {
        if !frame_pending.get_value() {
            frame_pending.set_value(true);
            request_animation_frame(on_frame);
        }
    };

    // Repaint whenever what is shown, or how, changes.
    Effect::new(move |_| {
        state.strokes.track();
        state.live.track();
        viewport.camera.track();
        flush_due.track();
        schedule();
    });
    // Repaint (at the new size) when the window is resized.
    Effect::new(move |_| {
        let handle = window_event_listener(ev::resize, move |_| schedule());
        on_cleanup(move || handle.remove());
    });

    let sample = move |ev: &PointerEvent| -> Option<Sample> {
        let rect = board_ref.get_untracked()?.get_bounding_client_rect();
        let kind = PointerKind::from_dom(&ev.pointer_type());
        Some(Sample {
            id: ev.pointer_id(),
            kind,
            at: (
                ev.client_x() as f32 - rect.left() as f32,
                ev.client_y() as f32 - rect.top() as f32,
            ),
            pressure: (kind == PointerKind::Pen).then(|| ev.pressure()),
        })
    };
    let act = move |done: Vec<Gesture>| {
        for gesture in done {
            input.apply(gesture);
        }
        schedule();
    };

    let on_pointerdown = move |ev: PointerEvent| {
        let Some(at) = sample(&ev) else { return };
        ev.prevent_default();
        if let Some(board) = board_ref.get_untracked() {
            let _ = board.set_pointer_capture(ev.pointer_id());
        }
        let button = Button::from_dom(ev.button());
        let pan_key = viewport.pan_key.get_untracked();
        act(gestures
            .try_update_value(|g| g.down(at, button, pan_key, now_ms()))
            .unwrap_or_default());
    };

    let on_pointermove = move |ev: PointerEvent| {
        let Some(latest) = sample(&ev) else { return };
        cursor_unsent.set_value(Some(viewport.camera.get_untracked().to_board(latest.at)));
        // Fast strokes: every sample the browser merged into this event, oldest first.
        let merged = ev.get_coalesced_events();
        let mut done = Vec::new();
        gestures.update_value(|g| {
            if merged.length() > 1 && g.is_drawing() {
                for event in merged
                    .iter()
                    .filter_map(|e| e.dyn_into::<PointerEvent>().ok())
                {
                    if let Some(at) = sample(&event) {
                        done.extend(g.moved(at));
                    }
                }
            } else {
                done.extend(g.moved(latest));
            }
        });
        act(done);
    };

    let on_pointerup = move |ev: PointerEvent| {
        act(gestures
            .try_update_value(|g| g.up(ev.pointer_id(), now_ms()))
            .unwrap_or_default());
    };
    let on_pointercancel = move |ev: PointerEvent| {
        act(gestures
            .try_update_value(|g| g.cancelled(ev.pointer_id(), now_ms()))
            .unwrap_or_default());
    };

    // Ctrl/⌘ + wheel (and trackpad pinch, which browsers report so) zooms at the pointer;
    // the plain wheel pans.
    let on_wheel = move |ev: WheelEvent| {
        let Some(board) = board_ref.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let unit = if ev.delta_mode() == WheelEvent::DOM_DELTA_LINE {
            PIXELS_PER_WHEEL_LINE
        } else {
            1.0
        };
        let (dx, dy) = (ev.delta_x() as f32 * unit, ev.delta_y() as f32 * unit);
        let rect = board.get_bounding_client_rect();
        let at = (
            ev.client_x() as f32 - rect.left() as f32,
            ev.client_y() as f32 - rect.top() as f32,
        );
        let gesture = if ev.ctrl_key() || ev.meta_key() {
            Gesture::MoveCamera {
                from: at,
                to: at,
                scale: (-dy / 200.0).exp(),
            }
        } else {
            Gesture::MoveCamera {
                from: (0.0, 0.0),
                to: (-dx, -dy),
                scale: 1.0,
            }
        };
        act(vec![gesture]);
    };

    // Strokes visible: confirmed + pending + the one being drawn + peers' live ones.
    let stroke_count = Memo::new(move |_| {
        let strokes = state.strokes.get();
        // A scan, not a hash set: it answers for one or two ids (the stroke being drawn,
        // peers' live ones), and the bundle carries no hash set code for it.
        let shown = |id: &str| strokes.iter().any(|s| s.id == id);
        let drawing = input.drawing_id.get().filter(|id| !shown(id)).is_some() as usize;
        let live = state
            .live
            .with(|live| live.iter().filter(|l| !shown(&l.id)).count());
        strokes.len() + drawing + live
    });

    view! {
        <div
            class="board"
            class:eraser=move || tools.tool.get() == Tool::Eraser
            class:panning=move || viewport.pan_key.get()
            data-testid="board"
            data-stroke-count=move || stroke_count.get().to_string()
            data-live-stroke-count=move || state.live.with(Vec::len).to_string()
            data-seq=move || state.seq.get().to_string()
            data-doc-hash=move || state.doc_hash.get()
            data-zoom=move || Viewport::zoom_label(viewport.camera.get().zoom)
            role="img"
            aria-label="Shared drawing board"
            node_ref=board_ref
            on:pointerdown=on_pointerdown
            on:pointermove=on_pointermove
            on:pointerup=on_pointerup
            on:pointercancel=on_pointercancel
            on:wheel=on_wheel
        >
            <canvas node_ref=canvas_ref aria-hidden="true"></canvas>
            <Cursors/>
        </div>
    }
}

/// Milliseconds on the page's clock (for palm rejection's grace period).
fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sizes the canvas to its box at the device pixel ratio and paints everything.
fn paint_board(
    board_ref: NodeRef<html::Div>,
    canvas_ref: NodeRef<html::Canvas>,
    client: BoardClient,
    viewport: Viewport,
    input: BoardInput,
) {
    let (Some(board), Some(canvas)) = (board_ref.get_untracked(), canvas_ref.get_untracked())
    else {
        return;
    };
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (width, height) = (board.client_width() as f64, board.client_height() as f64);
    let state = client.state;
    state
        .strokes
        .with_untracked(|strokes| viewport.measured((width as f32, height as f32), strokes));
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
    let camera = viewport.camera.get_untracked();
    state.strokes.with_untracked(|strokes| {
        state.live.with_untracked(|live| {
            input.drawing.with_value(|current| {
                let own = current.as_ref().map(|b| b.stroke());
                let all = strokes
                    .iter()
                    .map(|s| s.as_ref())
                    .chain(live.iter())
                    .chain(own);
                paint(&ctx, (width, height), dpr, camera, None, all);
            })
        })
    });
}
