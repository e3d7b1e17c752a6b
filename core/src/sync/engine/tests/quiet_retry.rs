//! After running out of attempts the chip says `failed`, but the client keeps trying
//! quietly: a server that comes back after a long outage gets every pending stroke. (A
//! refusal retrying cannot fix stays `failed` with nothing scheduled: `handshake.rs`.)

use super::*;

/// A live engine whose server then stays down until every attempt is used up.
fn given_up() -> (SyncEngine, f64) {
    let mut engine = live_engine();
    let mut now = 100.0;
    engine.close_now(now, 0.5);
    while let Some(at) = engine.retry_at() {
        now = at;
        engine.tick(now, 0.5);
        engine.close_now(now + 1.0, 0.5);
        now += 1.0;
    }
    (engine, now)
}

#[test]
fn a_client_that_gave_up_keeps_trying_quietly_and_delivers_its_strokes() {
    let (mut engine, now) = given_up();
    assert_eq!(engine.state(), ConnectionState::Failed);
    let notices_so_far = notices(&drained(&mut engine));
    assert_eq!(
        notices_so_far
            .iter()
            .filter(|n| matches!(n, Notice::Failed { .. }))
            .count(),
        1
    );
    engine.submit(now, "op1".into(), stroke_op("s1"));
    // A quiet attempt is scheduled within a minute (spread), and the chip stays `failed`.
    let at = engine.schedule().expect("a quiet attempt is scheduled");
    let quiet = crate::defaults::QUIET_RETRY_MS as f64;
    assert!(at >= now + quiet / 2.0 && at <= now + quiet, "{at}");
    engine.tick(at, 0.5);
    assert!(drained(&mut engine).contains(&connect(Transport::WebSocket)));
    assert_eq!(
        engine.state(),
        ConnectionState::Failed,
        "quiet: no flapping chip"
    );
    // Still down: no second `failed` notice, the next quiet attempt is scheduled.
    engine.close_now(at + 1.0, 0.5);
    assert!(notices(&drained(&mut engine)).is_empty());
    let next = engine.schedule().expect("and another one");
    assert!(next > at + 1.0);
    // The server is back: the next quiet attempt resumes and resends the stroke.
    engine.tick(next, 0.5);
    drained(&mut engine);
    engine.open_now(next + 1.0);
    engine.receive(next + 2.0, 0.5, welcome(0));
    engine.receive(next + 3.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(
        op_ids(&drained(&mut engine)),
        ["op1"],
        "resent without a click"
    );
    assert_eq!(engine.state(), ConnectionState::Connected);
}

#[test]
fn a_tab_coming_back_into_view_tries_at_once_still_quietly() {
    let (mut engine, now) = given_up();
    engine.set_visible(now + 1.0, false);
    drained(&mut engine);
    engine.set_visible(now + 2.0, true);
    assert!(drained(&mut engine).contains(&connect(Transport::WebSocket)));
    assert_eq!(engine.state(), ConnectionState::Failed);
    // Retry, pressed by the user, shows the attempt.
    engine.retry_now(now + 3.0);
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
}
