//! Building a stroke from pointer samples: drop points that add nothing (closer than
//! `MIN_POINT_DISTANCE` to the previous one), round coordinates so they survive JSON
//! exactly and stay short, and stop at the per-stroke point limit so the caller can chain
//! a new stroke instead of producing one the server would reject.

use super::stroke::{Point, Stroke};
use crate::limits::{MAX_COORDINATE, MAX_POINTS_PER_STROKE};

/// Samples closer than this (board units) to the previous point are skipped.
pub const MIN_POINT_DISTANCE: f32 = 1.0;

/// What adding a sample did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// The point was added.
    Yes,
    /// Too close to the previous point; nothing changed.
    Skipped,
    /// Added, and the stroke is now full: finish it and start the next one from here.
    Full,
}

/// Rounds to a tenth of a unit and clamps to the board, so what is sent is valid.
pub fn quantize(point: Point) -> Point {
    let round = |v: f32| ((v * 10.0).round() / 10.0).clamp(-MAX_COORDINATE, MAX_COORDINATE);
    Point {
        x: round(point.x),
        y: round(point.y),
        pressure: point
            .pressure
            .map(|p| ((p * 100.0).round() / 100.0).clamp(0.0, 1.0)),
    }
}

/// A stroke in the making.
#[derive(Debug, Clone)]
pub struct StrokeBuilder {
    stroke: Stroke,
    /// Points before this index were already sent as live points.
    sent: usize,
}

impl StrokeBuilder {
    /// Starts a stroke at `first`.
    pub fn start(id: String, color: String, width: f32, author: String, first: Point) -> Self {
        let stroke = Stroke {
            id,
            points: vec![quantize(first)],
            color,
            width,
            author,
        };
        Self { stroke, sent: 0 }
    }

    /// The stroke built so far.
    pub fn stroke(&self) -> &Stroke {
        &self.stroke
    }

    /// The last point, where a chained stroke continues.
    pub fn last_point(&self) -> Point {
        *self
            .stroke
            .points
            .last()
            .expect("a stroke starts with one point")
    }

    /// Adds a pointer sample.
    pub fn add(&mut self, sample: Point) -> Added {
        if self.stroke.points.len() >= MAX_POINTS_PER_STROKE {
            return Added::Full;
        }
        let point = quantize(sample);
        let last = self.last_point();
        if ((point.x - last.x).powi(2) + (point.y - last.y).powi(2)).sqrt() < MIN_POINT_DISTANCE {
            return Added::Skipped;
        }
        self.stroke.points.push(point);
        if self.stroke.points.len() >= MAX_POINTS_PER_STROKE {
            Added::Full
        } else {
            Added::Yes
        }
    }

    /// True when points wait to go out as live points.
    pub fn has_unsent(&self) -> bool {
        self.sent < self.stroke.points.len()
    }

    /// Points not yet sent as live points (and marks them sent).
    pub fn take_unsent(&mut self) -> Vec<Point> {
        let unsent = self.stroke.points[self.sent..].to_vec();
        self.sent = self.stroke.points.len();
        unsent
    }

    /// The finished stroke.
    pub fn finish(self) -> Stroke {
        self.stroke
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::validate_stroke;

    fn builder() -> StrokeBuilder {
        StrokeBuilder::start(
            "s".into(),
            "#000000".into(),
            2.0,
            "me".into(),
            Point::new(0.04, 0.06),
        )
    }

    #[test]
    fn samples_are_rounded_and_near_duplicates_skipped() {
        let mut b = builder();
        assert_eq!(b.stroke().points[0], Point::new(0.0, 0.1));
        assert_eq!(b.add(Point::new(0.5, 0.5)), Added::Skipped);
        assert_eq!(b.add(Point::new(3.12345, 0.0)), Added::Yes);
        assert_eq!(b.last_point(), Point::new(3.1, 0.0));
        let json = serde_json::to_string(&b.stroke().points).unwrap();
        assert_eq!(json, "[[0.0,0.1],[3.1,0.0]]");
    }

    #[test]
    fn live_batches_carry_each_point_once() {
        let mut b = builder();
        b.add(Point::new(5.0, 0.0));
        assert!(b.has_unsent());
        assert_eq!(b.take_unsent().len(), 2);
        assert!(!b.has_unsent());
        assert!(b.take_unsent().is_empty());
        b.add(Point::new(10.0, 0.0));
        assert!(b.has_unsent());
        assert_eq!(b.take_unsent(), [Point::new(10.0, 0.0)]);
    }

    #[test]
    fn a_long_stroke_stops_at_the_limit_and_is_valid() {
        let mut b = builder();
        let mut result = Added::Yes;
        let mut i = 0;
        while result != Added::Full {
            i += 1;
            result = b.add(Point::new(i as f32 * 2.0, 0.0));
        }
        let stroke = b.finish();
        assert_eq!(stroke.points.len(), MAX_POINTS_PER_STROKE);
        assert_eq!(validate_stroke(&stroke), Ok(()));
    }

    #[test]
    fn far_off_samples_are_clamped_onto_the_board() {
        let mut b = builder();
        b.add(Point::new(1e12, -1e12));
        assert_eq!(b.last_point(), Point::new(MAX_COORDINATE, -MAX_COORDINATE));
        assert_eq!(validate_stroke(b.stroke()), Ok(()));
    }
}
