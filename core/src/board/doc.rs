//! The confirmed state of a board: the result of applying its log, seq by seq.
//!
//! Applying is deterministic and idempotent: every replica that has applied seqs 1..=N holds
//! the same strokes in the same order, and so the same [`Board::doc_hash`]. An entry whose
//! seq was already applied is ignored, so duplicate deliveries are harmless.

use super::{op::Op, stroke::Stroke};
use fnv::FnvHasher;
use indexmap::IndexMap;
use std::{hash::Hasher, sync::Arc};

/// What applying one log entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The entry was the next seq and is now part of the state.
    Applied,
    /// The seq was applied before: nothing changed.
    AlreadyApplied,
    /// Entries are missing before this one: nothing changed; the caller must resync.
    Gap {
        /// The seq that should have come next.
        expected: u64,
    },
}

/// One stroke with its content hash, computed once when the stroke arrives.
#[derive(Debug, Clone)]
struct Entry {
    stroke: Arc<Stroke>,
    hash: u64,
}

/// The confirmed strokes of a board, in drawing order, and the last seq applied.
#[derive(Debug, Clone, Default)]
pub struct Board {
    seq: u64,
    strokes: IndexMap<String, Entry>,
}

impl Board {
    /// An empty board at seq 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// A board at `seq` holding `strokes` in the given order (a server snapshot).
    pub fn from_snapshot(seq: u64, strokes: impl IntoIterator<Item = Stroke>) -> Self {
        let mut board = Board {
            seq,
            strokes: IndexMap::new(),
        };
        for stroke in strokes {
            board.insert(Arc::new(stroke));
        }
        board
    }

    /// The last seq applied (0 for a new board).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Applies the log entry `seq`. Seqs must come in order without gaps.
    pub fn apply(&mut self, seq: u64, op: &Op) -> ApplyOutcome {
        if seq <= self.seq {
            return ApplyOutcome::AlreadyApplied;
        }
        if seq != self.seq + 1 {
            return ApplyOutcome::Gap {
                expected: self.seq + 1,
            };
        }
        self.seq = seq;
        apply_op(self, op);
        ApplyOutcome::Applied
    }

    /// Strokes in drawing order (bottom first).
    pub fn strokes(&self) -> impl ExactSizeIterator<Item = &Arc<Stroke>> + '_ {
        self.strokes.values().map(|entry| &entry.stroke)
    }

    /// Number of strokes.
    pub fn len(&self) -> usize {
        self.strokes.len()
    }

    /// True when no stroke is on the board.
    pub fn is_empty(&self) -> bool {
        self.strokes.is_empty()
    }

    /// The stroke with this id, if it is on the board.
    pub fn stroke(&self, stroke_id: &str) -> Option<&Arc<Stroke>> {
        self.strokes.get(stroke_id).map(|entry| &entry.stroke)
    }

    /// True when a stroke with this id is on the board.
    pub fn contains(&self, stroke_id: &str) -> bool {
        self.strokes.contains_key(stroke_id)
    }

    /// A stable hash of the strokes and their order, as 16 hex digits. Equal on every
    /// replica holding the same strokes, on every platform (native and wasm32).
    pub fn doc_hash(&self) -> String {
        let mut hasher = FnvHasher::default();
        hasher.write(&(self.strokes.len() as u64).to_le_bytes());
        for entry in self.strokes.values() {
            hasher.write(&entry.hash.to_le_bytes());
        }
        format!("{:016x}", hasher.finish())
    }

    fn insert(&mut self, stroke: Arc<Stroke>) {
        if !self.strokes.contains_key(&stroke.id) {
            let hash = stroke_hash(&stroke);
            self.strokes
                .insert(stroke.id.clone(), Entry { stroke, hash });
        }
    }
}

/// Applies an op to the board's strokes (no seq bookkeeping).
fn apply_op(board: &mut Board, op: &Op) {
    match op {
        // Adding a stroke id that is already on the board keeps the first one.
        Op::AddStroke { stroke } => board.insert(Arc::new(stroke.clone())),
        Op::EraseStroke { id } => {
            board.strokes.shift_remove(id);
        }
        Op::Clear => board.strokes.clear(),
    }
}

