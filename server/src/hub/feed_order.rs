//! In a cluster, a room's entries reach each node over Redis PUB/SUB, which is fast but
//! may lose messages (a subscriber reconnect, a full queue). This pure state machine puts
//! what arrives back in seq order, says when a range must be read from the stream to fill
//! a hole, and never lets an entry through twice or out of order. No IO: the room actor
//! does the reads it asks for.

use std::collections::BTreeMap;
use tether_core::board::AppliedOp;

/// Entries held while waiting for a hole before them to be filled: beyond this, newer
/// ones are dropped (the fill reads them again), so a long outage cannot grow memory.
pub const MAX_BUFFERED: usize = 1024;

/// Most entries one fill asks for; a longer gap takes several fills.
pub const FILL_BATCH: u64 = 512;

/// The order keeper of one room on one node.
#[derive(Debug, Clone)]
pub struct FeedOrder {
    /// The last seq handed to the room, in order.
    applied: u64,
    /// The highest seq known to exist in the store.
    known_head: u64,
    /// Entries after a hole, by seq.
    buffered: BTreeMap<u64, AppliedOp>,
    /// The range of the running fill (only one at a time).
    filling: Option<(u64, u64)>,
}

impl FeedOrder {
    /// Starts after the entries already loaded (through `applied`).
    pub fn new(applied: u64) -> Self {
        Self {
            applied,
            known_head: applied,
            buffered: BTreeMap::new(),
            filling: None,
        }
    }

    /// The last seq handed on.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// True while the store is known to hold entries not handed on yet.
    pub fn behind(&self) -> bool {
        self.known_head > self.applied
    }

    /// An entry from the feed or a fill: returns what is now ready, in seq order (empty
    /// if it was old, or if it waits for a hole before it).
    pub fn receive(&mut self, entry: AppliedOp) -> Vec<AppliedOp> {
        let seq = entry.seq;
        if seq <= self.applied {
            return Vec::new();
        }
        self.known_head = self.known_head.max(seq);
        if seq == self.applied + 1 {
            self.applied = seq;
            let mut ready = vec![entry];
            while let Some(next) = self.buffered.remove(&(self.applied + 1)) {
                self.applied = next.seq;
                ready.push(next);
            }
            return ready;
        }
        if self.buffered.len() < MAX_BUFFERED {
            self.buffered.insert(seq, entry);
        }
        Vec::new()
    }

    /// The store says entries exist through `seq` (a commit reply, a head check).
    pub fn saw_head(&mut self, seq: u64) {
        self.known_head = self.known_head.max(seq);
    }

    /// The range `(from, to)` to read now, if the room is behind and no fill runs; the
    /// caller must answer with [`FeedOrder::fill_done`] or [`FeedOrder::fill_failed`].
    pub fn start_fill(&mut self) -> Option<(u64, u64)> {
        if self.filling.is_some() || !self.behind() {
            return None;
        }
        let from = self.applied + 1;
        let range = (from, self.known_head.min(from + FILL_BATCH - 1));
        self.filling = Some(range);
        Some(range)
    }

    /// A fill's entries arrived: returns those now ready, in seq order. A fill that came
    /// back short means the store holds nothing more yet: a head claimed beyond it (a
    /// client's `last_seq` from another history, say) is forgotten, so no fill repeats
    /// forever.
    pub fn fill_done(&mut self, entries: Vec<AppliedOp>) -> Vec<AppliedOp> {
        let asked_to = self.filling.take().map_or(0, |(_, to)| to);
        let short = entries.last().is_none_or(|e| e.seq < asked_to);
        let ready = entries.into_iter().flat_map(|e| self.receive(e)).collect();
        if short {
            let buffered = self.buffered.keys().next_back().copied().unwrap_or(0);
            self.known_head = self.applied.max(buffered);
        }
        ready
    }

    /// A fill failed: nothing changes; a later one may be started.
    pub fn fill_failed(&mut self) {
        self.filling = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tether_core::board::Op;

    fn entry(seq: u64) -> AppliedOp {
        AppliedOp {
            seq,
            op_id: format!("op{seq}"),
            author: "a".into(),
            op: Op::Clear,
        }
    }

    #[test]
    fn a_hole_is_filled_then_the_buffer_drains_in_order() {
        let mut order = FeedOrder::new(2);
        assert_eq!(order.receive(entry(5)), vec![]);
        assert_eq!(order.start_fill(), Some((3, 5)));
        assert_eq!(order.start_fill(), None, "one fill at a time");
        let ready = order.fill_done(vec![entry(3), entry(4)]);
        assert_eq!(ready, vec![entry(3), entry(4), entry(5)]);
        assert!(!order.behind());
        assert_eq!(order.receive(entry(4)), vec![], "never twice");
    }

    #[test]
    fn a_commit_reply_ahead_of_the_feed_asks_for_a_fill() {
        let mut order = FeedOrder::new(0);
        order.saw_head(3);
        assert!(order.behind());
        assert_eq!(order.start_fill(), Some((1, 3)));
        order.fill_failed();
        assert_eq!(order.start_fill(), Some((1, 3)), "a failed fill is retried");
    }

    #[derive(Debug, Clone)]
    enum Step {
        /// The feed delivers seq `applied + offset` (0: an old one, repeated).
        Feed(u64),
        /// A head check or commit reply says the store holds this many beyond `applied`
        /// (`lie`: a client's claim the store does not back).
        Head { more: u64, lie: bool },
        /// The running fill answers (with everything it asked for) or fails.
        Fill { ok: bool },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0u64..6).prop_map(Step::Feed),
            1 => (0u64..6, any::<bool>()).prop_map(|(more, lie)| Step::Head { more, lie }),
            2 => any::<bool>().prop_map(|ok| Step::Fill { ok }),
        ]
    }

    proptest! {
        /// Whatever the feed loses, repeats or reorders, whatever fills fail and whatever
        /// heads are claimed, the room gets every stored seq exactly once, in order, and
        /// catches up (and stops filling) once fills succeed.
        #[test]
        fn every_seq_once_in_order(steps in prop::collection::vec(step(), 1..80)) {
            let mut order = FeedOrder::new(0);
            let mut handed = Vec::new();
            let mut fill: Option<(u64, u64)> = None;
            let mut store_head = 0u64;
            for step in steps {
                match step {
                    Step::Feed(offset) => {
                        let seq = (order.applied() + offset).max(1);
                        store_head = store_head.max(seq);
                        handed.extend(order.receive(entry(seq)));
                    }
                    Step::Head { more, lie } => {
                        let claim = order.applied() + more;
                        if !lie {
                            store_head = store_head.max(claim);
                        }
                        order.saw_head(claim);
                    }
                    Step::Fill { ok } => match fill.take() {
                        Some((from, to)) if ok => {
                            let stored = (from..=to.min(store_head)).map(entry).collect();
                            handed.extend(order.fill_done(stored));
                        }
                        Some(_) => order.fill_failed(),
                        None => {}
                    },
                }
                if fill.is_none() {
                    fill = order.start_fill();
                }
            }
            // Then the network heals: fills succeed until caught up.
            order.saw_head(store_head);
            let mut fills = 0;
            while let Some((from, to)) = fill.take().or_else(|| order.start_fill()) {
                let stored = (from..=to.min(store_head)).map(entry).collect();
                handed.extend(order.fill_done(stored));
                fills += 1;
                prop_assert!(fills < 100, "fills never end");
            }
            let seqs: Vec<u64> = handed.iter().map(|e| e.seq).collect();
            prop_assert_eq!(seqs, (1..=store_head).collect::<Vec<_>>());
        }
    }
}
