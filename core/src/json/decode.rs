//! Typed values out of a parsed [`Json`] tree: [`FromJson`] for the standard types the
//! protocol uses, and [`Object`] to pick a struct's fields by name. Like serde's derived
//! decoders: unknown fields are ignored, a missing `Option` is `None`, and an error names
//! the field it is about.

use super::{parse, Json};
use std::{borrow::Cow, fmt, sync::Arc};

/// Why a text could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(String);

impl DecodeError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError(message.into())
    }

    fn expected(what: &str) -> Self {
        DecodeError(format!("expected {what}"))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// A type that can be read from a parsed JSON value.
pub trait FromJson: Sized {
    /// Reads `value` as `Self`.
    fn from_json(value: &Json) -> Result<Self, DecodeError>;
}

/// Parses `text` and reads it as `T`.
pub fn decode<T: FromJson>(text: &str) -> Result<T, DecodeError> {
    T::from_json(&parse(text)?)
}

/// The members of a JSON object, looked up by name.
#[derive(Debug, Clone, Copy)]
pub struct Object<'v, 'a>(&'v [(Cow<'a, str>, Json<'a>)]);

impl<'a> Json<'a> {
    /// This value as an object.
    pub fn object(&self) -> Result<Object<'_, 'a>, DecodeError> {
        match self {
            Json::Object(members) => Ok(Object(members)),
            _ => Err(DecodeError::expected("an object")),
        }
    }

    /// This value as a string.
    pub fn str(&self) -> Result<&str, DecodeError> {
        match self {
            Json::String(text) => Ok(text),
            _ => Err(DecodeError::expected("a string")),
        }
    }

    /// This value as an array's items.
    pub fn items(&self) -> Result<&[(&'a str, Json<'a>)], DecodeError> {
        match self {
            Json::Array(items) => Ok(items),
            _ => Err(DecodeError::expected("an array")),
        }
    }

    fn number(&self) -> Result<&'a str, DecodeError> {
        match self {
            Json::Number(text) => Ok(text),
            _ => Err(DecodeError::expected("a number")),
        }
    }
}

impl<'v, 'a> Object<'v, 'a> {
    /// The value of the member `name` (the first, should it repeat).
    pub fn get(&self, name: &str) -> Option<&'v Json<'a>> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The member `name`, which must be there.
    pub fn field(&self, name: &str) -> Result<&'v Json<'a>, DecodeError> {
        self.get(name)
            .ok_or_else(|| DecodeError(format!("missing field `{name}`")))
    }

    /// The field `name`, which must be there. (An error in its value does not name the
    /// field: saying so for every field's type costs the bundle more than it is worth.)
    pub fn req<T: FromJson>(&self, name: &str) -> Result<T, DecodeError> {
        T::from_json(self.field(name)?)
    }

    /// The field `name`; `None` when it is missing or `null`.
    pub fn opt<T: FromJson>(&self, name: &str) -> Result<Option<T>, DecodeError> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(value) => T::from_json(value).map(Some),
        }
    }

    /// The field `name`, or `T`'s default when it is missing or `null`.
    pub fn or_default<T: FromJson + Default>(&self, name: &str) -> Result<T, DecodeError> {
        Ok(self.opt(name)?.unwrap_or_default())
    }

    /// The string field `name`, borrowed.
    pub fn str(&self, name: &str) -> Result<&'v str, DecodeError> {
        self.field(name)?.str()
    }
}

impl FromJson for bool {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        match value {
            Json::Bool(flag) => Ok(*flag),
            _ => Err(DecodeError::expected("a boolean")),
        }
    }
}

impl FromJson for String {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        value.str().map(str::to_owned)
    }
}

impl FromJson for u64 {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let text = value.number()?;
        text.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| text.parse().ok())
            .flatten()
            .ok_or_else(|| DecodeError::expected("an unsigned integer"))
    }
}

impl FromJson for u32 {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        u32::try_from(u64::from_json(value)?)
            .map_err(|_| DecodeError::expected("an unsigned 32-bit integer"))
    }
}

impl FromJson for usize {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        usize::try_from(u64::from_json(value)?)
            .map_err(|_| DecodeError::expected("an unsigned integer in range"))
    }
}

impl FromJson for f64 {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        value.number().map(float)
    }
}

impl FromJson for f32 {
    /// As serde does it: read as `f64`, then rounded to the nearest `f32`.
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        value.number().map(|text| float(text) as f32)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        match value {
            Json::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        // A loop, not `collect()` into a `Result`: that adapter is more code per type.
        let items = value.items()?;
        let mut decoded = Vec::with_capacity(items.len());
        for (_, item) in items {
            decoded.push(T::from_json(item)?);
        }
        Ok(decoded)
    }
}

impl<T: FromJson> FromJson for Arc<T> {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        T::from_json(value).map(Arc::new)
    }
}

/// Powers of ten that `f64` holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The value of a number text the parser accepted. Correctly rounded when its significant
/// digits fit in 53 bits and its decimal exponent is within ±22 (Clinger's fast path: one
/// exact integer and one exact power of ten, one IEEE operation) — every coordinate,
/// width and pressure Tether sends; otherwise (long timestamps) within a few units in the
/// last place, as serde_json's own default parser. `str::parse::<f64>` is always exact
/// but would add its ~15 KB of tables to the bundle.
fn float(text: &str) -> f64 {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (digits, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, "0"),
    };
    // Beyond ±99 999 the value is 0 or infinite whatever the digits.
    let mut exponent: i32 = exponent.parse().unwrap_or(if exponent.starts_with('-') {
        -99_999
    } else {
        99_999
    });
    let mut mantissa: u64 = 0;
    let mut in_fraction = false;
    for byte in digits.bytes() {
        match byte {
            b'.' => in_fraction = true,
            digit if mantissa < 1_000_000_000_000_000_000 => {
                mantissa = mantissa * 10 + u64::from(digit - b'0');
                exponent -= in_fraction as i32;
            }
            // Digits past the 19th only move the decimal point.
            _ => exponent += !in_fraction as i32,
        }
    }
    let value = mantissa as f64;
    let value = match exponent {
        // Zero stays zero however large the exponent (0 × ∞ would be NaN).
        _ if mantissa == 0 => 0.0,
        0..=22 if mantissa <= 1 << 53 => value * EXACT_POWERS_OF_TEN[exponent as usize],
        -22..=-1 if mantissa <= 1 << 53 => value / EXACT_POWERS_OF_TEN[-exponent as usize],
        // Two steps keep 10^exponent itself from overflowing or vanishing too early.
        _ if exponent < -300 => value * 10f64.powi(exponent + 300) * 1e-300,
        _ => value * 10f64.powi(exponent.min(400)),
    };
    if negative {
        -value
    } else {
        value
    }
}
