//! Durable storage of room logs behind one trait, so the hub does not care whether ops go
//! to the embedded SQLite file (the default) or, later, to a shared Redis.
//!
//! The contract every implementation keeps (and `tests/store.rs` checks):
//! - `append` returns only after the entry is durable (committed and synced);
//! - a room's log is gap-free: an entry whose seq is not the room's last seq + 1 is refused;
//! - an `op_id` appears at most once per room;
//! - concurrent appends are batched (group commit), so throughput is not one fsync per op;
//! - a load reads a bounded amount: the room's latest snapshot and the ops after it, never
//!   the whole history (ops older than the snapshot are still there for `find_op`).

pub mod fingerprint;
pub mod redis;
mod sqlite;

pub use redis::RedisStore;
pub use sqlite::{SqliteStore, DATABASE_FILE};

use async_trait::async_trait;
use std::{future::Future, pin::Pin, sync::Arc};
use tether_core::board::{AppliedOp, Stroke};
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
    /// The board as it was at some seq, if one was saved: the ops before it are not read.
    pub snapshot: Option<StoredSnapshot>,
    /// The ops after the snapshot (or every op, without one), in seq order.
    pub ops: Vec<AppliedOp>,
}

/// A room's board as of one seq.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredSnapshot {
    /// The last op the board includes.
    pub seq: u64,
    /// The strokes on the board then.
    pub strokes: Vec<Stroke>,
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
    /// The room's epoch, latest snapshot and the ops after it (empty for a room never
    /// written to).
    async fn load(&self, room: &str) -> Result<StoredLog, StoreError>;

    /// The stored entry of `op_id` in `room`, however old: dedup is permanent, not limited
    /// to what a loaded room keeps in memory.
    async fn find_op(&self, room: &str, op_id: &str) -> Result<Option<AppliedOp>, StoreError>;

    /// Saves the board as of `seq` (whose op is already durable) so later loads start
    /// there. An older snapshot never replaces a newer one. Queued before this returns.
    fn save_snapshot(&self, room: &str, seq: u64, strokes: Vec<Arc<Stroke>>) -> Durable;

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
