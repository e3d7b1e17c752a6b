//! The `Store` contract, on the real SQLite file: durable, gap-free, deduplicated, and
//! batched under concurrency.

use server::store::{SqliteStore, Store, StoreError, StoredSnapshot};
use std::sync::Arc;
use tether_core::board::{AppliedOp, Op, Point, Stroke};

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

#[tokio::test]
async fn appended_ops_survive_reopening_with_their_epoch() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SqliteStore::open(dir.path()).unwrap();
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
    let store = SqliteStore::open(dir.path()).unwrap();
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
}

#[tokio::test]
async fn gaps_and_duplicates_are_refused_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_share_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let rooms = 20u64;
    let per_room = 25u64;
    let before = store.commits();
    let tasks: Vec<_> = (0..rooms)
        .map(|room| {
            let store = store.clone();
            tokio::spawn(async move {
                // As the room actor does: queue every entry in order at once, then wait
                // for durability. Call order is log order, whatever the threads do.
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
    let appends = rooms * per_room;
    let commits = store.commits() - before;
    for room in 0..rooms {
        let log = store.load(&format!("room{room}")).await.unwrap();
        assert_eq!(
            log.ops.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=per_room).collect::<Vec<_>>()
        );
    }
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

#[tokio::test]
async fn a_load_reads_the_latest_snapshot_and_only_the_ops_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
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
    let log = SqliteStore::open(dir.path())
        .unwrap()
        .load("r")
        .await
        .unwrap();
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
