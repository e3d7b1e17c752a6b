//! Connection reports: every interval while live, and with `Unloading` as the page goes.

use super::*;

fn live_engine() -> SyncEngine {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.open_now(1.0);
    engine.receive(2.0, 0.5, welcome(0));
    engine.receive(3.0, 0.5, ServerMsg::Replay { ops: vec![] });
    drained(&mut engine);
    engine
}

fn reports(effects: &[Effect]) -> Vec<&crate::protocol::report::ConnectionReport> {
    sends(effects)
        .into_iter()
        .filter_map(|msg| match msg {
            ClientMsg::Report(report) => Some(report),
            _ => None,
        })
        .collect()
}

#[test]
fn a_live_client_reports_soon_then_every_interval_with_what_its_connection_did() {
    let mut engine = live_engine();
    let interval = config().report_interval_ms;
    let mut now = 3.0;
    // The first ping went out on catching up (drained by `live_engine`).
    let pong = ServerMsg::Pong {
        t: now,
        server_time: 0.0,
    };
    engine.receive(now + 20.0, 0.5, pong);
    let mut sent = Vec::new();
    let first = 3.0 + crate::defaults::FIRST_REPORT_MS as f64;
    while now < first + interval + 1.0 {
        now = engine.schedule().expect("timers run while live");
        engine.tick(now, 0.5);
        let effects = drained(&mut engine);
        for report in reports(&effects) {
            sent.push((now, report.clone()));
        }
        // The server answers every ping 20 ms later.
        let pings: Vec<f64> = sends(&effects)
            .into_iter()
            .filter_map(|msg| match msg {
                ClientMsg::Ping { t } => Some(*t),
                _ => None,
            })
            .collect();
        for t in pings {
            let pong = ServerMsg::Pong {
                t,
                server_time: 0.0,
            };
            engine.receive(now + 20.0, 0.5, pong);
        }
    }
    let times: Vec<f64> = sent.iter().map(|(at, _)| *at).collect();
    assert_eq!(
        times,
        [first, first + interval],
        "the first soon after connecting, then one per interval, on time"
    );
    let (_, first) = &sent[0];
    assert_eq!(first.transport, "websocket");
    assert_eq!(first.state, "connected");
    assert!(first.rtt_p50_ms.is_some(), "pongs measured the round trip");
    assert_eq!(first.validate(), Ok(()));
}

#[test]
fn a_page_going_away_sends_its_last_report_then_unloading_only_when_live() {
    let mut engine = live_engine();
    engine.set_visible(10.0, false);
    let farewell = engine.farewell(20.0);
    match &farewell[..] {
        [ClientMsg::Report(report), ClientMsg::Unloading] => {
            assert_eq!(report.visibility_changes, 1);
        }
        other => panic!("expected a report then unloading, got {other:?}"),
    }
    engine.close_now(30.0, 0.5);
    assert!(engine.farewell(40.0).is_empty(), "nothing would arrive");
}
