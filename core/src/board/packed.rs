//! The compact wire form of a stroke's points (protocol 2): points are most of Tether's
//! bytes, so a stroke's path travels as one short string instead of `[[x,y],…]`.
//!
//! Coordinates are already on a grid of a tenth of a board unit and pressures on
//! hundredths (the [builder](super::builder) rounds every sample), so they are integers in
//! disguise. A hand-drawn path moves smoothly: the *change of step* from one point to the
//! next (a second difference) is usually a few tenths. Each number is zigzag-coded (small
//! magnitudes, either sign, become small naturals) and written in 5-bit groups, one
//! character per group from the URL-safe base-64 alphabet, whose 6th bit says "more
//! follows" — so a smooth point costs two characters, where `[123.4,56.7],` costs
//! thirteen. Every character is JSON- and URL-safe.
//!
//! Layout: `flags` (bit 0: pressures present; bit 1: first differences Δx, Δy instead —
//! whichever is shorter for this path), the point count, then per point Δ²x, Δ²y (or Δx,
//! Δy) and, with pressures, Δp. Decoding never trusts the text: an overlong number, a count
//! the text cannot hold or anything left over is an error, nothing is allocated beyond
//! what the text holds, and arithmetic saturates. What it decodes to is then judged like
//! any stroke (`validate_stroke`: point limit, coordinates on the board, pressures in
//! `0..=1`), with the same specific errors.
//!
//! Serde: `#[serde(with = "crate::board::packed")]` writes the packed string and reads
//! either it or the protocol-1 array form (still in stores written before), so both
//! parse to exactly the same — rounded — points.

use super::Point;
use serde::{de, Deserializer, Serializer};
use std::fmt;

/// Grid of coordinates: tenths of a board unit.
const COORDINATE_STEPS: f32 = 10.0;
/// Grid of pressures: hundredths.
const PRESSURE_STEPS: f32 = 100.0;
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// The 6th bit of a character's value: another 5-bit group follows.
const MORE: u8 = 0x20;
/// At most this many groups per number (enough for 64 bits), so a hostile run of "more"
/// ends.
const MAX_GROUPS: usize = 13;
const HAS_PRESSURE: u64 = 1;
/// Coordinates as first differences (a jagged path) instead of second (a smooth one).
const FIRST_DIFFERENCES: u64 = 2;

/// Why a packed path could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnpackError {
    /// Not one of the 64 characters.
    #[error("packed points: a character outside the alphabet")]
    BadCharacter,
    /// Ends inside a number or before the promised points.
    #[error("packed points: the text ends inside a point")]
    Truncated,
    /// A number of more than 64 bits.
    #[error("packed points: a number is too long")]
    Overlong,
    /// A flag this version does not know.
    #[error("packed points: unknown flags")]
    UnknownFlags,
    /// More after the last point.
    #[error("packed points: text left after the last point")]
    TrailingData,
}

/// The packed form of `points` (rounded to the grid, as the builder does; points off the
/// board stay off it, for validation to refuse).
pub fn pack(points: &[Point]) -> String {
    let smooth = pack_with(points, false);
    let jagged = pack_with(points, true);
    if jagged.len() < smooth.len() {
        jagged
    } else {
        smooth
    }
}

fn pack_with(points: &[Point], first_differences: bool) -> String {
    let with_pressure = points.iter().any(|p| p.pressure.is_some());
    let mut out = String::with_capacity(4 + points.len() * 3);
    let mut flags = if with_pressure { HAS_PRESSURE } else { 0 };
    if first_differences {
        flags |= FIRST_DIFFERENCES;
    }
    write_number(&mut out, flags);
    write_number(&mut out, points.len() as u64);
    let (mut last, mut step) = ([0i64; 2], [0i64; 2]);
    let mut last_pressure = 0i64;
    for point in points {
        let here = [steps(point.x), steps(point.y)];
        for axis in 0..2 {
            let this_step = here[axis].saturating_sub(last[axis]);
            write_number(&mut out, zigzag(this_step.saturating_sub(step[axis])));
            if !first_differences {
                step[axis] = this_step;
            }
        }
        last = here;
        if with_pressure {
            // A point without pressure among pressed ones reads back as the default 0.5.
            let pressure = (point.pressure.unwrap_or(0.5) * PRESSURE_STEPS).round() as i64;
            write_number(&mut out, zigzag(pressure.saturating_sub(last_pressure)));
            last_pressure = pressure;
        }
    }
    out
}

