//! The room actor when Redis holds the room's members: joins are attached by the presence
//! script (which picks or resumes the session), leaves go to it, and every member
//! transition — this node's and the others' — reaches local members from the presence
//! channel through [`ClusterPresence`]. The local [`super::Presence`] then only holds the
//! connections of this node.

use super::{
    super::{
        cluster_presence::{JoinDone, PresenceEvent, Update},
        handle::JoinReply,
        peer_view::subject,
        JoinRequest, LeaveReason, RoomError,
    },
    ClusterPresence, Room,
};
use crate::observability::log_tag::room_tag;
use crate::{observability::record, store::redis::Joined};
use tokio::sync::oneshot;
use tracing::{debug, warn};

/// The presence link's next event; pending forever on a single node.
pub(super) async fn next_event(link: &mut Option<ClusterPresence>) -> PresenceEvent {
    match link {
        Some(link) => link.next().await,
        None => std::future::pending().await,
    }
}

impl Room {
    /// Hands a join to the presence script; the member is welcomed when it answers.
    pub(super) fn join_in_cluster(
        &mut self,
        request: JoinRequest,
        reply: oneshot::Sender<JoinReply>,
    ) {
        let connection = self.presence.next_connection();
        let max_members = self.settings.max_members;
        if let Some(link) = &mut self.cluster_presence {
            link.join(request, reply, connection, max_members);
        }
    }

    /// A connection held here ended: the store hears of it (peers then see `away`, or
    /// `left` after `bye`).
    pub(super) fn leave_in_cluster(&mut self, session: &str, connection: u64, reason: LeaveReason) {
        if self.presence.detach(session, connection).is_none() {
            return; // already replaced or dropped here
        }
        debug!(room = %room_tag(&self.id), %session, ?reason, "connection ended");
        let grace = self.settings.grace_after(reason);
        if let Some(link) = &mut self.cluster_presence {
            link.release(session, connection, reason == LeaveReason::Bye, grace);
        }
    }

    /// A member held here is dropped (too slow to keep up): its client reconnects and
    /// resumes, here or on another node.
    pub(super) fn drop_in_cluster(&mut self, session: &str) {
        let Some(connection) = self.presence.connection_id(session) else {
            return;
        };
        self.leave_in_cluster(session, connection, LeaveReason::Dropped);
    }

    pub(super) fn on_presence_event(&mut self, event: PresenceEvent) {
        match event {
            PresenceEvent::Joined(done) => self.joined_in_cluster(*done),
            PresenceEvent::Update(update) => self.apply_presence(update),
        }
    }

    /// A change from the presence channel.
    pub(super) fn on_presence_change(&mut self, payload: &str) {
        if let Some(link) = &mut self.cluster_presence {
            let update = link.receive(payload);
            self.apply_presence(update);
        }
    }

    fn apply_presence(&mut self, update: Update) {
        for (session, connection) in update.drops {
            // Dropping the outbox ends that connection; its client reconnects.
            if self.presence.detach(&session, connection).is_some() {
                debug!(room = %room_tag(&self.id), %session, "connection replaced or lost: dropped");
            }
        }
        for message in update.messages {
            let about = subject(&message).map(str::to_owned);
            self.broadcast(&message, about.as_deref());
        }
    }

    fn joined_in_cluster(&mut self, done: JoinDone) {
        let JoinDone {
            request: JoinRequest { hello, outbox },
            reply,
            connection,
            fresh_token,
            result,
        } = done;
        let (session, resumed, version) = match result {
            Ok(Joined::Attached {
                session,
                resumed,
                version,
            }) => (session, resumed, version),
            Ok(Joined::Full(members)) => {
                warn!(room = %room_tag(&self.id), members, "room full: join refused");
                let _ = reply.send(JoinReply::Failed(RoomError::Full(members)));
                return;
            }
            Err(error) => {
                warn!(room = %room_tag(&self.id), %error, "presence unavailable: join refused");
                let _ = reply.send(JoinReply::Failed(RoomError::Storage(error)));
                return;
            }
        };
        if hello.resume_token.is_some() {
            record::resume(resumed);
        }
        let token = match (resumed, hello.resume_token.clone()) {
            (true, Some(token)) => token,
            _ => fresh_token,
        };
        let (last_seq, epoch) = (hello.last_seq, hello.epoch.clone());
        let author = self.settings.authors.author_of(&hello.client_id);
        // An older connection of the session held here is dropped with it.
        let _replaced = self
            .presence
            .attach(&session, connection, hello, author, token, outbox);
        let peers = match &mut self.cluster_presence {
            Some(link) => {
                link.attached(&session, connection, version);
                link.peers_of(&session)
            }
            None => Vec::new(),
        };
        let accepted = self.welcome(session, connection, resumed, peers, last_seq, epoch);
        // The joiner may have given up meanwhile; its connection then ends unread and
        // the lease runs out.
        let _ = reply.send(JoinReply::Accepted(accepted));
    }
}
