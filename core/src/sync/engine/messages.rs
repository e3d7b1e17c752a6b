//! The engine's answer to each server message, one handler per message.

use super::{link::LinkState, ConnectionId, Effect, Notice, SyncEngine};
use crate::{
    board::{AppliedOp, ApplyOutcome, Board, Op, Stroke},
    protocol::{PeerState, ServerMsg, Welcome, RATE_LIMITED},
    sync::backoff::BackoffConfig,
};

/// The shortest pause a `rate_limited` error imposes, whatever it says: a bogus zero must
/// not turn reconnecting into a busy loop.
const MIN_RATE_LIMIT_PAUSE_MS: u64 = 100;

/// The fields of a server `error`.
struct ServerError {
    code: String,
    message: String,
    fatal: bool,
    retry_after_ms: Option<u64>,
}

impl SyncEngine {
    /// A message from the server on connection `id` (ignored if `id` was abandoned).
    pub fn received(&mut self, now: f64, random: f64, id: ConnectionId, msg: ServerMsg) {
        if !self.is_current(id) {
            return;
        }
        let waiting = self.outbox.len();
        let pong = matches!(msg, ServerMsg::Pong { .. });
        match msg {
            ServerMsg::Welcome(welcome) => self.on_welcome(now, welcome),
            ServerMsg::Replay { ops } => self.on_replay(now, ops),
            ServerMsg::Snapshot { seq, strokes } => self.on_snapshot(now, seq, strokes),
            ServerMsg::Applied(op) => self.on_applied(now, op),
            ServerMsg::Rejected {
                op_id,
                code,
                reason,
            } => self.on_rejected(op_id, code, reason),
            ServerMsg::Pong { t, .. } => self.on_pong(now, t),
            ServerMsg::PeerJoined { peer } => self.awareness.joined(peer),
            ServerMsg::PeerAway { session } => {
                self.awareness.set_state(&session, PeerState::Away);
                self.awareness.forget_activity(&session);
            }
            ServerMsg::PeerBack { session } => {
                self.awareness.set_state(&session, PeerState::Active)
            }
            ServerMsg::PeerLeft { session } => self.awareness.left(&session),
            ServerMsg::Cursor { session, x, y } => self.awareness.cursor(now, session, x, y),
            ServerMsg::LiveStroke(live) => self.awareness.live_stroke(now, live),
            ServerMsg::Error {
                code,
                message,
                fatal,
                retry_after_ms,
            } => self.on_error(
                now,
                ServerError {
                    code,
                    message,
                    fatal,
                    retry_after_ms,
                },
            ),
            ServerMsg::Restarting {
                retry_after_ms,
                spread_ms,
            } => self.on_restarting(now, random, retry_after_ms, spread_ms),
        }
        // A pong or an ack of this client's op: the server hears this client.
        if pong || self.outbox.len() < waiting {
            self.answered(now);
        }
        self.track_state(now);
    }

    /// The session is open: adopt its identity and the server's timings.
    fn on_welcome(&mut self, now: f64, welcome: Welcome) {
        if let LinkState::Connecting { welcomed, .. } = &mut self.link {
            *welcomed = true;
        }
        self.session = Some(welcome.session);
        self.resume_token = Some(welcome.resume_token);
        self.author = Some(welcome.author).filter(|a| !a.is_empty());
        self.epoch = Some(welcome.epoch);
        self.heartbeat_settings = welcome.heartbeat;
        let reconnect = welcome.reconnect;
        self.selector
            .set_probe_interval(now, reconnect.ws_probe_interval_ms as f64);
        self.config.handshake_timeout_ms = reconnect.handshake_timeout_ms as f64;
        self.backoff.configure(BackoffConfig::from(reconnect));
        self.quiet_retry_ms = reconnect.quiet_retry_ms as f64;
        self.awareness.reset(welcome.peers);
    }

    /// What was missed since our seq: apply it all, then go live.
    fn on_replay(&mut self, now: f64, ops: Vec<AppliedOp>) {
        for op in ops {
            if !self.apply(op) {
                return self.resync(now);
            }
        }
        self.caught_up(now);
    }

    /// The whole board replaces ours (we were too far behind, or in another epoch).
    fn on_snapshot(&mut self, now: f64, seq: u64, strokes: Vec<Stroke>) {
        self.board = Board::from_snapshot(seq, strokes);
        self.caught_up(now);
    }

    /// A new log entry (for our own op, also the acknowledgement).
    fn on_applied(&mut self, now: f64, op: AppliedOp) {
        if !self.apply(op) {
            self.resync(now);
        } else if self.outbox.is_empty() && self.is_live() {
            self.in_sync(now);
        }
    }

    /// One of our ops will never be applied: drop it and say why.
    fn on_rejected(&mut self, op_id: String, code: String, reason: String) {
        if self.outbox.remove(&op_id).is_some() {
            self.effects.push(Effect::SaveOutbox);
            self.effects
                .push(Effect::Notice(Notice::Rejected { code, reason }));
        }
    }

    fn on_pong(&mut self, now: f64, t: f64) {
        if let LinkState::Live { heartbeat } = &mut self.link {
            if let Some(rtt) = heartbeat.pong(now, t) {
                self.rtt.record(rtt);
            }
        }
    }

    /// Fatal errors end this client's attempts. `rate_limited` comes just before the server
    /// ends the connection: come back after the pause (as after `restarting`), with the
    /// outbox resent in order on the new connection — slowed, nothing lost. Other errors are
    /// the server's information (what they concern was answered on its own).
    fn on_error(&mut self, now: f64, error: ServerError) {
        if error.fatal {
            self.fail(now, error.code, error.message);
        } else if error.code == RATE_LIMITED {
            let pause = error.retry_after_ms.unwrap_or(MIN_RATE_LIMIT_PAUSE_MS);
            self.server_retry_at = Some(now + pause.max(MIN_RATE_LIMIT_PAUSE_MS) as f64);
        }
    }

    /// The server is going down: reconnect when it asked, not at once.
    fn on_restarting(&mut self, now: f64, random: f64, retry_after_ms: u64, spread_ms: u64) {
        self.server_retry_at = Some(now + retry_after_ms as f64 + random * spread_ms as f64);
    }

    /// Applies a log entry; acks the user's op. `false` means entries are missing.
    fn apply(&mut self, op: AppliedOp) -> bool {
        if self.outbox.remove(&op.op_id).is_some() {
            self.effects.push(Effect::SaveOutbox);
            if let Some(synced) = &mut self.outage_synced {
                *synced += 1;
            }
        }
        match self.board.apply(op.seq, &op.op) {
            ApplyOutcome::Applied => {
                if let Op::AddStroke { stroke } = &op.op {
                    self.awareness.stroke_landed(&stroke.id);
                }
                true
            }
            ApplyOutcome::AlreadyApplied => true,
            ApplyOutcome::Gap { .. } => false,
        }
    }
}
