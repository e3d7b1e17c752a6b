//! The polling fallback: when to fall back, when not to, and moving back to WebSocket.

use super::*;

#[test]
fn blocked_websockets_with_working_http_fall_back_to_polling() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    drained(&mut engine);
    let effects = fail_handshakes(&mut engine, 2);
    assert_eq!(
        effects.iter().filter(|e| **e == Effect::CheckHttp).count(),
        1
    );
    engine.http_checked(50.0, true);
    assert_eq!(
        drained(&mut engine),
        [connect(Transport::WebSocket)],
        "one confirming attempt, at once"
    );
    engine.open_now(55.0);
    engine.close_now(56.0, 0.5);
    let effects = drained(&mut engine);
    assert!(effects.contains(&Effect::RememberTransport(Transport::Polling)));
    assert_eq!(
        effects.last(),
        Some(&connect(Transport::Polling)),
        "at once, no backoff wait"
    );
    engine.open_now(60.0);
    engine.receive(61.0, 0.5, welcome(0));
    engine.receive(62.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(engine.transport(), Transport::Polling);
    assert_eq!(
        engine.state(),
        ConnectionState::Degraded,
        "the fallback shows as degraded"
    );
}

#[test]
fn a_restarting_server_does_not_push_clients_onto_polling() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    drained(&mut engine);
    fail_handshakes(&mut engine, 2);
    engine.http_checked(50.0, true);
    drained(&mut engine);
    // The server is back: the confirming WebSocket attempt works.
    engine.open_now(55.0);
    engine.receive(56.0, 0.5, welcome(0));
    engine.receive(57.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(engine.transport(), Transport::WebSocket);
    assert_eq!(engine.state(), ConnectionState::Connected);
}

#[test]
fn an_unreachable_server_is_not_a_reason_to_poll() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    drained(&mut engine);
    fail_handshakes(&mut engine, 2);
    engine.http_checked(50.0, false);
    assert!(!drained(&mut engine)
        .iter()
        .any(|e| *e == connect(Transport::Polling)));
    assert_eq!(engine.transport(), Transport::WebSocket);
}

#[test]
fn a_working_probe_moves_a_live_session_back_to_websocket_quietly() {
    let mut config = config();
    config.start_on_polling = true;
    let mut engine = SyncEngine::new(config, Board::new(), None, vec![]);
    engine.start(0.0);
    assert_eq!(drained(&mut engine), [connect(Transport::Polling)]);
    engine.open_now(1.0);
    engine.receive(2.0, 0.5, welcome(0));
    engine.receive(3.0, 0.5, ServerMsg::Replay { ops: vec![] });
    engine.submit(4.0, "op1".into(), stroke_op("s1"));
    drained(&mut engine);
    // The first probe is due 5 s after start.
    let mut probe_at = None;
    for _ in 0..10 {
        let at = engine.schedule().unwrap();
        engine.tick(at, 0.5);
        if drained(&mut engine).contains(&Effect::Probe) {
            probe_at = Some(at);
            break;
        }
        engine.receive(
            at,
            0.5,
            ServerMsg::Pong {
                t: at,
                server_time: 0.0,
            },
        );
    }
    assert_eq!(probe_at, Some(5_000.0));
    engine.probe_finished(5_100.0, true);
    let effects = drained(&mut engine);
    assert_eq!(
        effects,
        [
            Effect::RememberTransport(Transport::WebSocket),
            Effect::Disconnect,
            connect(Transport::WebSocket)
        ]
    );
    assert!(
        notices(&effects).is_empty(),
        "a transport upgrade is not an outage"
    );
    engine.open_now(5_200.0);
    let hello = drained(&mut engine);
    assert!(matches!(
        sends(&hello)[..],
        [ClientMsg::Hello {
            resume_token: Some(_),
            ..
        }]
    ));
    engine.receive(5_201.0, 0.5, welcome(0));
    engine.receive(5_202.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(
        op_ids(&drained(&mut engine)),
        ["op1"],
        "the pending op is resent on the new transport"
    );
    assert_eq!(engine.state(), ConnectionState::Connected);
}

#[test]
fn only_an_attempt_started_after_http_answered_can_confirm_the_fallback() {
    // A server coming back from a restart: an attempt begins while it is still down, the
    // HTTP check (sent while it was down too) answers "reachable" once it is up, and then
    // the old attempt fails. That failure says nothing about a proxy; the next attempt,
    // made at once, decides — and it reaches the restarted server.
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    drained(&mut engine);
    fail_handshakes(&mut engine, 2);
    let retry = engine.retry_at().expect("waiting to retry");
    engine.tick(retry, 0.5);
    assert_eq!(drained(&mut engine), [connect(Transport::WebSocket)]);
    engine.http_checked(retry + 10.0, true);
    assert!(
        drained(&mut engine).is_empty(),
        "the attempt under way is not replaced"
    );
    engine.close_now(retry + 20.0, 0.5);
    assert_eq!(
        drained(&mut engine),
        [Effect::Disconnect, connect(Transport::WebSocket)],
        "a stale attempt's failure does not mean polling; the confirming one starts at once"
    );
    engine.open_now(retry + 30.0);
    engine.receive(retry + 31.0, 0.5, welcome(0));
    engine.receive(retry + 32.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(engine.transport(), Transport::WebSocket);
    assert_eq!(engine.state(), ConnectionState::Connected);
}

#[test]
fn a_tab_whose_websocket_worked_probes_soon_after_falling_back() {
    // Once WebSockets worked in this tab, a fallback is more likely a fluke than a proxy:
    // the first probe comes after `first_probe_ms`, not the long interval.
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.open_now(1.0);
    engine.receive(2.0, 0.5, welcome(0));
    engine.receive(3.0, 0.5, ServerMsg::Replay { ops: vec![] });
    engine.close_now(10.0, 0.5);
    drained(&mut engine);
    fail_handshakes(&mut engine, 2);
    let retry = engine.retry_at().expect("waiting to retry");
    engine.http_checked(retry - 1.0, true);
    assert_eq!(drained(&mut engine), [connect(Transport::WebSocket)]);
    engine.close_now(retry, 0.5);
    assert_eq!(engine.transport(), Transport::Polling);
    drained(&mut engine);
    engine.open_now(retry + 1.0);
    engine.receive(retry + 2.0, 0.5, welcome(0));
    engine.receive(retry + 3.0, 0.5, ServerMsg::Replay { ops: vec![] });
    let mut probe_at = None;
    let mut now = retry + 3.0;
    while now < retry + 40_000.0 {
        now = engine.schedule().expect("timers run while live");
        engine.tick(now, 0.5);
        if drained(&mut engine).contains(&Effect::Probe) {
            probe_at = Some(now);
            break;
        }
        engine.receive(
            now,
            0.5,
            ServerMsg::Pong {
                t: now,
                server_time: 0.0,
            },
        );
    }
    assert_eq!(probe_at, Some(retry + 5_000.0));
}
