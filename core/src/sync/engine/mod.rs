//! The client's connection engine: one pure state machine that decides everything about
//! staying in sync, for the browser runtime and for the native clients alike.
//!
//! The host feeds it what happened (a transport opened or closed, a message arrived, a
//! timer fired, the browser went offline, the user drew) with the current time and a
//! random number, and performs the [`Effect`]s it asks for. It never blocks, sleeps or
//! touches IO; [`SyncEngine::schedule`] says when it next wants a `tick`.
//!
//! - this file: the engine's state, its inputs and what hosts read back;
//! - [`effects`](Effect): what it asks of the host; `config`: [`EngineConfig`];
//! - `link`: the link's life cycle (connect, catch up, lose, give up) and the chip state;
//! - `browser_events`: the network and the tab (online, offline, network switch,
//!   visibility) and the user's Retry;
//! - `messages`: one handler per server message; `reporting`: the connection reports;
//!   `stall`: noticing a dead link sooner while ops wait for their acks.

mod browser_events;
mod config;
mod effects;
mod link;
mod messages;
mod reporting;
mod stall;
#[cfg(test)]
mod tests;

pub use config::EngineConfig;
pub use effects::{ConnectionId, DisconnectReason, Effect, Notice, Transport};

use super::{
    awareness::Awareness,
    backoff::Backoff,
    heartbeat::Beat,
    metrics::ConnectionMetrics,
    outbox::{Outbox, PendingOp},
    quality::RttStats,
    telemetry::Reporter,
    transport::TransportSelector,
};
use crate::{
    board::{visible_strokes, Board, Op, Stroke},
    protocol::{ClientMsg, HeartbeatSettings},
};
use link::LinkState;
use std::sync::Arc;

/// The client's whole sync state.
pub struct SyncEngine {
    config: EngineConfig,
    /// Confirmed state: the room's log applied up to some seq.
    board: Board,
    /// The user's durable ops not yet confirmed, in order.
    outbox: Outbox,
    /// Peers, cursors and live strokes.
    awareness: Awareness,
    backoff: Backoff,
    rtt: RttStats,
    metrics: ConnectionMetrics,
    reporter: Reporter,
    link: LinkState,
    selector: TransportSelector,
    heartbeat_settings: HeartbeatSettings,
    /// The connection whose events count; every other connection's are stale.
    current: Option<ConnectionId>,
    /// The id the next connection gets.
    next_connection: u64,
    session: Option<String>,
    resume_token: Option<String>,
    /// The author id this client's ops carry (from `Welcome`).
    author: Option<String>,
    /// The room history the board's seq belongs to (from the snapshot, then `Welcome`).
    epoch: Option<String>,
    ever_connected: bool,
    online: bool,
    visible: bool,
    /// User ops confirmed since the current outage began (`None`: no outage).
    outage_synced: Option<usize>,
    /// When the last outage was announced (toasts are rationed, see `CALM_NOTICE_MS`).
    announced_at: Option<f64>,
    /// The current outage was announced (so its end is too).
    outage_announced: bool,
    /// Since when an op sent on the live link waits for its ack (see `stall`).
    unacked_since: Option<f64>,
    /// A stall probe is out: the link is replaced if nothing answers by then.
    stall_deadline: Option<f64>,
    /// Links dropped as stalled since the client was last in sync (each doubles the bound).
    stall_drops: u32,
    /// A reconnect time the server asked for (`restarting`, `rate_limited`), used at the
    /// next drop.
    server_retry_at: Option<f64>,
    /// Out of attempts: retrying quietly every `quiet_retry_ms` while the chip says
    /// `failed`.
    quiet: bool,
    /// From the server's `Welcome` (ms).
    quiet_retry_ms: f64,
    effects: Vec<Effect>,
}

