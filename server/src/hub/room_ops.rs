//! A member's durable op in the room actor: the checks, the hand-over to the store (or to
//! the cluster's commit script), the answers to ops that were not sequenced, and the
//! broadcast once an entry is durable.

use super::Room;
use crate::{
    connection::ProtocolError,
    hub::{
        log::{ArchiveCheck, Submitted},
        outbox::{frame, Outgoing},
    },
    observability::record,
};
use tether_core::{
    board::{AppliedOp, Op},
    protocol::ServerMsg,
};
use tokio::time::Instant;

impl Room {
    /// A durable op from a member: the log decides, the store is handed new entries.
    pub(super) fn submit(&mut self, session: &str, op_id: String, op: Op, archive: ArchiveCheck) {
        let Some(author) = self.presence.author(session).map(str::to_owned) else {
            return; // gone meanwhile; its client resends after reconnecting
        };
        if let Op::AddStroke { stroke } = &op {
            if self
                .live_ids
                .held_by_other(&stroke.id, &author, Instant::now())
            {
                record::op_rejected("duplicate_stroke_id");
                let rejected = ServerMsg::Rejected {
                    op_id,
                    code: "duplicate_stroke_id".into(),
                    reason: format!("stroke id {} is being drawn by someone else", stroke.id),
                };
                self.send_to(session, &rejected);
                return;
            }
        }
        if self.cluster.is_some() {
            self.submit_to_cluster(session, &author, op_id, op);
            return;
        }
        match self
            .log
            .submit_checked(session, &author, op_id.clone(), op, archive)
        {
            Submitted::Sequenced(entry) => {
                // Queued in seq order right here; only durability is awaited, in the loop.
                let durable = self.store.append(&self.id, self.log.epoch(), entry);
                let received = Instant::now();
                self.commits.push_back(Box::pin(async move {
                    let result = durable.await;
                    if result.is_ok() {
                        record::storage_commit(received.elapsed());
                    }
                    result
                }));
                self.commit_started.push_back(received);
            }
            answer => self.answer(session, op_id, answer),
        }
    }

    /// Tells the sender what became of an op that was not sequenced.
    pub(super) fn answer(&mut self, session: &str, op_id: String, answer: Submitted) {
        match answer {
            Submitted::Duplicate(ack) => {
                record::op_duplicate();
                self.send_to(session, &ServerMsg::Applied(ack));
            }
            Submitted::Sequenced(_) | Submitted::DuplicateInFlight => {}
            Submitted::Recheck => {
                // Rare (thousands of ops landed between the lookup and now): the client
                // keeps the op and resends it after a short pause, like any rate limit.
                let pause = ProtocolError::RateLimited {
                    retry_after_ms: 250,
                };
                if let Some(outbox) = self.presence.connection(session) {
                    outbox.send_durable(Outgoing::frame(frame(&pause.to_msg())));
                    outbox.close(pause.close_code(), "dedup index moved; resend");
                }
            }
            Submitted::Rejected { code, reason } => {
                record::op_rejected(code);
                let rejected = ServerMsg::Rejected {
                    op_id,
                    code: code.into(),
                    reason,
                };
                self.send_to(session, &rejected);
            }
        }
    }

    /// The store confirmed the oldest entry in flight: broadcast it.
    pub(super) fn committed(&mut self) {
        if let Some(received) = self.commit_started.pop_front() {
            record::op_round_trip(received.elapsed());
        }
        if let Some(done) = self.log.commit_next() {
            record::op_applied();
            self.landed(done.entry, &done.duplicate_senders);
        }
    }

    /// A durable entry is on the board: everyone hears of it (the sender's ack), and the
    /// archive and snapshot schedule move on.
    pub(super) fn landed(&mut self, entry: AppliedOp, duplicate_senders: &[String]) {
        if let Op::AddStroke { stroke } = &entry.op {
            self.live_ids.landed(&stroke.id);
        }
        self.gauge.op_landed();
        let applied = ServerMsg::Applied(entry);
        self.broadcast(&applied, None);
        for session in duplicate_senders {
            self.send_to(session, &applied);
        }
        self.archive.advance(self.log.seq(), self.log.index_floor());
        self.save_snapshot_if_due();
    }
}
