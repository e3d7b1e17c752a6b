//! The connection to Redis and the commands Tether sends it: the commit script, stream
//! reads, head and epoch, shared values. Cheap to clone (one multiplexed connection that
//! reconnects by itself), and used by both the [`super::RedisStore`] and the cluster.

use super::keys::{feed_channel, RoomKeys};
use crate::observability::record;
use crate::store::{fingerprint::fingerprint_hex, StoreError, StoredLog, StoredSnapshot};
use redis::{aio::ConnectionManager, AsyncCommands, Script};
use serde::{Deserialize, Serialize};
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};
use tether_core::board::{AppliedOp, Op, Stroke};
use tracing::{info, warn};

/// Most entries read from a stream in one command.
const READ_BATCH: usize = 1000;

/// How long a command may take before the store counts as down.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(3);

/// What the stream keeps of an entry: everything but the seq, which is the entry's id.
#[derive(Serialize, Deserialize)]
struct Body {
    op_id: String,
    author: String,
    op: Op,
}

impl Body {
    fn json(entry: &AppliedOp) -> String {
        let body = Body {
            op_id: entry.op_id.clone(),
            author: entry.author.clone(),
            op: entry.op.clone(),
        };
        // Plain data: serializing cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }

    fn parse(seq: u64, json: &str) -> Result<AppliedOp, StoreError> {
        let body: Body = serde_json::from_str(json)
            .map_err(|e| StoreError::Backend(format!("stored entry {seq} is unreadable: {e}")))?;
        Ok(AppliedOp {
            seq,
            op_id: body.op_id,
            author: body.author,
            op: body.op,
        })
    }
}

/// A published entry (`"<seq> <body>"`, as `commit.lua` sends it), read back.
pub fn parse_published(payload: &str) -> Result<AppliedOp, StoreError> {
    let (seq, body) = payload
        .split_once(' ')
        .ok_or_else(|| StoreError::Backend("published entry without a seq".into()))?;
    let seq = seq
        .parse()
        .map_err(|_| StoreError::Backend(format!("published entry with seq {seq:?}")))?;
    Body::parse(seq, body)
}

/// The answer of the commit script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commit {
    /// Stored with this seq (and published).
    Appended(u64),
    /// The op id was stored before, with this seq and content fingerprint.
    Known { seq: u64, fingerprint: String },
    /// The op adds a stroke whose id is already on the board.
    StrokeTaken,
    /// (Only with an expected seq) the log's last seq is not the one before it.
    OutOfOrder { last: u64 },
}

/// Redis with Tether's scripts loaded. Every command goes over one multiplexed
/// connection that reconnects by itself.
#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    connection: ConnectionManager,
    commit: Script,
    snapshot: Script,
    /// False after a command failed, until one succeeds again (a pinger keeps it fresh).
    healthy: Arc<AtomicBool>,
}

