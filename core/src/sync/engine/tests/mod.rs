//! Engine tests, one file per theme; the property test runs the engine against the model
//! server over a link that loses, delays and duplicates messages.

mod calm_notices;
mod fallback;
mod handshake;
mod ops;
mod outage;
mod property;
mod quiet_retry;
mod reporting;
mod stall;

use super::*;
use crate::{
    board::{AppliedOp, Point},
    model::welcome,
    protocol::ServerMsg,
    sync::status::ConnectionState,
};

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

/// Drives the engine's current connection, as a host reports its events. With no current
/// connection the events carry an id the engine never gave out, so they are ignored.
trait Host {
    fn connection(&self) -> ConnectionId;
    fn open_now(&mut self, now: f64);
    fn receive(&mut self, now: f64, random: f64, msg: ServerMsg);
    fn close_now(&mut self, now: f64, random: f64);
}

impl Host for SyncEngine {
    fn connection(&self) -> ConnectionId {
        self.current.unwrap_or(ConnectionId(u64::MAX))
    }
    fn open_now(&mut self, now: f64) {
        self.opened(now, self.connection());
    }
    fn receive(&mut self, now: f64, random: f64, msg: ServerMsg) {
        self.received(now, random, self.connection(), msg);
    }
    fn close_now(&mut self, now: f64, random: f64) {
        self.closed(now, random, self.connection());
    }
}

/// `Connect` of `transport`, with the id every [`drained`] effect carries.
fn connect(transport: Transport) -> Effect {
    Effect::Connect {
        id: ConnectionId(0),
        transport,
    }
}

/// The engine's effects with connection ids blanked, to compare against [`connect`].
fn drained(engine: &mut SyncEngine) -> Vec<Effect> {
    engine
        .drain_effects()
        .into_iter()
        .map(|effect| match effect {
            Effect::Connect { transport, .. } => connect(transport),
            other => other,
        })
        .collect()
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
    live_engine_with(welcome(0))
}

/// An engine connected to an empty room at time 0 with this `Welcome`.
fn live_engine_with(welcome: ServerMsg) -> SyncEngine {
    let mut engine = SyncEngine::new(config(), Board::new(), None, vec![]);
    engine.start(0.0);
    engine.open_now(1.0);
    engine.receive(2.0, 0.5, welcome);
    engine.receive(
        3.0,
        0.5,
        ServerMsg::Snapshot {
            seq: 0,
            strokes: vec![],
        },
    );
    drained(&mut engine);
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

/// Fails `n` handshakes in a row (the transport closes before any welcome).
fn fail_handshakes(engine: &mut SyncEngine, n: usize) -> Vec<Effect> {
    let mut effects = Vec::new();
    for _ in 0..n {
        if let Some(at) = engine.retry_at() {
            engine.tick(at, 0.5);
        }
        engine.open_now(engine.retry_at().unwrap_or(0.0));
        engine.close_now(engine.retry_at().unwrap_or(0.0) + 1.0, 0.5);
        effects.extend(drained(engine));
    }
    effects
}
