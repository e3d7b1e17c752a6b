//! `/metrics` of a real server: the counters move with what clients do, and the page is
//! valid exposition format by Prometheus' own checker (`promtool`, installed by
//! scripts/setup.sh).
//!
//! The metrics recorder is process-wide, so this file holds one test that walks through
//! everything in order: nothing else in this test binary records.

mod common;

use common::{applied_op, peer_away, peer_joined, redis::TestRedis, Client, TestServer, WAIT};
use std::{collections::HashMap, io::Write, process::Stdio};
use tether_core::{
    board::Op,
    protocol::{report::ConnectionReport, ClientMsg, ServerMsg},
};

/// One scrape: `name{labels}` → value.
struct Scrape(HashMap<String, f64>);

impl Scrape {
    async fn of(server: &TestServer) -> (Self, String) {
        let response = reqwest::get(server.url("/metrics")).await.unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        let text = response.text().await.unwrap();
        (Self(parse(&text)), text)
    }

    /// A series' value; 0 when it was never recorded.
    fn get(&self, key: &str) -> f64 {
        self.0.get(key).copied().unwrap_or(0.0)
    }
}

/// The series of an exposition-format page.
fn parse(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (key, value) = line.rsplit_once(' ')?;
            Some((key.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// Scrapes until `key` satisfies `want` (the server updates some metrics after it
/// answered the client, e.g. when a closed connection's task ends).
async fn until_metric(server: &TestServer, key: &str, want: impl Fn(f64) -> bool) -> Scrape {
    let deadline = tokio::time::Instant::now() + WAIT * 2;
    loop {
        let (scrape, text) = Scrape::of(server).await;
        if want(scrape.get(key)) {
            return scrape;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{key} never got there; last scrape:\n{text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

const OPEN_WS: &str = r#"tether_connections_open{transport="websocket"}"#;
const APPLIED: &str = r#"tether_ops_total{outcome="applied"}"#;
const DUPLICATE: &str = r#"tether_ops_total{outcome="duplicate"}"#;
const REJECTED_NO_POINTS: &str = r#"tether_ops_rejected_total{code="no_points"}"#;
const RESUMED: &str = r#"tether_resumes_total{outcome="resumed"}"#;
const DROPPED: &str = r#"tether_connections_closed_total{transport="websocket",reason="dropped"}"#;
const REPLAYED: &str = r#"tether_catch_ups_total{kind="replay"}"#;
const SLOW: &str = "tether_slow_disconnects_total";
const OP_ROUND_TRIPS: &str = "tether_op_apply_seconds_count";
const FEED_LAGS: &str = "tether_redis_feed_lag_seconds_count";
const REDIS_ROUND_TRIPS: &str = "tether_redis_round_trip_seconds_count";
const AWAY: &str = r#"tether_members{state="away"}"#;
const CONNECTED: &str = r#"tether_members{state="connected"}"#;
const SHUTDOWN: &str =
    r#"tether_connections_closed_total{transport="websocket",reason="shutdown"}"#;
const REPORTS: &str = r#"tether_client_reports_total{transport="websocket",state="connected"}"#;
const HEARTBEAT_DROPS: &str = r#"tether_client_disconnects_total{reason="heartbeat"}"#;
const ADMIN_TOKEN: &str = "metrics-test-token";

/// A plausible connection report: one heartbeat drop, a fast link.
fn report() -> ConnectionReport {
    ConnectionReport {
        transport: "websocket".into(),
        state: "connected".into(),
        time_in_state_ms: [("connected".to_owned(), 29_000)].into_iter().collect(),
        reconnects: 1,
        disconnects: [("heartbeat".to_owned(), 1)].into_iter().collect(),
        rtt_p50_ms: Some(20.0),
        rtt_p95_ms: Some(45.0),
        bytes_in: 4_000,
        bytes_out: 1_000,
        ..ConnectionReport::default()
    }
}

/// The dashboard's numbers, asked for with the admin token.
async fn admin_stats(server: &TestServer) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(server.url("/api/admin/stats"))
        .header("Authorization", format!("Bearer {ADMIN_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_follow_what_clients_do_and_the_page_passes_promtool() {
    let server = TestServer::temp(&[
        // A member that stops reading overflows a small outbox long before the write
        // timeout or the pings could catch it.
        "--outbox-frames",
        "8",
        "--write-timeout-ms",
        "600000",
        "--ws-ping-interval-ms",
        "600000",
        "--admin-token",
        ADMIN_TOKEN,
    ])
    .await;
    let (before, _) = Scrape::of(&server).await;
    assert_eq!(
        before.get("tether_ready"),
        1.0,
        "storage writable, not shutting down"
    );

    // A client joins: one open WebSocket connection.
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    until_metric(&server, OPEN_WS, |open| open == before.get(OPEN_WS) + 1.0).await;

    // An op lands; the same op again is a duplicate; a stroke without points is rejected.
    let op_id = alice.draw("s1").await;
    alice.until(applied_op(&op_id)).await;
    let scrape = until_metric(&server, APPLIED, |n| n == before.get(APPLIED) + 1.0).await;
    assert!(scrape.get("tether_storage_commit_seconds_count") >= 1.0);
    assert!(scrape.get("tether_op_apply_seconds_count") >= 1.0);
    assert!(scrape.get("tether_storage_batch_entries_count") >= 1.0);
    alice
        .send(&ClientMsg::Op {
            op_id: op_id.clone(),
            op: Op::AddStroke {
                stroke: common::stroke("s1"),
            },
        })
        .await;
    alice.until(applied_op(&op_id)).await;
    until_metric(&server, DUPLICATE, |n| n == before.get(DUPLICATE) + 1.0).await;
    let mut empty = common::stroke("s2");
    empty.points.clear();
    alice
        .send(&ClientMsg::Op {
            op_id: "alice-empty".into(),
            op: Op::AddStroke { stroke: empty },
        })
        .await;
    alice
        .until(|m| matches!(m, ServerMsg::Rejected { .. }).then_some(()))
        .await;
    until_metric(&server, REJECTED_NO_POINTS, |n| {
        n == before.get(REJECTED_NO_POINTS) + 1.0
    })
    .await;

    // Bob watches; Alice's link drops and she resumes her session, replaying what she
    // missed.
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    let resume = alice.resume_hello("r", 0);
    drop(alice);
    bob.until(peer_away).await;
    until_metric(&server, DROPPED, |n| n >= before.get(DROPPED) + 1.0).await;
    let scrape = until_metric(&server, AWAY, |n| n == 1.0).await;
    assert_eq!(scrape.get(CONNECTED), 1.0, "bob");
    let _resumed = Client::join_at(&server.addr, resume).await;
    let scrape = until_metric(&server, RESUMED, |n| n == before.get(RESUMED) + 1.0).await;
    assert_eq!(scrape.get(REPLAYED), before.get(REPLAYED) + 1.0);
    assert_eq!(
        scrape.get(OPEN_WS),
        before.get(OPEN_WS) + 2.0,
        "bob and alice again"
    );

    // Bob reports on his connection, and again at once (the farewell of a page going away):
    // both counted, and on the dashboard; a third right after is ignored (sent together,
    // so no refill comes between), and a report with made-up names is refused with a
    // clear error.
    for _ in 0..3 {
        bob.send(&ClientMsg::Report(report())).await;
    }
    let mut bogus = report();
    bogus.state = "asleep".into();
    bob.send(&ClientMsg::Report(bogus)).await;
    let code = bob
        .until(|m| match m {
            ServerMsg::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "invalid_report");
    let scrape = until_metric(&server, REPORTS, |n| n >= before.get(REPORTS) + 2.0).await;
    assert_eq!(
        scrape.get(REPORTS),
        before.get(REPORTS) + 2.0,
        "the farewell counted, the third was ignored"
    );
    assert_eq!(
        scrape.get(HEARTBEAT_DROPS),
        before.get(HEARTBEAT_DROPS) + 2.0
    );
    assert!(scrape.get("tether_client_round_trip_p50_seconds_count") >= 1.0);
    let dashboard = admin_stats(&server).await;
    assert_eq!(dashboard["rttClasses"]["excellent"], 1, "{dashboard}");
    assert_eq!(dashboard["clientStates"]["connected"], 1, "{dashboard}");
    assert_eq!(dashboard["connections"]["websocket"], 2, "{dashboard}");
    assert!(
        dashboard["reconnectsTotal"].as_u64() >= Some(1),
        "{dashboard}"
    );
    // Each counted report told of one heartbeat drop.
    assert_eq!(dashboard["reconnectReasons"]["heartbeat"], 2, "{dashboard}");

    // A member that stops reading while Bob draws is disconnected as too slow.
    let stalled = common::stalled_reader(&server, "r").await;
    bob.until(peer_joined).await;
    bob.draw_big_strokes("bob", 200).await;
    until_metric(&server, SLOW, |n| n >= before.get(SLOW) + 1.0).await;
    drop(stalled);

    // The whole page is valid exposition format.
    let (_, text) = Scrape::of(&server).await;
    promtool_accepts(&text);

    // A graceful shutdown closes the rest, and says so (the recorder outlives the server:
    // read it directly).
    server.stop().await;
    let text = server::observability::recorder().render();
    let after = Scrape(parse(&text));
    assert!(after.get(SHUTDOWN) >= 2.0, "bob and alice: {text}");
    assert_eq!(after.get(OPEN_WS), before.get(OPEN_WS), "nothing left open");

    // A node of a cluster times its Redis round trips, the feed's lag and the op's round
    // trip for its own op.
    let redis = TestRedis::start().await;
    let node = TestServer::cluster_node(&redis.url(), &[]).await;
    let (before, _) = Scrape::of(&node).await;
    let (mut carol, _) = Client::join(&node, "c", "carol", None).await;
    let op_id = carol.draw("c1").await;
    carol.until(applied_op(&op_id)).await;
    let scrape = until_metric(&node, OP_ROUND_TRIPS, |n| {
        n == before.get(OP_ROUND_TRIPS) + 1.0
    })
    .await;
    assert_eq!(scrape.get(FEED_LAGS), before.get(FEED_LAGS) + 1.0);
    assert!(scrape.get(REDIS_ROUND_TRIPS) >= before.get(REDIS_ROUND_TRIPS) + 1.0);
    assert_eq!(scrape.get(APPLIED), before.get(APPLIED) + 1.0);
    node.stop().await;
}

/// Runs `promtool check metrics` on `text` and fails with its findings.
fn promtool_accepts(text: &str) {
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs (Debian package `prometheus`, installed by scripts/setup.sh)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}\n--- page ---\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
