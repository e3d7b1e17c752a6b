//! The cluster store: room logs in a shared Redis, so several server nodes serve the same
//! rooms. Redis runs with `appendfsync always`, so a reply means the write is on disk.
//!
//! Per room, all under one `{room}` hash tag (so Redis Cluster could shard by room later
//! without a key redesign):
//! - `tether:{room}:log`      stream, entry id `<seq>-0`, field `e` = the entry's body;
//! - `tether:{room}:head`     the last seq;
//! - `tether:{room}:epoch`    the id of this history, set once;
//! - `tether:{room}:ops`      hash op id → `seq:fingerprint` (dedup is permanent);
//! - `tether:{room}:strokes`  set of the stroke ids on the board (no id taken twice);
//! - `tether:{room}:snapshot` hash `seq`, `strokes` (the board as of `seq`);
//! - members, their deadlines and resume keys, and the presence version: see `presence`.
//!
//! Every op goes through one Lua script (`commit.lua`), atomic per room: dedup, seq,
//! `XADD`, head, and `PUBLISH` of the entry on `tether:{room}:feed` for the other nodes.
//! In a cluster Redis picks the seq ([`Redis::commit`]): it is the log authority.
//! [`Store::append`] passes the seq it expects instead, which keeps the single-node
//! contract, so one conformance suite (`tests/store.rs`) runs against both stores.

mod commands;
mod keys;
mod presence;

pub use commands::{parse_published, Commit, Redis};
pub use keys::{feed_channel, live_channel, presence_channel, room_of_channel};
pub use presence::{resume_key, split_published_change, JoinRequest, Joined, Tick};

use super::{Durable, Store, StoreError, StoredLog};
use async_trait::async_trait;
use std::sync::Arc;
use tether_core::board::{AppliedOp, Stroke};
use tokio::sync::{mpsc, oneshot};

/// An append waiting for its turn.
struct Append {
    room: String,
    epoch: String,
    entry: AppliedOp,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// [`Store`] on Redis.
pub struct RedisStore {
    redis: Redis,
    /// Appends, in the order they were made (see [`Store::append`]).
    appends: mpsc::UnboundedSender<Append>,
}

impl RedisStore {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379/0`).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let redis = Redis::connect(url).await?;
        let (appends, queue) = mpsc::unbounded_channel();
        tokio::spawn(append_in_order(redis.clone(), queue));
        Ok(Self { redis, appends })
    }

    /// The commands beyond the [`Store`] contract, for the cluster.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }
}

/// Runs appends one after the other, so they reach the log in the order they were made
/// even though callers await them elsewhere. Ends when the store is dropped.
async fn append_in_order(redis: Redis, mut queue: mpsc::UnboundedReceiver<Append>) {
    while let Some(Append {
        room,
        epoch,
        entry,
        done,
    }) = queue.recv().await
    {
        let result = match redis.run_commit(&room, &epoch, &entry, entry.seq).await {
            Ok(Commit::Appended(_)) => Ok(()),
            Ok(Commit::Known { .. }) => Err(StoreError::DuplicateOp {
                room,
                op_id: entry.op_id,
            }),
            Ok(Commit::OutOfOrder { last }) => Err(StoreError::OutOfOrder {
                room,
                seq: entry.seq,
                last,
            }),
            Ok(Commit::StrokeTaken) => Err(StoreError::Backend(format!(
                "room {room}: the stroke of op {} is already on the board",
                entry.op_id
            ))),
            Err(error) => Err(error),
        };
        // The caller may have stopped waiting.
        let _ = done.send(result);
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn load(&self, room: &str) -> Result<StoredLog, StoreError> {
        self.redis.load(room).await
    }

    async fn find_op(&self, room: &str, op_id: &str) -> Result<Option<AppliedOp>, StoreError> {
        self.redis.find_op(room, op_id).await
    }

    fn save_snapshot(&self, room: &str, seq: u64, strokes: Vec<Arc<Stroke>>) -> Durable {
        Box::pin(self.redis.save_snapshot(room, seq, strokes))
    }

    fn append(&self, room: &str, epoch: &str, entry: AppliedOp) -> Durable {
        let (done, result) = oneshot::channel();
        let queued = self.appends.send(Append {
            room: room.to_owned(),
            epoch: epoch.to_owned(),
            entry,
            done,
        });
        Box::pin(async move {
            queued.map_err(|_| StoreError::Closed)?;
            result.await.map_err(|_| StoreError::Closed)?
        })
    }

    async fn flush(&self) -> Result<(), StoreError> {
        // Every reply came after the write was on disk (appendfsync always), and appends
        // still queued are awaited by their callers.
        Ok(())
    }

    fn is_healthy(&self) -> bool {
        self.redis.is_healthy()
    }
}
