//! The viewer's camera as reactive state, shared by the canvas (which draws through it
//! and moves it with gestures), the zoom buttons and the keyboard shortcuts.

use leptos::prelude::*;
use tether_core::{
    board::Stroke,
    decimal::decimal,
    view::{content_bounds, Camera, ZOOM_STEP},
};

/// The camera and the size of the screen area it fills, provided as context on the
/// board page.
#[derive(Debug, Clone, Copy)]
pub struct Viewport {
    /// What part of the board is shown, and how big.
    pub camera: RwSignal<Camera>,
    /// The board element's size in CSS pixels; `(0, 0)` until it is first measured.
    pub size: RwSignal<(f32, f32)>,
    /// True while the pan key (space) is held: a left-button drag then pans.
    pub pan_key: RwSignal<bool>,
}

impl Viewport {
    /// The default camera, not yet measured.
    pub fn new() -> Self {
        Self {
            camera: RwSignal::new(Camera::default()),
            size: RwSignal::new((0.0, 0.0)),
            pan_key: RwSignal::new(false),
        }
    }

    /// Notes the board's size; the first measurement opens the view on the drawing (so a
    /// newcomer on a phone sees a desktop user's whole drawing).
    pub fn measured(&self, size: (f32, f32), strokes: &[impl AsRef<Stroke>]) {
        let first = self.size.get_untracked() == (0.0, 0.0);
        if size == self.size.get_untracked() {
            return;
        }
        self.size.set(size);
        if first {
            let content = content_bounds(strokes.iter().map(AsRef::as_ref));
            self.camera.set(Camera::opening(content, size));
        }
    }

    /// Zooms in one step around the middle of the screen.
    pub fn zoom_in(&self) {
        self.zoom_by(ZOOM_STEP);
    }

    /// Zooms out one step around the middle of the screen.
    pub fn zoom_out(&self) {
        self.zoom_by(1.0 / ZOOM_STEP);
    }

    fn zoom_by(&self, scale: f32) {
        let (width, height) = self.size.get_untracked();
        let middle = (width / 2.0, height / 2.0);
        self.camera
            .update(|camera| *camera = camera.zoomed_at(middle, scale));
    }

    /// Shows the whole drawing (or the board's origin when it is empty).
    pub fn fit(&self, strokes: &[impl AsRef<Stroke>]) {
        let camera = match content_bounds(strokes.iter().map(AsRef::as_ref)) {
            Some(content) => Camera::fit(content, self.size.get_untracked()),
            None => Camera::default(),
        };
        self.camera.set(camera);
    }

    /// The zoom as the board's `data-zoom` shows it (two decimals, no trailing zeros).
    pub fn zoom_label(zoom: f32) -> String {
        decimal(f64::from(zoom), 2)
    }
}

impl Default for Viewport {
    fn default() -> Self {
        Self::new()
    }
}
