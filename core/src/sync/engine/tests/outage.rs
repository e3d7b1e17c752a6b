//! Losing the link: notices, backoff, offline/online, dead links, server restarts.

use super::*;

#[test]
fn an_outage_is_announced_once_and_its_end_counts_the_synced_ops() {
    let mut engine = live_engine();
    engine.submit(10.0, "a".into(), stroke_op("sa"));
    engine.close_now(100.0, 0.0);
    let mut all = drained(&mut engine);
    // Several failed attempts: still one "lost".
    for _ in 0..3 {
        engine.tick(engine.retry_at().unwrap(), 0.0);
        engine.close_now(engine.retry_at().unwrap_or(1_000.0), 0.0);
        all.extend(drained(&mut engine));
    }
    assert_eq!(notices(&all), [Notice::ConnectionLost]);
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
    engine.tick(engine.retry_at().unwrap(), 0.0);
    engine.open_now(5_000.0);
    engine.receive(5_001.0, 0.5, welcome(0));
    engine.receive(5_002.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert!(
        notices(&drained(&mut engine)).is_empty(),
        "not restored while ops are pending"
    );
    engine.receive(5_010.0, 0.5, applied(1, "a", stroke_op("sa")));
    assert_eq!(
        notices(&drained(&mut engine)),
        [Notice::Restored { synced: 1 }]
    );
}

#[test]
fn reconnects_back_off_and_give_up_into_failed() {
    let mut engine = live_engine();
    let mut now = 100.0;
    engine.close_now(now, 0.999);
    let mut delays = Vec::new();
    while let Some(at) = engine.retry_at() {
        delays.push(((at - now) / 100.0).round() * 100.0);
        now = at;
        engine.tick(now, 0.999);
        assert!(drained(&mut engine).contains(&connect(Transport::WebSocket)));
        engine.close_now(now + 1.0, 0.999);
        now += 1.0;
    }
    assert_eq!(
        delays[..6],
        [1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0, 30_000.0]
    );
    assert_eq!(delays.len(), 10);
    assert_eq!(engine.state(), ConnectionState::Failed);
    engine.retry_now(now);
    assert_eq!(
        drained(&mut engine).last(),
        Some(&connect(Transport::WebSocket))
    );
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
}

#[test]
fn a_network_switch_measures_the_new_network_afresh() {
    let mut engine = live_engine();
    let pong = |t: f64| ServerMsg::Pong {
        t,
        server_time: 0.0,
    };
    // Many fast round trips on the old network…
    for i in 0..10 {
        let sent = 10.0 + i as f64 * 100.0;
        engine.receive(sent + 20.0, 0.5, pong(sent));
    }
    assert_eq!(engine.rtt().percentile(50.0), Some(20.0));
    // …then a switch to a slow one: the probe's 2 s answer alone decides.
    engine.network_changed(5_000.0);
    assert_eq!(engine.rtt().percentile(50.0), None);
    engine.receive(7_000.0, 0.5, pong(5_000.0));
    assert_eq!(engine.rtt().percentile(50.0), Some(2_000.0));
    assert_eq!(
        crate::sync::adaptive::DetailLevel::for_link(
            engine.rtt().percentile(50.0),
            engine.transport()
        ),
        crate::sync::adaptive::DetailLevel::Minimal
    );
}

#[test]
fn offline_and_online_events_reconnect_without_waiting() {
    let mut engine = live_engine();
    engine.set_online(100.0, 0.5, false);
    assert_eq!(engine.state(), ConnectionState::Offline);
    assert!(drained(&mut engine).contains(&Effect::Disconnect));
    engine.set_online(200.0, 0.5, true);
    assert_eq!(drained(&mut engine), [connect(Transport::WebSocket)]);
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
}

#[test]
fn a_dead_link_is_abandoned_and_replaced_at_once() {
    let mut engine = live_engine();
    engine.receive(
        3.0,
        0.5,
        ServerMsg::Pong {
            t: 3.0,
            server_time: 0.0,
        },
    );
    // Pings go unanswered.
    let mut now = 3.0;
    let mut effects = Vec::new();
    let mut states = Vec::new();
    for _ in 0..4 {
        now = engine.schedule().unwrap();
        engine.tick(now, 0.5);
        states.push(engine.state());
        effects.extend(drained(&mut engine));
        if effects.contains(&Effect::Disconnect) {
            break;
        }
    }
    assert!(
        states.contains(&ConnectionState::Degraded),
        "one miss shows as degraded: {states:?}"
    );
    let position = effects
        .iter()
        .position(|e| e == &Effect::Disconnect)
        .expect("declared dead");
    assert!(
        effects[position..].contains(&connect(Transport::WebSocket)),
        "a new socket at once: {effects:?}"
    );
    assert!(engine.retry_at().is_none(), "no backoff wait");
    assert_eq!(
        now,
        3.0 + 15_000.0 + 2.0 * 5_000.0,
        "dead two timeouts after the unanswered ping"
    );
}

#[test]
fn after_a_failed_first_attempt_the_state_stays_reconnecting_and_retry_restarts_a_hung_attempt() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    assert_eq!(engine.state(), ConnectionState::Connecting);
    engine.open_now(1.0);
    engine.close_now(2.0, 0.5);
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
    engine.tick(engine.retry_at().unwrap(), 0.5);
    assert_eq!(
        engine.state(),
        ConnectionState::Reconnecting,
        "no flapping back to connecting"
    );
    drained(&mut engine);
    engine.retry_now(700.0);
    assert_eq!(
        drained(&mut engine),
        [Effect::Disconnect, connect(Transport::WebSocket)]
    );
}

#[test]
fn a_restarting_server_sets_the_reconnect_time() {
    let mut engine = live_engine();
    engine.receive(
        100.0,
        0.5,
        ServerMsg::Restarting {
            retry_after_ms: 1_000,
            spread_ms: 4_000,
        },
    );
    engine.close_now(150.0, 0.0);
    assert_eq!(engine.retry_at(), Some(100.0 + 1_000.0 + 2_000.0));
}

#[test]
fn a_network_switch_probes_a_live_link_and_ends_a_wait() {
    let mut engine = live_engine();
    engine.network_changed(100.0);
    assert!(sends(&drained(&mut engine))
        .iter()
        .any(|m| matches!(m, ClientMsg::Ping { .. })));
    engine.close_now(200.0, 0.999);
    drained(&mut engine);
    assert!(engine.retry_at().is_some_and(|at| at > 200.0));
    engine.network_changed(210.0);
    assert_eq!(drained(&mut engine), [connect(Transport::WebSocket)]);
}
