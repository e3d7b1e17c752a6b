//! A room's log, pure: sequencing, dedup, commit ordering and catch-up. No tokio, no IO —
//! the room actor feeds it and performs what it says, and a property test judges it
//! against the same model server the client engine is tested against.
//!
//! Life of an op: [`RoomLog::submit`] gives it the next seq (or answers a duplicate, or
//! refuses a reused stroke id); the actor hands the entry to the store; the store confirms
//! entries in the order they were handed over, and each confirmation is
//! [`RoomLog::commit_next`], which applies the entry to the confirmed board and returns it
//! for broadcasting. So `Applied` goes out strictly in seq order and only once durable.
//!
//! Memory and loads stay bounded however long a room lives: the dedup index holds the
//! newest `dedup_window` op ids (older ones are looked up in the store by the caller and
//! passed in as an [`ArchiveCheck`]), and the log says when to save a snapshot, so a cold
//! load reads that snapshot and a short tail instead of the whole history.

pub use super::log_answers::{reused, stamped, stroke_taken, Committed, LogGap, Submitted};
pub use super::log_settings::{ArchiveCheck, BoardCaps, LogSettings};
use crate::{
    hub::RoomSnapshot,
    store::{fingerprint::fingerprint, StoredSnapshot},
};
use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};
use tether_core::{
    board::{AppliedOp, ApplyOutcome, Board, Op, Stroke},
    limits::stroke_weight,
    protocol::ServerMsg,
};

/// What the dedup index keeps of an op: its seq, and a fingerprint of what it was (author
/// and content), so a repeat with other content is told apart from an honest resend.
#[derive(Debug, Clone, Copy)]
struct Known {
    seq: u64,
    fingerprint: [u8; 16],
}

/// An op with a seq that is not durable yet.
#[derive(Debug, Clone)]
struct InFlight {
    entry: AppliedOp,
    duplicate_senders: Vec<String>,
}

/// One room's log and confirmed board.
#[derive(Debug, Clone)]
pub struct RoomLog {
    epoch: String,
    /// Confirmed (durable) state.
    board: Board,
    /// Every op id from seq `index_floor` on (durable or in flight): the dedup index.
    op_seqs: HashMap<String, Known>,
    /// The first seq whose op id `op_seqs` holds; older ones only the store knows.
    index_floor: u64,
    /// The newest durable entries, for replaying to clients that were briefly away.
    recent: VecDeque<AppliedOp>,
    /// Entries with a seq, not yet durable, in seq order.
    in_flight: VecDeque<InFlight>,
    settings: LogSettings,
    /// Total weight of the confirmed board's strokes.
    weight: usize,
    /// Durable ops since the last snapshot (or since the history began).
    since_snapshot: usize,
}

impl RoomLog {
    /// The log of a room of history `epoch`, from its latest snapshot (if any) and the
    /// stored entries after it (seq order).
    pub fn load(
        epoch: String,
        snapshot: Option<StoredSnapshot>,
        ops: Vec<AppliedOp>,
        settings: LogSettings,
    ) -> Result<Self, LogGap> {
        let mut board =
            snapshot.map_or_else(Board::new, |s| Board::from_snapshot(s.seq, s.strokes));
        let index_floor = board.seq() + 1;
        let mut op_seqs = HashMap::with_capacity(ops.len());
        for entry in &ops {
            if let ApplyOutcome::Gap { expected } = board.apply(entry.seq, &entry.op) {
                return Err(LogGap {
                    last: expected - 1,
                    next: entry.seq,
                });
            }
            let known = Known {
                seq: entry.seq,
                fingerprint: fingerprint(&entry.author, &entry.op),
            };
            op_seqs.insert(entry.op_id.clone(), known);
        }
        let since_snapshot = ops.len();
        let keep = ops.len().saturating_sub(settings.replay_window);
        let weight = board.strokes().map(|s| stroke_weight(s)).sum();
        Ok(Self {
            epoch,
            board,
            op_seqs,
            index_floor,
            recent: ops.into_iter().skip(keep).collect(),
            in_flight: VecDeque::new(),
            settings,
            weight,
            since_snapshot,
        })
    }

    /// An empty log of history `epoch` (a room never written to).
    pub fn new(epoch: String, settings: LogSettings) -> Self {
        Self::load(epoch, None, Vec::new(), settings).expect("nothing to have a gap in")
    }

    /// The id of this room's history.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The last durable seq.
    pub fn seq(&self) -> u64 {
        self.board.seq()
    }

    /// The first seq whose op id the dedup index holds: ops older than that must be
    /// looked up in the store before [`RoomLog::submit_checked`].
    pub fn index_floor(&self) -> u64 {
        self.index_floor
    }

