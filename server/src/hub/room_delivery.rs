//! How a room's frames reach its members: one member, everyone, and what happens to members
//! too slow to keep up or when storage fails.

use super::Room;
use crate::observability::log_tag::room_tag;
use crate::{
    connection::close_code,
    hub::outbox::{frame, Delivery, Outgoing},
    observability::record,
};
use tether_core::protocol::ServerMsg;
use tokio::time::Instant;
use tracing::warn;

impl Room {
    /// Sends to one member; `false` if it is not connected or could not take it.
    pub(super) fn send_to(&mut self, session: &str, msg: &ServerMsg) -> bool {
        let delivery = self
            .presence
            .connection(session)
            .map(|outbox| outbox.send_durable(Outgoing::frame(frame(msg))));
        if delivery == Some(Delivery::Overflowed) {
            self.drop_slow(vec![session.to_owned()]);
        }
        delivery == Some(Delivery::Queued)
    }

    pub(super) fn broadcast(&mut self, msg: &ServerMsg, except: Option<&str>) {
        let shared = Outgoing::frame(frame(msg));
        let slow: Vec<String> = self
            .presence
            .connected()
            .filter(|(session, _)| Some(*session) != except)
            .filter(|(_, outbox)| outbox.send_durable(shared.clone()) == Delivery::Overflowed)
            .map(|(session, _)| session.to_owned())
            .collect();
        self.drop_slow(slow);
    }

    /// Members whose outbox overflowed were told to close: their clients will reconnect
    /// and resume, so they go `away` like any dropped connection.
    pub(super) fn drop_slow(&mut self, sessions: Vec<String>) {
        let until = Instant::now() + self.settings.grace();
        for session in sessions {
            warn!(room = %room_tag(&self.id), %session, "member too far behind: disconnected to resync");
            record::slow_disconnect();
            if self.cluster_presence.is_some() {
                self.drop_in_cluster(&session);
            } else if let Some(away) = self.presence.mark_away(&session, until) {
                self.broadcast(&away, None);
            }
        }
    }

    /// Storage failed: nothing in flight was acknowledged, so clients keep those ops in
    /// their outboxes; disconnect everyone so they reconnect to a freshly loaded room.
    pub(super) fn fail_everyone(&mut self) {
        let error = ServerMsg::Error {
            code: "storage_unavailable".into(),
            message: "the server could not store your drawing; reconnecting".into(),
            fatal: false,
            retry_after_ms: None,
        };
        let shared = Outgoing::frame(frame(&error));
        for outbox in self.presence.clear() {
            outbox.send_durable(shared.clone());
            outbox.close(close_code::INTERNAL_ERROR, "storage unavailable");
        }
    }
}
