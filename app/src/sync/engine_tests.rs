//! Engine tests against a model server that behaves like the real one (seqs, dedup,
//! replay), over a link that can lose, delay and duplicate messages.

use super::*;
use crate::{
    board::Point,
    protocol::{Limits, ReconnectSettings, Welcome},
};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet, VecDeque};

fn config() -> EngineConfig {
    EngineConfig::new("room".into(), "me".into(), "Me".into(), "#000000".into())
}

fn stroke_op(id: &str) -> Op {
    Op::AddStroke {
        stroke: Stroke {
            id: id.into(),
            points: vec![Point::new(1.0, 1.0)],
            color: "#000000".into(),
            width: 2.0,
            author: String::new(),
        },
    }
}

fn welcome(room_seq: u64) -> ServerMsg {
    ServerMsg::Welcome(Welcome {
        protocol: PROTOCOL_VERSION,
        session: "sess".into(),
        resume_token: "token".into(),
        resumed: false,
        room_seq,
        epoch: "epoch-1".into(),
        heartbeat: HeartbeatSettings {
            ping_interval_ms: 15_000,
            pong_timeout_ms: 5_000,
        },
        reconnect: ReconnectSettings::default(),
        limits: Limits::default(),
        peers: vec![],
    })
}

fn sends(effects: &[Effect]) -> Vec<&ClientMsg> {
    effects
        .iter()
        .filter_map(|e| {
            if let Effect::Send(m) = e {
                Some(m)
            } else {
                None
            }
        })
        .collect()
}

fn op_ids(effects: &[Effect]) -> Vec<String> {
    sends(effects)
        .into_iter()
        .filter_map(|m| {
            if let ClientMsg::Op { op_id, .. } = m {
                Some(op_id.clone())
            } else {
                None
            }
        })
        .collect()
}

fn notices(effects: &[Effect]) -> Vec<Notice> {
    effects
        .iter()
        .filter_map(|e| {
            if let Effect::Notice(n) = e {
                Some(n.clone())
            } else {
                None
            }
        })
        .collect()
}

/// An engine connected to an empty room at time 0.
fn live_engine() -> SyncEngine {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.opened(1.0);
    engine.received(2.0, 0.5, welcome(0));
    engine.received(
        3.0,
        0.5,
        ServerMsg::Snapshot {
            seq: 0,
            strokes: vec![],
        },
    );
    engine.drain_effects();
    engine
}

fn applied(seq: u64, op_id: &str, op: Op) -> ServerMsg {
    ServerMsg::Applied(AppliedOp {
        seq,
        op_id: op_id.into(),
        author: "me".into(),
        op,
    })
}