    /// True while entries wait for the store.
    pub fn has_in_flight(&self) -> bool {
        !self.in_flight.is_empty()
    }

    /// An op from `session` (whose author id is `author`): dedup, stroke-id check, seq.
    /// A repeated op id is answered with the stored entry, never with the new content: an
    /// honest resend is the same op from the same author; anything else is refused.
    /// The caller did not look in the store: right while the index covers the whole log.
    pub fn submit(&mut self, session: &str, author: &str, op_id: String, op: Op) -> Submitted {
        self.submit_checked(session, author, op_id, op, ArchiveCheck::default())
    }

    /// [`RoomLog::submit`], with what the store said about `op_id` (see [`ArchiveCheck`]).
    pub fn submit_checked(
        &mut self,
        session: &str,
        author: &str,
        op_id: String,
        op: Op,
        archive: ArchiveCheck,
    ) -> Submitted {
        if let Some(answer) = self.answer_known(session, author, &op_id, &op) {
            return answer;
        }
        if self.index_floor > archive.through + 1 {
            // Op ids of seqs in (through, index_floor) are neither here nor in the lookup.
            return Submitted::Recheck;
        }
        if let Some(stored) = archive.stored {
            return if fingerprint(&stored.author, &stored.op) == fingerprint(author, &op) {
                Submitted::Duplicate(stored)
            } else {
                reused(&op_id)
            };
        }
        let op = match self.check_new(author, op) {
            Ok(op) => op,
            Err((code, reason)) => return Submitted::Rejected { code, reason },
        };
        let entry = AppliedOp {
            seq: self.board.seq() + self.in_flight.len() as u64 + 1,
            op_id: op_id.clone(),
            author: author.to_owned(),
            op,
        };
        let known = Known {
            seq: entry.seq,
            fingerprint: fingerprint(author, &entry.op),
        };
        self.op_seqs.insert(op_id, known);
        self.in_flight.push_back(InFlight {
            entry: entry.clone(),
            duplicate_senders: Vec::new(),
        });
        Submitted::Sequenced(entry)
    }

    /// The answer to an op id the dedup index holds (`None`: not known here). A repeated
    /// op id is answered with the stored entry, never with the new content: an honest
    /// resend is the same op from the same author; anything else is refused.
    pub fn answer_known(
        &mut self,
        session: &str,
        author: &str,
        op_id: &str,
        op: &Op,
    ) -> Option<Submitted> {
        let known = *self.op_seqs.get(op_id)?;
        if known.fingerprint != fingerprint(author, op) {
            return Some(reused(op_id));
        }
        if let Some(in_flight) = self.in_flight.iter_mut().find(|f| f.entry.seq == known.seq) {
            in_flight.duplicate_senders.push(session.to_owned());
            return Some(Submitted::DuplicateInFlight);
        }
        // Same author, same content: this is the stored entry.
        Some(Submitted::Duplicate(stamped(
            known.seq,
            op_id.to_owned(),
            author,
            op.clone(),
        )))
    }

    /// Checks an op new to this room against the board (a stroke id already used, a full
    /// board) and returns it with the server's author stamped in, or the refusal's code
    /// and reason.
    pub fn check_new(&self, author: &str, mut op: Op) -> Result<Op, (&'static str, String)> {
        if let Op::AddStroke { stroke } = &mut op {
            let reused = self.board.contains(&stroke.id)
                || self.in_flight.iter().any(
                    |f| matches!(&f.entry.op, Op::AddStroke { stroke: s } if s.id == stroke.id),
                );
            if reused {
                return Err(stroke_taken(&stroke.id));
            }
            if let Some(reason) = self.too_big_with(stroke) {
                return Err(("board_full", reason));
            }
            // The author is whoever is connected, never what the client claims.
            stroke.author = author.to_owned();
        }
        Ok(op)
    }

    /// Why adding `stroke` would make the board too big (counting strokes in flight, and
    /// not yet crediting erasures in flight), if it would.
    fn too_big_with(&self, stroke: &Stroke) -> Option<String> {
        let adding = self.in_flight.iter().filter_map(|f| match &f.entry.op {
            Op::AddStroke { stroke } => Some(stroke_weight(stroke)),
            _ => None,
        });
        let (count, weight) = adding.fold((0, 0), |(n, w), add| (n + 1, w + add));
        let strokes = self.board.len() + count + 1;
        let weight = self.weight + weight + stroke_weight(stroke);
        let caps = self.settings.caps;
        if strokes > caps.max_strokes {
            return Some(format!(
                "this board is full ({} strokes); erase or clear to make room",
                caps.max_strokes
            ));
        }
        (weight > caps.max_weight).then(|| {
            format!(
                "this board is full ({} MiB of drawing); erase or clear to make room",
                caps.max_weight / (1024 * 1024)
            )
        })
    }

