//! What the board does with each gesture: pen strokes and eraser drags in board units
//! (through the camera), and camera moves. The gesture machine in `tether_core::view`
//! decides *which* pointer does what; this is the thin part that acts on it.

use crate::{
    client::BoardClient,
    drawing::{Tool, ToolSettings, ERASER_RADIUS},
    history::UndoHistory,
    viewport::Viewport,
};
use leptos::prelude::*;
use std::sync::Arc;
use tether_core::{
    board::{
        builder::{Added, StrokeBuilder},
        geometry::erased_by,
        simplify::simplify,
        Op, Point, Stroke,
    },
    protocol::{LiveStroke, LIVE_STYLE_EVERY},
    sync::adaptive::{thin, DetailLevel},
    view::Gesture,
};

/// An eraser drag in progress: the last position and what it already erased.
struct EraserDrag {
    last: (f32, f32),
    // A drag erases a few strokes: a list is enough, and no hash set in the bundle.
    erased: Vec<String>,
}

/// The stroke or eraser drag in progress on one board.
#[derive(Clone, Copy)]
pub struct BoardInput {
    client: BoardClient,
    tools: ToolSettings,
    viewport: Viewport,
    history: UndoHistory,
    /// The stroke being drawn (board units).
    pub drawing: StoredValue<Option<StrokeBuilder>>,
    /// Its id, for the stroke count while it is drawn.
    pub drawing_id: RwSignal<Option<String>>,
    eraser: StoredValue<Option<EraserDrag>>,
    /// When the last live batch went out (ms), for the adaptive batch interval.
    last_live: StoredValue<f64>,
    /// The stroke the last live batch belonged to, and how many batches it has had (its
    /// style goes with the first and every [`LIVE_STYLE_EVERY`]th).
    live_batches: StoredValue<(String, u32)>,
}

impl BoardInput {
    /// Nothing in progress.
    pub fn new(
        client: BoardClient,
        tools: ToolSettings,
        viewport: Viewport,
        history: UndoHistory,
    ) -> Self {
        Self {
            client,
            tools,
            viewport,
            history,
            drawing: StoredValue::new(None),
            drawing_id: RwSignal::new(None),
            eraser: StoredValue::new(None),
            last_live: StoredValue::new(f64::NEG_INFINITY),
            live_batches: StoredValue::new((String::new(), 0)),
        }
    }

    /// The detail strokes travel with on the current link (adaptive quality).
    fn detail(&self) -> DetailLevel {
        self.client.state.status.with_untracked(|s| s.detail)
    }

    /// Acts on one gesture.
    pub fn apply(&self, gesture: Gesture) {
        let camera = self.viewport.camera.get_untracked();
        let board_point = |at: (f32, f32), pressure: Option<f32>| {
            let (x, y) = camera.to_board(at);
            Point { x, y, pressure }
        };
        match gesture {
            Gesture::StartStroke { at, pressure } => match self.tools.tool.get_untracked() {
                Tool::Pen => {
                    if let Some(builder) = self.start_stroke(board_point(at, pressure)) {
                        self.drawing_id.set(Some(builder.stroke().id.clone()));
                        self.drawing.set_value(Some(builder));
                    }
                }
                Tool::Eraser => {
                    let at = camera.to_board(at);
                    // Everything one drag erases is undone together.
                    self.history.begin_step();
                    self.eraser.set_value(Some(EraserDrag {
                        last: at,
                        erased: Vec::new(),
                    }));
                    self.erase(at, at, camera.zoom);
                }
            },
            Gesture::ExtendStroke { at, pressure } => {
                self.extend(board_point(at, pressure));
                if let Some(from) = self.eraser.with_value(|drag| drag.as_ref().map(|d| d.last)) {
                    self.erase(from, camera.to_board(at), camera.zoom);
                }
            }
            Gesture::FinishStroke => {
                if let Some(builder) = self.drawing.try_update_value(Option::take).flatten() {
                    self.submit(builder);
                }
                self.end();
            }
            Gesture::CancelStroke => {
                if let Some(builder) = self.drawing.try_update_value(Option::take).flatten() {
                    let cancelled = live_batch(builder.stroke(), Vec::new(), true, false);
                    self.client.with(|actions| actions.live(cancelled));
                }
                self.end();
            }
            Gesture::MoveCamera { from, to, scale } => {
                self.viewport
                    .camera
                    .update(|camera| *camera = camera.moved(from, to, scale));
            }
        }
    }