#[test]
fn connects_says_hello_with_its_seq_and_goes_live_after_catch_up() {
    let board = Board::from_snapshot(7, vec![]);
    let mut engine = SyncEngine::new(config(), board, None, vec![]);
    assert_eq!(engine.state(), ConnectionState::Connecting);
    engine.start(0.0);
    assert_eq!(
        engine.drain_effects(),
        [Effect::Connect(Transport::WebSocket)]
    );
    engine.opened(5.0);
    let effects = engine.drain_effects();
    assert!(matches!(
        sends(&effects)[..],
        [ClientMsg::Hello {
            last_seq: Some(7),
            ..
        }]
    ));
    engine.received(6.0, 0.5, welcome(7));
    assert_eq!(
        engine.state(),
        ConnectionState::Connecting,
        "not live before the catch-up"
    );
    engine.received(7.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(engine.state(), ConnectionState::Connected);
    assert!(engine.metrics().live_since.is_some());
}

#[test]
fn ops_are_sent_when_live_and_leave_the_outbox_on_ack() {
    let mut engine = live_engine();
    engine.submit(10.0, "op1".into(), stroke_op("s1"));
    let effects = engine.drain_effects();
    assert!(effects.contains(&Effect::SaveOutbox));
    assert_eq!(op_ids(&effects), ["op1"]);
    assert_eq!(engine.outbox().len(), 1);
    assert_eq!(
        engine.visible_strokes().len(),
        1,
        "pending strokes are visible"
    );
    engine.received(20.0, 0.5, applied(1, "op1", stroke_op("s1")));
    assert_eq!(engine.outbox().len(), 0);
    assert_eq!(engine.board().seq(), 1);
    assert_eq!(engine.visible_strokes().len(), 1);
}

#[test]
fn the_next_hello_resumes_the_session_in_its_epoch() {
    let mut engine = live_engine();
    engine.closed(100.0, 0.0);
    engine.tick(engine.retry_at().unwrap(), 0.5);
    engine.drain_effects();
    engine.opened(2_000.0);
    let effects = engine.drain_effects();
    let hello = sends(&effects);
    assert!(
        matches!(hello[..], [ClientMsg::Hello { resume_token: Some(ref t), epoch: Some(ref e), last_seq: Some(0), .. }] if t == "token" && e == "epoch-1"),
        "{hello:?}"
    );
}

#[test]
fn server_timings_replace_the_defaults() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.opened(1.0);
    let mut welcome = welcome(0);
    if let ServerMsg::Welcome(w) = &mut welcome {
        w.reconnect.base_ms = 100;
        w.reconnect.handshake_timeout_ms = 700;
    }
    engine.received(2.0, 0.5, welcome);
    engine.received(
        3.0,
        0.5,
        ServerMsg::Snapshot {
            seq: 0,
            strokes: vec![],
        },
    );
    engine.closed(10.0, 0.999_999);
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

/// Fails `n` handshakes in a row (the transport closes before any welcome).
fn fail_handshakes(engine: &mut SyncEngine, n: usize) -> Vec<Effect> {
    let mut effects = Vec::new();
    for _ in 0..n {
        if let Some(at) = engine.retry_at() {
            engine.tick(at, 0.5);
        }
        engine.opened(engine.retry_at().unwrap_or(0.0));
        engine.closed(engine.retry_at().unwrap_or(0.0) + 1.0, 0.5);
        effects.extend(engine.drain_effects());
    }
    effects
}

#[test]
fn blocked_websockets_with_working_http_fall_back_to_polling() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.drain_effects();
    let effects = fail_handshakes(&mut engine, 2);
    assert_eq!(
        effects.iter().filter(|e| **e == Effect::CheckHttp).count(),
        1
    );
    engine.http_checked(50.0, true);
    assert_eq!(
        engine.drain_effects(),
        [Effect::Connect(Transport::WebSocket)],
        "one confirming attempt, at once"
    );
    engine.opened(55.0);
    engine.closed(56.0, 0.5);
    let effects = engine.drain_effects();
    assert!(effects.contains(&Effect::RememberTransport(Transport::Polling)));
    assert_eq!(
        effects.last(),
        Some(&Effect::Connect(Transport::Polling)),
        "at once, no backoff wait"
    );
    engine.opened(60.0);
    engine.received(61.0, 0.5, welcome(0));
    engine.received(62.0, 0.5, ServerMsg::Replay { ops: vec![] });
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
    engine.drain_effects();
    fail_handshakes(&mut engine, 2);
    engine.http_checked(50.0, true);
    engine.drain_effects();
    // The server is back: the confirming WebSocket attempt works.
    engine.opened(55.0);
    engine.received(56.0, 0.5, welcome(0));
    engine.received(57.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(engine.transport(), Transport::WebSocket);
    assert_eq!(engine.state(), ConnectionState::Connected);
}

#[test]
fn an_unreachable_server_is_not_a_reason_to_poll() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.drain_effects();
    fail_handshakes(&mut engine, 2);
    engine.http_checked(50.0, false);
    assert!(!engine
        .drain_effects()
        .iter()
        .any(|e| matches!(e, Effect::Connect(Transport::Polling))));
    assert_eq!(engine.transport(), Transport::WebSocket);
}

