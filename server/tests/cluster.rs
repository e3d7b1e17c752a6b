//! Cluster mode on a real `redis-server`: several nodes (here in one process, each with
//! its own hub, feed and HTTP listener) serving the same rooms.

mod common;

use common::{add_stroke, applied_op, redis::TestRedis, Client, TestServer};
use tether_core::{board::AppliedOp, protocol::ServerMsg};

/// Reads `Applied` messages until seq `through`, asserting they come once each, in order.
async fn applied_through(client: &mut Client, through: u64) -> Vec<AppliedOp> {
    applied_through_from(client, 1, through).await
}

/// A Redis and two nodes on it.
async fn two_nodes() -> (TestRedis, TestServer, TestServer) {
    let redis = TestRedis::start().await;
    let a = TestServer::cluster_node(&redis.url(), &[]).await;
    let b = TestServer::cluster_node(&redis.url(), &[]).await;
    (redis, a, b)
}

/// Sends `count` strokes without waiting for acks.
async fn draw(client: &mut Client, name: &str, count: u64) {
    for i in 0..count {
        client
            .send(&add_stroke(
                &format!("{name}-op{i}"),
                &format!("{name}-s{i}"),
            ))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_on_two_nodes_share_one_gap_free_order_and_one_seq_per_op_id() {
    let (_redis, a, b) = two_nodes().await;
    let (mut on_a, _) = Client::join(&a, "shared", "alice", None).await;
    let (mut on_b, _) = Client::join(&b, "shared", "bob", None).await;

    // Both draw at once, 20 strokes each.
    let per_writer = 20u64;
    tokio::join!(
        draw(&mut on_a, "alice", per_writer),
        draw(&mut on_b, "bob", per_writer)
    );
    let total = 2 * per_writer;
    let seen_on_a = applied_through(&mut on_a, total).await;
    let seen_on_b = applied_through(&mut on_b, total).await;
    assert_eq!(seen_on_a, seen_on_b, "identical order on both nodes");

    // The same op id sent to both nodes (a client that lost its ack and reconnected
    // elsewhere): one seq, answered on both.
    let (mut again_a, _) = Client::join(&a, "shared", "carol", None).await;
    let (mut again_b, _) = Client::join(&b, "shared", "carol", None).await;
    let op = add_stroke("carol-op", "carol-s");
    again_a.send(&op).await;
    again_b.send(&op).await;
    let first = again_a.until(applied_op("carol-op")).await;
    let second = again_b.until(applied_op("carol-op")).await;
    assert_eq!(first.seq, total + 1);
    assert_eq!(second.seq, total + 1, "one seq for one op id, on any node");
    assert_eq!(on_a.until(applied_op("carol-op")).await.seq, total + 1);
    assert_eq!(on_b.until(applied_op("carol-op")).await.seq, total + 1);

    // A later joiner on either node loads the same board.
    let snapshot_a = a.state.hub.snapshot("shared").await.unwrap();
    let snapshot_b = b.state.hub.snapshot("shared").await.unwrap();
    assert_eq!(snapshot_a.seq, total + 1);
    assert_eq!(snapshot_a.strokes, snapshot_b.strokes);
    assert_eq!(snapshot_a.epoch, snapshot_b.epoch, "one epoch per room");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_pub_sub_connection_is_healed_from_the_stream() {
    let (redis, a, b) = two_nodes().await;
    let (mut on_a, _) = Client::join(&a, "heal", "alice", None).await;
    let (mut on_b, _) = Client::join(&b, "heal", "bob", None).await;
    on_a.send(&add_stroke("before", "s0")).await;
    assert_eq!(on_b.until(applied_op("before")).await.seq, 1);

    // Every node's PUB/SUB connection dropped: what is published meanwhile is lost.
    let mut admin = redis.connection().await;
    let killed: i64 = redis::cmd("CLIENT")
        .arg(&["KILL", "TYPE", "pubsub"])
        .query_async(&mut admin)
        .await
        .unwrap();
    assert!(killed >= 2, "both nodes were subscribed ({killed} killed)");
    for i in 0..5 {
        on_a.send(&add_stroke(&format!("during{i}"), &format!("s{}", i + 1)))
            .await;
    }
    let healed = applied_through_from(&mut on_b, 2, 6).await;
    assert_eq!(healed.len(), 5, "every entry reached node B once, in order");
    assert_eq!(healed[4].op_id, "during4");
    a.stop().await;
    b.stop().await;
}

/// [`applied_through`] starting after `from - 1` entries were already read.
async fn applied_through_from(client: &mut Client, from: u64, through: u64) -> Vec<AppliedOp> {
    let mut entries: Vec<AppliedOp> = Vec::new();
    while entries.last().map_or(from - 1, |e| e.seq) < through {
        let entry = client
            .until(|msg| match msg {
                ServerMsg::Applied(entry) => Some(entry),
                _ => None,
            })
            .await;
        let expected = entries.last().map_or(from, |e| e.seq + 1);
        assert_eq!(entry.seq, expected, "gap-free, once each, in order");
        entries.push(entry);
    }
    entries
}

/// `/readyz` answers `ready` (true) or not.
async fn ready(server: &TestServer) -> bool {
    reqwest::get(server.url("/readyz"))
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// Waits (up to `common::WAIT` × 3) until `/readyz` says `want`.
async fn until_ready_is(server: &TestServer, want: bool) {
    let deadline = tokio::time::Instant::now() + 3 * common::WAIT;
    while ready(server).await != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz never became {want}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_crash_loses_no_acknowledged_op_and_keeps_the_epoch() {
    redis_goes_away_and_comes_back(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_shutdown_loses_no_acknowledged_op_and_keeps_the_epoch() {
    redis_goes_away_and_comes_back(true).await;
}

/// Redis stops (`SHUTDOWN`, or `kill -9` relying on the AOF) and starts again on its data.
async fn redis_goes_away_and_comes_back(graceful: bool) {
    let mut redis = TestRedis::start().await;
    let node = TestServer::cluster_node(&redis.url(), &[]).await;
    let (mut alice, _) = Client::join(&node, "crash", "alice", None).await;
    for i in 0..3 {
        alice
            .send(&add_stroke(&format!("op{i}"), &format!("s{i}")))
            .await;
    }
    let acked = applied_through(&mut alice, 3).await;
    let before = node.state.hub.snapshot("crash").await.unwrap();
    until_ready_is(&node, true).await;

    if graceful {
        redis.shutdown().await;
    } else {
        redis.kill();
    }
    until_ready_is(&node, false).await;
    redis.start_again().await;
    until_ready_is(&node, true).await;

    // A client that comes back finds every acknowledged op, in the same history.
    let (mut back, catch_up) = Client::join(&node, "crash", "alice", Some(0)).await;
    let replayed = match catch_up {
        ServerMsg::Replay { ops } => ops,
        ServerMsg::Snapshot { seq, .. } => panic!("expected a replay, got a snapshot at {seq}"),
        other => panic!("expected a catch-up, got {other:?}"),
    };
    assert_eq!(replayed, acked);
    let after = node.state.hub.snapshot("crash").await.unwrap();
    assert_eq!(
        after.epoch, before.epoch,
        "the epoch survives a Redis restart"
    );
    back.send(&add_stroke("op-after", "s-after")).await;
    assert_eq!(back.until(applied_op("op-after")).await.seq, 4);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_node_names_itself_in_its_health_answers() {
    let (_redis, a, b) = two_nodes().await;
    let mut nodes = Vec::new();
    for server in [&a, &b] {
        until_ready_is(server, true).await;
        let ready = json_of(server, "/readyz").await;
        let node = ready["node"]
            .as_str()
            .expect("a node id in cluster mode")
            .to_owned();
        assert_eq!(json_of(server, "/healthz").await["node"], node.as_str());
        nodes.push(node);
    }
    assert_ne!(nodes[0], nodes[1], "every node has its own id");
}

async fn json_of(server: &TestServer, path: &str) -> serde_json::Value {
    let text = reqwest::get(server.url(path))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_of_any_node_lists_every_node() {
    let redis = TestRedis::start().await;
    let flags = ["--admin-token", "cluster-admin"];
    let a = TestServer::cluster_node(&redis.url(), &flags).await;
    let b = TestServer::cluster_node(&redis.url(), &flags).await;
    let (_alice, _) = Client::join(&b, "busy", "alice", None).await;
    let ids = [
        a.state.hub.node_id().unwrap(),
        b.state.hub.node_id().unwrap(),
    ];
    let deadline = tokio::time::Instant::now() + 3 * common::WAIT;
    loop {
        let text = reqwest::Client::new()
            .get(a.url("/api/admin/stats"))
            .header("Authorization", "Bearer cluster-admin")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let stats: serde_json::Value = serde_json::from_str(&text).unwrap();
        let nodes = stats["nodes"].as_array().unwrap().clone();
        let listed: Vec<&str> = nodes.iter().filter_map(|n| n["node"].as_str()).collect();
        let b_connected = nodes
            .iter()
            .any(|n| n["node"] == ids[1] && n["connections"] == 1);
        if ids.iter().all(|id| listed.contains(id)) && b_connected {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nodes never listed: {stats}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
