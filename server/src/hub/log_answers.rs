//! What a room log answers: the outcome of submitting an op, an entry that became
//! durable, a hole in a stored log, and the refusals and acknowledgements that the single
//! node and the cluster (where Redis answers first) both send the same way.

use tether_core::board::{AppliedOp, Op};

/// The outcome of submitting an op.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// A new entry with the next seq: store it, then [`super::log::RoomLog::commit_next`].
    Sequenced(AppliedOp),
    /// Seen before and durable: the sender gets this acknowledgement (the original seq),
    /// nobody else hears of it.
    Duplicate(AppliedOp),
    /// Seen before and still in flight: the sender gets the `Applied` when it commits.
    DuplicateInFlight,
    /// The dedup index moved on since the caller's store lookup, which no longer covers
    /// every op id the index forgot: nothing changed; the client should resend shortly.
    Recheck,
    /// Refused; nothing changed.
    Rejected {
        /// Stable machine-readable code.
        code: &'static str,
        /// A sentence for people.
        reason: String,
    },
}

/// An entry that became durable, ready to broadcast.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    /// The entry, now part of the confirmed board.
    pub entry: AppliedOp,
    /// Sessions that resent the op while it was in flight: they get `Applied` too.
    pub duplicate_senders: Vec<String>,
}

/// The stored log has a hole: corruption, not user input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("stored log jumps from seq {last} to {next}")]
pub struct LogGap {
    /// The last seq before the hole.
    pub last: u64,
    /// The seq found after it.
    pub next: u64,
}

/// The refusal (code, reason) of a stroke whose id is already on the board.
pub fn stroke_taken(stroke_id: &str) -> (&'static str, String) {
    (
        "duplicate_stroke_id",
        format!("stroke id {stroke_id} is already on this board"),
    )
}

/// The refusal of an op id already used for other content.
pub fn reused(op_id: &str) -> Submitted {
    Submitted::Rejected {
        code: "op_id_reused",
        reason: format!("op id {op_id} was already used for another change"),
    }
}

/// The stored entry of a resent op: its content, with the server's author stamped in.
pub fn stamped(seq: u64, op_id: String, author: &str, mut op: Op) -> AppliedOp {
    if let Op::AddStroke { stroke } = &mut op {
        stroke.author = author.to_owned();
    }
    AppliedOp {
        seq,
        op_id,
        author: author.to_owned(),
        op,
    }
}
