//! The engine against the model server: under any interleaving of drawing, delivery,
//! duplicate delivery, lost links and reconnects, nothing is lost, doubled or stuck.

use super::*;
use crate::model::ModelServer;
use proptest::prelude::*;
use std::collections::{HashSet, VecDeque};

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
    /// The server's op budget runs out: the next op it gets is answered `rate_limited` and
    /// the connection ends (nothing more of it is read).
    Throttle,
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
        1 => Just(Step::Throttle),
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
    /// The next op reaching the server is refused with `rate_limited`.
    throttle_next: bool,
    /// The server refused an op and is ending the connection: it reads nothing more, and
    /// the link closes once the client has the error.
    closing: bool,
}

fn rate_limited(retry_after_ms: u64) -> ServerMsg {
    ServerMsg::Error {
        code: crate::protocol::RATE_LIMITED.into(),
        message: "slow down".into(),
        fatal: false,
        retry_after_ms: Some(retry_after_ms),
    }
}

impl Harness {
    fn perform(&mut self) {
        let mut open = false;
        for effect in self.engine.drain_effects() {
            match effect {
                Effect::Connect { .. } => {
                    self.to_server.clear();
                    self.to_client.clear();
                    self.closing = false;
                    self.connected = true;
                    open = true;
                }
                Effect::Disconnect => {
                    self.closing = false;
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
            self.engine.open_now(self.now);
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
                    let replies = match &msg {
                        _ if self.closing => vec![],
                        ClientMsg::Op { .. } if self.throttle_next => {
                            self.throttle_next = false;
                            self.closing = true;
                            vec![rate_limited(500)]
                        }
                        _ => self.server.handle("me", &msg),
                    };
                    self.to_client.extend(replies);
                }
            }
            Step::Throttle => self.throttle_next = true,
            Step::DeliverToClient => {
                if let Some(msg) = self.to_client.pop_front() {
                    if matches!(msg, ServerMsg::Applied(_)) {
                        self.last_applied = Some(msg.clone());
                    }
                    let ends_connection = self.closing
                        && matches!(&msg, ServerMsg::Error { code, .. } if code == crate::protocol::RATE_LIMITED);
                    self.engine.receive(self.now, 0.5, msg);
                    if ends_connection {
                        // The server closes right after saying why.
                        self.connected = false;
                        self.closing = false;
                        self.to_server.clear();
                        self.to_client.clear();
                        self.engine.close_now(self.now, 0.5);
                    }
                }
            }
            Step::Redeliver => {
                if let (true, Some(msg)) = (
                    self.connected && self.engine.is_live(),
                    self.last_applied.clone(),
                ) {
                    self.engine.receive(self.now, 0.5, msg);
                }
            }
            Step::Drop => {
                if self.connected {
                    self.connected = false;
                    self.to_server.clear();
                    self.to_client.clear();
                    self.engine.close_now(self.now, 0.5);
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
            throttle_next: false, closing: false,
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
        prop_assert_eq!(&stored, &h.created, "one client's ops reach the log in the order it made them");
        let server_board = h.server.board();
        prop_assert_eq!(h.engine.board().doc_hash(), server_board.doc_hash());
        prop_assert_eq!(h.engine.board().seq(), server_board.seq());
        prop_assert!(h.engine.outbox().is_empty());
    }
}
