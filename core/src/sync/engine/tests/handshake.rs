//! Connecting: hello, welcome, catch-up, resume, server timings, hung and refused handshakes.

use super::*;

#[test]
fn connects_says_hello_with_its_seq_and_goes_live_after_catch_up() {
    let board = Board::from_snapshot(7, vec![]);
    let mut engine = SyncEngine::new(config(), board, None, vec![]);
    assert_eq!(engine.state(), ConnectionState::Connecting);
    engine.start(0.0);
    assert_eq!(drained(&mut engine), [connect(Transport::WebSocket)]);
    engine.open_now(5.0);
    let effects = drained(&mut engine);
    assert!(matches!(
        sends(&effects)[..],
        [ClientMsg::Hello {
            last_seq: Some(7),
            ..
        }]
    ));
    engine.receive(6.0, 0.5, welcome(7));
    assert_eq!(
        engine.state(),
        ConnectionState::Connecting,
        "not live before the catch-up"
    );
    engine.receive(7.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(engine.state(), ConnectionState::Connected);
    assert!(engine.metrics().live_since.is_some());
}

#[test]
fn the_next_hello_resumes_the_session_in_its_epoch() {
    let mut engine = live_engine();
    engine.close_now(100.0, 0.0);
    engine.tick(engine.retry_at().unwrap(), 0.5);
    drained(&mut engine);
    engine.open_now(2_000.0);
    let effects = drained(&mut engine);
    let hello = sends(&effects);
    assert!(
        matches!(hello[..], [ClientMsg::Hello { resume_token: Some(ref t), epoch: Some(ref e), last_seq: Some(0), .. }] if t == "token" && e == "epoch-1"),
        "{hello:?}"
    );
}

#[test]
fn a_reloaded_page_resumes_the_session_its_host_kept() {
    let mut kept = config();
    kept.resume_token = Some("kept-token".into());
    let mut engine = SyncEngine::new(kept, Board::new(), None, vec![]);
    assert_eq!(engine.resume_token(), Some("kept-token"));
    engine.start(0.0);
    drained(&mut engine);
    engine.open_now(5.0);
    let effects = drained(&mut engine);
    assert!(
        matches!(sends(&effects)[..], [ClientMsg::Hello { resume_token: Some(ref t), .. }] if t == "kept-token"),
        "the first hello carries the kept token"
    );
    // The welcome's token (resumed or fresh) is the one to keep from now on.
    engine.receive(6.0, 0.5, welcome(0));
    assert_eq!(engine.resume_token(), Some("token"));
}

#[test]
fn server_timings_replace_the_defaults() {
    let mut welcome = welcome(0);
    if let ServerMsg::Welcome(w) = &mut welcome {
        w.reconnect.base_ms = 100;
        w.reconnect.handshake_timeout_ms = 700;
    }
    let mut engine = live_engine_with(welcome);
    engine.close_now(10.0, 0.999_999);
    assert!(
        engine.retry_at().unwrap() - 10.0 <= 100.0,
        "backoff base from the server"
    );
    engine.tick(engine.retry_at().unwrap(), 0.5);
    let started = engine
        .retry_at()
        .unwrap_or(engine.schedule().unwrap() - 700.0);
    assert_eq!(
        engine.schedule(),
        Some(started + 700.0),
        "handshake timeout from the server"
    );
}

#[test]
fn a_hung_handshake_is_abandoned() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    drained(&mut engine);
    assert_eq!(engine.schedule(), Some(10_000.0));
    engine.tick(10_000.0, 0.5);
    let effects = drained(&mut engine);
    assert_eq!(effects.first(), Some(&Effect::Disconnect));
    assert!(engine.retry_at().is_some());
}

#[test]
fn fatal_errors_stop_retrying_until_the_user_asks() {
    let mut engine = live_engine();
    engine.receive(
        10.0,
        0.5,
        ServerMsg::Error {
            code: "unsupported_protocol".into(),
            message: "reload".into(),
            fatal: true,
            retry_after_ms: None,
        },
    );
    assert_eq!(engine.state(), ConnectionState::Failed);
    assert_eq!(engine.failure(), Some("reload"));
    assert_eq!(
        notices(&drained(&mut engine)),
        [Notice::Failed {
            code: Some("unsupported_protocol".into()),
            reason: "reload".into()
        }]
    );
    assert_eq!(
        engine.schedule(),
        None,
        "no quiet attempts: retrying cannot help"
    );
}

#[test]
fn events_of_an_abandoned_connection_are_ignored() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    let first = engine.connection();
    engine.retry_now(10.0); // the user replaced a hanging attempt
    let second = engine.connection();
    assert_ne!(first, second, "every attempt has its own id");
    let effects = drained(&mut engine);
    assert_eq!(effects.last(), Some(&connect(Transport::WebSocket)));

    // The first socket opens late and closes: none of it may touch the new attempt.
    engine.opened(20.0, first);
    assert!(
        sends(&drained(&mut engine)).is_empty(),
        "no hello on a stale socket"
    );
    engine.received(21.0, 0.5, first, welcome(0));
    engine.closed(22.0, 0.5, first);
    assert!(drained(&mut engine).is_empty());
    assert_eq!(engine.retry_at(), None, "still connecting, not waiting");

    engine.opened(30.0, second);
    assert!(matches!(
        sends(&drained(&mut engine))[..],
        [ClientMsg::Hello { .. }]
    ));
    engine.received(31.0, 0.5, second, welcome(0));
    engine.received(32.0, 0.5, second, ServerMsg::Replay { ops: vec![] });
    assert_eq!(engine.state(), ConnectionState::Connected);
}
