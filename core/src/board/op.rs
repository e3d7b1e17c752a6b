//! Durable operations on a board: what the log is made of.

use super::stroke::Stroke;
use serde::{de::Error as _, Deserialize, Deserializer, Serialize};

/// A change to the board. Every op is persisted in the room's log before anyone is told.
/// On the wire: `{"kind":"addStroke","stroke":{…}}`, `{"kind":"eraseStroke","id":"…"}`,
/// `{"kind":"clear"}` (decoded by hand, below).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Op {
    /// Adds a finished stroke on top of the others.
    AddStroke {
        /// The stroke, with its client-made id.
        stroke: Stroke,
    },
    /// Removes one stroke; erasing a stroke that is already gone changes nothing.
    EraseStroke {
        /// The stroke to remove.
        id: String,
    },
    /// Removes every stroke.
    Clear,
}

/// Decodes the same JSON the derived decoder of an internally tagged enum would, but reads
/// the fields straight into one struct: the derived one first buffers every op into
/// serde's generic `Content` tree and decodes each variant again from there, which is
/// ~15 KB more WASM for every type an op is part of (docs/BENCHMARKS.md).
impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        enum Kind {
            AddStroke,
            EraseStroke,
            Clear,
        }
        #[derive(Deserialize)]
        struct Fields {
            kind: Kind,
            stroke: Option<Stroke>,
            id: Option<String>,
        }
        let Fields { kind, stroke, id } = Fields::deserialize(deserializer)?;
        Ok(match kind {
            Kind::AddStroke => Op::AddStroke {
                stroke: stroke.ok_or_else(|| D::Error::missing_field("stroke"))?,
            },
            Kind::EraseStroke => Op::EraseStroke {
                id: id.ok_or_else(|| D::Error::missing_field("id"))?,
            },
            Kind::Clear => Op::Clear,
        })
    }
}

/// An op as the room's log holds it: with the seq the server gave it and its author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedOp {
    /// Position in the room's log: 1, 2, 3, ... without gaps.
    pub seq: u64,
    /// The client-made id that makes resending the same op harmless.
    pub op_id: String,
    /// Client id of the author.
    pub author: String,
    /// What it does to the board.
    pub op: Op,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derived decoder `Op` had before it was written by hand: the reference.
    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(
        tag = "kind",
        rename_all = "camelCase",
        rename_all_fields = "camelCase"
    )]
    enum Derived {
        AddStroke { stroke: Stroke },
        EraseStroke { id: String },
        Clear,
    }

    fn same(op: &Op, derived: &Derived) -> bool {
        match (op, derived) {
            (Op::AddStroke { stroke }, Derived::AddStroke { stroke: d }) => stroke == d,
            (Op::EraseStroke { id }, Derived::EraseStroke { id: d }) => id == d,
            (Op::Clear, Derived::Clear) => true,
            _ => false,
        }
    }

    #[test]
    fn ops_decode_as_the_derived_decoder_decoded_them() {
        let stroke = r##"{"id":"s1","points":[[1,2],[3,4]],"color":"#112233","width":4}"##;
        for text in [
            format!(r#"{{"kind":"addStroke","stroke":{stroke}}}"#),
            format!(r#"{{"stroke":{stroke},"kind":"addStroke","extra":1}}"#),
            r#"{"kind":"eraseStroke","id":"s1"}"#.to_owned(),
            r#"{"kind":"clear"}"#.to_owned(),
            r#"{"kind":"clear","id":"ignored"}"#.to_owned(),
        ] {
            let op: Op = serde_json::from_str(&text).unwrap();
            let derived: Derived = serde_json::from_str(&text).unwrap();
            assert!(same(&op, &derived), "{text}: {op:?} vs {derived:?}");
            let again: Op = serde_json::from_str(&serde_json::to_string(&op).unwrap()).unwrap();
            assert_eq!(again, op, "{text}");
        }
    }

    #[test]
    fn malformed_ops_are_errors_that_name_the_problem() {
        for (text, says) in [
            (r#"{"kind":"addStroke"}"#, "missing field `stroke`"),
            (r#"{"kind":"eraseStroke"}"#, "missing field `id`"),
            (r#"{"kind":"paint"}"#, "unknown variant `paint`"),
            (r#"{"id":"s1"}"#, "missing field `kind`"),
            (r#"{"kind":"eraseStroke","id":5}"#, "invalid type"),
            (
                r#"{"kind":"addStroke","stroke":{"id":"s"}}"#,
                "missing field",
            ),
            ("[]", "invalid length 0"),
        ] {
            let error = serde_json::from_str::<Op>(text).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
            assert!(serde_json::from_str::<Derived>(text).is_err(), "{text}");
        }
    }
}
