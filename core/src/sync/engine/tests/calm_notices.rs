//! Toasts about the link are rationed: a flapping link gives at most one lost/restored
//! pair per `CALM_NOTICE_MS`, while the chip still shows every state.

use super::*;
use crate::defaults::CALM_NOTICE_MS;

const CALM: f64 = CALM_NOTICE_MS as f64;

/// The link drops at `at` and comes back (welcome + catch-up) a second later.
fn flap(engine: &mut SyncEngine, at: f64) -> Vec<Notice> {
    engine.close_now(at, 0.0);
    let mut effects = drained(engine);
    assert_eq!(
        engine.state(),
        ConnectionState::Reconnecting,
        "the chip shows it"
    );
    let retry = engine.retry_at().expect("a retry is scheduled");
    engine.tick(retry, 0.0);
    engine.open_now(retry + 1.0);
    engine.receive(retry + 2.0, 0.5, welcome(0));
    engine.receive(retry + 3.0, 0.5, ServerMsg::Replay { ops: vec![] });
    effects.extend(drained(engine));
    assert_eq!(engine.state(), ConnectionState::Connected);
    notices(&effects)
}

#[test]
fn a_flapping_link_gives_one_toast_pair_per_calm_period() {
    let mut engine = live_engine();
    assert_eq!(
        flap(&mut engine, 1_000.0),
        [Notice::ConnectionLost, Notice::Restored { synced: 0 }]
    );
    for at in [5_000.0, 12_000.0, 20_000.0] {
        assert!(
            flap(&mut engine, at).is_empty(),
            "flap at {at}: the chip only"
        );
    }
    assert_eq!(
        flap(&mut engine, 1_000.0 + CALM + 1.0),
        [Notice::ConnectionLost, Notice::Restored { synced: 0 }],
        "a calm period later, toasts again"
    );
}

#[test]
fn a_long_outage_starting_during_the_calm_period_is_announced_once_the_period_is_over() {
    let mut engine = live_engine();
    flap(&mut engine, 1_000.0);
    engine.close_now(6_000.0, 0.0);
    assert!(notices(&drained(&mut engine)).is_empty());
    // The server stays down: the announcement comes once the calm period is over.
    let mut now = 6_000.0;
    let mut announced = None;
    while announced.is_none() && now < 1_000.0 + 2.0 * CALM {
        now = engine.schedule().expect("timers run while reconnecting");
        engine.tick(now, 0.0);
        let effects = drained(&mut engine);
        if notices(&effects).contains(&Notice::ConnectionLost) {
            announced = Some(now);
        }
        if effects.iter().any(|e| matches!(e, Effect::Connect { .. })) {
            engine.close_now(now + 1.0, 0.0);
            drained(&mut engine);
        }
    }
    let announced = announced.expect("the long outage was announced");
    assert!(
        (1_000.0 + CALM..1_000.0 + CALM + 100.0).contains(&announced),
        "{announced}"
    );
}
