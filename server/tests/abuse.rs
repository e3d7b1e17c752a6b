//! Attacks from strangers, each refused while an honest client in the same room keeps
//! drawing with nothing lost. (More families join as the hardening work lands: see
//! docs/RELIABILITY.md, "Attacks".)

mod common;

use common::*;
use tether_core::{
    board::Op,
    protocol::{ClientMsg, ServerMsg},
};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Error as WsError},
};

/// Opens `/ws/{room}` with extra request headers; `Err(status)` when the upgrade is
/// refused.
async fn connect_with(
    server: &TestServer,
    room: &str,
    headers: &[(&'static str, &str)],
) -> Result<(), u16> {
    let mut request = format!("ws://{}/ws/{room}", server.addr)
        .into_client_request()
        .unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    match connect_async(request).await {
        Ok(_) => Ok(()),
        Err(WsError::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("unexpected failure: {other}"),
    }
}

/// An honest member draws one stroke and sees it acknowledged at `seq`.
async fn honest_stroke(client: &mut Client, stroke_id: &str, seq: u64) {
    let op_id = client.draw(stroke_id).await;
    let applied = client.until(applied_op(&op_id)).await;
    assert_eq!(
        applied.seq, seq,
        "the honest client's stroke lands in order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_from_a_foreign_origin_is_refused_before_anything_happens() {
    let server = TestServer::temp(&[]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    honest_stroke(&mut honest, "s1", 1).await;

    // A page on another site tries to join and clear the board.
    let refused = connect_with(&server, "r", &[("Origin", "https://evil.example")]).await;
    assert_eq!(refused, Err(403));
    let refused = connect_with(&server, "r", &[("Origin", "null")]).await;
    assert_eq!(refused, Err(403), "sandboxed frames and file:// pages too");
    // The same origin as the server is fine (the app's own pages).
    let own = format!("http://{}", server.addr);
    assert_eq!(
        connect_with(&server, "r", &[("Origin", &own)]).await,
        Ok(())
    );

    honest_stroke(&mut honest, "s2", 2).await;
    let (_, catch_up) = Client::join(&server, "r", "check", None).await;
    assert!(
        matches!(catch_up, ServerMsg::Snapshot { seq: 2, ref strokes, .. } if strokes.len() == 2),
        "nothing cleared: {catch_up:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_posts_need_our_origin_and_a_json_body() {
    let server = TestServer::temp(&[]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    let http = reqwest::Client::new();
    let hello = serde_json::to_string(&hello("r", "evil", "Evil", None)).unwrap();
    let open = |origin: Option<&str>, content_type: &str| {
        let mut request = http
            .post(server.url("/api/poll/open/r"))
            .header("content-type", content_type)
            .body(hello.clone());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let foreign = open(Some("https://evil.example"), "application/json")
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let body: serde_json::Value = serde_json::from_str(&foreign.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "origin_not_allowed");
    // A cross-site form can only send form types: refused as such, too.
    let form = open(None, "text/plain").await.unwrap();
    assert_eq!(form.status(), 415);
    let body: serde_json::Value = serde_json::from_str(&form.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "json_required");
    let own = format!("http://{}", server.addr);
    let fine = open(Some(&own), "application/json; charset=utf-8")
        .await
        .unwrap();
    assert_eq!(fine.status(), 200);

    honest_stroke(&mut honest, "s1", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebound_host_name_is_refused_on_every_route() {
    let server = TestServer::temp(&[]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    honest_stroke(&mut honest, "s1", 1).await;
    let http = reqwest::Client::new();
    // evil.example resolved to this server's address: the page reads as evil.example.
    for path in ["/b/r", "/healthz", "/"] {
        let response = http
            .get(server.url(path))
            .header("host", "evil.example:3000")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["code"], "host_not_allowed");
    }
    let rebound = connect_with(
        &server,
        "r",
        &[
            ("Host", "evil.example:3000"),
            ("Origin", "http://evil.example:3000"),
        ],
    )
    .await;
    assert_eq!(rebound, Err(403));
    // Loopback names and IP literals are fine.
    let local = http
        .get(server.url("/healthz"))
        .header("host", "localhost:9")
        .send()
        .await;
    assert_eq!(local.unwrap().status(), 200);

    honest
        .send(&ClientMsg::Op {
            op_id: "clear-1".into(),
            op: Op::Clear,
        })
        .await;
    let applied = honest
        .until(|m| match m {
            ServerMsg::Applied(a) => Some(a.seq),
            _ => None,
        })
        .await;
    assert_eq!(applied, 2, "the honest client is unaffected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_public_url_is_an_allowed_origin_and_host() {
    let server = TestServer::temp(&["--public-url", "https://board.example.com"]).await;
    let ok = connect_with(
        &server,
        "r",
        &[
            ("Host", "board.example.com"),
            ("Origin", "https://board.example.com"),
        ],
    )
    .await;
    assert_eq!(ok, Ok(()));
    let other = connect_with(&server, "r", &[("Origin", "https://board.example.org")]).await;
    assert_eq!(other, Err(403));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_the_security_headers_and_their_inline_scripts_the_nonce() {
    let server = TestServer::temp(&[]).await;
    let response = reqwest::get(server.url("/b/room1")).await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let csp = header("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the header's nonce"
    );
    let again = reqwest::get(server.url("/b/room1")).await.unwrap();
    let csp_again = again.headers()["content-security-policy"].to_str().unwrap();
    assert!(!csp_again.contains(&nonce), "a fresh nonce per response");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_op_flood_is_slowed_without_loss_or_reordering() {
    let server = TestServer::temp(&["--ops-per-second", "40", "--ops-burst", "10"]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    const FLOOD: usize = 60;
    let ops: Vec<ClientMsg> = (0..FLOOD)
        .map(|i| add_stroke(&format!("f{i}"), &format!("fs{i}")))
        .collect();
    let stored = |strokes: &[tether_core::board::Stroke]| -> Vec<String> {
        strokes
            .iter()
            .map(|s| s.id.clone())
            .filter(|id| id.starts_with("fs"))
            .collect()
    };
    // The flooder does what the engine does: send everything unconfirmed, in order; when
    // told `rate_limited` (and closed), come back after the pause and do it again.
    let mut connections = 0;
    let mut honest_checked = false;
    let deadline = tokio::time::Instant::now() + WAIT * 8;
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the flood never drained"
        );
        connections += 1;
        let (mut flooder, catch_up) = Client::join(&server, "r", "flooder", None).await;
        let ServerMsg::Snapshot { strokes, .. } = catch_up else {
            panic!("expected a snapshot, got {catch_up:?}");
        };
        let done = stored(&strokes);
        if done.len() == FLOOD {
            let expected: Vec<String> = (0..FLOOD).map(|i| format!("fs{i}")).collect();
            assert_eq!(
                done, expected,
                "every op exactly once, in the order it was made"
            );
            break;
        }
        for op in &ops[done.len()..] {
            flooder.send(op).await;
        }
        if !honest_checked {
            // The honest member has its own budget: served at once meanwhile.
            let op_id = honest.draw("hs0").await;
            honest.until(applied_op(&op_id)).await;
            honest_checked = true;
        }
        // Until everything sent is applied, or the server says to pause.
        let remaining = FLOOD - done.len();
        let mut applied = 0;
        let pause = flooder
            .until(|m| match m {
                ServerMsg::Applied(a) if a.op_id.starts_with('f') => {
                    applied += 1;
                    (applied == remaining).then_some(None)
                }
                ServerMsg::Error {
                    code,
                    retry_after_ms,
                    ..
                } if code == "rate_limited" => Some(Some(retry_after_ms.expect("a pause"))),
                _ => None,
            })
            .await;
        if let Some(pause) = pause {
            // Then the connection ends (a 1013 close frame after the closing handshake).
            assert_eq!(closed_with(&mut flooder.socket).await, Some(1013));
            // The pause the server asked for (the engine's timer does the same).
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
    }
    assert!(connections >= 2, "the flood was slowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_flood_is_dropped_and_durable_ops_still_flow() {
    let server =
        TestServer::temp(&["--ephemeral-per-second", "20", "--ephemeral-burst", "30"]).await;
    let (mut flooder, _) = Client::join(&server, "r", "flooder", None).await;
    let (mut peer, _) = Client::join(&server, "r", "peer", None).await;
    for i in 0..600 {
        flooder
            .send(&ClientMsg::Cursor {
                x: i as f32,
                y: 1.0,
            })
            .await;
    }
    let op_id = flooder.draw("s1").await;
    // Relayed frames reach the peer in the order the room handled them: every cursor that
    // got through comes before the stroke's applied.
    let mut cursors = 0;
    peer.until(|m| match m {
        ServerMsg::Cursor { .. } => {
            cursors += 1;
            None
        }
        ServerMsg::Applied(a) if a.op_id == op_id => Some(()),
        _ => None,
    })
    .await;
    assert!(cursors >= 1, "some cursors got through");
    assert!(
        cursors <= 60,
        "{cursors} of 600 relayed: the budget dropped the rest"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_flood_from_one_address_is_refused_and_others_still_join() {
    let server = TestServer::temp(&[
        "--trusted-proxy",
        "127.0.0.1",
        "--joins-per-second",
        "1",
        "--joins-burst",
        "3",
    ])
    .await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    let attacker = [("X-Forwarded-For", "203.0.113.7")];
    for _ in 0..3 {
        assert_eq!(connect_with(&server, "r", &attacker).await, Ok(()));
    }
    assert_eq!(connect_with(&server, "r", &attacker).await, Err(429));
    let polled = reqwest::Client::new()
        .post(server.url("/api/poll/open/r"))
        .header("content-type", "application/json")
        .header("x-forwarded-for", "203.0.113.7")
        .body(serde_json::to_string(&hello("r", "a", "A", None)).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(polled.status(), 429);
    assert!(polled.headers().contains_key("retry-after"));
    let body: serde_json::Value = serde_json::from_str(&polled.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "too_many_joins");
    // Someone else behind the same proxy joins fine, and the member keeps drawing.
    assert_eq!(
        connect_with(&server, "r", &[("X-Forwarded-For", "198.51.100.1")]).await,
        Ok(())
    );
    honest_stroke(&mut honest, "s1", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_with_a_bidi_override_is_refused() {
    let server = TestServer::temp(&[]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    let mut socket = connect_raw(&server, "r").await;
    send(
        &mut socket,
        &hello("r", "mallory", "Ann\u{202E}gnp.exe", None),
    )
    .await;
    assert!(matches!(
        recv(&mut socket).await,
        ServerMsg::Error { ref code, fatal: true, .. } if code == "invalid_name"
    ));
    assert_eq!(closed_with(&mut socket).await, Some(1008));
    honest_stroke(&mut honest, "s1", 1).await;
    honest
        .expect_silence(std::time::Duration::from_millis(100))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_frames_and_bodies_are_refused_without_being_buffered() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::temp(&[]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    // A frame far over the protocol's 64 KiB: the socket is closed (1009, too big).
    let (mut big, _) = Client::join(&server, "r", "big", None).await;
    let huge = format!(
        "{{\"type\":\"ping\",\"t\":1,\"pad\":\"{}\"}}",
        "x".repeat(1 << 20)
    );
    let _ = big.socket.send(Message::text(huge)).await;
    assert_eq!(closed_with(&mut big.socket).await, Some(1009));
    // Bodies: a poll open or send over its limit is 413 with a JSON code.
    let http = reqwest::Client::new();
    for (path, bytes) in [
        ("/api/poll/open/r", 100 * 1024),
        ("/api/poll/x/send", 600 * 1024),
    ] {
        let response = http
            .post(server.url(path))
            .header("content-type", "application/json")
            .body(vec![b' '; bytes])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["code"], "body_too_large", "{path}");
    }
    honest_stroke(&mut honest, "s1", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_within_the_write_timeout() {
    let server = TestServer::temp(&[
        "--write-timeout-ms",
        "500",
        // Only the write timeout may catch it here (not the outbox bound, not pings).
        "--outbox-frames",
        "100000",
        "--ws-ping-interval-ms",
        "600000",
    ])
    .await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    let stalled = common::stalled_reader(&server, "r").await;
    let stalled_session = honest.until(peer_joined).await.session;

    // The honest member draws big strokes; the stalled one's socket fills up.
    honest.draw_big_strokes("op", 300).await;
    let mut applied = 0;
    let away = honest
        .until(|m| match m {
            ServerMsg::Applied(_) => {
                applied += 1;
                None
            }
            ServerMsg::PeerAway { session } => Some(session),
            _ => None,
        })
        .await;
    assert_eq!(away, stalled_session, "the stalled reader was dropped");
    // Nothing of the honest member's was lost meanwhile.
    while applied < 300 {
        if let ServerMsg::Applied(_) = honest.recv().await {
            applied += 1;
        }
    }
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_room_refuses_newcomers_but_members_resume() {
    let server = TestServer::temp(&["--max-members-per-room", "2", "--grace-ms", "60000"]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    let mut second = connect_raw(&server, "r").await;
    send(&mut second, &hello("r", "second", "Second", None)).await;
    let ServerMsg::Welcome(welcome) = recv(&mut second).await else {
        panic!("the second member joins");
    };
    // A third is refused, clearly and for good (until someone leaves).
    let mut third = connect_raw(&server, "r").await;
    send(&mut third, &hello("r", "third", "Third", None)).await;
    assert!(matches!(
        recv(&mut third).await,
        ServerMsg::Error { ref code, fatal: true, .. } if code == "room_full"
    ));
    assert_eq!(closed_with(&mut third).await, Some(1013));
    // The second member's connection drops; it resumes although the room is full.
    drop(second);
    honest.until(peer_away).await;
    let mut resumed = connect_raw(&server, "r").await;
    let mut resume = hello("r", "second", "Second", Some(0));
    if let ClientMsg::Hello { resume_token, .. } = &mut resume {
        *resume_token = Some(welcome.resume_token.clone());
    }
    send(&mut resumed, &resume).await;
    assert!(matches!(recv(&mut resumed).await, ServerMsg::Welcome(w) if w.resumed));
    honest_stroke(&mut honest, "s1", 1).await;
}

/// A bare TCP connection from `local` (any 127.x.y.z: another "host" on this machine).
async fn bare_connection(server: &TestServer, local: &str) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
    socket.connect(server.addr.parse().unwrap()).await.unwrap()
}

/// Reads until the server closes the connection; what it said first, if anything.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> String {
    use tokio::io::AsyncReadExt;
    let mut said = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut said))
        .await
        .expect("the server did not close the connection in time")
        .ok();
    String::from_utf8_lossy(&said).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_send_nothing_or_dribble_are_closed_within_the_header_timeout() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::temp(&["--header-timeout-ms", "400"]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    let started = std::time::Instant::now();
    let mut idle = Vec::new();
    for _ in 0..50 {
        idle.push(bare_connection(&server, "127.0.0.2").await);
    }
    // Slowloris: a request head that never ends.
    let mut dribble = bare_connection(&server, "127.0.0.2").await;
    dribble
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    for stream in &mut idle {
        read_until_closed(stream, std::time::Duration::from_secs(3)).await;
    }
    read_until_closed(&mut dribble, std::time::Duration::from_secs(3)).await;
    // One request, then the connection is held idle (keep-alive): closed as well.
    let mut kept = bare_connection(&server, "127.0.0.2").await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut kept, std::time::Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    honest_stroke(&mut honest, "s1", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_take_every_connection() {
    let server = TestServer::temp(&[
        "--max-connections-per-ip",
        "5",
        "--header-timeout-ms",
        "30000",
    ])
    .await;
    // The attacker holds its five (silent) connections from 127.0.0.2.
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(bare_connection(&server, "127.0.0.2").await);
    }
    let mut sixth = bare_connection(&server, "127.0.0.2").await;
    let answer = read_until_closed(&mut sixth, std::time::Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(
        answer.contains("\"code\":\"too_many_connections\""),
        "{answer}"
    );
    // Everyone else (127.0.0.1) joins and draws.
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    honest_stroke(&mut honest, "s1", 1).await;
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_server_refuses_with_503_and_its_members_keep_drawing() {
    let server =
        TestServer::temp(&["--max-connections", "4", "--header-timeout-ms", "30000"]).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    let mut held = Vec::new();
    for i in 0..3 {
        held.push(bare_connection(&server, &format!("127.0.0.{}", i + 2)).await);
    }
    let mut refused = bare_connection(&server, "127.0.0.9").await;
    let answer = read_until_closed(&mut refused, std::time::Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"code\":\"server_busy\""), "{answer}");
    // The WebSocket still counts (its permit lives with the socket), and works.
    honest_stroke(&mut honest, "s1", 1).await;
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_board_refuses_more_strokes_clearly_until_room_is_made() {
    let server = TestServer::temp(&["--max-strokes-per-board", "3"]).await;
    let (mut filler, _) = Client::join(&server, "r", "filler", None).await;
    let (mut honest, _) = Client::join(&server, "r", "honest", None).await;
    for i in 0..3 {
        honest_stroke(&mut filler, &format!("f{i}"), i + 1).await;
    }
    let op_id = honest.draw("h1").await;
    let (code, reason) = honest
        .until(|m| match m {
            ServerMsg::Rejected {
                op_id: id,
                code,
                reason,
            } if id == op_id => Some((code, reason)),
            _ => None,
        })
        .await;
    assert_eq!(code, "board_full");
    assert!(reason.contains("erase or clear"), "{reason}");
    // An erasure makes room; the honest stroke goes in.
    honest
        .send(&ClientMsg::Op {
            op_id: "erase-1".into(),
            op: Op::EraseStroke { id: "f0".into() },
        })
        .await;
    honest_stroke(&mut honest, "h2", 5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_to_random_boards_cannot_fill_the_memory() {
    let server = TestServer::temp(&["--max-loaded-rooms", "3"]).await;
    let (mut honest, _) = Client::join(&server, "a", "honest", None).await;
    honest_stroke(&mut honest, "s1", 1).await;
    // A crawler opens link after link: empty rooms are loaded for the page, and the least
    // recently used empty one makes way for the next.
    let http = reqwest::Client::new();
    for i in 0..12 {
        let page = http
            .get(server.url(&format!("/b/random{i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "random{i}");
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    while server.state.hub.loaded_rooms() > 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "rooms were not evicted"
        );
        tokio::task::yield_now().await;
    }
    honest_stroke(&mut honest, "s2", 2).await;
    // Every room in use: a new board is refused (503), the members are unaffected.
    let (_b, _) = Client::join(&server, "b", "bee", None).await;
    let (_c, _) = Client::join(&server, "c", "cee", None).await;
    let page = http.get(server.url("/b/another")).send().await.unwrap();
    assert_eq!(page.status(), 503);
    let mut refused = connect_raw(&server, "another").await;
    send(&mut refused, &hello("another", "dee", "Dee", None)).await;
    assert!(matches!(
        recv(&mut refused).await,
        ServerMsg::Error { ref code, .. } if code == "room_unavailable"
    ));
    honest_stroke(&mut honest, "s3", 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_author_id_cannot_be_used_to_draw_in_someone_elses_name() {
    let server = TestServer::temp(&[]).await;
    let (mut victim, _) = Client::join(&server, "r", "victim-secret-client-id", None).await;
    honest_stroke(&mut victim, "v1", 1).await;
    // Everything peers and pages see carries the author id, never the client id.
    let page = reqwest::get(server.url("/b/r"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("victim-secret-client-id"),
        "the page leaks the client id"
    );
    assert!(page.contains(&victim.author));
    let (mut watcher, catch_up) = Client::join(&server, "r", "watcher", None).await;
    let ServerMsg::Snapshot { strokes, .. } = catch_up else {
        panic!("a snapshot")
    };
    let public = strokes[0].author.clone();
    assert_eq!(public, victim.author);
    // The attacker connects with the public id as its client id: its strokes are its own.
    let (mut attacker, _) = Client::join(&server, "r", &public, None).await;
    assert_ne!(attacker.author, victim.author);
    let op_id = attacker.draw("forged").await;
    let forged = watcher.until(applied_op(&op_id)).await;
    assert_ne!(forged.author, victim.author, "not in the victim's name");
    honest_stroke(&mut victim, "v2", 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_op_id_with_other_content_is_refused_and_never_echoed() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (mut mallory, _) = Client::join(&server, "r", "mallory", None).await;
    let op_id = alice.draw("a1").await;
    let own_ack = alice.until(applied_op(&op_id)).await;
    let stored = mallory.until(applied_op(&op_id)).await;
    // Mallory replays the public op id as a Clear: refused, nothing changes.
    mallory
        .send(&ClientMsg::Op {
            op_id: op_id.clone(),
            op: Op::Clear,
        })
        .await;
    let code = mallory
        .until(|m| match m {
            ServerMsg::Rejected {
                op_id: id, code, ..
            } if id == op_id => Some(code),
            ServerMsg::Applied(a) if a.op_id == op_id => panic!("echoed: {a:?}"),
            _ => None,
        })
        .await;
    assert_eq!(code, "op_id_reused");
    // Alice's own resend is answered with the stored entry.
    alice.send(&add_stroke(&op_id, "a1")).await;
    let ack = alice.until(applied_op(&op_id)).await;
    assert_eq!(ack, stored);
    assert_eq!(own_ack, stored);
    honest_stroke(&mut alice, "a2", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_cannot_pre_empt_the_id_of_a_stroke_being_drawn() {
    use tether_core::{board::Point, protocol::LiveStroke};
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (mut mallory, _) = Client::join(&server, "r", "mallory", None).await;
    alice
        .send(&ClientMsg::LiveStroke(LiveStroke {
            stroke_id: "alice-live-1".into(),
            color: "#000000".into(),
            width: 2.0,
            points: vec![Point::new(1.0, 1.0), Point::new(2.0, 2.0)],
            session: String::new(),
            cancelled: false,
        }))
        .await;
    // Mallory sees the id in the relayed live stroke and races to store it first.
    let id = mallory
        .until(|m| match m {
            ServerMsg::LiveStroke(live) => Some(live.stroke_id),
            _ => None,
        })
        .await;
    mallory.send(&add_stroke("m1", &id)).await;
    let code = mallory
        .until(|m| match m {
            ServerMsg::Rejected { op_id, code, .. } if op_id == "m1" => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "duplicate_stroke_id");
    // Alice finishes her stroke: it lands under its id.
    honest_stroke(&mut alice, "alice-live-1", 1).await;
}
