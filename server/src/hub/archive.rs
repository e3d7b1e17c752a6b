//! Dedup beyond what a room keeps in memory: before an op goes to its room, the member's
//! connection asks the store whether the op id is already stored, off the room's task.
//!
//! A room remembers only its newest op ids (see [`super::log`]); an honest client can
//! still resend an op from long ago (its ack was lost, then it stayed offline while the
//! room moved on). The room publishes how far its memory reaches (`floor`) and how far the
//! store is known to be complete (`head`); the connection reads `head`, asks the store, and
//! hands both answers to the room, which can then tell whether the lookup covers every op
//! id it forgot ([`super::log::ArchiveCheck`]).

use super::log::ArchiveCheck;
use crate::store::{Store, StoreError};
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

/// One room's view of its stored history, shared by the room and its members' handles.
pub struct RoomArchive {
    room: String,
    store: Arc<dyn Store>,
    /// The last durable seq, set by the room after each commit.
    head: AtomicU64,
    /// The first seq whose op id the room still holds in memory.
    floor: AtomicU64,
}

impl std::fmt::Debug for RoomArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomArchive")
            .field("head", &self.head)
            .field("floor", &self.floor)
            .finish_non_exhaustive()
    }
}

impl RoomArchive {
    pub(super) fn new(room: String, store: Arc<dyn Store>, head: u64, floor: u64) -> Self {
        Self {
            room,
            store,
            head: AtomicU64::new(head),
            floor: AtomicU64::new(floor),
        }
    }

    /// The room committed up to `head` and now remembers op ids from `floor` on.
    pub(super) fn advance(&self, head: u64, floor: u64) {
        // Release: a reader that sees `head` also sees the commits behind it in the store.
        self.head.store(head, Ordering::Release);
        self.floor.store(floor, Ordering::Release);
    }

    /// What the store says about `op_id`, when the room may have forgotten it; no lookup
    /// (the common case) while the room still remembers every op id of its history.
    pub async fn check(&self, op_id: &str) -> Result<ArchiveCheck, StoreError> {
        if self.floor.load(Ordering::Acquire) <= 1 {
            return Ok(ArchiveCheck::default());
        }
        // Read before asking: everything up to `through` is in the store by then.
        let through = self.head.load(Ordering::Acquire);
        let stored = self.store.find_op(&self.room, op_id).await?;
        Ok(ArchiveCheck { through, stored })
    }
}
