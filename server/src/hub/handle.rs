//! A joined member's line to its room, and the commands a room actor answers.

use super::{
    archive::RoomArchive, log::ArchiveCheck, JoinAccepted, JoinRequest, LeaveReason, RoomError,
    RoomSnapshot,
};
use std::sync::Arc;
use tether_core::{board::Op, protocol::ServerMsg};
use tokio::sync::{mpsc, oneshot};
use tracing::debug;

/// A room's answer to `Join`.
pub(crate) enum JoinReply {
    Accepted(JoinAccepted),
    /// The room is unloading: ask the hub again (a fresh room will load).
    Retry(JoinRequest),
    Failed(RoomError),
}

/// Messages to a room actor.
pub(crate) enum RoomCmd {
    Join {
        request: JoinRequest,
        reply: oneshot::Sender<JoinReply>,
    },
    Leave {
        session: String,
        connection: u64,
        reason: LeaveReason,
    },
    Op {
        session: String,
        op_id: String,
        op: Op,
        /// What the store said about `op_id` (when the room may have forgotten it).
        archive: ArchiveCheck,
    },
    /// Already-validated ephemeral message to relay to the other members.
    Ephemeral { session: String, msg: ServerMsg },
    Snapshot {
        reply: oneshot::Sender<RoomSnapshot>,
    },
    /// The hub needs the memory: unload if still empty.
    Unload,
    /// In a cluster: what the node's PUB/SUB connection brought for this room.
    Feed(crate::cluster::feed::FeedEvent),
}

/// A joined member's line to its room.
#[derive(Clone)]
pub struct RoomHandle {
    session: String,
    connection: u64,
    commands: mpsc::Sender<RoomCmd>,
    archive: Arc<RoomArchive>,
}

impl RoomHandle {
    pub(crate) fn new(accepted: &JoinAccepted, commands: mpsc::Sender<RoomCmd>) -> Self {
        Self {
            session: accepted.session.clone(),
            connection: accepted.connection,
            commands,
            archive: accepted.archive.clone(),
        }
    }

    /// This member's session id.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Submits a durable op (validated by the caller), after asking the store about its
    /// id if the room may have forgotten it. Waits only if the room or store is busy.
    pub async fn op(&self, op_id: String, op: Op) -> Result<(), RoomError> {
        let archive = self.archive.check(&op_id).await?;
        let session = self.session.clone();
        let op = RoomCmd::Op {
            session,
            op_id,
            op,
            archive,
        };
        self.commands.send(op).await.map_err(|_| RoomError::Gone)
    }

    /// Relays an ephemeral message to the other members; dropped if the room is busy
    /// (ephemeral messages may be lost by design).
    pub fn ephemeral(&self, msg: ServerMsg) {
        let session = self.session.clone();
        if self
            .commands
            .try_send(RoomCmd::Ephemeral { session, msg })
            .is_err()
        {
            debug!(session = %self.session, "room busy: ephemeral message dropped");
        }
    }

    /// Leaves the room: the connection is gone (`Dropped`) or the client said goodbye.
    pub async fn leave(self, reason: LeaveReason) {
        let leave = RoomCmd::Leave {
            session: self.session,
            connection: self.connection,
            reason,
        };
        // A room that already stopped has forgotten this member anyway.
        let _ = self.commands.send(leave).await;
    }
}
