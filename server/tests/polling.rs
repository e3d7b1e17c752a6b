//! The HTTP long-polling transport: same sessions, ordering, acks and dedup as WebSockets,
//! long polls that wake on new messages, retransmission of lost batches, session expiry,
//! and clear 4xx errors.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tether_core::{
    board::{AppliedOp, Op},
    protocol::{ClientMsg, ServerMsg},
};

/// A protocol client on the polling transport.
struct Poller {
    http: reqwest::Client,
    base: String,
    sid: String,
    ack: u64,
    /// Messages polled but not yet looked at.
    buffered: std::collections::VecDeque<ServerMsg>,
}

struct Answer {
    status: u16,
    body: Value,
}

/// An HTTP client that labels its bodies as JSON, as the browser transport does.
fn json_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::CONTENT_TYPE,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

async fn request(builder: reqwest::RequestBuilder) -> Answer {
    let response = builder.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

impl Poller {
    async fn open(server: &TestServer, room: &str, client_id: &str) -> Self {
        let http = json_client();
        let answer = request(
            http.post(server.url(&format!("/api/poll/open/{room}")))
                .body(serde_json::to_string(&hello(room, client_id, client_id, None)).unwrap()),
        )
        .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let sid = answer.body["sid"].as_str().unwrap().to_owned();
        Self {
            http,
            base: server.url(""),
            sid,
            ack: 0,
            buffered: Default::default(),
        }
    }

    /// One poll; acknowledges the batch it gets.
    async fn poll(&mut self) -> (Vec<ServerMsg>, Value) {
        let answer = request(self.http.get(format!(
            "{}/api/poll/{}?ack={}",
            self.base, self.sid, self.ack
        )))
        .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        self.ack = answer.body["batch"].as_u64().unwrap();
        let messages = answer.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| serde_json::from_value(m.clone()).expect("a ServerMsg"))
            .collect();
        (messages, answer.body["closed"].clone())
    }

    async fn send(&self, messages: &[ClientMsg]) -> Answer {
        request(
            self.http
                .post(format!("{}/api/poll/{}/send", self.base, self.sid))
                .body(json!({ "messages": messages }).to_string()),
        )
        .await
    }

    /// Polls until a message matches (messages after it stay buffered).
    async fn until<T>(&mut self, mut pick: impl FnMut(ServerMsg) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            while let Some(msg) = self.buffered.pop_front() {
                if let Some(found) = pick(msg) {
                    return found;
                }
            }
            let (messages, _) = self.poll().await;
            self.buffered.extend(messages);
        }
        panic!("no matching message by polling");
    }
}

