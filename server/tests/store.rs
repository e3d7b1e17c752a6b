//! The `Store` contract, one conformance suite run against both stores, each really
//! started: the SQLite file and a `redis-server` with its append-only file. Durable across
//! restarts, gap-free, in order, deduplicated for good, one epoch per room, snapshot + tail.
//! SQLite's group commit is checked on its own at the end.

mod common;

use common::redis::TestRedis;
use server::store::{RedisStore, SqliteStore, Store, StoreError, StoredSnapshot};
use std::sync::Arc;
use tether_core::board::{AppliedOp, Op, Point, Stroke};

/// Where a test's data lives; [`Backend::open`] after [`Backend::restart`] reads what the
/// stores before it wrote.
enum Backend {
    Sqlite(tempfile::TempDir),
    Redis(TestRedis),
}

impl Backend {
    async fn open(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(dir) => Arc::new(SqliteStore::open(dir.path()).unwrap()),
            Backend::Redis(redis) => Arc::new(RedisStore::connect(&redis.url()).await.unwrap()),
        }
    }

    /// The storage process goes away and comes back: a `kill -9` of Redis (the SQLite
    /// file has no process; reopening it is its restart).
    async fn restart(&mut self) {
        if let Backend::Redis(redis) = self {
            redis.restart().await;
        }
    }
}

/// Runs each named test against both stores.
macro_rules! conformance {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                super::$test(super::Backend::Sqlite(tempfile::tempdir().unwrap())).await;
            })*
        }
        mod redis {
            $(#[tokio::test]
            async fn $test() {
                super::$test(super::Backend::Redis(super::TestRedis::start().await)).await;
            })*
        }
    };
}

conformance!(
    appended_ops_survive_restarts_with_their_epoch,
    gaps_and_duplicates_are_refused_and_store_nothing,
    concurrent_appends_keep_each_rooms_order,
    a_load_reads_the_latest_snapshot_and_only_the_ops_after_it,
);

fn entry(seq: u64, op_id: &str) -> AppliedOp {
    AppliedOp {
        seq,
        op_id: op_id.into(),
        author: "c1".into(),
        op: Op::EraseStroke {
            id: format!("s{seq}"),
        },
    }
}

async fn appended_ops_survive_restarts_with_their_epoch(mut backend: Backend) {
    {
        let store = backend.open().await;
        assert!(
            store.load("r").await.unwrap().epoch.is_none(),
            "a new room has no epoch"
        );
        for seq in 1..=3 {
            store
                .append("r", "epoch-1", entry(seq, &format!("op{seq}")))
                .await
                .unwrap();
        }
    }
    backend.restart().await;
    let store = backend.open().await;
    let log = store.load("r").await.unwrap();
    assert_eq!(log.epoch.as_deref(), Some("epoch-1"));
    assert_eq!(
        log.ops,
        vec![entry(1, "op1"), entry(2, "op2"), entry(3, "op3")]
    );
    assert!(
        store.load("other").await.unwrap().ops.is_empty(),
        "rooms are separate"
    );
    // Dedup is permanent: an op id stored before the restart is still refused after it.
    let again = store
        .append("r", "epoch-1", entry(4, "op2"))
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::DuplicateOp { .. }), "{again}");
    store
        .append("r", "other-epoch", entry(4, "op4"))
        .await
        .unwrap();
    let log = store.load("r").await.unwrap();
    assert_eq!(
        log.epoch.as_deref(),
        Some("epoch-1"),
        "the first epoch stays"
    );
}

async fn gaps_and_duplicates_are_refused_and_store_nothing(backend: Backend) {
    let store = backend.open().await;
    store.append("r", "e", entry(1, "a")).await.unwrap();
    let gap = store.append("r", "e", entry(3, "b")).await.unwrap_err();
    assert!(
        matches!(
            gap,
            StoreError::OutOfOrder {
                seq: 3,
                last: 1,
                ..
            }
        ),
        "{gap}"
    );
    let repeat = store.append("r", "e", entry(1, "a")).await.unwrap_err();
    assert!(matches!(repeat, StoreError::OutOfOrder { .. }), "{repeat}");
    let duplicate = store.append("r", "e", entry(2, "a")).await.unwrap_err();
    assert!(
        matches!(duplicate, StoreError::DuplicateOp { .. }),
        "{duplicate}"
    );
    assert_eq!(store.load("r").await.unwrap().ops, vec![entry(1, "a")]);
    // A refused entry does not sink the others committed in the same batch.
    store.append("r", "e", entry(2, "b")).await.unwrap();
    assert_eq!(store.load("r").await.unwrap().ops.len(), 2);
}

/// As the room actor does: queue every entry of a room in order at once, then wait for
/// durability. Call order is log order, whatever the threads do.
async fn append_rooms_concurrently(store: Arc<dyn Store>, rooms: u64, per_room: u64) {
    let tasks: Vec<_> = (0..rooms)
        .map(|room| {
            let store = store.clone();
            tokio::spawn(async move {
                let room = format!("room{room}");
                let pending: Vec<_> = (1..=per_room)
                    .map(|seq| store.append(&room, "e", entry(seq, &format!("op{seq}"))))
                    .collect();
                for durable in pending {
                    durable.await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    for room in 0..rooms {
        let log = store.load(&format!("room{room}")).await.unwrap();
        assert_eq!(
            log.ops.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=per_room).collect::<Vec<_>>()
        );
    }
}

async fn concurrent_appends_keep_each_rooms_order(backend: Backend) {
    append_rooms_concurrently(backend.open().await, 10, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_batches_concurrent_appends_into_shared_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let (rooms, per_room) = (20u64, 25u64);
    let before = store.commits();
    append_rooms_concurrently(store.clone(), rooms, per_room).await;
    let appends = rooms * per_room;
    let commits = store.commits() - before;
    assert!(
        commits < appends / 2,
        "{appends} appends took {commits} commits: no group commit"
    );
}

fn drawn(id: &str) -> Stroke {
    Stroke {
        id: id.into(),
        points: vec![Point::new(1.0, 2.0)],
        color: "#000000".into(),
        width: 2.0,
        author: "c1".into(),
    }
}

async fn a_load_reads_the_latest_snapshot_and_only_the_ops_after_it(mut backend: Backend) {
    let store = backend.open().await;
    for seq in 1..=10 {
        store
            .append("r", "e", entry(seq, &format!("op{seq}")))
            .await
            .unwrap();
    }
    let at_six = vec![Arc::new(drawn("a")), Arc::new(drawn("b"))];
    store.save_snapshot("r", 6, at_six).await.unwrap();
    // An older snapshot arriving late never replaces a newer one.
    store
        .save_snapshot("r", 3, vec![Arc::new(drawn("old"))])
        .await
        .unwrap();
    backend.restart().await;
    let store = backend.open().await;
    let log = store.load("r").await.unwrap();
    assert_eq!(
        log.snapshot,
        Some(StoredSnapshot {
            seq: 6,
            strokes: vec![drawn("a"), drawn("b")],
        })
    );
    assert_eq!(
        log.ops.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![7, 8, 9, 10],
        "only the tail after the snapshot is read"
    );
    // Ops before the snapshot are still there for dedup.
    assert_eq!(
        store.find_op("r", "op2").await.unwrap(),
        Some(entry(2, "op2"))
    );
    assert_eq!(store.find_op("r", "op99").await.unwrap(), None);
    assert_eq!(store.find_op("other", "op2").await.unwrap(), None);
}
