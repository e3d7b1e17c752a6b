//! Durable storage of room logs behind one trait, so the hub does not care whether ops go
//! to the embedded SQLite file (the default) or, later, to a shared Redis.
//!
//! The contract every implementation keeps (and `tests/store.rs` checks):
//! - `append` returns only after the entry is durable (committed and synced);
//! - a room's log is gap-free: an entry whose seq is not the room's last seq + 1 is refused;
//! - an `op_id` appears at most once per room;
//! - concurrent appends are batched (group commit), so throughput is not one fsync per op.

mod sqlite;

pub use sqlite::SqliteStore;

use async_trait::async_trait;
use std::{future::Future, pin::Pin};
use tether_core::board::AppliedOp;
use thiserror::Error;

/// Resolves once an appended entry is durable (or could not be stored).
pub type Durable = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send>>;

/// A room's durable state as loaded at start-up of its actor.
#[derive(Debug, Clone, Default)]
pub struct StoredLog {
    /// Random id of this room's history, fixed when the first op is stored. `None` for a
    /// room that has never stored anything. Clients use it to notice that a server's data
    /// was reset, so their `last_seq` no longer means anything here.
    pub epoch: Option<String>,
    /// Every op in seq order, starting at 1.
    pub ops: Vec<AppliedOp>,
}

/// Why the store could not do what was asked.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The entry's seq does not directly follow the room's last stored seq.
    #[error("room {room}: seq {seq} does not follow the stored log (last seq {last})")]
    OutOfOrder { room: String, seq: u64, last: u64 },
    /// The same op id is already stored for this room.
    #[error("room {room}: op {op_id} is already stored")]
    DuplicateOp { room: String, op_id: String },
    /// The database itself failed (disk full, corruption, I/O error).
    #[error("storage failure: {0}")]
    Backend(String),
    /// The store is shutting down or its writer stopped.
    #[error("the store is closed")]
    Closed,
}

/// Durable room logs. Shared by all rooms; cheap to call concurrently.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The room's epoch and whole log (empty for a room never written to).
    async fn load(&self, room: &str) -> Result<StoredLog, StoreError>;

    /// Appends one entry to `room`'s log, recording `epoch` if the room is new.
    ///
    /// Not `async` on purpose: the entry is queued *before this returns*, so entries
    /// appended one after the other reach the log in that order even though their
    /// durability is awaited elsewhere. The returned future resolves once it is durable.
    fn append(&self, room: &str, epoch: &str, entry: AppliedOp) -> Durable;

    /// Waits until everything appended so far is durable (used at shutdown).
    async fn flush(&self) -> Result<(), StoreError>;

    /// False while the store cannot write (its writer is down): the server is not ready.
    fn is_healthy(&self) -> bool {
        true
    }
}