impl SyncEngine {
    /// An engine starting from a confirmed board (the server-rendered snapshot, of room
    /// history `epoch`) and the ops saved in the persisted outbox.
    pub fn new(
        config: EngineConfig,
        board: Board,
        epoch: Option<String>,
        saved: Vec<PendingOp>,
    ) -> Self {
        let backoff = Backoff::new(config.backoff);
        let reporter = Reporter::new(config.report_interval_ms);
        // Re-created in `start`, with the real start time.
        let selector = TransportSelector::new(config.transport, config.start_on_polling, 0.0);
        let resume_token = config.resume_token.clone();
        Self {
            config,
            board,
            outbox: Outbox::restore(saved),
            awareness: Awareness::default(),
            backoff,
            rtt: RttStats::default(),
            metrics: ConnectionMetrics::default(),
            reporter,
            link: LinkState::Idle,
            selector,
            heartbeat_settings: HeartbeatSettings::default(),
            current: None,
            next_connection: 0,
            session: None,
            resume_token,
            author: None,
            epoch,
            ever_connected: false,
            online: true,
            visible: true,
            outage_synced: None,
            announced_at: None,
            outage_announced: false,
            unacked_since: None,
            stall_deadline: None,
            stall_drops: 0,
            server_retry_at: None,
            quiet: false,
            quiet_retry_ms: crate::defaults::QUIET_RETRY_MS as f64,
            effects: Vec::new(),
        }
    }

    // ----------------------------------------------------------------- inputs

    /// Starts connecting.
    pub fn start(&mut self, now: f64) {
        if matches!(self.link, LinkState::Idle) {
            self.selector =
                TransportSelector::new(self.config.transport, self.config.start_on_polling, now);
            self.connect(now);
        }
    }

    /// Connection `id` opened: say hello.
    pub fn opened(&mut self, now: f64, id: ConnectionId) {
        if !self.is_current(id) {
            return;
        }
        if let LinkState::Connecting { .. } = self.link {
            let hello = ClientMsg::Hello {
                protocol: crate::protocol::PROTOCOL_VERSION,
                room: self.config.room.clone(),
                client_id: self.config.client_id.clone(),
                resume_token: self.resume_token.clone(),
                last_seq: Some(self.board.seq()),
                epoch: self.epoch.clone(),
                name: self.config.name.clone(),
                color: self.config.color.clone(),
            };
            self.send(hello);
        }
        self.track_state(now);
    }

    /// Connection `id` closed or failed.
    pub fn closed(&mut self, now: f64, random: f64, id: ConnectionId) {
        if self.is_current(id)
            && matches!(
                self.link,
                LinkState::Connecting { .. } | LinkState::Live { .. }
            )
        {
            self.lost(now, random, DisconnectReason::Closed);
        }
    }

    /// Timers: handshake deadline, retry time, heartbeat, ephemeral expiry.
    pub fn tick(&mut self, now: f64, random: f64) {
        self.awareness.expire(now);
        match &mut self.link {
            LinkState::Connecting { started, .. }
                if now - *started >= self.config.handshake_timeout_ms =>
            {
                self.lost(now, random, DisconnectReason::HandshakeTimeout);
            }
            LinkState::Waiting { until } if now >= *until => self.connect(now),
            LinkState::Offline { probe_at } if now >= *probe_at => self.connect(now),
            LinkState::Failed {
                retry_at: Some(at), ..
            } if now >= *at => self.connect(now),
            LinkState::Live { heartbeat } => match heartbeat.poll(now, self.visible) {
                Beat::Ping { t } => self.send(ClientMsg::Ping { t }),
                Beat::Dead => self.lost(now, random, DisconnectReason::Heartbeat),
                Beat::Idle => {}
            },
            _ => {}
        }
        if self.selector.probe_due(now) {
            self.selector.probe_started();
            self.effects.push(Effect::Probe);
        }
        if let Some(report) = self.due_report(now, false) {
            self.send(report);
        }
        self.check_stall(now, random);
        self.announce_if_calm(now);
        self.track_state(now);
    }

    /// The answer to [`Effect::CheckHttp`]. If HTTP works, one more WebSocket attempt is
    /// made at once; if that fails too, the engine falls back to polling.
    pub fn http_checked(&mut self, now: f64, reachable: bool) {
        if self.selector.http_checked(reachable) && matches!(self.link, LinkState::Waiting { .. }) {
            self.connect(now);
        }
        self.track_state(now);
    }