/// The strokes a user sees: the confirmed board with the user's not-yet-confirmed ops
/// applied on top, in order.
pub fn visible_strokes<'a>(
    board: &Board,
    pending: impl IntoIterator<Item = &'a Op>,
) -> Vec<Arc<Stroke>> {
    let mut strokes: Vec<Arc<Stroke>> = board.strokes().cloned().collect();
    for op in pending {
        match op {
            Op::AddStroke { stroke } => {
                if !strokes.iter().any(|s| s.id == stroke.id) {
                    strokes.push(Arc::new(stroke.clone()));
                }
            }
            Op::EraseStroke { id } => strokes.retain(|s| &s.id != id),
            Op::Clear => strokes.clear(),
        }
    }
    strokes
}

/// Content hash of one stroke over a canonical byte form: fields length-prefixed, floats
/// by their bits (which JSON round-trips exactly), little-endian on every platform.
fn stroke_hash(stroke: &Stroke) -> u64 {
    let mut hasher = FnvHasher::default();
    for text in [&stroke.id, &stroke.color, &stroke.author] {
        hasher.write(&(text.len() as u64).to_le_bytes());
        hasher.write(text.as_bytes());
    }
    hasher.write(&stroke.width.to_bits().to_le_bytes());
    hasher.write(&(stroke.points.len() as u64).to_le_bytes());
    for point in &stroke.points {
        hasher.write(&point.x.to_bits().to_le_bytes());
        hasher.write(&point.y.to_bits().to_le_bytes());
        match point.pressure {
            None => hasher.write_u8(0),
            Some(pressure) => {
                hasher.write_u8(1);
                hasher.write(&pressure.to_bits().to_le_bytes());
            }
        }
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::stroke::Point;
    use proptest::prelude::*;

    fn stroke(id: &str) -> Stroke {
        Stroke {
            id: id.into(),
            points: vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)],
            color: "#000000".into(),
            width: 2.0,
            author: "alice".into(),
        }
    }

    fn add(id: &str) -> Op {
        Op::AddStroke { stroke: stroke(id) }
    }

    fn ids(board: &Board) -> Vec<&str> {
        board.strokes().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn ops_apply_in_seq_order() {
        let mut board = Board::new();
        assert_eq!(board.apply(1, &add("a")), ApplyOutcome::Applied);
        assert_eq!(board.apply(2, &add("b")), ApplyOutcome::Applied);
        assert_eq!(board.apply(3, &add("c")), ApplyOutcome::Applied);
        assert_eq!(ids(&board), ["a", "b", "c"]);
        assert_eq!(
            board.apply(4, &Op::EraseStroke { id: "b".into() }),
            ApplyOutcome::Applied
        );
        assert_eq!(ids(&board), ["a", "c"]);
        assert_eq!(board.apply(5, &Op::Clear), ApplyOutcome::Applied);
        assert!(board.is_empty());
        assert_eq!(board.seq(), 5);
    }

    #[test]
    fn repeated_seqs_change_nothing_and_gaps_are_reported() {
        let mut board = Board::new();
        board.apply(1, &add("a"));
        let hash = board.doc_hash();
        assert_eq!(board.apply(1, &Op::Clear), ApplyOutcome::AlreadyApplied);
        assert_eq!(board.doc_hash(), hash);
        assert_eq!(board.apply(3, &add("c")), ApplyOutcome::Gap { expected: 2 });
        assert_eq!(board.seq(), 1);
        assert_eq!(ids(&board), ["a"]);
    }

    #[test]
    fn erasing_a_missing_stroke_and_re_adding_an_id_are_no_ops() {
        let mut board = Board::new();
        board.apply(1, &add("a"));
        board.apply(2, &Op::EraseStroke { id: "zzz".into() });
        let mut changed = stroke("a");
        changed.color = "#ffffff".into();
        board.apply(3, &Op::AddStroke { stroke: changed });
        assert_eq!(board.len(), 1);
        assert_eq!(board.strokes().next().unwrap().color, "#000000");
        assert_eq!(board.seq(), 3);
    }

    #[test]
    fn the_hash_depends_on_content_and_order() {
        let mut ab = Board::new();
        ab.apply(1, &add("a"));
        ab.apply(2, &add("b"));
        let mut ba = Board::new();
        ba.apply(1, &add("b"));
        ba.apply(2, &add("a"));
        assert_ne!(ab.doc_hash(), ba.doc_hash());
        assert_ne!(ab.doc_hash(), Board::new().doc_hash());
        let mut moved = stroke("a");
        moved.points[1].x += 0.5;
        let mut other = Board::new();
        other.apply(1, &Op::AddStroke { stroke: moved });
        other.apply(2, &add("b"));
        assert_ne!(ab.doc_hash(), other.doc_hash());
        assert_eq!(ab.doc_hash().len(), 16);
    }

    #[test]
    fn a_snapshot_equals_the_log_it_summarizes() {
        let mut board = Board::new();
        for (seq, op) in [
            add("a"),
            add("b"),
            Op::EraseStroke { id: "a".into() },
            add("c"),
        ]
        .iter()
        .enumerate()
        {
            board.apply(seq as u64 + 1, op);
        }
        let snapshot = Board::from_snapshot(4, board.strokes().map(|s| (**s).clone()));
        assert_eq!(snapshot.doc_hash(), board.doc_hash());
        assert_eq!(snapshot.seq(), 4);
    }

    #[test]
    fn the_hash_is_the_same_on_every_platform() {
        // A fixed value: if this changes, replicas on different builds would disagree.
        let mut board = Board::new();
        board.apply(1, &add("a"));
        assert_eq!(board.doc_hash(), FIXED_HASH_OF_ONE_STROKE);
    }
    const FIXED_HASH_OF_ONE_STROKE: &str = "2c5b9b24cad9733c";

    #[test]
    fn pending_ops_show_on_top_of_the_confirmed_board() {
        let mut board = Board::new();
        board.apply(1, &add("a"));
        board.apply(2, &add("b"));
        let pending = [add("c"), Op::EraseStroke { id: "a".into() }, add("b")];
        let visible: Vec<_> = visible_strokes(&board, &pending)
            .iter()
            .map(|s| s.id.clone())
            .collect();
        assert_eq!(visible, ["b", "c"]);
        assert!(visible_strokes(&board, &[Op::Clear, add("d")])
            .iter()
            .map(|s| &s.id)
            .eq(["d"].iter()));
    }

    fn arb_op() -> impl Strategy<Value = Op> {
        let id = prop::sample::select(vec!["a", "b", "c", "d", "e"]);
        prop_oneof![
            4 => id.clone().prop_map(add),
            2 => id.prop_map(|id| Op::EraseStroke { id: id.into() }),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        /// Replaying the same ordered log, with any entries delivered again (as after a
        /// reconnect), gives the same state and hash as applying it once.
        #[test]
        fn replay_with_duplicates_converges(
            log in prop::collection::vec(arb_op(), 0..40),
            redeliveries in prop::collection::vec((0usize..40, 0usize..40), 0..30),
        ) {
            let entries: Vec<(u64, Op)> =
                log.iter().cloned().enumerate().map(|(i, op)| (i as u64 + 1, op)).collect();
            let mut once = Board::new();
            for (seq, op) in &entries {
                prop_assert_eq!(once.apply(*seq, op), ApplyOutcome::Applied);
            }
            // The same log, where at random points an earlier stretch is delivered again.
            let mut stream: Vec<&(u64, Op)> = Vec::new();
            let mut next = 0;
            for (at, back) in redeliveries {
                let at = at.min(entries.len());
                while next < at {
                    stream.push(&entries[next]);
                    next += 1;
                }
                stream.extend(&entries[next.saturating_sub(back)..next]);
            }
            stream.extend(&entries[next..]);
            let mut replica = Board::new();
            for (seq, op) in stream {
                let outcome = replica.apply(*seq, op);
                prop_assert!(!matches!(outcome, ApplyOutcome::Gap { .. }), "{:?}", outcome);
            }
            prop_assert_eq!(replica.seq(), once.seq());
            prop_assert_eq!(replica.doc_hash(), once.doc_hash());
            prop_assert_eq!(ids(&replica), ids(&once));
        }
    }
}
