//! The embedded default store: one SQLite file in WAL mode.
//!
//! Writes go through a single writer thread that owns the write connection. It takes every
//! append waiting in its queue, writes them in one transaction (one savepoint each, so a
//! refused entry does not sink the others), commits with `synchronous=FULL`, and only then
//! answers each caller: group commit, acknowledged after the fsync. Reads (room loads)
//! use a second connection, which WAL lets run beside the writer.

use super::{Durable, Store, StoreError, StoredLog};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc as std_mpsc, Arc, Mutex,
    },
    thread,
    time::{SystemTime, UNIX_EPOCH},
};
use tether_core::board::{AppliedOp, Op};
use tokio::sync::oneshot;
use tracing::{debug, error, info};

/// Most appends written in one transaction: bounds the latency of the first in a burst.
const MAX_BATCH: usize = 512;

/// File name of the database inside the data dir.
pub const DATABASE_FILE: &str = "tether.sqlite3";

/// Schema, applied when `PRAGMA user_version` is below its index + 1.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

enum Request {
    Append {
        room: String,
        epoch: String,
        entry: AppliedOp,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    Flush {
        done: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// SQLite-backed [`Store`].
pub struct SqliteStore {
    writer: std_mpsc::Sender<Request>,
    /// Transactions committed so far: with group commit, far fewer than appends.
    commits: Arc<AtomicU64>,
    reader: Arc<Mutex<Connection>>,
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
        let reader = open_connection(&path)?;
        let (writer, requests) = std_mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run_writer(write_conn, requests, &counter))
            .map_err(|e| StoreError::Backend(format!("starting the writer thread: {e}")))?;
        info!(path = %path.display(), "SQLite store open");
        Ok(Self {
            writer,
            commits,
            reader: Arc::new(Mutex::new(reader)),
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
        let reader = self.reader.clone();
        let room = room.to_owned();
        tokio::task::spawn_blocking(move || {
            // A poisoned lock only means another load panicked; the connection is fine.
            let conn = reader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            load_room(&conn, &room)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("load task failed: {e}")))?
    }

    fn append(&self, room: &str, epoch: &str, entry: AppliedOp) -> Durable {
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
}

fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
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
    let mut statement = conn
        .prepare_cached("SELECT seq, op_id, author, op FROM ops WHERE room = ?1 ORDER BY seq")
        .map_err(backend)?;
    let rows = statement
        .query_map([room], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get::<_, String>(3)?,
            ))
        })
        .map_err(backend)?;
    let mut ops = Vec::new();
    for row in rows {
        let (seq, op_id, author, op) = row.map_err(backend)?;
        let op: Op = serde_json::from_str(&op).map_err(|e| {
            StoreError::Backend(format!("room {room} seq {seq}: unreadable op: {e}"))
        })?;
        ops.push(AppliedOp {
            seq: seq as u64,
            op_id,
            author,
            op,
        });
    }
    Ok(StoredLog { epoch, ops })
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The writer thread: batches whatever is queued into one transaction per round.
fn run_writer(mut conn: Connection, requests: std_mpsc::Receiver<Request>, commits: &AtomicU64) {
    while let Ok(first) = requests.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match requests.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        write_batch(&mut conn, batch);
        commits.fetch_add(1, Ordering::Relaxed);
    }
    debug!("SQLite writer stopped: every store handle is gone");
}

fn write_batch(conn: &mut Connection, batch: Vec<Request>) {
    let size = batch.len();
    let mut outcomes: Vec<(
        oneshot::Sender<Result<(), StoreError>>,
        Result<(), StoreError>,
    )> = Vec::with_capacity(size);
    let committed = (|| -> Result<(), rusqlite::Error> {
        let mut tx = conn.transaction()?;
        for request in batch {
            match request {
                Request::Append {
                    room,
                    epoch,
                    entry,
                    done,
                } => {
                    let result = append_one(&mut tx, &room, &epoch, &entry);
                    outcomes.push((done, result));
                }
                Request::Flush { done } => outcomes.push((done, Ok(()))),
            }
        }
        tx.commit()
    })();
    if let Err(error) = &committed {
        error!(%error, size, "SQLite commit failed: every op of this batch is refused");
    }
    for (done, result) in outcomes {
        let result = match &committed {
            Ok(()) => result,
            Err(error) => Err(StoreError::Backend(error.to_string())),
        };
        // The caller may have gone away (connection closed); the data is stored anyway.
        let _ = done.send(result);
    }
}

/// Appends one entry inside its own savepoint, after checking order and uniqueness.
fn append_one(
    tx: &mut rusqlite::Transaction<'_>,
    room: &str,
    epoch: &str,
    entry: &AppliedOp,
) -> Result<(), StoreError> {
    let sp = tx.savepoint().map_err(backend)?;
    let last: u64 = sp
        .query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM ops WHERE room = ?1",
            [room],
            |row| row.get::<_, i64>(0),
        )
        .map_err(backend)? as u64;
    if entry.seq != last + 1 {
        return Err(StoreError::OutOfOrder {
            room: room.into(),
            seq: entry.seq,
            last,
        });
    }
    let exists = sp
        .query_row(
            "SELECT 1 FROM ops WHERE room = ?1 AND op_id = ?2",
            params![room, entry.op_id],
            |_| Ok(()),
        )
        .optional()
        .map_err(backend)?;
    if exists.is_some() {
        return Err(StoreError::DuplicateOp {
            room: room.into(),
            op_id: entry.op_id.clone(),
        });
    }
    let op = serde_json::to_string(&entry.op).map_err(|e| StoreError::Backend(e.to_string()))?;
    let now = now_ms();
    sp.execute(
        "INSERT OR IGNORE INTO rooms (room, epoch, created_ms) VALUES (?1, ?2, ?3)",
        params![room, epoch, now],
    )
    .map_err(backend)?;
    sp.execute(
        "INSERT INTO ops (room, seq, op_id, author, op, stored_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![room, entry.seq as i64, entry.op_id, entry.author, op, now],
    )
    .map_err(backend)?;
    sp.commit().map_err(backend)
}
