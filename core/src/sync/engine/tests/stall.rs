//! A link that stops carrying this client's ops is noticed within seconds while the user
//! draws; a slow one that still answers is not replaced; idle links are left alone.

use super::*;

/// A live engine that measured a 20 ms round trip (so the stall bound is its minimum).
fn measured_engine() -> SyncEngine {
    let mut engine = live_engine();
    engine.receive(
        23.0,
        0.5,
        ServerMsg::Pong {
            t: 3.0,
            server_time: 0.0,
        },
    );
    drained(&mut engine);
    assert_eq!(engine.stall_bound(), 1_500.0);
    engine
}

/// Runs the engine's timers from `from` to `until`, answering nothing; returns when the
/// link was given up (a `Disconnect`), if it was, and the pings sent.
fn run_silent(engine: &mut SyncEngine, until: f64) -> (Option<f64>, Vec<f64>) {
    let mut pings = Vec::new();
    while let Some(at) = engine.schedule().filter(|at| *at <= until) {
        engine.tick(at, 0.5);
        let effects = drained(engine);
        for msg in sends(&effects) {
            if let ClientMsg::Ping { t } = msg {
                pings.push(*t);
            }
        }
        if effects.contains(&Effect::Disconnect) {
            return (Some(at), pings);
        }
    }
    (None, pings)
}

#[test]
fn a_black_hole_while_drawing_is_noticed_within_six_seconds() {
    let mut engine = measured_engine();
    let drew = 1_000.0;
    engine.submit(drew, "op1".into(), stroke_op("s1"));
    drained(&mut engine);
    let (dropped, pings) = run_silent(&mut engine, drew + 20_000.0);
    let dropped = dropped.expect("the dead link was given up");
    assert!(
        dropped - drew <= 6_000.0,
        "noticed after {} ms",
        dropped - drew
    );
    assert_eq!(
        pings.first(),
        Some(&(drew + 1_500.0)),
        "a probe at once after the bound"
    );
    assert_eq!(dropped, drew + 3_000.0);
    // Replaced at once (no backoff for a dead link).
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
}

#[test]
fn a_slow_server_that_answers_the_probe_keeps_its_link() {
    let mut engine = measured_engine();
    engine.submit(1_000.0, "op1".into(), stroke_op("s1"));
    drained(&mut engine);
    engine.tick(2_500.0, 0.5);
    assert!(sends(&drained(&mut engine))
        .iter()
        .any(|m| matches!(m, ClientMsg::Ping { .. })));
    engine.receive(
        3_000.0,
        0.5,
        ServerMsg::Pong {
            t: 2_500.0,
            server_time: 0.0,
        },
    );
    let (dropped, _) = run_silent(&mut engine, 3_900.0);
    assert_eq!(dropped, None, "it answered: slow, not dead");
    engine.receive(3_950.0, 0.5, applied(1, "op1", stroke_op("s1")));
    assert!(engine.outbox().is_empty());
    assert!(engine.is_live());
    assert_eq!(
        engine.state(),
        ConnectionState::Degraded,
        "slow, and shown so"
    );
}

#[test]
fn other_peoples_messages_do_not_prove_the_way_up() {
    let mut engine = measured_engine();
    engine.submit(1_000.0, "op1".into(), stroke_op("s1"));
    drained(&mut engine);
    engine.tick(2_500.0, 0.5);
    drained(&mut engine);
    // Someone else's stroke arrives: the way down works, the way up may not.
    engine.receive(2_700.0, 0.5, applied(1, "theirs", stroke_op("t1")));
    let (dropped, _) = run_silent(&mut engine, 10_000.0);
    assert_eq!(dropped, Some(4_000.0));
}

#[test]
fn idle_links_and_hidden_tabs_keep_the_cheaper_heartbeat() {
    let mut engine = measured_engine();
    let (dropped, pings) = run_silent(&mut engine, 10_000.0);
    assert_eq!(dropped, None, "no heartbeat miss yet within 10 s");
    assert!(
        pings.iter().all(|t| *t >= 15_000.0 - 1.0) || pings.is_empty(),
        "{pings:?}"
    );
    let mut hidden = measured_engine();
    hidden.set_visible(100.0, false);
    hidden.submit(1_000.0, "op1".into(), stroke_op("s1"));
    drained(&mut hidden);
    let (dropped, _) = run_silent(&mut hidden, 4_000.0);
    assert_eq!(
        dropped, None,
        "throttled timers of a hidden tab prove nothing"
    );
}

#[test]
fn a_crawling_link_gets_more_time_after_each_stall_until_it_catches_up() {
    let mut engine = measured_engine();
    engine.submit(1_000.0, "op1".into(), stroke_op("s1"));
    drained(&mut engine);
    let (first, _) = run_silent(&mut engine, 20_000.0);
    let first = first.expect("stalled");
    assert_eq!(engine.stall_bound(), 3_000.0, "doubled for the next link");
    // The next link comes up; the backlog is resent and crawls again.
    let retry = engine.schedule().unwrap();
    engine.tick(retry, 0.5);
    engine.open_now(retry + 10.0);
    engine.receive(retry + 20.0, 0.5, welcome(0));
    engine.receive(retry + 30.0, 0.5, ServerMsg::Replay { ops: vec![] });
    drained(&mut engine);
    let (second, _) = run_silent(&mut engine, retry + 60_000.0);
    let second = second.expect("stalled again");
    assert!(
        second - (retry + 30.0) >= 6_000.0 - 1.0,
        "a longer wait: {}",
        second - retry
    );
    assert!(first < second);
    // Once in sync, the short bound is back.
    let retry = engine.schedule().unwrap();
    engine.tick(retry, 0.5);
    engine.open_now(retry + 10.0);
    engine.receive(retry + 20.0, 0.5, welcome(0));
    engine.receive(retry + 30.0, 0.5, ServerMsg::Replay { ops: vec![] });
    engine.receive(retry + 40.0, 0.5, applied(1, "op1", stroke_op("s1")));
    assert_eq!(engine.stall_bound(), 1_500.0);
}
