//! The shape a stroke is drawn as, shared by the canvas and the SVG export so both draw
//! the same curve: a smooth chain of quadratic pieces through the midpoints between
//! samples (the samples are the control points), straight half-pieces at both ends, and a
//! dot for a single sample. Each piece carries the width of its pen pressure.

use crate::board::{pressure_width, Point, Stroke};

/// One quadratic piece of a stroke's curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// Where it starts (the previous piece's end).
    pub from: (f32, f32),
    /// The control point.
    pub control: (f32, f32),
    /// Where it ends.
    pub to: (f32, f32),
    /// Line width here (board units).
    pub width: f32,
}

/// How to draw one stroke.
#[derive(Debug, Clone, PartialEq)]
pub enum Outline {
    /// Nothing to draw (no points).
    Empty,
    /// A single sample: a filled circle.
    Dot {
        /// Centre.
        at: (f32, f32),
        /// Radius.
        radius: f32,
    },
    /// A curve of connected pieces.
    Curve {
        /// The pieces, each starting where the previous one ends.
        pieces: Vec<Piece>,
        /// True when every piece has the same width (no pressure): one path suffices.
        uniform: bool,
    },
}

fn xy(p: &Point) -> (f32, f32) {
    (p.x, p.y)
}

fn mid(a: (f32, f32), b: (f32, f32)) -> (f32, f32) {
    ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
}

/// The outline of `stroke`.
pub fn outline(stroke: &Stroke) -> Outline {
    let points = &stroke.points;
    let width = |p: &Point| pressure_width(stroke.width, p.pressure);
    match points.as_slice() {
        [] => Outline::Empty,
        [only] => Outline::Dot {
            at: xy(only),
            radius: (width(only) / 2.0).max(0.5),
        },
        [first, .., last] => {
            let straight = |from: (f32, f32), to: (f32, f32), w: f32| Piece {
                from,
                control: mid(from, to),
                to,
                width: w,
            };
            let mids: Vec<(f32, f32)> = points
                .windows(2)
                .map(|w| mid(xy(&w[0]), xy(&w[1])))
                .collect();
            let mut pieces = vec![straight(xy(first), mids[0], width(first))];
            for (i, point) in points.iter().enumerate().skip(1).take(points.len() - 2) {
                pieces.push(Piece {
                    from: mids[i - 1],
                    control: xy(point),
                    to: mids[i],
                    width: width(point),
                });
            }
            pieces.push(straight(mids[mids.len() - 1], xy(last), width(last)));
            let uniform = points.iter().all(|p| p.pressure.is_none());
            Outline::Curve { pieces, uniform }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stroke(points: Vec<Point>) -> Stroke {
        Stroke {
            id: "s".into(),
            points,
            color: "#000000".into(),
            width: 4.0,
            author: String::new(),
        }
    }

    #[test]
    fn a_single_sample_is_a_dot_and_no_sample_is_nothing() {
        assert_eq!(outline(&stroke(vec![])), Outline::Empty);
        assert_eq!(
            outline(&stroke(vec![Point::new(3.0, 4.0)])),
            Outline::Dot {
                at: (3.0, 4.0),
                radius: 2.0
            }
        );
    }

    #[test]
    fn pressure_gives_each_piece_its_own_width() {
        let pressed = |x: f32, p: f32| Point {
            x,
            y: 0.0,
            pressure: Some(p),
        };
        let Outline::Curve { pieces, uniform } = outline(&stroke(vec![
            pressed(0.0, 0.0),
            pressed(10.0, 0.5),
            pressed(20.0, 1.0),
        ])) else {
            panic!("a curve");
        };
        assert!(!uniform);
        let widths: Vec<f32> = pieces.iter().map(|p| p.width).collect();
        assert_eq!(widths, [1.0, 4.0, 7.0]);
    }

    proptest! {
        #[test]
        fn the_pieces_join_up_from_the_first_sample_to_the_last(
            raw in proptest::collection::vec((-100f32..100.0, -100f32..100.0), 2..30)
        ) {
            let points: Vec<Point> = raw.iter().map(|&(x, y)| Point::new(x, y)).collect();
            let Outline::Curve { pieces, uniform } = outline(&stroke(points.clone())) else {
                panic!("a curve");
            };
            prop_assert!(uniform);
            prop_assert_eq!(pieces.len(), points.len());
            prop_assert_eq!(pieces[0].from, raw[0]);
            prop_assert_eq!(pieces[pieces.len() - 1].to, raw[raw.len() - 1]);
            for pair in pieces.windows(2) {
                prop_assert_eq!(pair[0].to, pair[1].from);
            }
        }
    }
}