    /// The outcome of an [`Effect::Probe`]. A working WebSocket replaces the polling
    /// transport at once; the session resumes on it and nothing counts as an outage.
    pub fn probe_finished(&mut self, now: f64, works: bool) {
        if self.selector.probe_finished(now, works) {
            self.effects
                .push(Effect::RememberTransport(Transport::WebSocket));
            if !matches!(self.link, LinkState::Failed { .. } | LinkState::Idle) {
                self.abandon();
                self.connect(now);
            }
        }
        self.track_state(now);
    }

    /// The user made a durable op (its id must be new and unique).
    pub fn submit(&mut self, now: f64, op_id: String, op: Op) {
        let entry = PendingOp {
            op_id: op_id.clone(),
            op: op.clone(),
            created_ms: now,
        };
        if self.outbox.push(entry) {
            self.effects.push(Effect::SaveOutbox);
            if self.is_live() {
                self.send(ClientMsg::Op { op_id, op });
                self.op_sent(now);
            }
        }
    }

    /// Cursor or live-stroke points: sent if live, otherwise dropped (never queued).
    pub fn send_ephemeral(&mut self, msg: ClientMsg) {
        if self.is_live() && matches!(msg, ClientMsg::Cursor { .. } | ClientMsg::LiveStroke(_)) {
            self.send(msg);
        }
    }

    /// A new display name, used from the next connection on.
    pub fn set_name(&mut self, name: String) {
        self.config.name = name;
    }

    /// Counts a frame received, for the metrics panel.
    pub fn count_received(&mut self, bytes: usize) {
        self.metrics.bytes_in += bytes as u64;
        self.metrics.frames_in += 1;
    }

    /// Counts `msg`, sent as a frame of `bytes`, for the metrics panel.
    pub fn count_sent(&mut self, msg: &ClientMsg, bytes: usize) {
        self.metrics.bytes_out += bytes as u64;
        self.metrics.frames_out += 1;
        if let ClientMsg::Op {
            op: Op::AddStroke { .. },
            ..
        } = msg
        {
            self.metrics.strokes_sent += 1;
            self.metrics.stroke_bytes_sent += bytes as u64;
        }
    }

    // ----------------------------------------------------------------- outputs

    /// Effects to perform, in order.
    pub fn drain_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Why the engine gave up, when `failed`.
    pub fn failure(&self) -> Option<&str> {
        match &self.link {
            LinkState::Failed { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Failed attempts since the last stable link.
    pub fn attempt(&self) -> u32 {
        self.backoff.attempt()
    }

    /// True while in sync and exchanging ops.
    pub fn is_live(&self) -> bool {
        matches!(self.link, LinkState::Live { .. })
    }

    /// The confirmed board.
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// The user's unconfirmed ops.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Peers, cursors and live strokes.
    pub fn awareness(&self) -> &Awareness {
        &self.awareness
    }

    /// Round-trip statistics.
    pub fn rtt(&self) -> &RttStats {
        &self.rtt
    }

    /// Connection counters.
    pub fn metrics(&self) -> &ConnectionMetrics {
        &self.metrics
    }

    /// The transport in use (or about to be).
    pub fn transport(&self) -> Transport {
        self.selector.current()
    }

    /// Who this client is.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The author id this client's strokes carry, once a server said it.
    pub fn author(&self) -> Option<&str> {
        self.author.as_deref()
    }

    /// The token that resumes this client's session (from the last welcome, or the
    /// host's from before a reload), for the host to keep across a reload.
    pub fn resume_token(&self) -> Option<&str> {
        self.resume_token.as_deref()
    }

    /// This client's session id while connected.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// Confirmed strokes with this user's unconfirmed ops on top.
    pub fn visible_strokes(&self) -> Vec<Arc<Stroke>> {
        visible_strokes(&self.board, self.outbox.ops())
    }

    // ----------------------------------------------------------------- internals

    fn is_current(&self, id: ConnectionId) -> bool {
        self.current == Some(id)
    }

    fn send(&mut self, msg: ClientMsg) {
        self.effects.push(Effect::Send(msg));
    }

    /// A reason to doubt a live link (network back, tab visible): probe it at once.
    fn probe_link(&mut self, now: f64) {
        if let LinkState::Live { heartbeat } = &mut self.link {
            if let Beat::Ping { t } = heartbeat.probe(now) {
                self.send(ClientMsg::Ping { t });
            }
        }
    }
}