    /// The store confirmed the oldest entry in flight (stores confirm in hand-over order).
    pub fn commit_next(&mut self) -> Option<Committed> {
        let done = self.in_flight.pop_front()?;
        self.confirm(&done.entry);
        Some(Committed {
            entry: done.entry,
            duplicate_senders: done.duplicate_senders,
        })
    }

    /// Applies an entry the store sequenced itself (in a cluster, the store is the log
    /// authority and entries arrive from it in seq order); it must be the next seq.
    pub fn apply_durable(&mut self, entry: &AppliedOp) -> Result<(), LogGap> {
        debug_assert!(self.in_flight.is_empty(), "one log authority per room");
        if entry.seq != self.board.seq() + 1 {
            return Err(LogGap {
                last: self.board.seq(),
                next: entry.seq,
            });
        }
        let known = Known {
            seq: entry.seq,
            fingerprint: fingerprint(&entry.author, &entry.op),
        };
        self.op_seqs.insert(entry.op_id.clone(), known);
        self.confirm(entry);
        Ok(())
    }

    /// A durable entry joins the confirmed board, the replay window and the counters.
    fn confirm(&mut self, entry: &AppliedOp) {
        self.weight = match &entry.op {
            Op::AddStroke { stroke } => self.weight + stroke_weight(stroke),
            Op::EraseStroke { id } => {
                let erased = self.board.stroke(id).map_or(0, |s| stroke_weight(s));
                self.weight - erased
            }
            Op::Clear => 0,
        };
        let outcome = self.board.apply(entry.seq, &entry.op);
        debug_assert_eq!(
            outcome,
            ApplyOutcome::Applied,
            "durable entries are in order"
        );
        self.recent.push_back(entry.clone());
        if self.recent.len() > self.settings.replay_window {
            self.recent.pop_front();
        }
        self.since_snapshot += 1;
        self.forget_old_op_ids();
    }

    /// Keeps the dedup index to about `dedup_window` entries: when it holds twice that,
    /// the op ids of all but the newest `dedup_window` durable seqs are dropped (one pass
    /// per `dedup_window` commits).
    fn forget_old_op_ids(&mut self) {
        let window = self.settings.dedup_window.max(1);
        if self.op_seqs.len() <= 2 * window {
            return;
        }
        let floor = (self.board.seq() + 1).saturating_sub(window as u64);
        if floor > self.index_floor {
            self.op_seqs.retain(|_, known| known.seq >= floor);
            self.index_floor = floor;
        }
    }

    /// The board to save as a snapshot, if one is due: after `snapshot_every` ops, and no
    /// sooner than half the board's stroke count (so saving costs O(1) strokes per op, a
    /// growing board is saved at least at every doubling, and a load reads the snapshot
    /// and a tail no longer than that). Counts as saved once returned.
    pub fn snapshot_if_due(&mut self) -> Option<(u64, Vec<Arc<Stroke>>)> {
        let due = self
            .settings
            .snapshot_every
            .max(self.board.len() / 2)
            .max(1);
        if self.since_snapshot < due {
            return None;
        }
        self.since_snapshot = 0;
        Some((self.board.seq(), self.board.strokes().cloned().collect()))
    }

    /// `Replay` of what a client missed since `last_seq` of history `epoch`, or a
    /// `Snapshot` when that is shorter, unknown here (client ahead of the log, or another
    /// epoch) or out of the replay window.
    pub fn catch_up(&self, last_seq: Option<u64>, epoch: Option<&str>) -> ServerMsg {
        let same_history = epoch.is_none_or(|epoch| epoch == self.epoch);
        let seq = self.board.seq();
        if let Some(last) = last_seq.filter(|&last| same_history && last <= seq) {
            let missed = (seq - last) as usize;
            let first_kept = self.recent.front().map_or(seq + 1, |e| e.seq);
            let in_window = last + 1 >= first_kept || missed == 0;
            if in_window && missed <= self.board.len().max(64) {
                let ops = self
                    .recent
                    .iter()
                    .filter(|e| e.seq > last)
                    .cloned()
                    .collect();
                return ServerMsg::Replay { ops };
            }
        }
        let snapshot = self.snapshot();
        ServerMsg::Snapshot {
            seq: snapshot.seq,
            strokes: snapshot.strokes,
        }
    }

    /// The confirmed state, for server rendering and snapshots.
    pub fn snapshot(&self) -> RoomSnapshot {
        RoomSnapshot {
            seq: self.board.seq(),
            epoch: self.epoch.clone(),
            strokes: self.board.strokes().map(|s| (**s).clone()).collect(),
        }
    }
}

#[cfg(test)]
#[path = "log_tests.rs"]
mod tests;