#[test]
fn a_working_probe_moves_a_live_session_back_to_websocket_quietly() {
    let mut config = config();
    config.start_on_polling = true;
    let mut engine = SyncEngine::new(config, Board::new(), None, vec![]);
    engine.start(0.0);
    assert_eq!(
        engine.drain_effects(),
        [Effect::Connect(Transport::Polling)]
    );
    engine.opened(1.0);
    engine.received(2.0, 0.5, welcome(0));
    engine.received(3.0, 0.5, ServerMsg::Replay { ops: vec![] });
    engine.submit(4.0, "op1".into(), stroke_op("s1"));
    engine.drain_effects();
    // The first probe is due 5 s after start.
    let mut probe_at = None;
    for _ in 0..10 {
        let at = engine.schedule().unwrap();
        engine.tick(at, 0.5);
        if engine.drain_effects().contains(&Effect::Probe) {
            probe_at = Some(at);
            break;
        }
        engine.received(
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
    let effects = engine.drain_effects();
    assert_eq!(
        effects,
        [
            Effect::RememberTransport(Transport::WebSocket),
            Effect::Disconnect,
            Effect::Connect(Transport::WebSocket)
        ]
    );
    assert!(
        notices(&effects).is_empty(),
        "a transport upgrade is not an outage"
    );
    engine.opened(5_200.0);
    let hello = engine.drain_effects();
    assert!(matches!(
        sends(&hello)[..],
        [ClientMsg::Hello {
            resume_token: Some(_),
            ..
        }]
    ));
    engine.received(5_201.0, 0.5, welcome(0));
    engine.received(5_202.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(
        op_ids(&engine.drain_effects()),
        ["op1"],
        "the pending op is resent on the new transport"
    );
    assert_eq!(engine.state(), ConnectionState::Connected);
}

#[test]
fn offline_ops_wait_in_the_outbox_and_go_out_in_order_after_the_replay() {
    let mut engine = live_engine();
    engine.closed(100.0, 0.0);
    engine.submit(110.0, "a".into(), stroke_op("sa"));
    engine.submit(120.0, "b".into(), stroke_op("sb"));
    engine.submit(130.0, "c".into(), stroke_op("sc"));
    assert!(
        op_ids(&engine.drain_effects()).is_empty(),
        "nothing sent while disconnected"
    );
    assert_eq!(engine.outbox().len(), 3);

    engine.tick(engine.retry_at().unwrap(), 0.5);
    assert!(engine
        .drain_effects()
        .contains(&Effect::Connect(Transport::WebSocket)));
    engine.opened(200.0);
    engine.received(201.0, 0.5, welcome(1));
    // The replay shows "a" was stored before the drop: it is acked, not resent.
    engine.received(
        202.0,
        0.5,
        ServerMsg::Replay {
            ops: vec![AppliedOp {
                seq: 1,
                op_id: "a".into(),
                author: "me".into(),
                op: stroke_op("sa"),
            }],
        },
    );
    let effects = engine.drain_effects();
    assert_eq!(op_ids(&effects), ["b", "c"]);
    assert_eq!(engine.outbox().len(), 2);
}

#[test]
fn an_outage_is_announced_once_and_its_end_counts_the_synced_ops() {
    let mut engine = live_engine();
    engine.submit(10.0, "a".into(), stroke_op("sa"));
    engine.closed(100.0, 0.0);
    let mut all = engine.drain_effects();
    // Several failed attempts: still one "lost".
    for _ in 0..3 {
        engine.tick(engine.retry_at().unwrap(), 0.0);
        engine.closed(engine.retry_at().unwrap_or(1_000.0), 0.0);
        all.extend(engine.drain_effects());
    }
    assert_eq!(notices(&all), [Notice::ConnectionLost]);
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
    engine.tick(engine.retry_at().unwrap(), 0.0);
    engine.opened(5_000.0);
    engine.received(5_001.0, 0.5, welcome(0));
    engine.received(5_002.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert!(
        notices(&engine.drain_effects()).is_empty(),
        "not restored while ops are pending"
    );
    engine.received(5_010.0, 0.5, applied(1, "a", stroke_op("sa")));
    assert_eq!(
        notices(&engine.drain_effects()),
        [Notice::Restored { synced: 1 }]
    );
}

#[test]
fn reconnects_back_off_and_give_up_into_failed() {
    let mut engine = live_engine();
    let mut now = 100.0;
    engine.closed(now, 0.999);
    let mut delays = Vec::new();
    while let Some(at) = engine.retry_at() {
        delays.push(((at - now) / 100.0).round() * 100.0);
        now = at;
        engine.tick(now, 0.999);
        assert!(engine
            .drain_effects()
            .contains(&Effect::Connect(Transport::WebSocket)));
        engine.closed(now + 1.0, 0.999);
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
        engine.drain_effects().last(),
        Some(&Effect::Connect(Transport::WebSocket))
    );
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
}

#[test]
fn offline_and_online_events_reconnect_without_waiting() {
    let mut engine = live_engine();
    engine.set_online(100.0, 0.5, false);
    assert_eq!(engine.state(), ConnectionState::Offline);
    assert!(engine.drain_effects().contains(&Effect::Disconnect));
    engine.set_online(200.0, 0.5, true);
    assert_eq!(
        engine.drain_effects(),
        [Effect::Connect(Transport::WebSocket)]
    );
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
}

#[test]
fn a_dead_link_is_abandoned_and_replaced_at_once() {
    let mut engine = live_engine();
    engine.received(
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
        effects.extend(engine.drain_effects());
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
        effects[position..].contains(&Effect::Connect(Transport::WebSocket)),
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
    engine.opened(1.0);
    engine.closed(2.0, 0.5);
    assert_eq!(engine.state(), ConnectionState::Reconnecting);
    engine.tick(engine.retry_at().unwrap(), 0.5);
    assert_eq!(
        engine.state(),
        ConnectionState::Reconnecting,
        "no flapping back to connecting"
    );
    engine.drain_effects();
    engine.retry_now(700.0);
    assert_eq!(
        engine.drain_effects(),
        [Effect::Disconnect, Effect::Connect(Transport::WebSocket)]
    );
}

#[test]
fn a_hung_handshake_is_abandoned() {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.drain_effects();
    assert_eq!(engine.schedule(), Some(10_000.0));
    engine.tick(10_000.0, 0.5);
    let effects = engine.drain_effects();
    assert_eq!(effects.first(), Some(&Effect::Disconnect));
    assert!(engine.retry_at().is_some());
}

#[test]
fn fatal_errors_stop_retrying_until_the_user_asks() {
    let mut engine = live_engine();
    engine.received(
        10.0,
        0.5,
        ServerMsg::Error {
            code: "unsupported_protocol".into(),
            message: "reload".into(),
            fatal: true,
        },
    );
    assert_eq!(engine.state(), ConnectionState::Failed);
    assert_eq!(engine.failure(), Some("reload"));
    assert_eq!(
        notices(&engine.drain_effects()),
        [Notice::Failed {
            reason: "reload".into()
        }]
    );
    assert_eq!(engine.schedule(), None);
}

#[test]
fn a_gap_in_the_log_forces_a_resync() {
    let mut engine = live_engine();
    engine.received(10.0, 0.5, applied(3, "x", Op::Clear));
    let effects = engine.drain_effects();
    assert_eq!(
        effects,
        [Effect::Disconnect, Effect::Connect(Transport::WebSocket)]
    );
    assert_eq!(engine.board().seq(), 0);
}

#[test]
fn rejected_ops_leave_with_a_notice() {
    let mut engine = live_engine();
    engine.submit(10.0, "op1".into(), stroke_op("s1"));
    engine.drain_effects();
    engine.received(
        20.0,
        0.5,
        ServerMsg::Rejected {
            op_id: "op1".into(),
            code: "invalid_width".into(),
            reason: "too wide".into(),
        },
    );
    let effects = engine.drain_effects();
    assert!(effects.contains(&Effect::SaveOutbox));
    assert_eq!(
        notices(&effects),
        [Notice::Rejected {
            code: "invalid_width".into(),
            reason: "too wide".into()
        }]
    );
    assert!(engine.outbox().is_empty());
    assert!(engine.visible_strokes().is_empty());
}

#[test]
fn ephemeral_messages_are_never_queued() {
    let mut engine = live_engine();
    engine.closed(10.0, 0.5);
    engine.drain_effects();
    engine.send_ephemeral(ClientMsg::Cursor { x: 1.0, y: 1.0 });
    assert!(engine.drain_effects().is_empty());
}

#[test]
fn a_restarting_server_sets_the_reconnect_time() {
    let mut engine = live_engine();
    engine.received(
        100.0,
        0.5,
        ServerMsg::Restarting {
            retry_after_ms: 1_000,
            spread_ms: 4_000,
        },
    );
    engine.closed(150.0, 0.0);
    assert_eq!(engine.retry_at(), Some(100.0 + 1_000.0 + 2_000.0));
}

// ------------------------------------------------------------------ property test

/// A server like the real one: seqs, dedup by op id, replay from `last_seq`.
#[derive(Default)]
struct ModelServer {
    log: Vec<AppliedOp>,
    seen: HashMap<String, u64>,
}

impl ModelServer {
    fn handle(&mut self, msg: &ClientMsg) -> Vec<ServerMsg> {
        match msg {
            ClientMsg::Hello { last_seq, .. } => {
                let last = last_seq.unwrap_or(0);
                let ops = self.log.iter().filter(|e| e.seq > last).cloned().collect();
                vec![welcome(self.log.len() as u64), ServerMsg::Replay { ops }]
            }
            ClientMsg::Op { op_id, op } => {
                if let Some(&seq) = self.seen.get(op_id) {
                    return vec![applied(seq, op_id, op.clone())];
                }
                let seq = self.log.len() as u64 + 1;
                self.seen.insert(op_id.clone(), seq);
                let entry = AppliedOp {
                    seq,
                    op_id: op_id.clone(),
                    author: "me".into(),
                    op: op.clone(),
                };
                self.log.push(entry.clone());
                vec![ServerMsg::Applied(entry)]
            }
            _ => vec![],
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Draw,
    Erase,
    DeliverToServer,
    DeliverToClient,
    /// The client receives the last Applied again (replays overlap, resends).
    Redeliver,
    /// The link dies: everything in flight both ways is lost.
    Drop,
    Wait,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Draw),
        1 => Just(Step::Erase),
        4 => Just(Step::DeliverToServer),
        4 => Just(Step::DeliverToClient),
        1 => Just(Step::Redeliver),
        1 => Just(Step::Drop),
        2 => Just(Step::Wait),
    ]
}

/// Runs the engine against the model server; `connected` says whether a transport is open.
struct Harness {
    engine: SyncEngine,
    server: ModelServer,
    to_server: VecDeque<ClientMsg>,
    to_client: VecDeque<ServerMsg>,
    last_applied: Option<ServerMsg>,
    connected: bool,
    now: f64,
    created: Vec<String>,
    next_id: u32,
}

impl Harness {
    fn perform(&mut self) {
        let mut open = false;
        for effect in self.engine.drain_effects() {
            match effect {
                Effect::Connect(_) => {
                    self.to_server.clear();
                    self.to_client.clear();
                    self.connected = true;
                    open = true;
                }
                Effect::Disconnect => {
                    self.connected = false;
                    open = false;
                    self.to_server.clear();
                    self.to_client.clear();
                }
                Effect::Send(msg) => {
                    if self.connected {
                        self.to_server.push_back(msg);
                    }
                }
                Effect::SaveOutbox | Effect::Notice(_) | Effect::RememberTransport(_) => {}
                // Transports are interchangeable for the model server: switching back and
                // forth must not lose or double anything either.
                Effect::CheckHttp => self.engine.http_checked(self.now, true),
                Effect::Probe => self.engine.probe_finished(self.now, true),
            }
        }
        if open {
            self.engine.opened(self.now);
            self.perform();
        }
    }

    fn run(&mut self, step: Step) {
        self.now += 50.0;
        match step {
            Step::Draw => {
                self.next_id += 1;
                let id = format!("op{}", self.next_id);
                self.created.push(id.clone());
                self.engine.submit(self.now, id.clone(), stroke_op(&id));
            }
            Step::Erase => {
                if let Some(target) = self.created.last().cloned() {
                    self.next_id += 1;
                    let id = format!("op{}", self.next_id);
                    self.created.push(id.clone());
                    self.engine
                        .submit(self.now, id, Op::EraseStroke { id: target });
                }
            }
            Step::DeliverToServer => {
                if let Some(msg) = self.to_server.pop_front() {
                    let replies = self.server.handle(&msg);
                    self.to_client.extend(replies);
                }
            }
            Step::DeliverToClient => {
                if let Some(msg) = self.to_client.pop_front() {
                    if matches!(msg, ServerMsg::Applied(_)) {
                        self.last_applied = Some(msg.clone());
                    }
                    self.engine.received(self.now, 0.5, msg);
                }
            }
            Step::Redeliver => {
                if let (true, Some(msg)) = (
                    self.connected && self.engine.is_live(),
                    self.last_applied.clone(),
                ) {
                    self.engine.received(self.now, 0.5, msg);
                }
            }
            Step::Drop => {
                if self.connected {
                    self.connected = false;
                    self.to_server.clear();
                    self.to_client.clear();
                    self.engine.closed(self.now, 0.5);
                }
            }
            Step::Wait => {
                if let Some(at) = self.engine.schedule() {
                    self.now = self.now.max(at);
                    self.engine.tick(self.now, 0.5);
                }
            }
        }
        self.perform();
        // Keep pongs flowing so the heartbeat never declares a healthy model link dead.
        let pings: Vec<f64> = self
            .to_server
            .iter()
            .filter_map(|m| {
                if let ClientMsg::Ping { t } = m {
                    Some(*t)
                } else {
                    None
                }
            })
            .collect();
        self.to_server
            .retain(|m| !matches!(m, ClientMsg::Ping { .. }));
        for t in pings {
            self.to_client.push_back(ServerMsg::Pong {
                t,
                server_time: 0.0,
            });
        }
    }

    /// Lets the link work without faults until everything is delivered.
    fn settle(&mut self) {
        for _ in 0..10_000 {
            if self.engine.is_live()
                && self.engine.outbox().is_empty()
                && self.to_server.is_empty()
                && self.to_client.is_empty()
            {
                return;
            }
            if !self.connected
                || !matches!(
                    self.engine.state(),
                    ConnectionState::Connected
                        | ConnectionState::Degraded
                        | ConnectionState::Connecting
                        | ConnectionState::Reconnecting
                )
            {
                self.engine.retry_now(self.now);
                self.perform();
            }
            if !self.to_server.is_empty() {
                self.run(Step::DeliverToServer);
            } else if !self.to_client.is_empty() {
                self.run(Step::DeliverToClient);
            } else {
                self.run(Step::Wait);
            }
        }
        panic!(
            "did not settle: state {:?}, outbox {}",
            self.engine.state(),
            self.engine.outbox().len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Under any interleaving of drawing, delivery, duplicate delivery, lost links and
    /// reconnects, every op the user made is stored exactly once, the outbox drains, the
    /// client ends on the server's state, and no stroke is ever shown twice.
    #[test]
    fn nothing_is_lost_or_doubled(steps in prop::collection::vec(step(), 1..120)) {
        let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
        engine.start(0.0);
        let mut h = Harness {
            engine, server: ModelServer::default(), to_server: VecDeque::new(), to_client: VecDeque::new(),
            last_applied: None, connected: false, now: 0.0, created: vec![], next_id: 0,
        };
        h.perform();
        for step in steps {
            h.run(step);
            let visible = h.engine.visible_strokes();
            let unique: HashSet<&str> = visible.iter().map(|s| s.id.as_str()).collect();
            prop_assert_eq!(unique.len(), visible.len(), "a stroke is shown twice");
        }
        h.settle();
        let stored: Vec<&str> = h.server.log.iter().map(|e| e.op_id.as_str()).collect();
        let unique: HashSet<&str> = stored.iter().copied().collect();
        prop_assert_eq!(unique.len(), stored.len(), "an op was stored twice");
        for id in &h.created {
            prop_assert!(unique.contains(id.as_str()), "op {} was lost", id);
        }
        let mut server_board = Board::new();
        for entry in &h.server.log {
            server_board.apply(entry.seq, &entry.op);
        }
        prop_assert_eq!(h.engine.board().doc_hash(), server_board.doc_hash());
        prop_assert_eq!(h.engine.board().seq(), server_board.seq());
        prop_assert!(h.engine.outbox().is_empty());
    }
}
