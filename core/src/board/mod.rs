//! The document model: strokes, durable ops, applying them, and the doc hash. Pure: no IO,
//! no clock, no randomness.

pub mod builder;
mod decode;
mod doc;
pub mod geometry;
pub mod history;
mod op;
pub mod packed;
pub mod simplify;
mod stroke;
mod validate;

pub(crate) use decode::points_from_json;
pub use doc::{visible_strokes, ApplyOutcome, Board};
pub use op::{AppliedOp, Op};
pub use stroke::{is_valid_color, pressure_width, Point, Stroke};
pub use validate::{
    validate_op, validate_points, validate_position, validate_stroke, validate_style, InvalidOp,
};