impl Redis {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379/0`), retrying for a few seconds
    /// (a cluster's Redis may be starting beside the node).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(backend)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let mut attempt = 0;
        let connection = loop {
            match client
                .get_connection_manager_with_config(config.clone())
                .await
            {
                Ok(connection) => break connection,
                Err(error) if attempt < 20 => {
                    attempt += 1;
                    warn!(%error, attempt, "redis not reachable yet");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(error) => return Err(backend(error)),
            }
        };
        let store = Self {
            client,
            connection,
            commit: Script::new(include_str!("commit.lua")),
            snapshot: Script::new(include_str!("snapshot.lua")),
            healthy: Arc::new(AtomicBool::new(true)),
        };
        store.warn_unless_durable().await;
        store.start_pinger();
        Ok(store)
    }

    /// The client, for connections of their own (PUB/SUB).
    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// A handle on the shared connection.
    pub fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    /// Whether the last command (or ping) reached Redis.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    /// Says so if Redis does not sync every write: then an ack would not mean "on disk".
    async fn warn_unless_durable(&self) {
        let mut connection = self.connection();
        let fsync: redis::RedisResult<Vec<String>> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("appendfsync")
            .query_async(&mut connection)
            .await;
        match fsync.as_deref() {
            Ok([_, value]) if value == "always" => {
                info!("redis syncs every write (appendfsync always)")
            }
            Ok(other) => warn!(
                ?other,
                "redis does not run with appendfsync always: acks may precede the disk"
            ),
            Err(error) => warn!(%error, "cannot read redis's appendfsync setting"),
        }
    }

    /// Pings every second so `/readyz` notices Redis going away even when idle.
    fn start_pinger(&self) {
        let healthy = Arc::downgrade(&self.healthy);
        let mut connection = self.connection();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let pong: redis::RedisResult<String> =
                    redis::cmd("PING").query_async(&mut connection).await;
                let Some(healthy) = healthy.upgrade() else {
                    return; // the store is gone
                };
                healthy.store(pong.is_ok(), Ordering::Relaxed);
            }
        });
    }

    /// Notes the outcome of a command for [`Store::is_healthy`].
    pub(super) fn seen<T>(&self, result: redis::RedisResult<T>) -> Result<T, StoreError> {
        match result {
            Ok(value) => {
                self.healthy.store(true, Ordering::Relaxed);
                Ok(value)
            }
            Err(error) => {
                if error.is_io_error() || error.is_timeout() || error.is_connection_dropped() {
                    self.healthy.store(false, Ordering::Relaxed);
                }
                Err(backend(error))
            }
        }
    }

    /// Runs the commit script for `entry` (`expected`: its seq must be the next one; 0:
    /// Redis picks the seq and the entry's is ignored).
    pub(super) async fn run_commit(
        &self,
        room: &str,
        epoch: &str,
        entry: &AppliedOp,
        expected: u64,
    ) -> Result<Commit, StoreError> {
        let keys = RoomKeys::of(room);
        let (effect, stroke_id) = match &entry.op {
            Op::AddStroke { stroke } => ("add", stroke.id.as_str()),
            Op::EraseStroke { id } => ("erase", id.as_str()),
            Op::Clear => ("clear", ""),
        };
        let mut invocation = self.commit.prepare_invoke();
        invocation
            .key(&keys.log)
            .key(&keys.head)
            .key(&keys.epoch)
            .key(&keys.ops)
            .key(&keys.strokes)
            .arg(&entry.op_id)
            .arg(fingerprint_hex(&entry.author, &entry.op))
            .arg(Body::json(entry))
            .arg(epoch)
            .arg(expected)
            .arg(feed_channel(room))
            .arg(effect)
            .arg(stroke_id);
        let mut connection = self.connection();
        let started = std::time::Instant::now();
        let answer = invocation.invoke_async(&mut connection).await;
        record::redis_round_trip(started.elapsed());
        let (outcome, detail): (String, String) = self.seen(answer)?;
        let number = |text: &str| {
            text.parse::<u64>().map_err(|_| {
                StoreError::Backend(format!("commit script answered {outcome} {text}"))
            })
        };
        match outcome.as_str() {
            "appended" => Ok(Commit::Appended(number(&detail)?)),
            "known" => {
                let (seq, fingerprint) = detail.split_once(':').unwrap_or((&detail, ""));
                Ok(Commit::Known {
                    seq: number(seq)?,
                    fingerprint: fingerprint.to_owned(),
                })
            }
            "stroke_taken" => Ok(Commit::StrokeTaken),
            "out_of_order" => Ok(Commit::OutOfOrder {
                last: number(&detail)?,
            }),
            other => Err(StoreError::Backend(format!(
                "commit script answered {other:?}"
            ))),
        }
    }

    /// Appends `entry` at whatever seq comes next (its own `seq` is ignored), recording
    /// `epoch` if the room is new: the cluster's one log authority.
    pub async fn commit(
        &self,
        room: &str,
        epoch: &str,
        entry: &AppliedOp,
    ) -> Result<Commit, StoreError> {
        self.run_commit(room, epoch, entry, 0).await
    }

    /// The room's last seq.
    pub async fn head(&self, room: &str) -> Result<u64, StoreError> {
        let mut connection = self.connection();
        let head: Option<u64> = self.seen(connection.get(RoomKeys::of(room).head).await)?;
        Ok(head.unwrap_or(0))
    }

    /// The entries with seqs `from..=to` (fewer if the log ends sooner).
    pub async fn range(
        &self,
        room: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<AppliedOp>, StoreError> {
        let mut connection = self.connection();
        let mut entries = Vec::new();
        let mut next = from;
        while next <= to {
            let batch: Vec<(String, Vec<String>)> = self.seen(
                redis::cmd("XRANGE")
                    .arg(RoomKeys::of(room).log)
                    .arg(format!("{next}-0"))
                    .arg(format!("{to}-0"))
                    .arg("COUNT")
                    .arg(READ_BATCH)
                    .query_async(&mut connection)
                    .await,
            )?;
            let full = batch.len() == READ_BATCH;
            for (id, fields) in batch {
                let seq = id
                    .split_once('-')
                    .and_then(|(seq, _)| seq.parse::<u64>().ok())
                    .ok_or_else(|| StoreError::Backend(format!("stream entry id {id:?}")))?;
                let body = match fields.as_slice() {
                    [field, body] if field == "e" => body,
                    _ => {
                        return Err(StoreError::Backend(format!(
                            "stream entry {id} has no body"
                        )))
                    }
                };
                entries.push(Body::parse(seq, body)?);
                next = seq + 1;
            }
            if !full {
                break;
            }
        }
        Ok(entries)
    }

    /// The room's epoch, fixing `candidate` as it if the room has none yet: every node
    /// that loads a room agrees on its epoch before anything is written.
    pub async fn ensure_epoch(&self, room: &str, candidate: &str) -> Result<String, StoreError> {
        self.ensure_value(&RoomKeys::of(room).epoch, candidate)
            .await
    }

    /// The cluster's shared secret for author ids: `candidate` unless another node set one
    /// first, so a user's author id is the same on every node.
    pub async fn shared_secret(&self, candidate: &str) -> Result<String, StoreError> {
        self.ensure_value("tether:identity-secret", candidate).await
    }

    /// The value of `key`, set to `candidate` first if it has none.
    async fn ensure_value(&self, key: &str, candidate: &str) -> Result<String, StoreError> {
        let mut connection = self.connection();
        let (value,): (String,) = self.seen(
            redis::pipe()
                .atomic()
                .cmd("SET")
                .arg(key)
                .arg(candidate)
                .arg("NX")
                .ignore()
                .cmd("GET")
                .arg(key)
                .query_async(&mut connection)
                .await,
        )?;
        Ok(value)
    }

    /// The room's epoch, latest snapshot and the entries after it.
    pub async fn load(&self, room: &str) -> Result<StoredLog, StoreError> {
        let keys = RoomKeys::of(room);
        let mut connection = self.connection();
        let (epoch, seq, strokes): (Option<String>, Option<u64>, Option<String>) = self.seen(
            redis::pipe()
                .get(&keys.epoch)
                .hget(&keys.snapshot, "seq")
                .hget(&keys.snapshot, "strokes")
                .query_async(&mut connection)
                .await,
        )?;
        let snapshot = match (seq, strokes) {
            (Some(seq), Some(strokes)) => Some(StoredSnapshot {
                seq,
                strokes: serde_json::from_str::<Vec<Stroke>>(&strokes).map_err(|e| {
                    StoreError::Backend(format!("room {room}: snapshot unreadable: {e}"))
                })?,
            }),
            _ => None,
        };
        let after = snapshot.as_ref().map_or(0, |s| s.seq);
        let ops = self.range(room, after + 1, u64::MAX / 2).await?;
        Ok(StoredLog {
            epoch,
            snapshot,
            ops,
        })
    }

    /// The stored entry of `op_id` in `room`, however old.
    pub async fn find_op(&self, room: &str, op_id: &str) -> Result<Option<AppliedOp>, StoreError> {
        let mut connection = self.connection();
        let known: Option<String> =
            self.seen(connection.hget(RoomKeys::of(room).ops, op_id).await)?;
        let Some(seq) = known.and_then(|k| k.split_once(':').and_then(|(s, _)| s.parse().ok()))
        else {
            return Ok(None);
        };
        Ok(self.range(room, seq, seq).await?.into_iter().next())
    }

    /// Saves the board as of `seq` unless a newer snapshot is there. The strokes are
    /// serialized when the returned future runs, off the caller's task.
    pub fn save_snapshot(
        &self,
        room: &str,
        seq: u64,
        strokes: Vec<Arc<Stroke>>,
    ) -> impl std::future::Future<Output = Result<(), StoreError>> + Send + 'static {
        let key = RoomKeys::of(room).snapshot;
        let redis = self.clone();
        async move {
            let json = serde_json::to_string(&strokes)
                .map_err(|e| StoreError::Backend(format!("snapshot: {e}")))?;
            let mut connection = redis.connection();
            let _saved: i64 = redis.seen(
                redis
                    .snapshot
                    .key(key)
                    .arg(seq)
                    .arg(json)
                    .invoke_async(&mut connection)
                    .await,
            )?;
            Ok(())
        }
    }
}

fn backend(error: redis::RedisError) -> StoreError {
    StoreError::Backend(format!("redis: {error}"))
}
