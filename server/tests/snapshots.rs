//! Cold loads read a snapshot and a short tail, not the whole history — and dedup stays
//! permanent: an op resent long after the room forgot its id (or after a restart that
//! loaded only the snapshot) is answered with its stored entry, never stored twice.

mod common;

use common::*;
use std::{path::Path, time::Duration};
use tether_core::protocol::ServerMsg;

/// A snapshot every few ops and a tiny dedup window, so a short test crosses both.
const FLAGS: &[&str] = &["--snapshot-every", "4", "--dedup-window", "2"];

/// Waits until the room's saved snapshot reaches `seq` (saving is not awaited by anyone).
async fn snapshot_reaches(data_dir: &Path, room: &str, seq: i64) {
    let db = rusqlite::Connection::open(data_dir.join(server::store::DATABASE_FILE)).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let saved: Option<i64> = db
            .query_row("SELECT seq FROM snapshots WHERE room = ?1", [room], |r| {
                r.get(0)
            })
            .ok();
        if saved == Some(seq) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "snapshot stuck at {saved:?}, expected {seq}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn rejected_code(msg: ServerMsg) -> Option<String> {
    match msg {
        ServerMsg::Rejected { code, .. } => Some(code),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_room_loads_from_its_snapshot_and_still_knows_every_op_id() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(dir.path(), FLAGS).await;
    let (mut alice, _) = Client::join(&server, "big", "alice", None).await;
    for i in 0..16 {
        let op_id = alice.draw(&format!("s{i}")).await;
        alice.until(applied_op(&op_id)).await;
    }
    // Long forgotten by the room's dedup index, still answered with its first seq.
    alice.send(&add_stroke("alice-1", "s0")).await;
    assert_eq!(alice.until(applied_op("alice-1")).await.seq, 1);
    // A growing board is saved about every doubling (4, 8, 15): the reload reads the
    // snapshot at 15 and the one op after it.
    snapshot_reaches(dir.path(), "big", 15).await;
    server.stop().await;

    let server = TestServer::start_with(dir.path(), FLAGS).await;
    let (mut bob, catch_up) = Client::join(&server, "big", "bob", None).await;
    let ServerMsg::Snapshot { seq: 16, strokes } = catch_up else {
        panic!("{catch_up:?}")
    };
    let ids: Vec<String> = (0..16).map(|i| format!("s{i}")).collect();
    assert_eq!(
        strokes.iter().map(|s| &s.id).collect::<Vec<_>>(),
        ids.iter().collect::<Vec<_>>()
    );

    // The reloaded room read one op, yet knows every op id.
    let (mut alice, _) = Client::join(&server, "big", "alice", Some(16)).await;
    let resends = [
        ("alice-1", "s0", 1),
        ("alice-15", "s14", 15),
        ("alice-16", "s15", 16),
    ];
    for (op_id, stroke_id, seq) in resends {
        alice.send(&add_stroke(op_id, stroke_id)).await;
        assert_eq!(alice.until(applied_op(op_id)).await.seq, seq);
    }
    // Someone else reusing an old op id with other content is refused.
    let (mut carol, _) = Client::join(&server, "big", "carol", Some(16)).await;
    carol.send(&add_stroke("alice-2", "elsewhere")).await;
    assert_eq!(carol.until(rejected_code).await, "op_id_reused");

    alice.send(&add_stroke("alice-after", "s16")).await;
    let next = alice.until(applied_op("alice-after")).await;
    assert_eq!(next.seq, 17, "no gap, nothing stored twice");
    let seen_by_bob = bob
        .until(|m| match m {
            ServerMsg::Applied(op) => Some(op.seq),
            _ => None,
        })
        .await;
    assert_eq!(seen_by_bob, 17, "peers never hear of the resends");
}