/// The points `text` packs.
pub fn unpack(text: &str) -> Result<Vec<Point>, UnpackError> {
    let mut input = text.bytes();
    let flags = read_number(&mut input)?.ok_or(UnpackError::Truncated)?;
    if flags & !(HAS_PRESSURE | FIRST_DIFFERENCES) != 0 {
        return Err(UnpackError::UnknownFlags);
    }
    let first_differences = flags & FIRST_DIFFERENCES != 0;
    let count = read_number(&mut input)?.ok_or(UnpackError::Truncated)?;
    // Every point takes at least two characters: a larger count is a lie.
    if count > text.len() as u64 / 2 {
        return Err(UnpackError::Truncated);
    }
    let mut points = Vec::with_capacity(count as usize);
    let (mut last, mut step) = ([0i64; 2], [0i64; 2]);
    let mut pressure = 0i64;
    for _ in 0..count {
        let mut here = [0i64; 2];
        for axis in 0..2 {
            let change = unzigzag(read_number(&mut input)?.ok_or(UnpackError::Truncated)?);
            step[axis] = if first_differences {
                change
            } else {
                step[axis].saturating_add(change)
            };
            here[axis] = last[axis].saturating_add(step[axis]);
        }
        last = here;
        let mut point = Point::new(
            here[0] as f32 / COORDINATE_STEPS,
            here[1] as f32 / COORDINATE_STEPS,
        );
        if flags & HAS_PRESSURE != 0 {
            let change = unzigzag(read_number(&mut input)?.ok_or(UnpackError::Truncated)?);
            pressure = pressure.saturating_add(change);
            point.pressure = Some(pressure as f32 / PRESSURE_STEPS);
        }
        points.push(point);
    }
    match input.next() {
        None => Ok(points),
        Some(_) => Err(UnpackError::TrailingData),
    }
}

fn steps(coordinate: f32) -> i64 {
    (coordinate * COORDINATE_STEPS).round() as i64
}

/// `point` on the grid the packed form keeps (unclamped).
pub(crate) fn on_grid(point: Point) -> Point {
    Point {
        x: steps(point.x) as f32 / COORDINATE_STEPS,
        y: steps(point.y) as f32 / COORDINATE_STEPS,
        pressure: point
            .pressure
            .map(|p| (p * PRESSURE_STEPS).round() / PRESSURE_STEPS),
    }
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

fn write_number(out: &mut String, mut value: u64) {
    loop {
        let group = (value & 0x1f) as u8;
        value >>= 5;
        let more = if value == 0 { 0 } else { MORE };
        out.push(ALPHABET[(group | more) as usize] as char);
        if value == 0 {
            return;
        }
    }
}

/// The next number, or `None` at the end of the text.
fn read_number(input: &mut impl Iterator<Item = u8>) -> Result<Option<u64>, UnpackError> {
    let mut value = 0u64;
    for group in 0..MAX_GROUPS {
        let Some(byte) = input.next() else {
            return if group == 0 {
                Ok(None)
            } else {
                Err(UnpackError::Truncated)
            };
        };
        let digit = digit_of(byte).ok_or(UnpackError::BadCharacter)?;
        value |= u64::from(digit & 0x1f) << (5 * group);
        if digit & MORE == 0 {
            return Ok(Some(value));
        }
    }
    Err(UnpackError::Overlong)
}

fn digit_of(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Serde: writes the packed string.
pub fn serialize<S: Serializer>(points: &[Point], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&pack(points))
}

/// Serde: reads the packed string, or the protocol-1 array of points (rounded to the grid,
/// so it means exactly what its packed form would).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Point>, D::Error> {
    struct PointsVisitor;
    impl<'de> de::Visitor<'de> for PointsVisitor {
        type Value = Vec<Point>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("packed points, or an array of [x, y] / [x, y, pressure]")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<Point>, E> {
            unpack(text).map_err(E::custom)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Point>, A::Error> {
            let mut points = Vec::new();
            while let Some(point) = seq.next_element::<Point>()? {
                points.push(on_grid(point));
            }
            Ok(points)
        }
    }
    deserializer.deserialize_any(PointsVisitor)
}

#[cfg(test)]
#[path = "packed_tests.rs"]
mod tests;
