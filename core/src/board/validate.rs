//! Checks every op against the limits before anything is stored: bad input is rejected
//! with a specific, machine-readable code and a sentence a person can act on.

use super::{
    op::Op,
    stroke::{is_valid_color, Point, Stroke},
};
use crate::{ids::is_valid_id, limits::*};
use thiserror::Error;

/// Why an op was refused. [`InvalidOp::code`] is the stable code sent in `Rejected`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum InvalidOp {
    /// An op or stroke id breaks the id rules.
    #[error("id {0:?} must match [A-Za-z0-9_-]{{1,64}}")]
    Id(String),
    /// A stroke without points.
    #[error("a stroke needs at least one point")]
    NoPoints,
    #[error("{count} points in one stroke; the limit is {max}")]
    /// More points than [`MAX_POINTS_PER_STROKE`].
    TooManyPoints {
        /// Points sent.
        count: usize,
        /// The limit.
        max: usize,
    },
    #[error("point {index} has a coordinate that is not a finite number")]
    /// NaN or infinity.
    NonFinite {
        /// Which point.
        index: usize,
    },
    #[error("point {index} is outside the board (|x| and |y| at most {max})")]
    /// Beyond [`MAX_COORDINATE`].
    OutOfBounds {
        /// Which point.
        index: usize,
        /// The bound.
        max: f32,
    },
    #[error("point {index} has a pressure outside 0..=1")]
    /// Pressure outside `0..=1`.
    Pressure {
        /// Which point.
        index: usize,
    },
    #[error("width {width} is outside {min}..={max}")]
    /// Width outside the allowed range.
    Width {
        /// Width sent.
        width: f32,
        /// Thinnest allowed.
        min: f32,
        /// Widest allowed.
        max: f32,
    },
    /// Not a `#rrggbb` colour.
    #[error("colour {0:?} must be #rrggbb")]
    Color(String),
}

impl InvalidOp {
    /// The stable, machine-readable reason (`Rejected.code`).
    pub fn code(&self) -> &'static str {
        match self {
            InvalidOp::Id(_) => "invalid_id",
            InvalidOp::NoPoints => "no_points",
            InvalidOp::TooManyPoints { .. } => "too_many_points",
            InvalidOp::NonFinite { .. } => "non_finite_coordinate",
            InvalidOp::OutOfBounds { .. } => "coordinate_out_of_bounds",
            InvalidOp::Pressure { .. } => "invalid_pressure",
            InvalidOp::Width { .. } => "invalid_width",
            InvalidOp::Color(_) => "invalid_color",
        }
    }
}

/// Checks an op id and the op it names.
pub fn validate_op(op_id: &str, op: &Op) -> Result<(), InvalidOp> {
    check_id(op_id)?;
    match op {
        Op::AddStroke { stroke } => validate_stroke(stroke),
        Op::EraseStroke { id } => check_id(id),
        Op::Clear => Ok(()),
    }
}

/// Checks a finished stroke (its `author` is set by the server, so it is not checked).
pub fn validate_stroke(stroke: &Stroke) -> Result<(), InvalidOp> {
    check_id(&stroke.id)?;
    if stroke.points.is_empty() {
        return Err(InvalidOp::NoPoints);
    }
    if stroke.points.len() > MAX_POINTS_PER_STROKE {
        return Err(InvalidOp::TooManyPoints {
            count: stroke.points.len(),
            max: MAX_POINTS_PER_STROKE,
        });
    }
    validate_points(&stroke.points)?;
    validate_style(&stroke.color, stroke.width)
}

/// Checks points wherever they come from (strokes, live strokes, cursors).
pub fn validate_points(points: &[Point]) -> Result<(), InvalidOp> {
    for (index, point) in points.iter().enumerate() {
        validate_position(index, point.x, point.y)?;
        if let Some(pressure) = point.pressure {
            if !(0.0..=1.0).contains(&pressure) {
                return Err(InvalidOp::Pressure { index });
            }
        }
    }
    Ok(())
}

/// Checks one position: finite and within [`MAX_COORDINATE`].
pub fn validate_position(index: usize, x: f32, y: f32) -> Result<(), InvalidOp> {
    if !x.is_finite() || !y.is_finite() {
        return Err(InvalidOp::NonFinite { index });
    }
    if x.abs() > MAX_COORDINATE || y.abs() > MAX_COORDINATE {
        return Err(InvalidOp::OutOfBounds {
            index,
            max: MAX_COORDINATE,
        });
    }
    Ok(())
}

