//! The board's types read from a parsed JSON tree (the browser's decoder, see
//! [`crate::json`]); the same JSON their serde decoders read.

use super::{
    history::{History, Step},
    packed, AppliedOp, Op, Point, Stroke,
};
use crate::json::{DecodeError, FromJson, Json, Object};

impl FromJson for Point {
    /// `[x, y]` or `[x, y, pressure]`.
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let items = value.items()?;
        let number = |at: usize| f32::from_json(&items[at].1);
        if !(2..=3).contains(&items.len()) {
            return Err(DecodeError::new(
                "expected a point [x, y] or [x, y, pressure]",
            ));
        }
        Ok(Point {
            x: number(0)?,
            y: number(1)?,
            pressure: items.get(2).map(|_| number(2)).transpose()?,
        })
    }
}

/// The points in the field `name`: the packed string, or the protocol-1 array of points
/// (rounded to the grid, as [`packed::deserialize`] does).
pub(crate) fn points_from_json(fields: Object, name: &str) -> Result<Vec<Point>, DecodeError> {
    let points = match fields.get(name) {
        Some(Json::String(text)) => packed::unpack(text).map_err(|e| e.to_string()),
        Some(other) => Vec::<Point>::from_json(other)
            .map(|points| points.into_iter().map(packed::on_grid).collect())
            .map_err(|e| e.to_string()),
        None => return Err(DecodeError::new(format!("missing field `{name}`"))),
    };
    points.map_err(|e| DecodeError::new(format!("`{name}`: {e}")))
}

impl FromJson for Stroke {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(Stroke {
            id: fields.req("id")?,
            points: points_from_json(fields, "points")?,
            color: fields.req("color")?,
            width: fields.req("width")?,
            author: fields.or_default("author")?,
        })
    }
}

impl FromJson for Op {
    /// `{"kind":"addStroke","stroke":…}`, `{"kind":"eraseStroke","id":…}`, `{"kind":"clear"}`.
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(match fields.str("kind")? {
            "addStroke" => Op::AddStroke {
                stroke: fields.req("stroke")?,
            },
            "eraseStroke" => Op::EraseStroke {
                id: fields.req("id")?,
            },
            "clear" => Op::Clear,
            other => {
                return Err(DecodeError::new(format!(
                    "unknown variant `{other}`, expected `addStroke`, `eraseStroke` or `clear`"
                )))
            }
        })
    }
}

impl FromJson for AppliedOp {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(AppliedOp {
            seq: fields.req("seq")?,
            op_id: fields.req("opId")?,
            author: fields.req("author")?,
            op: fields.req("op")?,
        })
    }
}

impl FromJson for Step {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(Step::new(fields.req("added")?, fields.req("removed")?))
    }
}

impl FromJson for History {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(History::from_stacks(
            fields.req("undo")?,
            fields.req("redo")?,
        ))
    }
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
