//! Strokes: what a finished line on the board is made of, and its compact wire form.

use serde::{
    de::{self, SeqAccess, Visitor},
    ser::SerializeTuple,
    Deserialize, Deserializer, Serialize, Serializer,
};
use std::fmt;

/// One sampled point of a stroke, in board units: the board's own coordinates, the same for
/// every viewer (one unit is one CSS pixel at zoom 1; see `crate::view::Camera`).
///
/// On the wire a point is `[x, y]` or `[x, y, pressure]`: strokes are most of the traffic,
/// and the array form is about a third the size of `{"x":..,"y":..}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Board x (board units, right).
    pub x: f32,
    /// Board y (board units, down).
    pub y: f32,
    /// Pen pressure in `0..=1` where the device reports one (pens, some touch screens).
    pub pressure: Option<f32>,
}

impl Point {
    /// A point without pressure.
    pub fn new(x: f32, y: f32) -> Self {
        Self {
            x,
            y,
            pressure: None,
        }
    }
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.pressure {
            None => {
                let mut tuple = serializer.serialize_tuple(2)?;
                tuple.serialize_element(&self.x)?;
                tuple.serialize_element(&self.y)?;
                tuple.end()
            }
            Some(pressure) => {
                let mut tuple = serializer.serialize_tuple(3)?;
                tuple.serialize_element(&self.x)?;
                tuple.serialize_element(&self.y)?;
                tuple.serialize_element(&pressure)?;
                tuple.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PointVisitor;
        impl<'de> Visitor<'de> for PointVisitor {
            type Value = Point;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a point [x, y] or [x, y, pressure]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Point, A::Error> {
                let x = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let y = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let pressure = seq.next_element()?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(Point { x, y, pressure })
            }
        }
        deserializer.deserialize_seq(PointVisitor)
    }
}

/// A finished stroke: the unit of durable drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stroke {
    /// Client-made, globally unique (random 128 bits); erase and undo refer to it.
    pub id: String,
    /// The path, in drawing order (packed on the wire, see [`super::packed`]).
    #[serde(with = "super::packed")]
    pub points: Vec<Point>,
    /// `#rrggbb`.
    pub color: String,
    /// Line width in board units.
    pub width: f32,
    /// The author's client id. Set by the server from the connection, never trusted from
    /// the client, so nobody can draw in someone else's name (so a client leaves it out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
}

/// True when `color` is `#rrggbb` (six hex digits, either case).
pub fn is_valid_color(color: &str) -> bool {
    let bytes = color.as_bytes();
    bytes.len() == 7 && bytes[0] == b'#' && bytes[1..].iter().all(u8::is_ascii_hexdigit)
}

/// The drawn width at one point: the stroke's width where no pressure was recorded;
/// with a pen, from a quarter of it (a feather touch) through the full width (pressure
/// 0.5, the browsers' default) to 1.75× (pressing hard).
pub fn pressure_width(width: f32, pressure: Option<f32>) -> f32 {
    match pressure {
        Some(pressure) if pressure.is_finite() => width * (0.25 + 1.5 * pressure.clamp(0.0, 1.0)),
        _ => width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pressure_varies_the_width_around_the_chosen_one() {
        assert_eq!(pressure_width(8.0, None), 8.0);
        assert_eq!(pressure_width(8.0, Some(0.5)), 8.0);
        assert_eq!(pressure_width(8.0, Some(0.0)), 2.0);
        assert_eq!(pressure_width(8.0, Some(1.0)), 14.0);
        assert!(pressure_width(8.0, Some(0.2)) < pressure_width(8.0, Some(0.8)));
        assert_eq!(pressure_width(8.0, Some(f32::NAN)), 8.0);
    }

    #[test]
    fn points_are_compact_arrays_and_round_trip() {
        let plain = Point::new(1.5, -2.0);
        let pressed = Point {
            x: 3.0,
            y: 4.25,
            pressure: Some(0.5),
        };
        assert_eq!(serde_json::to_string(&plain).unwrap(), "[1.5,-2.0]");
        assert_eq!(serde_json::to_string(&pressed).unwrap(), "[3.0,4.25,0.5]");
        for point in [plain, pressed] {
            let json = serde_json::to_string(&point).unwrap();
            assert_eq!(serde_json::from_str::<Point>(&json).unwrap(), point);
        }
    }

    #[test]
    fn malformed_points_are_errors_not_panics() {
        for bad in ["[]", "[1]", "[1,2,3,4]", "{\"x\":1}", "[\"a\",2]", "null"] {
            assert!(
                serde_json::from_str::<Point>(bad).is_err(),
                "{bad} must not parse"
            );
        }
    }

    #[test]
    fn colors_must_be_hash_and_six_hex_digits() {
        assert!(is_valid_color("#00aaFF"));
        for bad in ["", "#fff", "00aaff", "#00aaf", "#00aaffe", "#00aafg", "red"] {
            assert!(!is_valid_color(bad), "{bad:?}");
        }
    }
}
