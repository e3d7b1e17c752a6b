//! The embedded default store: one SQLite file in WAL mode.
//!
//! Writes go through a single writer thread that owns the write connection. It takes every
//! append waiting in its queue, writes them in one transaction (one savepoint each, so a
//! refused entry does not sink the others), commits with `synchronous=FULL`, and only then
//! answers each caller: group commit, acknowledged after the fsync. Reads (room loads)
//! use a small pool of connections, which WAL lets run beside the writer, so one huge room
//! loading does not hold up every other.
//!
//! The writer is supervised: a panic while writing is caught, that batch's callers are
//! told the store failed (their rooms reload and clients resend: nothing acknowledged is
//! lost), the connection is reopened, and until it is the store reports itself unhealthy
//! (`/readyz` says so) and refuses appends at once instead of queueing them.
//!
//! Snapshots: a room's board is saved now and then (the room decides when) as one row per
//! room, serialized off the writer thread, so a load reads that row and the ops after it.

mod writer;

use super::{Durable, Store, StoreError, StoredLog, StoredSnapshot};
use crate::locks::lock;
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        mpsc as std_mpsc, Arc, Mutex,
    },
    thread,
};
use tether_core::board::{AppliedOp, Op, Stroke};
use tokio::sync::oneshot;
use tracing::{error, info};
use writer::Writer;

/// Most appends written in one transaction: bounds the latency of the first in a burst.
pub(super) const MAX_BATCH: usize = 512;

/// File name of the database inside the data dir.
pub const DATABASE_FILE: &str = "tether.sqlite3";

/// Schema, applied when `PRAGMA user_version` is below its index + 1.
const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE rooms (
        room       TEXT PRIMARY KEY,
        epoch      TEXT NOT NULL,
        created_ms INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE ops (
        room      TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        op_id     TEXT NOT NULL,
        author    TEXT NOT NULL,
        op        TEXT NOT NULL,
        stored_ms INTEGER NOT NULL,
        PRIMARY KEY (room, seq),
        UNIQUE (room, op_id)
    ) STRICT, WITHOUT ROWID;
"#,
    r#"
    CREATE TABLE snapshots (
        room      TEXT PRIMARY KEY,
        seq       INTEGER NOT NULL,
        strokes   TEXT NOT NULL,
        stored_ms INTEGER NOT NULL
    ) STRICT;
"#,
];

pub(super) enum Request {
    Append {
        room: String,
        epoch: String,
        entry: AppliedOp,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    /// The board of `room` as of `seq`, already serialized (a JSON array of strokes).
    Snapshot {
        room: String,
        seq: u64,
        strokes: String,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    Flush {
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    /// Fault injection (the supervision test): the writer panics, stays down `down_for`,
    /// then restarts.
    Crash { down_for: std::time::Duration },
}

/// Read connections: a slow load (a huge room) holds one, the others keep serving.
const READERS: usize = 4;

/// SQLite-backed [`Store`].
pub struct SqliteStore {
    writer: std_mpsc::Sender<Request>,
    /// Transactions committed so far: with group commit, far fewer than appends.
    commits: Arc<AtomicU64>,
    /// False while the writer is down (between a crash and its restart).
    healthy: Arc<AtomicBool>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and starts its writer thread.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Backend(format!("creating {}: {e}", data_dir.display())))?;
        let path = data_dir.join(DATABASE_FILE);
        let mut write_conn = open_connection(&path)?;
        migrate(&mut write_conn)?;
        let readers = (0..READERS)
            .map(|_| open_connection(&path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let (writer, requests) = std_mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let healthy = Arc::new(AtomicBool::new(true));
        let supervised = Writer {
            path: path.clone(),
            commits: commits.clone(),
            healthy: healthy.clone(),
        };
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || supervised.run(write_conn, requests))
            .map_err(|e| StoreError::Backend(format!("starting the writer thread: {e}")))?;
        info!(path = %path.display(), "SQLite store open");
        Ok(Self {
            writer,
            commits,
            healthy,
            readers: Arc::new(readers),
            next_reader: AtomicUsize::new(0),
            path,
        })
    }

    /// Number of transactions committed since opening.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fault injection for the supervision test: the writer panics at its next round and
    /// stays down `down_for` before restarting.
    #[doc(hidden)]
    pub fn crash_writer(&self, down_for: std::time::Duration) {
        if self.writer.send(Request::Crash { down_for }).is_err() {
            error!("the SQLite writer is gone");
        }
    }

    /// Runs a read on one of the reader connections, off the async threads.
    async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = self.readers.clone();
        let which = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || {
            // A poisoned lock only means another read panicked; the connection is fine.
            let conn = lock(&readers[which]);
            query(&conn)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))?
    }