/// Checks a colour and a width.
pub fn validate_style(color: &str, width: f32) -> Result<(), InvalidOp> {
    if !is_valid_color(color) {
        return Err(InvalidOp::Color(color.chars().take(16).collect()));
    }
    // `contains` is false for NaN too.
    if !(MIN_STROKE_WIDTH..=MAX_STROKE_WIDTH).contains(&width) {
        return Err(InvalidOp::Width {
            width,
            min: MIN_STROKE_WIDTH,
            max: MAX_STROKE_WIDTH,
        });
    }
    Ok(())
}

fn check_id(id: &str) -> Result<(), InvalidOp> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(InvalidOp::Id(id.chars().take(MAX_ID_LEN + 1).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stroke() -> Stroke {
        Stroke {
            id: "s1".into(),
            points: vec![
                Point::new(1.0, 2.0),
                Point {
                    x: 3.0,
                    y: 4.0,
                    pressure: Some(0.5),
                },
            ],
            color: "#112233".into(),
            width: 4.0,
            author: String::new(),
        }
    }

    fn add(stroke: Stroke) -> Op {
        Op::AddStroke { stroke }
    }

    fn code(op: &Op) -> &'static str {
        validate_op("op1", op).unwrap_err().code()
    }

    #[test]
    fn a_well_formed_stroke_passes() {
        assert_eq!(validate_op("op1", &add(stroke())), Ok(()));
        assert_eq!(
            validate_op("op2", &Op::EraseStroke { id: "s1".into() }),
            Ok(())
        );
        assert_eq!(validate_op("op3", &Op::Clear), Ok(()));
    }

    #[test]
    fn bad_ids_are_rejected() {
        assert_eq!(
            validate_op("", &Op::Clear).unwrap_err().code(),
            "invalid_id"
        );
        assert_eq!(
            validate_op("a b", &Op::Clear).unwrap_err().code(),
            "invalid_id"
        );
        assert_eq!(code(&Op::EraseStroke { id: "x/y".into() }), "invalid_id");
        assert_eq!(
            code(&add(Stroke {
                id: "".into(),
                ..stroke()
            })),
            "invalid_id"
        );
    }

    #[test]
    fn point_counts_are_bounded() {
        assert_eq!(
            code(&add(Stroke {
                points: vec![],
                ..stroke()
            })),
            "no_points"
        );
        let many = vec![Point::new(0.0, 0.0); MAX_POINTS_PER_STROKE + 1];
        let error = validate_op(
            "op1",
            &add(Stroke {
                points: many,
                ..stroke()
            }),
        )
        .unwrap_err();
        assert_eq!(error.code(), "too_many_points");
        assert!(error
            .to_string()
            .contains(&MAX_POINTS_PER_STROKE.to_string()));
        let max = vec![Point::new(0.0, 0.0); MAX_POINTS_PER_STROKE];
        assert_eq!(
            validate_op(
                "op1",
                &add(Stroke {
                    points: max,
                    ..stroke()
                })
            ),
            Ok(())
        );
    }

    #[test]
    fn coordinates_must_be_finite_and_on_the_board() {
        for (x, y, expected) in [
            (f32::NAN, 0.0, "non_finite_coordinate"),
            (0.0, f32::INFINITY, "non_finite_coordinate"),
            (MAX_COORDINATE * 2.0, 0.0, "coordinate_out_of_bounds"),
            (0.0, -MAX_COORDINATE - 1.0, "coordinate_out_of_bounds"),
        ] {
            let points = vec![Point::new(1.0, 1.0), Point::new(x, y)];
            let error = validate_op("op1", &add(Stroke { points, ..stroke() })).unwrap_err();
            assert_eq!(error.code(), expected, "({x}, {y})");
            assert!(
                error.to_string().contains("point 1"),
                "names the point: {error}"
            );
        }
    }

    #[test]
    fn pressure_must_be_a_fraction() {
        let points = vec![Point {
            x: 0.0,
            y: 0.0,
            pressure: Some(1.5),
        }];
        assert_eq!(
            code(&add(Stroke { points, ..stroke() })),
            "invalid_pressure"
        );
    }

    #[test]
    fn widths_and_colours_are_checked() {
        for width in [
            0.0,
            MIN_STROKE_WIDTH - 0.1,
            MAX_STROKE_WIDTH + 1.0,
            f32::NAN,
        ] {
            assert_eq!(
                code(&add(Stroke { width, ..stroke() })),
                "invalid_width",
                "{width}"
            );
        }
        for color in ["red", "#12345", "#1234567", "#12345g"] {
            assert_eq!(
                code(&add(Stroke {
                    color: color.into(),
                    ..stroke()
                })),
                "invalid_color"
            );
        }
    }
}
