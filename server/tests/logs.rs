//! The server's logs as an operator's collector sees them (`--log-format json`): one JSON
//! object per line, connection events inside a span naming the connection, and no room
//! ids or resume tokens anywhere.

mod common;

use common::{applied_op, hello, node::NodeProcess, Client, WAIT};

const ROOM: &str = "tether-secret-room-42";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_connection_span_and_no_room_ids_or_secrets() {
    let server = NodeProcess::spawn(&["--log-format", "json"], "info,server=debug");
    let (mut alice, _, _) =
        Client::join_at(&server.addr, hello(ROOM, "alice", "Alice", None)).await;
    let op_id = alice.draw("s1").await;
    alice.until(applied_op(&op_id)).await;
    let token = alice.resume_token.clone();
    drop(alice);

    let deadline = tokio::time::Instant::now() + WAIT;
    let started = loop {
        let log = server.log();
        if let Some(line) = log.iter().find(|l| l.contains("websocket session started")) {
            break line.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no session line in:\n{}",
            log.join("\n")
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let event: serde_json::Value = serde_json::from_str(&started).unwrap();
    let span = &event["span"];
    assert_eq!(span["name"], "connection", "{event}");
    assert_eq!(span["transport"], "websocket", "{event}");
    assert!(span["id"].as_u64().is_some(), "{event}");
    let tag = span["room"].as_str().expect("the room's tag");
    assert_eq!(tag.len(), 12, "{event}");

    let log = server.log();
    for line in &log {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not JSON: {line}");
        assert!(!line.contains(ROOM), "a room id in the log: {line}");
        assert!(!line.contains(&token), "a resume token in the log: {line}");
    }
    assert!(
        log.iter().any(|l| l.contains("joined") && l.contains(tag)),
        "the room actor's lines use the same tag:\n{}",
        log.join("\n")
    );
}