    /// Queues a request for the writer now; the future waits for its answer.
    fn request(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<(), StoreError>>) -> Request,
    ) -> Durable {
        let (done, result) = oneshot::channel();
        let queued = self.writer.send(make(done));
        Box::pin(async move {
            queued.map_err(|_| StoreError::Closed)?;
            result.await.map_err(|_| StoreError::Closed)?
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn load(&self, room: &str) -> Result<StoredLog, StoreError> {
        let room = room.to_owned();
        self.read(move |conn| load_room(conn, &room)).await
    }

    async fn find_op(&self, room: &str, op_id: &str) -> Result<Option<AppliedOp>, StoreError> {
        let (room, op_id) = (room.to_owned(), op_id.to_owned());
        self.read(move |conn| find_op(conn, &room, &op_id)).await
    }

    fn save_snapshot(&self, room: &str, seq: u64, strokes: Vec<Arc<Stroke>>) -> Durable {
        let (done, result) = oneshot::channel();
        let writer = self.writer.clone();
        let room = room.to_owned();
        // Serializing a big board takes a while: not on the writer thread, which commits
        // everyone's ops. Snapshots may reach the writer in any order (the newest wins).
        tokio::task::spawn_blocking(move || {
            let strokes: Vec<&Stroke> = strokes.iter().map(|s| &**s).collect();
            match serde_json::to_string(&strokes) {
                Ok(strokes) => {
                    let request = Request::Snapshot {
                        room,
                        seq,
                        strokes,
                        done,
                    };
                    // A writer that is gone drops `done`: the caller sees the store closed.
                    let _ = writer.send(request);
                }
                Err(e) => {
                    let _ = done.send(Err(StoreError::Backend(e.to_string())));
                }
            }
        });
        Box::pin(async move { result.await.map_err(|_| StoreError::Closed)? })
    }

    fn append(&self, room: &str, epoch: &str, entry: AppliedOp) -> Durable {
        if !self.is_healthy() {
            // Fail fast: the room tells its clients, who keep the op and resend it later.
            return Box::pin(async {
                Err(StoreError::Backend(
                    "the storage writer is restarting".into(),
                ))
            });
        }
        self.request(|done| Request::Append {
            room: room.to_owned(),
            epoch: epoch.to_owned(),
            entry,
            done,
        })
    }

    async fn flush(&self) -> Result<(), StoreError> {
        self.request(|done| Request::Flush { done }).await
    }

    fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }
}

pub(super) fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

pub(super) fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(backend)?;
    // WAL: readers never block the writer. FULL: a commit is on disk before we ack it.
    // busy_timeout: a second process on the same file waits instead of failing at once.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
    )
    .map_err(backend)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(backend)?;
    let version = usize::try_from(version).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction().map_err(backend)?;
        tx.execute_batch(sql).map_err(backend)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        info!(version = index + 1, "database schema migrated");
    }
    Ok(())
}

fn load_room(conn: &Connection, room: &str) -> Result<StoredLog, StoreError> {
    let epoch: Option<String> = conn
        .query_row("SELECT epoch FROM rooms WHERE room = ?1", [room], |row| {
            row.get(0)
        })
        .optional()
        .map_err(backend)?;
    let snapshot = conn
        .query_row(
            "SELECT seq, strokes FROM snapshots WHERE room = ?1",
            [room],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()
        .map_err(backend)?
        .map(|(seq, strokes)| {
            let strokes: Vec<Stroke> = serde_json::from_str(&strokes).map_err(|e| {
                StoreError::Backend(format!("room {room}: unreadable snapshot at {seq}: {e}"))
            })?;
            Ok::<_, StoreError>(StoredSnapshot {
                seq: seq as u64,
                strokes,
            })
        })
        .transpose()?;
    let after = snapshot.as_ref().map_or(0, |s| s.seq as i64);
    let mut statement = conn
        .prepare_cached(
            "SELECT seq, op_id, author, op FROM ops WHERE room = ?1 AND seq > ?2 ORDER BY seq",
        )
        .map_err(backend)?;
    let rows = statement
        .query_map(params![room, after], read_entry)
        .map_err(backend)?;
    let ops = rows
        .map(|row| row.map_err(backend).and_then(|raw| raw.parse(room)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StoredLog {
        epoch,
        snapshot,
        ops,
    })
}

fn find_op(conn: &Connection, room: &str, op_id: &str) -> Result<Option<AppliedOp>, StoreError> {
    let mut statement = conn
        .prepare_cached("SELECT seq, op_id, author, op FROM ops WHERE room = ?1 AND op_id = ?2")
        .map_err(backend)?;
    statement
        .query_row(params![room, op_id], read_entry)
        .optional()
        .map_err(backend)?
        .map(|raw| raw.parse(room))
        .transpose()
}

/// A row of `ops` before its op is parsed.
struct RawEntry {
    seq: i64,
    op_id: String,
    author: String,
    op: String,
}

fn read_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        seq: row.get(0)?,
        op_id: row.get(1)?,
        author: row.get(2)?,
        op: row.get(3)?,
    })
}

impl RawEntry {
    fn parse(self, room: &str) -> Result<AppliedOp, StoreError> {
        let op: Op = serde_json::from_str(&self.op).map_err(|e| {
            StoreError::Backend(format!("room {room} seq {}: unreadable op: {e}", self.seq))
        })?;
        Ok(AppliedOp {
            seq: self.seq as u64,
            op_id: self.op_id,
            author: self.author,
            op,
        })
    }
}
