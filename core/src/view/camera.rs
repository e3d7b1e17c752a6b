//! The camera: which part of the board a viewer sees, and how big.
//!
//! Board coordinates belong to the board, not to any window: a stroke drawn at the far
//! right of a wide desktop screen has the same coordinates on a phone, which simply shows
//! a different part of the board (or the whole of it, zoomed out). The camera maps between
//! the viewer's screen (CSS pixels from the board element's top-left) and board units:
//! `screen = (board - origin) × zoom`.

use crate::{board::Stroke, limits::MAX_COORDINATE};

/// Smallest zoom: a 360 px phone still shows a drawing twenty times its width.
pub const MIN_ZOOM: f32 = 0.05;
/// Largest zoom.
pub const MAX_ZOOM: f32 = 8.0;
/// One press of a zoom button (or a keyboard shortcut) zooms by this factor.
pub const ZOOM_STEP: f32 = 1.25;
/// Screen pixels kept free around the drawing by "fit to content".
pub const FIT_MARGIN: f32 = 24.0;

/// An axis-aligned rectangle in board units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Left edge.
    pub min_x: f32,
    /// Top edge.
    pub min_y: f32,
    /// Right edge.
    pub max_x: f32,
    /// Bottom edge.
    pub max_y: f32,
}

impl Bounds {
    /// Width in board units.
    pub fn width(&self) -> f32 {
        self.max_x - self.min_x
    }

    /// Height in board units.
    pub fn height(&self) -> f32 {
        self.max_y - self.min_y
    }

    /// True when `(x, y)` lies inside (edges included).
    pub fn contains(&self, (x, y): (f32, f32)) -> bool {
        (self.min_x..=self.max_x).contains(&x) && (self.min_y..=self.max_y).contains(&y)
    }

    fn around((x, y): (f32, f32), reach: f32) -> Self {
        Self {
            min_x: x - reach,
            min_y: y - reach,
            max_x: x + reach,
            max_y: y + reach,
        }
    }

    fn union(self, other: Self) -> Self {
        Self {
            min_x: self.min_x.min(other.min_x),
            min_y: self.min_y.min(other.min_y),
            max_x: self.max_x.max(other.max_x),
            max_y: self.max_y.max(other.max_y),
        }
    }
}

/// The board area the strokes cover, line widths included; `None` for an empty board.
pub fn content_bounds<'a>(strokes: impl IntoIterator<Item = &'a Stroke>) -> Option<Bounds> {
    strokes
        .into_iter()
        .flat_map(|stroke| {
            let reach = stroke.width / 2.0;
            stroke
                .points
                .iter()
                .map(move |p| Bounds::around((p.x, p.y), reach))
        })
        .reduce(Bounds::union)
}

/// What one viewer sees: the board point at the screen's top-left corner, and the zoom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Board x shown at the screen's left edge.
    pub x: f32,
    /// Board y shown at the screen's top edge.
    pub y: f32,
    /// Screen pixels per board unit.
    pub zoom: f32,
}

impl Default for Camera {
    /// The board's origin at the top-left, one board unit per CSS pixel.
    fn default() -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        }
    }
}

impl Camera {
    /// The board point under a screen point.
    pub fn to_board(&self, (sx, sy): (f32, f32)) -> (f32, f32) {
        (self.x + sx / self.zoom, self.y + sy / self.zoom)
    }

    /// Where a board point appears on screen.
    pub fn to_screen(&self, (bx, by): (f32, f32)) -> (f32, f32) {
        ((bx - self.x) * self.zoom, (by - self.y) * self.zoom)
    }

    /// The board area a screen of `size` shows.
    pub fn visible(&self, (width, height): (f32, f32)) -> Bounds {
        let (min_x, min_y) = self.to_board((0.0, 0.0));
        let (max_x, max_y) = self.to_board((width, height));
        Bounds {
            min_x,
            min_y,
            max_x,
            max_y,
        }
    }

    /// One step of a two-finger gesture (and, as special cases, panning and zooming): the
    /// board point that was under `from` ends up under `to`, and the zoom is multiplied by
    /// `scale` (kept within [`MIN_ZOOM`]..=[`MAX_ZOOM`]).
    pub fn moved(&self, from: (f32, f32), to: (f32, f32), scale: f32) -> Self {
        let anchor = self.to_board(from);
        let zoom = if scale.is_finite() && scale > 0.0 {
            (self.zoom * scale).clamp(MIN_ZOOM, MAX_ZOOM)
        } else {
            self.zoom
        };
        let limit = |v: f32| v.clamp(-MAX_COORDINATE, MAX_COORDINATE);
        Self {
            x: limit(anchor.0 - to.0 / zoom),
            y: limit(anchor.1 - to.1 / zoom),
            zoom,
        }
    }

    /// Pans by a screen distance: the drawing follows the finger (or mouse).
    pub fn panned(&self, (dx, dy): (f32, f32)) -> Self {
        self.moved((0.0, 0.0), (dx, dy), 1.0)
    }

    /// Zooms by `scale` keeping the board point under `at` where it is.
    pub fn zoomed_at(&self, at: (f32, f32), scale: f32) -> Self {
        self.moved(at, at, scale)
    }

    /// A camera showing all of `content` centred on a screen of `size`, with
    /// [`FIT_MARGIN`] around it; never magnified beyond 1 (a small sketch is shown at its
    /// real size, not blown up).
    pub fn fit(content: Bounds, (width, height): (f32, f32)) -> Self {
        let room = |screen: f32| (screen - 2.0 * FIT_MARGIN).max(1.0);
        let zoom_x = room(width) / content.width().max(1.0);
        let zoom_y = room(height) / content.height().max(1.0);
        let zoom = zoom_x.min(zoom_y).clamp(MIN_ZOOM, 1.0);
        let centre = (
            (content.min_x + content.max_x) / 2.0,
            (content.min_y + content.max_y) / 2.0,
        );
        Self {
            x: centre.0 - width / 2.0 / zoom,
            y: centre.1 - height / 2.0 / zoom,
            zoom,
        }
    }

    /// The camera a newcomer starts with: the default view when it already shows the
    /// whole drawing (so a small sketch stays where its authors put it), else a fit.
    pub fn opening(content: Option<Bounds>, size: (f32, f32)) -> Self {
        let default = Self::default();
        match content {
            Some(content) if !shows(&default.visible(size), &content) => Self::fit(content, size),
            _ => default,
        }
    }
}

fn shows(visible: &Bounds, content: &Bounds) -> bool {
    visible.contains((content.min_x, content.min_y))
        && visible.contains((content.max_x, content.max_y))
}

#[cfg(test)]
#[path = "camera_tests.rs"]
mod tests;