    /// Points of the stroke in progress not yet shown to peers, as a live batch — on a
    /// slow link no sooner than the level's interval after the last one, and thinned.
    pub fn take_live(&self, now: f64) -> Option<LiveStroke> {
        let detail = self.detail();
        if now - self.last_live.get_value() < detail.live_interval_ms() {
            return None; // the points wait for the next batch
        }
        let mut live = None;
        self.drawing.update_value(|builder| {
            if let Some(builder) = builder {
                let mut points = builder.take_unsent();
                if let Some(max) = detail.max_live_points() {
                    points = thin(points, max);
                }
                if !points.is_empty() {
                    let styled = self.live_batches.try_update_value(|(stroke, count)| {
                        if *stroke != builder.stroke().id {
                            *stroke = builder.stroke().id.clone();
                            *count = 0;
                        }
                        *count += 1;
                        (*count - 1) % LIVE_STYLE_EVERY == 0
                    });
                    let styled = styled.unwrap_or(true);
                    live = Some(live_batch(builder.stroke(), points, false, styled));
                }
            }
        });
        if live.is_some() {
            self.last_live.set_value(now);
        }
        live
    }

    /// When the points of the stroke in progress that wait for the next live batch may go
    /// out (ms); `None` when none wait.
    pub fn live_due(&self) -> Option<f64> {
        let waiting = self
            .drawing
            .with_value(|builder| builder.as_ref().is_some_and(StrokeBuilder::has_unsent));
        waiting.then(|| self.last_live.get_value() + self.detail().live_interval_ms())
    }

    fn end(&self) {
        self.drawing_id.set(None);
        if self
            .eraser
            .try_update_value(Option::take)
            .flatten()
            .is_some()
        {
            self.history.end_step();
        }
    }

    fn start_stroke(&self, at: Point) -> Option<StrokeBuilder> {
        let id = self.client.with(|actions| actions.new_id())?;
        // Empty until the server said this user's author id: the server sets it anyway.
        let author = self.client.state.author.get_untracked();
        Some(StrokeBuilder::start(
            id,
            self.tools.color.get_untracked(),
            self.tools.width.get_untracked(),
            author,
            at,
        ))
    }

    fn extend(&self, at: Point) {
        let mut finished = None;
        self.drawing.update_value(|builder| {
            if let Some(current) = builder {
                if current.add(at) == Added::Full {
                    // Chain a new stroke from here so long gestures stay within limits.
                    let next = self.start_stroke(current.last_point());
                    finished = builder.take();
                    if let Some(next) = next {
                        self.drawing_id.set(Some(next.stroke().id.clone()));
                        *builder = Some(next);
                    }
                }
            }
        });
        if let Some(done) = finished {
            self.submit(done);
        }
    }

    fn submit(&self, builder: StrokeBuilder) {
        let mut stroke = builder.finish();
        // On a slow link the stroke travels simplified, within its own width.
        let tolerance = self.detail().tolerance(stroke.width);
        stroke.points = simplify(&stroke.points, tolerance);
        self.history.added(stroke.clone());
        self.client
            .with(|actions| actions.submit(Op::AddStroke { stroke }));
    }

    /// Erases what the eraser touched between two board points; its radius is a constant
    /// size on screen, so in board units it shrinks as the viewer zooms in.
    fn erase(&self, from: (f32, f32), to: (f32, f32), zoom: f32) {
        let radius = ERASER_RADIUS / zoom;
        let hits: Vec<Arc<Stroke>> = self.client.state.strokes.with_untracked(|strokes| {
            let ids = erased_by(strokes.iter().map(|s| s.as_ref()), from, to, radius);
            strokes
                .iter()
                .filter(|s| ids.contains(&s.id))
                .cloned()
                .collect()
        });
        let mut erased = Vec::new();
        self.eraser.update_value(|drag| {
            if let Some(drag) = drag {
                erased = hits
                    .into_iter()
                    .filter(|s| {
                        let new = !drag.erased.contains(&s.id);
                        if new {
                            drag.erased.push(s.id.clone());
                        }
                        new
                    })
                    .collect();
                drag.last = to;
            }
        });
        if erased.is_empty() {
            return;
        }
        let ops = erased
            .iter()
            .map(|s| Op::EraseStroke { id: s.id.clone() })
            .collect();
        self.history.removed(erased);
        self.client.with(|actions| actions.submit_all(ops));
    }
}

/// A live batch of `stroke`, with its style when `styled`.
fn live_batch(stroke: &Stroke, points: Vec<Point>, cancelled: bool, styled: bool) -> LiveStroke {
    LiveStroke {
        stroke_id: stroke.id.clone(),
        color: if styled {
            stroke.color.clone()
        } else {
            String::new()
        },
        width: if styled { stroke.width } else { 0.0 },
        points,
        session: String::new(),
        cancelled,
    }
}
