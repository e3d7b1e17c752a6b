//! A small, strict JSON reader for what the browser decodes: server messages, the board
//! embedded in the page, the outbox and undo history kept in the tab's storage.
//!
//! Why not serde here: serde's derived decoders are generic over the deserializer, so every
//! type decoded costs its own copy of serde_json's struct-and-field machinery — together
//! 37 KB gzip of the board's WASM, a seventh of it (docs/BENCHMARKS.md, "First load").
//! This reader parses once into a [`Json`] tree with no per-type code; each type then picks
//! its fields out of the tree by name ([`FromJson`], a few lines per type). Encoding, and
//! every decode on the server, stays with serde; the tests check that both decoders agree
//! on everything the server sends.
//!
//! The grammar is JSON's (RFC 8259), strictly: no trailing commas, no leading zeros, no
//! control characters or lone surrogates in strings, nothing after the value but
//! whitespace, and at most [`MAX_DEPTH`] levels of nesting, so a hostile text cannot
//! overflow the stack. Where an object repeats a member, the first one counts (serde's
//! derived decoders refuse such an object; the server never writes one).

mod decode;

pub use decode::{decode, DecodeError, FromJson, Object};
use std::borrow::Cow;

/// Deepest nesting accepted (as deep as serde_json goes by default).
pub const MAX_DEPTH: usize = 127;

/// One parsed JSON value, borrowing from the text where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number as written (checked against the grammar); converted when a type asks.
    Number(&'a str),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array: each item with the exact text it was parsed from (a polling batch hands
    /// its messages on as text).
    Array(Vec<(&'a str, Json<'a>)>),
    /// An object's members in order.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Parses `text`: exactly one JSON value, with whitespace around it at most.
pub fn parse(text: &str) -> Result<Json<'_>, DecodeError> {
    let mut parser = Parser {
        text,
        at: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_space();
    if parser.at < text.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next character (always on a character boundary).
    at: usize,
    depth: usize,
}

type Parsed<'a> = Result<Json<'a>, DecodeError>;

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> DecodeError {
        DecodeError::new(format!("{what} at byte {}", self.at))
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += next as usize;
        next
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips whitespace, then takes `byte` if it comes next.
    fn token(&mut self, byte: u8) -> bool {
        self.skip_space();
        self.eat(byte)
    }

    fn value(&mut self) -> Parsed<'a> {
        self.skip_space();
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &str, value: Json<'a>) -> Parsed<'a> {
        if !self.text[self.at..].starts_with(word) {
            return Err(self.error("expected a value"));
        }
        self.at += word.len();
        Ok(value)
    }

    /// An array or object (after its opening bracket), one level deeper.
    fn nested(&mut self, read: fn(&mut Self) -> Parsed<'a>) -> Parsed<'a> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        self.at += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn array(&mut self) -> Parsed<'a> {
        let mut items = Vec::new();
        self.sequence(b']', "expected `,` or `]`", |parser| {
            parser.skip_space();
            let start = parser.at;
            let item = parser.value()?;
            items.push((&parser.text[start..parser.at], item));
            Ok(())
        })?;
        Ok(Json::Array(items))
    }

    fn object(&mut self) -> Parsed<'a> {
        let mut members = Vec::new();
        self.sequence(b'}', "expected `,` or `}`", |parser| {
            parser.skip_space();
            if parser.peek() != Some(b'"') {
                return Err(parser.error("expected a key"));
            }
            let key = parser.string()?;
            if !parser.token(b':') {
                return Err(parser.error("expected `:`"));
            }
            members.push((key, parser.value()?));
            Ok(())
        })?;
        Ok(Json::Object(members))
    }

    /// An array's items or an object's members (after its opening bracket) up to `close`:
    /// `read` takes one, then a comma or `close` must follow; `close` may come at once.
    fn sequence(
        &mut self,
        close: u8,
        no_comma: &str,
        mut read: impl FnMut(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        if self.token(close) {
            return Ok(());
        }
        loop {
            read(self)?;
            if self.token(close) {
                return Ok(());
            }
            if !self.eat(b',') {
                return Err(self.error(no_comma));
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Parsed<'a> {
        let start = self.at;
        self.eat(b'-');
        let whole = self.eat(b'0') || self.digits();
        let fraction = !self.eat(b'.') || self.digits();
        let exponent = !(self.eat(b'e') || self.eat(b'E')) || {
            let _sign = self.eat(b'+') || self.eat(b'-');
            self.digits()
        };
        if !(whole && fraction && exponent) {
            return Err(self.error("invalid number"));
        }
        Ok(Json::Number(&self.text[start..self.at]))
    }

    /// One or more digits.
    fn digits(&mut self) -> bool {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at > start
    }

    /// A string, at its opening quote. Borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        self.at += 1;
        let mut owned: Option<String> = None;
        loop {
            let start = self.at;
            while !matches!(self.peek(), None | Some(b'"' | b'\\' | 0..=0x1f)) {
                self.at += 1;
            }
            // Stops only at ASCII, so `start..at` is whole characters.
            let run = &self.text[start..self.at];
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(run),
                        Some(mut text) => {
                            text.push_str(run);
                            Cow::Owned(text)
                        }
                    });
                }
                Some(b'\\') => {
                    self.at += 1;
                    let unescaped = self.escape()?;
                    let text = owned.get_or_insert_with(String::new);
                    text.push_str(run);
                    text.push(unescaped);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// The character an escape stands for, after its backslash.
    fn escape(&mut self) -> Result<char, DecodeError> {
        let next = self.peek();
        self.at += 1;
        Ok(match next {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let mut code = self.hex4()?;
                if (0xD800..0xDC00).contains(&code) {
                    // A leading surrogate: its trailing half must follow.
                    if !(self.eat(b'\\') && self.eat(b'u')) {
                        return Err(self.error("lone surrogate in a string"));
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("lone surrogate in a string"));
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                char::from_u32(code).ok_or_else(|| self.error("lone surrogate in a string"))?
            }
            _ => return Err(self.error("invalid escape")),
        })
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))
    }
}

#[cfg(test)]
mod tests;