fn applied(msg: ServerMsg) -> Option<AppliedOp> {
    match msg {
        ServerMsg::Applied(op) => Some(op),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_and_websocket_clients_share_one_room_in_one_order() {
    let server = TestServer::temp(&["--poll-hold-ms", "2000"]).await;
    let mut poller = Poller::open(&server, "r", "alice").await;
    let (first, _) = poller.poll().await;
    assert!(
        matches!(
            first[..],
            [ServerMsg::Welcome(_), ServerMsg::Snapshot { seq: 0, .. }]
        ),
        "{first:?}"
    );
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;

    assert_eq!(
        poller
            .send(&[add_stroke("a1", "s1"), add_stroke("a2", "s2")])
            .await
            .status,
        200
    );
    let mine: Vec<u64> = vec![
        poller.until(applied).await.seq,
        poller.until(applied).await.seq,
    ];
    assert_eq!(mine, [1, 2]);
    assert_eq!(
        (bob.until(applied).await.seq, bob.until(applied).await.seq),
        (1, 2)
    );
    bob.draw("s3").await;
    let theirs = poller.until(applied).await;
    assert_eq!(
        (theirs.seq, theirs.author.as_str()),
        (3, bob.author.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_op_over_polling_is_stored_and_broadcast_once() {
    let server = TestServer::temp(&["--poll-hold-ms", "1000"]).await;
    let mut poller = Poller::open(&server, "r", "alice").await;
    poller.poll().await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    poller
        .send(&[add_stroke("same", "s1"), add_stroke("same", "s1")])
        .await;
    assert_eq!(poller.until(applied).await.seq, 1);
    assert_eq!(
        poller.until(applied).await.seq,
        1,
        "the repeat gets the original seq"
    );
    assert_eq!(bob.until(applied).await.seq, 1);
    bob.draw("s2").await;
    assert_eq!(
        bob.until(applied).await.seq,
        2,
        "bob saw the op once, then his own"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_poll_wakes_up_as_soon_as_there_is_something() {
    let hold_ms = 20_000;
    let server = TestServer::temp(&["--poll-hold-ms", &hold_ms.to_string()]).await;
    let mut poller = Poller::open(&server, "r", "alice").await;
    poller.poll().await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    let waiting = tokio::spawn(async move {
        let started = Instant::now();
        let found = poller.until(applied).await;
        (found, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(200)).await; // let the poll be held first
    bob.draw("s1").await;
    let (found, waited) = waiting.await.unwrap();
    assert_eq!(found.seq, 1);
    assert!(
        waited < Duration::from_millis(hold_ms / 2),
        "the poll returned on the op, not at the end of its hold: {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_batch_is_sent_again() {
    let server = TestServer::temp(&["--poll-hold-ms", "500"]).await;
    let mut poller = Poller::open(&server, "r", "alice").await;
    let (first, _) = poller.poll().await;
    // The response "got lost": poll again without acknowledging it.
    poller.ack = 0;
    let (again, _) = poller.poll().await;
    assert_eq!(again, first);
    // Acknowledged: the next poll moves on (and is empty after the hold).
    let (next, closed) = poller.poll().await;
    assert!(next.is_empty(), "{next:?}");
    assert!(closed.is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_json_errors_and_change_nothing() {
    let server = TestServer::temp(&["--poll-hold-ms", "1500"]).await;
    let http = json_client();
    let code = |answer: &Answer| answer.body["code"].as_str().unwrap_or_default().to_owned();

    let unknown =
        request(http.get(server.url("/api/poll/0123456789abcdef0123456789abcdef?ack=0"))).await;
    assert_eq!(
        (unknown.status, code(&unknown).as_str()),
        (404, "unknown_session")
    );
    let unknown = request(
        http.post(server.url("/api/poll/nope/send"))
            .body("{\"messages\":[]}"),
    )
    .await;
    assert_eq!(
        (unknown.status, code(&unknown).as_str()),
        (404, "unknown_session")
    );
    let bad_room = request(http.post(server.url("/api/poll/open/a.b")).body("{}")).await;
    assert_eq!(
        (bad_room.status, code(&bad_room).as_str()),
        (400, "invalid_room")
    );
    let bad_hello = request(
        http.post(server.url("/api/poll/open/r"))
            .body("{\"type\":\"ping\",\"t\":1}"),
    )
    .await;
    assert_eq!(
        (bad_hello.status, code(&bad_hello).as_str()),
        (400, "hello_expected")
    );

    let mut poller = Poller::open(&server, "r", "alice").await;
    poller.poll().await;
    let held = {
        let (http, url) = (
            poller.http.clone(),
            format!("{}/api/poll/{}?ack={}", poller.base, poller.sid, poller.ack),
        );
        tokio::spawn(async move { request(http.get(url)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await; // the first poll is now held
    let second = request(http.get(format!(
        "{}/api/poll/{}?ack={}",
        poller.base, poller.sid, poller.ack
    )))
    .await;
    assert_eq!(
        (second.status, code(&second).as_str()),
        (409, "poll_in_progress")
    );
    let held = held.await.unwrap();
    assert_eq!(held.status, 200);
    poller.ack = held.body["batch"].as_u64().unwrap();

    // Sending without ever polling: the replies waiting are bounded.
    let pings: Vec<ClientMsg> = (0..200).map(|i| ClientMsg::Ping { t: i as f64 }).collect();
    for _ in 0..5 {
        assert_eq!(poller.send(&pings).await.status, 200);
    }
    let answer = poller.send(&pings).await;
    assert_eq!(
        (answer.status, code(&answer).as_str()),
        (429, "too_many_unread")
    );
    // Polling drains them, and sending works again.
    let (replies, _) = poller.poll().await;
    assert_eq!(replies.len(), 1000);
    assert_eq!(poller.send(&pings).await.status, 200);
    poller.poll().await;

    let too_many: Vec<ClientMsg> = (0..300).map(|i| ClientMsg::Ping { t: i as f64 }).collect();
    let answer = poller.send(&too_many).await;
    assert_eq!(
        (answer.status, code(&answer).as_str()),
        (413, "batch_too_large")
    );
    let answer = request(
        poller
            .http
            .post(format!("{}/api/poll/{}/send", poller.base, poller.sid))
            .body("not json"),
    )
    .await;
    assert_eq!((answer.status, code(&answer).as_str()), (400, "bad_batch"));
    // Invalid messages inside a good batch are answered in-protocol, like on a WebSocket.
    let bad_op = ClientMsg::Op {
        op_id: "x y".into(),
        op: Op::Clear,
    };
    assert_eq!(poller.send(&[bad_op]).await.status, 200);
    let rejected = poller
        .until(|m| matches!(m, ServerMsg::Rejected { .. }).then_some(m))
        .await;
    assert!(matches!(rejected, ServerMsg::Rejected { ref code, .. } if code == "invalid_id"));
    // Nothing was stored.
    let (_, catch_up) = Client::join(&server, "r", "carol", None).await;
    assert!(matches!(catch_up, ServerMsg::Snapshot { seq: 0, .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_stops_polling_expires_like_a_dropped_socket() {
    let server = TestServer::temp(&[
        "--poll-hold-ms",
        "200",
        "--poll-idle-ms",
        "400",
        "--grace-ms",
        "300",
    ])
    .await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    let mut poller = Poller::open(&server, "r", "alice").await;
    poller.poll().await;
    let joined = bob
        .until(|m| match m {
            ServerMsg::PeerJoined { peer } => Some(peer.session),
            _ => None,
        })
        .await;
    // Alice's tab stops polling.
    let away = bob.until(peer_away).await;
    assert_eq!(away, joined);
    let left = bob.until(peer_left).await;
    assert_eq!(left, joined);
    let gone = request(poller.http.get(format!(
        "{}/api/poll/{}?ack={}",
        poller.base, poller.sid, poller.ack
    )))
    .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bye_over_polling_ends_the_session() {
    let server = TestServer::temp(&["--poll-hold-ms", "500"]).await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    let mut poller = Poller::open(&server, "r", "alice").await;
    poller.poll().await;
    poller.send(&[ClientMsg::Bye]).await;
    let (_, closed) = poller.poll().await;
    assert_eq!(closed["code"], 1000);
    let left = bob
        .until(|m| matches!(m, ServerMsg::PeerLeft { .. }).then_some(()))
        .await;
    assert_eq!(left, ());
}

/// A poll whose request is cut (the browser aborts polls on every transport switch, a
/// proxy may drop them) must leave the session pollable at once, and still expiring like
/// a dropped socket if nobody polls again. Before the fix every later poll answered
/// `409 poll_in_progress` forever, the reaper skipped the session, its member never went
/// away and the room never unloaded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_poll_leaves_the_session_pollable_and_reapable() {
    let server = TestServer::temp(&[
        "--poll-hold-ms",
        "3000",
        "--poll-idle-ms",
        "600",
        "--grace-ms",
        "60000",
    ])
    .await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    let mut poller = Poller::open(&server, "r", "alice").await;
    poller.poll().await;
    let url = format!("{}/api/poll/{}?ack={}", poller.base, poller.sid, poller.ack);

    // The held poll is cut by the client after a moment.
    let cut = poller
        .http
        .get(&url)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(cut.is_err(), "the request was cut while held");

    // The next poll is served (the server notices the cut within moments). A pong is
    // waiting, so a served poll answers at once.
    assert_eq!(poller.send(&[ClientMsg::Ping { t: 1.0 }]).await.status, 200);
    let deadline = Instant::now() + WAIT;
    let served = loop {
        let answer = request(poller.http.get(&url)).await;
        if answer.status != 409 || Instant::now() > deadline {
            break answer;
        }
    };
    assert_eq!(
        served.status, 200,
        "the session is wedged: {:?}",
        served.body
    );
    assert!(served.body["messages"].to_string().contains("pong"));

    // Cut again, then nobody polls: the session expires and its member goes away.
    let _ = poller
        .http
        .get(&url)
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    let joined = bob.until(peer_joined).await.session;
    assert_eq!(bob.until(peer_away).await, joined);
}
