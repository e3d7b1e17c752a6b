//! Presence across a cluster on a real `redis-server`: sessions resume on any node, and
//! the members of a node that dies are seen `away`, then `left` exactly once — unless
//! they resume elsewhere. Nodes run in this process, or as real `server` processes where
//! a test kills one with `kill -9`.

mod common;

use common::{
    add_stroke, applied_op, hello, node::NodeProcess, peer_away, peer_back, peer_joined,
    redis::TestRedis, Client, TestServer,
};
use std::time::Duration;
use tether_core::protocol::{PeerState, ServerMsg};

/// Short grace, so `left` comes soon after `away` in these tests.
const GRACE_MS: &str = "2000";

/// Long enough for a dead node's lease (5 s) to run out, a sweep to run and the grace to
/// end, with room to spare on a loaded machine.
const NODE_DEATH: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_drops_from_one_node_resumes_on_the_other_with_what_it_missed() {
    let redis = TestRedis::start().await;
    let flags = ["--grace-ms", GRACE_MS];
    let a = TestServer::cluster_node(&redis.url(), &flags).await;
    let b = TestServer::cluster_node(&redis.url(), &flags).await;
    let (mut alice, _, _) = Client::join_at(&a.addr, hello("r", "alice", "Alice", None)).await;
    let (mut bob, bob_welcome, _) = Client::join_at(&b.addr, hello("r", "bob", "Bob", None)).await;
    // Bob, on the other node, knows Alice from the store: in his welcome or just after.
    if !bob_welcome.peers.iter().any(|p| p.session == alice.session) {
        let peer = bob.until(peer_joined).await;
        assert_eq!(peer.session, alice.session);
    }
    assert_eq!(alice.until(peer_joined).await.session, bob.session);

    alice.send(&add_stroke("a1", "s1")).await;
    assert_eq!(alice.until(applied_op("a1")).await.seq, 1);

    // Alice's connection drops: Bob sees her away, and draws meanwhile.
    let _ = alice.socket.close(None).await;
    assert_eq!(bob.until(peer_away).await, alice.session);
    bob.send(&add_stroke("b1", "s2")).await;
    bob.send(&add_stroke("b2", "s3")).await;
    assert_eq!(bob.until(applied_op("b2")).await.seq, 3);

    // She comes back through the other node: the same session, exactly what she missed.
    let resume = alice.resume_hello("r", 1);
    let (mut again, welcome, catch_up) = Client::join_at(&b.addr, resume).await;
    assert!(welcome.resumed, "the session resumes on another node");
    assert_eq!(welcome.session, alice.session);
    let missed: Vec<String> = match catch_up {
        ServerMsg::Replay { ops } => ops.into_iter().map(|op| op.op_id).collect(),
        other => panic!("expected a replay, got {other:?}"),
    };
    assert_eq!(missed, ["b1", "b2"]);
    assert_eq!(bob.until(peer_back).await, alice.session);
    let bob_in_her_welcome = welcome.peers.iter().find(|p| p.session == bob.session);
    assert_eq!(bob_in_her_welcome.map(|p| p.state), Some(PeerState::Active));

    // Nobody ever sees her leave: the grace period passes with her connected.
    again.send(&add_stroke("a2", "s4")).await;
    assert_eq!(bob.until(applied_op("a2")).await.seq, 4);
    bob.expect_silence(Duration::from_millis(2500)).await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_members_of_a_killed_node_go_away_then_leave_once_unless_they_resume() {
    let redis = TestRedis::start().await;
    let flags = ["--grace-ms", GRACE_MS];
    let mut doomed = NodeProcess::start(&redis.url(), &flags);
    let survivor = TestServer::cluster_node(&redis.url(), &flags).await;
    let (mut bob, _, _) = Client::join_at(&survivor.addr, hello("k", "bob", "Bob", None)).await;
    let (mut alice, _, _) = Client::join_at(&doomed.addr, hello("k", "alice", "Alice", None)).await;
    let (carol, _, _) = Client::join_at(&doomed.addr, hello("k", "carol", "Carol", None)).await;
    let mut joined = vec![
        bob.until(peer_joined).await.session,
        bob.until(peer_joined).await.session,
    ];
    joined.sort();
    let mut expected = vec![alice.session.clone(), carol.session.clone()];
    expected.sort();
    assert_eq!(joined, expected);
    alice.send(&add_stroke("acked", "s1")).await;
    assert_eq!(alice.until(applied_op("acked")).await.seq, 1);

    // The node dies without a word: its members' leases run out.
    doomed.kill();
    let mut away = vec![
        bob.until_within(NODE_DEATH, peer_away).await,
        bob.until_within(NODE_DEATH, peer_away).await,
    ];
    away.sort();
    assert_eq!(
        away, expected,
        "both members of the dead node are seen away"
    );

    // Carol resumes on the surviving node within the grace period; Alice does not.
    let (_carol_again, welcome, _) =
        Client::join_at(&survivor.addr, carol.resume_hello("k", 1)).await;
    assert!(welcome.resumed);
    let mut back_and_left = Vec::new();
    while back_and_left.len() < 2 {
        let msg = bob.until_within(NODE_DEATH, Some).await;
        match msg {
            ServerMsg::PeerBack { session } => back_and_left.push(("back", session)),
            ServerMsg::PeerLeft { session } => back_and_left.push(("left", session)),
            ServerMsg::PeerAway { session } => panic!("{session} away twice"),
            _ => {}
        }
    }
    back_and_left.sort();
    assert_eq!(
        back_and_left,
        [
            ("back", carol.session.clone()),
            ("left", alice.session.clone())
        ]
    );
    // Exactly once: no second `left`, and Carol stays.
    bob.expect_silence(Duration::from_millis(3000)).await;
    let (_dave, dave_welcome, _) =
        Client::join_at(&survivor.addr, hello("k", "dave", "Dave", None)).await;
    let mut seen: Vec<String> = dave_welcome.peers.into_iter().map(|p| p.session).collect();
    seen.sort();
    let mut present = vec![bob.session.clone(), carol.session.clone()];
    present.sort();
    assert_eq!(seen, present, "the one who left is gone for newcomers too");

    // What the dead node acknowledged is on the board.
    let board = survivor.state.hub.snapshot("k").await.unwrap();
    assert_eq!(board.seq, 1);
    assert_eq!(board.strokes[0].id, "s1");
    survivor.stop().await;
}
