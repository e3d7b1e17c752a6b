//! Durable operations on a board: what the log is made of.

use super::stroke::Stroke;
use serde::{Deserialize, Serialize};

/// A change to the board. Every op is persisted in the room's log before anyone is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
