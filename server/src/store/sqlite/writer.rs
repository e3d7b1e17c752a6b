//! The SQLite writer thread: group commit (one transaction per round, a savepoint per
//! entry), the per-entry order and uniqueness checks, and its supervision (a panic in a
//! round is caught, the connection reopened, the store unhealthy meanwhile).

use super::{backend, open_connection, Request, MAX_BATCH};
use crate::{observability::record, store::StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use std::{
    panic::{self, AssertUnwindSafe},
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc as std_mpsc, Arc,
    },
    thread,
    time::{SystemTime, UNIX_EPOCH},
};
use tether_core::board::AppliedOp;
use tokio::sync::oneshot;
use tracing::{debug, error, info};

/// The writer thread and what it reports.
pub(super) struct Writer {
    pub(super) path: PathBuf,
    pub(super) commits: Arc<AtomicU64>,
    pub(super) healthy: Arc<AtomicBool>,
}

impl Writer {
    /// Batches whatever is queued into one transaction per round, until every store handle
    /// is gone. A panic in a round is caught: the connection is reopened and writing goes
    /// on (the panicked batch's callers see the store closed and their rooms recover).
    pub(super) fn run(self, conn: Connection, requests: std_mpsc::Receiver<Request>) {
        let mut conn = Some(conn);
        while let Ok(first) = requests.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match requests.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let Some(open) = conn.as_mut() else {
                conn = self.restart(batch);
                continue;
            };
            match panic::catch_unwind(AssertUnwindSafe(|| write_batch(open, batch))) {
                Ok(()) => {
                    self.commits.fetch_add(1, Ordering::Relaxed);
                }
                Err(cause) => {
                    self.healthy.store(false, Ordering::Relaxed);
                    let down_for = cause.downcast_ref::<InjectedCrash>().map(|c| c.0);
                    error!(
                        injected = down_for.is_some(),
                        "SQLite writer panicked: restarting"
                    );
                    drop(conn.take()); // rolled back; reopened below
                    if let Some(down_for) = down_for {
                        thread::sleep(down_for);
                    }
                    conn = self.restart(Vec::new());
                }
            }
        }
        debug!("SQLite writer stopped: every store handle is gone");
    }

    /// Reopens the write connection; requests that cannot be served meanwhile are refused.
    fn restart(&self, waiting: Vec<Request>) -> Option<Connection> {
        match open_connection(&self.path) {
            Ok(conn) => {
                self.healthy.store(true, Ordering::Relaxed);
                info!("SQLite writer restarted");
                let mut conn = conn;
                if !waiting.is_empty() {
                    write_batch(&mut conn, waiting);
                }
                Some(conn)
            }
            Err(error) => {
                error!(%error, "SQLite writer cannot reopen the database");
                for request in waiting {
                    refuse(request, &error);
                }
                None
            }
        }
    }
}

/// The payload of an injected crash (fault injection): how long to stay down.
struct InjectedCrash(std::time::Duration);

/// Answers a request the writer cannot serve.
fn refuse(request: Request, error: &StoreError) {
    let failure = || Err(StoreError::Backend(error.to_string()));
    // Callers may have gone away; they are refused either way.
    match request {
        Request::Append { done, .. } | Request::Snapshot { done, .. } | Request::Flush { done } => {
            let _ = done.send(failure());
        }
        Request::Crash { .. } => {}
    }
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
                Request::Snapshot {
                    room,
                    seq,
                    strokes,
                    done,
                } => {
                    let result = save_snapshot(&mut tx, &room, seq, &strokes);
                    outcomes.push((done, result));
                }
                Request::Flush { done } => outcomes.push((done, Ok(()))),
                Request::Crash { down_for } => panic::panic_any(InjectedCrash(down_for)),
            }
        }
        tx.commit()
    })();
    match &committed {
        Ok(()) => record::storage_batch(size),
        Err(error) => {
            error!(%error, size, "SQLite commit failed: every op of this batch is refused")
        }
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

/// Replaces the room's snapshot unless the stored one is newer. Its own savepoint: a
/// failed snapshot costs nothing but a longer load.
fn save_snapshot(
    tx: &mut rusqlite::Transaction<'_>,
    room: &str,
    seq: u64,
    strokes: &str,
) -> Result<(), StoreError> {
    let sp = tx.savepoint().map_err(backend)?;
    sp.execute(
        "INSERT INTO snapshots (room, seq, strokes, stored_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, strokes = excluded.strokes,
             stored_ms = excluded.stored_ms
         WHERE excluded.seq > snapshots.seq",
        params![room, seq as i64, strokes, now_ms()],
    )
    .map_err(backend)?;
    sp.commit().map_err(backend)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
