//! The room hub over real WebSockets: ordering, acks, dedup, persistence, presence,
//! ephemeral relay, bad input, and rooms unloading.

mod common;

use common::*;
use futures_util::SinkExt;
use std::{collections::HashSet, time::Duration};
use tether_core::{
    board::{AppliedOp, Op, Point, Stroke},
    limits::MAX_FRAME_BYTES,
    protocol::{ClientMsg, LiveStroke, PeerState, ServerMsg},
};
use tokio_tungstenite::tungstenite::Message;

fn applied(msg: ServerMsg) -> Option<AppliedOp> {
    match msg {
        ServerMsg::Applied(op) => Some(op),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_op_is_acknowledged_to_its_author_and_broadcast_to_peers() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, catch_up) = Client::join(&server, "room1", "alice", None).await;
    assert_eq!(
        catch_up,
        ServerMsg::Snapshot {
            seq: 0,
            strokes: vec![]
        }
    );
    let (mut bob, _) = Client::join(&server, "room1", "bob", None).await;

    let op_id = alice.draw("s1").await;
    let ack = alice.until(applied).await;
    assert_eq!(
        (ack.seq, ack.op_id.as_str(), ack.author.as_str()),
        (1, op_id.as_str(), alice.author.as_str())
    );
    let seen = bob.until(applied).await;
    assert_eq!(seen, ack);
    let Op::AddStroke { stroke } = &seen.op else {
        panic!("{seen:?}")
    };
    assert_eq!(stroke.author, alice.author, "the server sets the author");
    assert_ne!(stroke.author, "alice", "peers never see the client id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_author_is_the_connection_not_what_the_client_claims() {
    let server = TestServer::temp(&[]).await;
    let (mut mallory, _) = Client::join(&server, "r", "mallory", None).await;
    let forged = Stroke {
        author: "alice".into(),
        ..stroke("s1")
    };
    mallory
        .send(&ClientMsg::Op {
            op_id: "m1".into(),
            op: Op::AddStroke { stroke: forged },
        })
        .await;
    let ack = mallory.until(applied).await;
    let Op::AddStroke { stroke } = ack.op else {
        panic!()
    };
    assert_eq!(stroke.author, mallory.author);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_get_gap_free_seqs_in_one_order_for_everyone() {
    let server = TestServer::temp(&[]).await;
    let writers = 5;
    let per_writer = 40;
    let mut clients = Vec::new();
    for w in 0..writers {
        clients.push(
            Client::join(&server, "busy", &format!("w{w}"), None)
                .await
                .0,
        );
    }
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(w, mut client)| {
            tokio::spawn(async move {
                for i in 0..per_writer {
                    client.draw(&format!("w{w}s{i}")).await;
                }
                let mut seen = Vec::new();
                while seen.len() < writers * per_writer {
                    seen.push(client.until(applied).await);
                }
                seen
            })
        })
        .collect();
    let mut orders = Vec::new();
    for task in tasks {
        orders.push(task.await.unwrap());
    }
    let expected: Vec<u64> = (1..=(writers * per_writer) as u64).collect();
    for order in &orders {
        assert_eq!(
            order.iter().map(|a| a.seq).collect::<Vec<_>>(),
            expected,
            "gap-free, in order"
        );
        let ids: HashSet<_> = order.iter().map(|a| &a.op_id).collect();
        assert_eq!(ids.len(), writers * per_writer, "every op exactly once");
        assert_eq!(order, &orders[0], "everyone sees the same log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_op_id_is_stored_once_and_broadcast_once() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    let op = add_stroke("same", "s1");
    alice.send(&op).await;
    alice.send(&op).await;
    let first = alice.until(applied).await;
    let second = alice.until(applied).await;
    assert_eq!(
        (first.seq, second.seq),
        (1, 1),
        "the duplicate gets the original seq"
    );
    assert_eq!(bob.until(applied).await.seq, 1);

    // Across a reconnect, too: the resend is acknowledged, peers hear nothing new.
    alice.socket.close(None).await.unwrap();
    let (mut alice, catch_up) = Client::join(&server, "r", "alice", Some(1)).await;
    assert_eq!(catch_up, ServerMsg::Replay { ops: vec![] });
    alice.send(&op).await;
    assert_eq!(alice.until(applied).await.seq, 1);
    alice.draw("s2").await;
    assert_eq!(
        alice.until(applied).await.seq,
        2,
        "the next op follows without a gap"
    );
    let next_for_bob = bob.until(applied).await;
    assert_eq!(next_for_bob.seq, 2, "bob never saw the duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strokes_persist_across_a_server_restart_and_missed_ops_are_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (mut alice, _) = Client::join(&server, "keep", "alice", None).await;
    for i in 0..3 {
        alice.draw(&format!("s{i}")).await;
        alice.until(applied).await;
    }
    server.stop().await;

    let server = TestServer::start(dir.path()).await;
    let (_, catch_up) = Client::join(&server, "keep", "bob", None).await;
    let ServerMsg::Snapshot { seq: 3, strokes } = catch_up else {
        panic!("{catch_up:?}")
    };
    assert_eq!(
        strokes.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["s0", "s1", "s2"]
    );
    let (mut carol, catch_up) = Client::join(&server, "keep", "carol", Some(1)).await;
    let ServerMsg::Replay { ops } = catch_up else {
        panic!("{catch_up:?}")
    };
    assert_eq!(ops.iter().map(|o| o.seq).collect::<Vec<_>>(), [2, 3]);
    // Dedup survives the restart: Alice resending her first op gets its original seq (her
    // author id survives too: the identity key lives in the data dir); anyone else
    // resending it is refused.
    let (mut alice, _) = Client::join(&server, "keep", "alice", Some(3)).await;
    alice.send(&add_stroke("alice-1", "s0")).await;
    assert_eq!(alice.until(applied).await.seq, 1);
    carol.send(&add_stroke("alice-1", "s0")).await;
    let code = carol
        .until(|m| match m {
            ServerMsg::Rejected { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "op_id_reused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_ahead_of_the_log_gets_a_snapshot() {
    let server = TestServer::temp(&[]).await;
    let (_, catch_up) = Client::join(&server, "fresh", "alice", Some(42)).await;
    assert_eq!(
        catch_up,
        ServerMsg::Snapshot {
            seq: 0,
            strokes: vec![]
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_ops_are_rejected_with_a_reason_and_store_nothing() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    let cases = [
        (
            Stroke {
                points: vec![Point::new(1e9, 0.0)],
                ..stroke("a")
            },
            "coordinate_out_of_bounds",
        ),
        (
            Stroke {
                points: vec![Point::new(0.0, 0.0); 5000],
                ..stroke("b")
            },
            "too_many_points",
        ),
        (
            Stroke {
                points: vec![],
                ..stroke("c")
            },
            "no_points",
        ),
        (
            Stroke {
                color: "red".into(),
                ..stroke("d")
            },
            "invalid_color",
        ),
        (
            Stroke {
                width: 1000.0,
                ..stroke("e")
            },
            "invalid_width",
        ),
        (
            Stroke {
                id: "no spaces".into(),
                ..stroke("f")
            },
            "invalid_id",
        ),
    ];
    for (i, (bad, code)) in cases.into_iter().enumerate() {
        let op_id = format!("bad{i}");
        alice
            .send(&ClientMsg::Op {
                op_id: op_id.clone(),
                op: Op::AddStroke { stroke: bad },
            })
            .await;
        let reply = alice
            .until(|m| matches!(m, ServerMsg::Rejected { .. }).then_some(m))
            .await;
        let ServerMsg::Rejected {
            op_id: rejected,
            code: got,
            reason,
        } = reply
        else {
            panic!("{reply:?}")
        };
        assert_eq!((rejected.as_str(), got.as_str()), (op_id.as_str(), code));
        assert!(!reason.is_empty());
    }
    // A stroke id already on the board is refused too.
    alice.draw("taken").await;
    alice.until(applied).await;
    bob.until(applied).await;
    alice.send(&add_stroke("again", "taken")).await;
    let reply = alice
        .until(|m| matches!(m, ServerMsg::Rejected { .. }).then_some(m))
        .await;
    assert!(matches!(reply, ServerMsg::Rejected { code, .. } if code == "duplicate_stroke_id"));
    // Nothing of it reached bob or the log.
    bob.expect_silence(Duration::from_millis(200)).await;
    let (_, catch_up) = Client::join(&server, "r", "carol", None).await;
    assert!(
        matches!(catch_up, ServerMsg::Snapshot { seq: 1, .. }),
        "{catch_up:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_get_errors_and_the_connection_goes_on() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let error_code = |msg: ServerMsg| match msg {
        ServerMsg::Error {
            code, fatal: false, ..
        } => code,
        other => panic!("expected a non-fatal error, got {other:?}"),
    };
    alice.socket.send(Message::text("{not json")).await.unwrap();
    assert_eq!(error_code(alice.recv().await), "bad_message");
    alice
        .socket
        .send(Message::text(r#"{"type":"teleport"}"#))
        .await
        .unwrap();
    assert_eq!(error_code(alice.recv().await), "bad_message");
    alice
        .socket
        .send(Message::binary(vec![1u8, 2, 3]))
        .await
        .unwrap();
    assert_eq!(error_code(alice.recv().await), "binary_unsupported");
    let huge = format!(
        r#"{{"type":"ping","t":1,"x":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES)
    );
    alice.socket.send(Message::text(huge)).await.unwrap();
    assert_eq!(error_code(alice.recv().await), "frame_too_large");
    alice
        .send(&ClientMsg::Cursor {
            x: f32::MAX,
            y: 0.0,
        })
        .await;
    assert_eq!(error_code(alice.recv().await), "coordinate_out_of_bounds");
    alice.send(&hello("r", "alice", "alice", None)).await;
    assert_eq!(error_code(alice.recv().await), "already_joined");
    // Still fully usable.
    alice.send(&ClientMsg::Ping { t: 7.0 }).await;
    assert!(matches!(alice.recv().await, ServerMsg::Pong { t, .. } if t == 7.0));
    alice.draw("ok").await;
    assert_eq!(alice.until(applied).await.seq, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_hello_is_a_fatal_error_with_a_close() {
    let server = TestServer::temp(&[]).await;
    let cases = [
        (hello("other-room", "c", "n", None), "room_mismatch"),
        (hello("r", "c", "", None), "invalid_name"),
        (hello("r", "bad id", "n", None), "invalid_client_id"),
        (ClientMsg::Ping { t: 1.0 }, "hello_expected"),
    ];
    for (msg, code) in cases {
        let mut socket = connect_raw(&server, "r").await;
        send(&mut socket, &msg).await;
        let reply = recv(&mut socket).await;
        assert!(
            matches!(&reply, ServerMsg::Error { code: c, fatal: true, .. } if c == code),
            "{reply:?}"
        );
        assert_eq!(closed_with(&mut socket).await, Some(1008));
    }
    let mut wrong_version = serde_json::to_value(hello("r", "c", "n", None)).unwrap();
    wrong_version["protocol"] = 99.into();
    let mut socket = connect_raw(&server, "r").await;
    socket
        .send(Message::text(wrong_version.to_string()))
        .await
        .unwrap();
    let reply = recv(&mut socket).await;
    assert!(
        matches!(&reply, ServerMsg::Error { code, fatal: true, message, .. } if code == "unsupported_protocol" && message.contains("reload"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed_after_the_handshake_timeout() {
    let server = TestServer::temp(&["--handshake-timeout-ms", "200"]).await;
    let mut socket = connect_raw(&server, "r").await;
    let reply = recv(&mut socket).await;
    assert!(
        matches!(&reply, ServerMsg::Error { code, fatal: false, .. } if code == "handshake_timeout")
    );
    assert_eq!(closed_with(&mut socket).await, Some(1008));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_room_ids_are_refused_before_upgrading() {
    let server = TestServer::temp(&[]).await;
    let response = reqwest::get(server.url("/ws/bad%20room")).await.unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "invalid_room");
    let refused = tokio_tungstenite::connect_async(format!("ws://{}/ws/a.b", server.addr)).await;
    assert!(refused.is_err(), "no upgrade for a malformed room id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_follows_joins_and_leaves() {
    let server = TestServer::temp(&["--grace-ms", "300"]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (bob, _) = Client::join(&server, "r", "bob", None).await;
    let joined = alice.until(peer_joined).await;
    assert_eq!(
        (joined.name.as_str(), joined.session.as_str(), joined.state),
        ("bob", bob.session.as_str(), PeerState::Active)
    );

    // A third member is told who is already there.
    let mut carol = common::connect_raw(&server, "r").await;
    send(&mut carol, &hello("r", "carol", "carol", None)).await;
    let ServerMsg::Welcome(welcome) = recv(&mut carol).await else {
        panic!()
    };
    let mut names: Vec<_> = welcome.peers.iter().map(|p| p.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["alice", "bob"]);

    // A dropped connection is first away (it may come back), then gone.
    let bob_session = bob.session.clone();
    drop(bob);
    let away = alice.until(peer_away).await;
    assert_eq!(away, bob_session);
    let left = alice.until(peer_left).await;
    assert_eq!(left, bob_session);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_resumes_within_the_grace_period_with_its_token() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let mut bob = connect_raw(&server, "r").await;
    send(&mut bob, &hello("r", "bob", "bob", None)).await;
    let ServerMsg::Welcome(first) = recv(&mut bob).await else {
        panic!()
    };
    assert!(!first.resumed);
    drop(bob);
    let away = alice.until(peer_away).await;
    assert_eq!(away, first.session);

    let mut again = connect_raw(&server, "r").await;
    let resume = ClientMsg::Hello {
        protocol: tether_core::protocol::PROTOCOL_VERSION,
        room: "r".into(),
        client_id: "bob".into(),
        resume_token: Some(first.resume_token.clone()),
        last_seq: Some(0),
        epoch: Some(first.epoch.clone()),
        name: "bob".into(),
        color: "#336699".into(),
    };
    send(&mut again, &resume).await;
    let ServerMsg::Welcome(second) = recv(&mut again).await else {
        panic!()
    };
    assert!(second.resumed);
    assert_eq!(
        second.session, first.session,
        "same session, peers keep their view"
    );
    let back = alice.until(peer_back).await;
    assert_eq!(back, first.session);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_or_a_wrong_token_cannot_take_over_a_session() {
    let server = TestServer::temp(&[]).await;
    let mut bob = connect_raw(&server, "r").await;
    send(&mut bob, &hello("r", "bob", "bob", None)).await;
    let ServerMsg::Welcome(first) = recv(&mut bob).await else {
        panic!()
    };
    let attempts = [
        ("bob", "0123456789abcdef0123456789abcdef".to_owned()), // right client id, wrong token
        ("mallory", first.resume_token.clone()),                // right token, another client
    ];
    for (client_id, token) in attempts {
        let mut socket = connect_raw(&server, "r").await;
        let mut msg = hello("r", client_id, client_id, None);
        if let ClientMsg::Hello { resume_token, .. } = &mut msg {
            *resume_token = Some(token);
        }
        send(&mut socket, &msg).await;
        let ServerMsg::Welcome(welcome) = recv(&mut socket).await else {
            panic!()
        };
        assert!(!welcome.resumed);
        assert_ne!(welcome.session, first.session);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bye_leaves_at_once_without_a_grace_period() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    bob.send(&ClientMsg::Bye).await;
    assert_eq!(closed_with(&mut bob.socket).await, Some(1000));
    let left = alice
        .until(|m| {
            matches!(m, ServerMsg::PeerLeft { .. } | ServerMsg::PeerAway { .. }).then_some(m)
        })
        .await;
    assert!(
        matches!(left, ServerMsg::PeerLeft { ref session } if *session == bob.session),
        "{left:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closing_page_leaves_within_moments_and_a_reload_resumes_its_session() {
    // The default 30 s grace: only `unloading` makes the leave this quick.
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;

    // A reload: the page says it is unloading, and the new page resumes at once.
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    assert_eq!(alice.until(peer_joined).await.session, bob.session);
    bob.send(&ClientMsg::Unloading).await;
    assert_eq!(closed_with(&mut bob.socket).await, Some(1000));
    assert_eq!(alice.until(peer_away).await, bob.session);
    let (reloaded, welcome, _) = Client::join_at(&server.addr, bob.resume_hello("r", 0)).await;
    assert!(welcome.resumed, "a reload resumes the same session");
    assert_eq!(alice.until(peer_back).await, reloaded.session);

    // A closed tab: no page comes back, and peers see it leave well within 2 s.
    let mut closing = reloaded;
    closing.send(&ClientMsg::Unloading).await;
    let started = tokio::time::Instant::now();
    assert_eq!(alice.until(peer_away).await, closing.session);
    assert_eq!(alice.until(peer_left).await, closing.session);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_last_seq_from_another_epoch_gets_a_snapshot() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    alice.draw("s1").await;
    alice.until(applied).await;
    let mut socket = connect_raw(&server, "r").await;
    let mut msg = hello("r", "bob", "bob", Some(1));
    if let ClientMsg::Hello { epoch, .. } = &mut msg {
        *epoch = Some("0000000000000000000000000000dead".into());
    }
    send(&mut socket, &msg).await;
    let ServerMsg::Welcome(_) = recv(&mut socket).await else {
        panic!()
    };
    assert!(matches!(
        recv(&mut socket).await,
        ServerMsg::Snapshot { seq: 1, .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_stops_answering_pings_is_dropped() {
    let server = TestServer::temp(&["--ws-ping-interval-ms", "100", "--grace-ms", "60000"]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    // A client that keeps reading answers pings automatically and stays.
    alice.expect_silence(Duration::from_millis(500)).await;
    let (bob, _) = Client::join(&server, "r", "bob", None).await;
    alice
        .until(|m| matches!(m, ServerMsg::PeerJoined { .. }).then_some(()))
        .await;
    // Bob's socket stays open but is never read again: no pongs.
    let bob_session = bob.session.clone();
    let away = alice.until(peer_away).await;
    assert_eq!(away, bob_session, "the silent connection was dropped");
    drop(bob);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_says_restarting_and_closes_with_1012() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(
        dir.path(),
        &[
            "--restart-retry-after-ms",
            "250",
            "--restart-spread-ms",
            "4000",
        ],
    )
    .await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    alice.draw("s1").await;
    alice.until(applied).await;
    let stopping = tokio::spawn(server.stop());
    let restarting = alice
        .until(|m| match m {
            ServerMsg::Restarting {
                retry_after_ms,
                spread_ms,
            } => Some((retry_after_ms, spread_ms)),
            _ => None,
        })
        .await;
    assert_eq!(restarting, (250, 4000));
    assert_eq!(closed_with(&mut alice.socket).await, Some(1012));
    stopping.await.unwrap();
    // And everything acknowledged is there after the restart.
    let server = TestServer::start(dir.path()).await;
    let (_, catch_up) = Client::join(&server, "r", "bob", None).await;
    assert!(matches!(catch_up, ServerMsg::Snapshot { seq: 1, .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_strokes_and_cursors_reach_peers_but_not_the_sender() {
    let server = TestServer::temp(&[]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    let (mut bob, _) = Client::join(&server, "r", "bob", None).await;
    alice
        .until(|m| matches!(m, ServerMsg::PeerJoined { .. }).then_some(()))
        .await;
    let live = LiveStroke {
        stroke_id: "s1".into(),
        color: "#000000".into(),
        width: 2.0,
        points: vec![Point::new(1.0, 1.0), Point::new(2.0, 2.0)],
        session: "forged".into(),
        cancelled: false,
    };
    alice.send(&ClientMsg::LiveStroke(live.clone())).await;
    alice.send(&ClientMsg::Cursor { x: 5.0, y: 6.0 }).await;
    let relayed = bob
        .until(|m| match m {
            ServerMsg::LiveStroke(l) => Some(l),
            _ => None,
        })
        .await;
    assert_eq!(
        relayed,
        LiveStroke {
            session: alice.session.clone(),
            ..live
        }
    );
    let cursor = bob
        .until(|m| match m {
            ServerMsg::Cursor { session, x, y } => Some((session, x, y)),
            _ => None,
        })
        .await;
    assert_eq!(cursor, (alice.session.clone(), 5.0, 6.0));
    alice.expect_silence(Duration::from_millis(200)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_rooms_are_unloaded_from_memory() {
    let server = TestServer::temp(&["--room-linger-ms", "50", "--grace-ms", "50"]).await;
    let (mut alice, _) = Client::join(&server, "r", "alice", None).await;
    alice.draw("s1").await;
    alice.until(applied).await;
    assert_eq!(server.state.hub.loaded_rooms(), 1);
    alice.socket.close(None).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while server.state.hub.loaded_rooms() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "room never unloaded"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // And it comes back from storage intact.
    let (_, catch_up) = Client::join(&server, "r", "bob", None).await;
    assert!(matches!(catch_up, ServerMsg::Snapshot { seq: 1, .. }));
}
