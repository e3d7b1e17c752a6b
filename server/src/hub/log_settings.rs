//! What a room log may hold and how it is told about stored op ids: its settings (replay
//! and dedup windows, snapshot interval, board caps) and the store's answer for an op id
//! older than its in-memory index.

use tether_core::{
    board::AppliedOp,
    limits::{MAX_BOARD_WEIGHT, MAX_STROKES_PER_BOARD},
};

/// How big a board may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardCaps {
    /// Strokes on the board.
    pub max_strokes: usize,
    /// Total [`stroke_weight`] of the strokes on the board.
    pub max_weight: usize,
}

impl Default for BoardCaps {
    fn default() -> Self {
        Self {
            max_strokes: MAX_STROKES_PER_BOARD,
            max_weight: MAX_BOARD_WEIGHT,
        }
    }
}

/// What a room log is allowed to hold, and how often it asks for a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// Newest durable ops kept for `Replay`; clients further behind get a `Snapshot`.
    pub replay_window: usize,
    /// Newest op ids kept in memory for dedup; older ones are looked up in the store.
    pub dedup_window: usize,
    /// Ops between snapshots (at least; never more often than once per board's worth).
    pub snapshot_every: usize,
    /// How big the board may grow.
    pub caps: BoardCaps,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            replay_window: 1000,
            dedup_window: 4096,
            snapshot_every: 1000,
            caps: BoardCaps::default(),
        }
    }
}

/// What the store knows of an op id older than the room's dedup index: the caller looks it
/// up (off the room's task) before submitting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArchiveCheck {
    /// Every entry up to this seq was durable when the store was asked (0: not asked).
    pub through: u64,
    /// The stored entry with the op's id, if there is one.
    pub stored: Option<AppliedOp>,
}
