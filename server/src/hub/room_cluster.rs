//! The room actor in a cluster: its ops are sequenced by the commit script in Redis, and
//! every committed entry — this node's and the others' — reaches the board through the
//! [`ClusterLink`] in seq order. The acknowledgement of an op is, as on one node, the
//! `Applied` broadcast when the entry lands here.

use super::{
    super::{
        cluster_link::LinkEvent,
        handle::JoinReply,
        log::{reused, stamped, stroke_taken},
        JoinRequest,
    },
    ClusterLink, Room,
};
use crate::observability::log_tag::room_tag;
use crate::{
    cluster::feed::FeedEvent,
    hub::{cluster_link::CommitReply, log::Submitted, outbox::Outgoing},
    observability::record,
    store::{fingerprint::fingerprint_hex, redis::Commit},
};
use tether_core::{
    board::{AppliedOp, Op},
    protocol::ServerMsg,
};
use tokio::sync::oneshot;
use tracing::warn;

/// The link's next event; pending forever on a single node.
pub(super) async fn next_event(link: &mut Option<ClusterLink>) -> LinkEvent {
    match link {
        Some(link) => link.next().await,
        None => std::future::pending().await,
    }
}

impl Room {
    /// Nothing this room handed to storage is still waiting for an answer.
    pub(super) fn nothing_in_flight(&self) -> bool {
        self.commits.is_empty()
            && self.cluster.as_ref().is_none_or(ClusterLink::is_idle)
            && self
                .cluster_presence
                .as_ref()
                .is_none_or(|members| members.is_idle())
    }

    /// A checked op goes to the commit script; op ids this node has seen land are
    /// answered at once.
    pub(super) fn submit_to_cluster(&mut self, session: &str, author: &str, op_id: String, op: Op) {
        if let Some(answer) = self.log.answer_known(session, author, &op_id, &op) {
            self.answer(session, op_id, answer);
            return;
        }
        match self.log.check_new(author, op) {
            Ok(op) => {
                let epoch = self.log.epoch().to_owned();
                if let Some(link) = &mut self.cluster {
                    link.commit(session, author, op_id, op, &epoch);
                }
            }
            Err((code, reason)) => {
                self.answer(session, op_id, Submitted::Rejected { code, reason })
            }
        }
    }

    /// What the feed brought for this room.
    pub(super) fn on_feed(&mut self, event: FeedEvent) {
        let Some(link) = &mut self.cluster else {
            return;
        };
        match event {
            FeedEvent::Entry(payload) => {
                let ready = link.receive(&payload);
                self.apply_ready(ready);
            }
            FeedEvent::Resync => {
                link.resync();
                if let Some(members) = &mut self.cluster_presence {
                    members.reload_soon();
                }
            }
            FeedEvent::Presence(payload) => self.on_presence_change(&payload),
            FeedEvent::Live(payload) => {
                let Some(json) = link.cluster().remote_live(&payload) else {
                    return;
                };
                let shared = Outgoing::frame(json.into());
                for (_, outbox) in self.presence.connected() {
                    outbox.send_ephemeral(shared.clone());
                }
            }
        }
    }

    /// Handles the link's event; false when the room must stop (Redis failed).
    pub(super) fn on_link_event(&mut self, event: LinkEvent) -> bool {
        match event {
            LinkEvent::Committed(reply) => self.on_commit_reply(reply),
            LinkEvent::Ready(entries) => self.apply_ready(entries),
            LinkEvent::Failed(error) => {
                warn!(room = %room_tag(&self.id), %error, "cluster store failed: disconnecting everyone");
                self.fail_everyone();
                return false;
            }
        }
        true
    }

    fn on_commit_reply(&mut self, reply: CommitReply) {
        let CommitReply {
            session,
            author,
            op_id,
            op,
            result,
        } = reply;
        match result {
            // The ack is the broadcast when the entry lands here.
            Ok(Commit::Appended(_)) => record::op_applied(),
            Ok(Commit::Known { seq, fingerprint }) => {
                if fingerprint != fingerprint_hex(&author, &op) {
                    let refused = reused(&op_id);
                    self.answer(&session, op_id, refused);
                } else if seq <= self.log.seq() {
                    let ack = stamped(seq, op_id, &author, op);
                    self.send_to(&session, &ServerMsg::Applied(ack));
                }
                // Else it lands here soon, and the broadcast is the ack.
            }
            Ok(Commit::StrokeTaken) => {
                let Op::AddStroke { stroke } = &op else {
                    return;
                };
                let (code, reason) = stroke_taken(&stroke.id);
                self.answer(&session, op_id, Submitted::Rejected { code, reason });
            }
            Ok(Commit::OutOfOrder { .. }) | Err(_) => {
                // Not acknowledged: the client keeps the op and resends it after it
                // reconnects; a commit that did land is then answered as a duplicate.
                warn!(room = %room_tag(&self.id), %session, "commit failed: disconnecting everyone");
                self.fail_everyone();
            }
        }
    }

    /// Entries from the store, in seq order, join the board and are broadcast.
    fn apply_ready(&mut self, entries: Vec<AppliedOp>) {
        for entry in entries {
            if let Err(gap) = self.log.apply_durable(&entry) {
                // The link hands entries on in order; this would be a bug, not input.
                warn!(room = %room_tag(&self.id), %gap, "entry out of order: skipped");
                continue;
            }
            // One of this node's ops: from reaching the room to its broadcast, just below.
            if let Some(took) = self.cluster.as_mut().and_then(|l| l.landing(&entry.op_id)) {
                record::op_round_trip(took);
            }
            self.landed(entry, &[]);
        }
        self.admit_waiting_joins();
    }

    /// A join from a client that saw more of this room than this node has applied waits
    /// (its entries are fetched now); `Some` gives the join back to handle at once.
    pub(super) fn unless_behind(
        &mut self,
        request: JoinRequest,
        reply: oneshot::Sender<JoinReply>,
    ) -> Option<(JoinRequest, oneshot::Sender<JoinReply>)> {
        let Some(link) = &mut self.cluster else {
            return Some((request, reply));
        };
        let hello = &request.hello;
        let same_history = hello.epoch.as_deref().is_none_or(|e| e == self.log.epoch());
        match hello.last_seq {
            Some(last) if same_history && last > self.log.seq() => {
                link.wants(last);
                self.waiting_joins.push((request, reply));
                None
            }
            _ => Some((request, reply)),
        }
    }

    /// Lets in the waiting joins this node has caught up for (or that claimed more than
    /// the store holds: they get a snapshot, as on one node).
    fn admit_waiting_joins(&mut self) {
        let caught_up = self.cluster.as_ref().is_none_or(|link| !link.is_behind());
        let seq = self.log.seq();
        let waiting = std::mem::take(&mut self.waiting_joins);
        for (request, reply) in waiting {
            let ready = caught_up || request.hello.last_seq.is_none_or(|last| last <= seq);
            if ready {
                self.handle(super::RoomCmd::Join { request, reply });
            } else {
                self.waiting_joins.push((request, reply));
            }
        }
    }
}
