//! When storage fails, nothing acknowledged is lost and nothing is stored twice: the room
//! disconnects its clients, reloads from storage, and the clients' resent ops land once.

mod common;

use async_trait::async_trait;
use common::*;
use server::store::{Durable, SqliteStore, Store, StoreError, StoredLog};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use tether_core::{
    board::{AppliedOp, Stroke},
    protocol::ServerMsg,
};

/// The real SQLite store, except that the next append fails once when armed, as a full
/// disk or an I/O error would.
struct FailingOnce {
    inner: SqliteStore,
    armed: AtomicBool,
}

#[async_trait]
impl Store for FailingOnce {
    async fn load(&self, room: &str) -> Result<StoredLog, StoreError> {
        self.inner.load(room).await
    }

    async fn find_op(&self, room: &str, op_id: &str) -> Result<Option<AppliedOp>, StoreError> {
        self.inner.find_op(room, op_id).await
    }

    fn save_snapshot(&self, room: &str, seq: u64, strokes: Vec<Arc<Stroke>>) -> Durable {
        self.inner.save_snapshot(room, seq, strokes)
    }

    fn append(&self, room: &str, epoch: &str, entry: AppliedOp) -> Durable {
        if self.armed.swap(false, Ordering::SeqCst) {
            return Box::pin(async { Err(StoreError::Backend("injected: disk full".into())) });
        }
        self.inner.append(room, epoch, entry)
    }

    async fn flush(&self) -> Result<(), StoreError> {
        self.inner.flush().await
    }
}

fn applied(msg: ServerMsg) -> Option<AppliedOp> {
    match msg {
        ServerMsg::Applied(op) => Some(op),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_failure_disconnects_then_the_resent_op_lands_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FailingOnce {
        inner: SqliteStore::open(dir.path()).unwrap(),
        armed: AtomicBool::new(false),
    });
    let server = TestServer::start_with_store(dir.path(), &[], store.clone()).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    alice.draw("s1").await;
    assert_eq!(alice.until(applied).await.seq, 1);
    assert_eq!(bob.until(applied).await.seq, 1);

    store.armed.store(true, Ordering::SeqCst);
    let op = add_stroke("alice-2", "s2");
    alice.send(&op).await;
    let error = alice
        .until(|m| matches!(m, ServerMsg::Error { .. }).then_some(m))
        .await;
    assert!(
        matches!(error, ServerMsg::Error { ref code, fatal: false, .. } if code == "storage_unavailable"),
        "{error:?}"
    );
    assert!(closed_with(&mut alice.socket).await.is_some());

    // The client comes back and resends what was never acknowledged.
    let (mut alice, catch_up) = Client::join(&server, "r", "alice", Some(1)).await;
    assert_eq!(catch_up, ServerMsg::Replay { ops: vec![] });
    alice.send(&op).await;
    assert_eq!(alice.until(applied).await.seq, 2);
    let (_, catch_up) = Client::join(&server, "r", "carol", Some(0)).await;
    let ServerMsg::Replay { ops } = catch_up else {
        panic!("{catch_up:?}")
    };
    assert_eq!(
        ops.iter().map(|o| o.op_id.as_str()).collect::<Vec<_>>(),
        ["alice-1", "alice-2"]
    );
    drop(bob);
}

/// `/readyz`'s status code.
async fn readiness(server: &TestServer) -> u16 {
    reqwest::get(server.url("/readyz"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls `/readyz` until it answers `status` (bounded).
async fn until_readiness(server: &TestServer, status: u16) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while readiness(server).await != status {
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz never said {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_storage_writer_makes_the_server_not_ready_then_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let server = TestServer::start_with_store(dir.path(), &[], store.clone()).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    alice.draw("s1").await;
    assert_eq!(alice.until(applied).await.seq, 1);
    assert_eq!(readiness(&server).await, 200);

    store.crash_writer(std::time::Duration::from_millis(1_500));
    until_readiness(&server, 503).await;
    let body: serde_json::Value = serde_json::from_str(
        &reqwest::get(server.url("/readyz"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["failing"], "storage");
    // Meanwhile an op fails fast: the room tells its members and they will resend.
    let op_id = alice.draw("s2").await;
    let code = alice
        .until(|m| match m {
            ServerMsg::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "storage_unavailable");

    // The writer restarts on its own; the op, resent, lands exactly once.
    until_readiness(&server, 200).await;
    let (mut again, _) = Client::join(&server, "r", "alice", Some(1)).await;
    again.send(&add_stroke(&op_id, "s2")).await;
    let stored = again.until(applied).await;
    assert_eq!((stored.seq, stored.op_id.as_str()), (2, op_id.as_str()));
}
