//! The client's connection engine: one pure state machine that decides everything about
//! staying in sync, for the browser runtime and for the native chaos clients alike.
//!
//! The host feeds it what happened (a transport opened or closed, a message arrived, a
//! timer fired, the browser went offline, the user drew) with the current time and a
//! random number, and performs the [`Effect`]s it asks for. It never blocks, sleeps or
//! touches IO; [`SyncEngine::schedule`] says when it next wants a `tick`.

use super::{
    awareness::Awareness,
    backoff::{Backoff, BackoffConfig},
    heartbeat::{Beat, Heartbeat},
    metrics::ConnectionMetrics,
    outbox::{Outbox, PendingOp},
    quality::{Quality, RttStats},
    status::ConnectionState,
    transport::{TransportConfig, TransportSelector, WsFailure},
};
use crate::{
    board::{visible_strokes, AppliedOp, ApplyOutcome, Board, Op, Stroke},
    protocol::{ClientMsg, HeartbeatSettings, PeerState, ServerMsg, PROTOCOL_VERSION},
};
use std::sync::Arc;

/// Who this client is and how it behaves.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub room: String,
    pub client_id: String,
    pub name: String,
    pub color: String,
    pub backoff: BackoffConfig,
    /// An attempt that has not finished its handshake (Welcome + catch-up) after this long
    /// is abandoned: a stopped server or a black hole accepts nothing and closes nothing.
    pub handshake_timeout_ms: f64,
    pub transport: TransportConfig,
    /// This tab fell back to polling before (remembered by the host): start there.
    pub start_on_polling: bool,
}

impl EngineConfig {
    /// Defaults for everything but identity.
    pub fn new(room: String, client_id: String, name: String, color: String) -> Self {
        Self {
            room,
            client_id,
            name,
            color,
            backoff: BackoffConfig::default(),
            handshake_timeout_ms: 10_000.0,
            transport: TransportConfig::default(),
            start_on_polling: false,
        }
    }
}

/// What the host must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a new transport of this kind. Any previous one has already been abandoned.
    Connect(Transport),
    /// Abandon the current transport now: detach its handlers and close it, without
    /// waiting for its close event (a dead socket can sit in CLOSING for a minute).
    Disconnect,
    /// Send this message on the current transport.
    Send(ClientMsg),
    /// The outbox changed: persist [`SyncEngine::outbox`].
    SaveOutbox,
    /// Tell the user (a toast).
    Notice(Notice),
    /// Find out whether the server answers plain HTTP (`GET /healthz`); report with
    /// `http_checked`.
    CheckHttp,
    /// Try a throwaway WebSocket (`/ws-probe`); report with `probe_finished`.
    Probe,
    /// Remember the transport for this tab's session (a reload starts there).
    RememberTransport(Transport),
}

/// Events worth a toast.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The link dropped. Once per outage, not once per attempt.
    ConnectionLost,
    /// Back in sync after an outage; `synced` of the user's ops were confirmed since.
    Restored { synced: usize },
    /// Gave up, or the server refused this client for good.
    Failed { reason: String },
    /// The server refused one of the user's ops; it is dropped.
    Rejected { code: String, reason: String },
}

/// Which transport carries the messages (set by the host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    WebSocket,
    Polling,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::WebSocket => "websocket",
            Transport::Polling => "polling",
        }
    }
}

#[derive(Debug, Clone)]
enum Link {
    /// Not started yet.
    Idle,
    /// A transport is opening or handshaking.
    Connecting { started: f64, welcomed: bool },
    /// In sync and exchanging ops.
    Live { heartbeat: Heartbeat },
    /// Waiting to retry.
    Waiting { until: f64 },
    /// The browser is offline; a slow probe still runs in case the event lies.
    Offline { probe_at: f64 },
    /// Gave up; only the user (or the network coming back) restarts it.
    Failed { reason: String },
}

/// An outage in progress, for the "lost" / "restored" notices.
#[derive(Debug, Clone, Default)]
struct Outage {
    /// User ops confirmed since the outage began.
    synced: usize,
}

/// Probe interval while the browser claims to be offline (it sometimes is not).
const OFFLINE_PROBE_MS: f64 = 30_000.0;

/// The client's whole sync state.
pub struct SyncEngine {
    config: EngineConfig,
    board: Board,
    outbox: Outbox,
    awareness: Awareness,
    backoff: Backoff,
    rtt: RttStats,
    metrics: ConnectionMetrics,
    link: Link,
    selector: TransportSelector,
    heartbeat_settings: HeartbeatSettings,
    session: Option<String>,
    resume_token: Option<String>,
    /// The room history the board's seq belongs to (from the snapshot, then `Welcome`).
    epoch: Option<String>,
    ever_connected: bool,
    online: bool,
    visible: bool,
    outage: Option<Outage>,
    /// A reconnect time the server asked for (`Restarting`), used at the next drop.
    server_retry_at: Option<f64>,
    /// Latest `now` seen: time never runs backwards inside the engine.
    clock: f64,
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
        // Re-created in `start`, with the real start time.
        let selector = TransportSelector::new(config.transport, config.start_on_polling, 0.0);
        Self {
            config,
            board,
            outbox: Outbox::restore(saved),
            awareness: Awareness::default(),
            backoff,
            rtt: RttStats::default(),
            metrics: ConnectionMetrics::default(),
            link: Link::Idle,
            selector,
            heartbeat_settings: HeartbeatSettings {
                ping_interval_ms: 15_000,
                pong_timeout_ms: 5_000,
            },
            session: None,
            resume_token: None,
            epoch,
            ever_connected: false,
            online: true,
            visible: true,
            outage: None,
            server_retry_at: None,
            clock: f64::MIN,
            effects: Vec::new(),
        }
    }

    // ----------------------------------------------------------------- inputs

    /// Starts connecting.
    pub fn start(&mut self, now: f64) {
        self.now(now);
        if matches!(self.link, Link::Idle) {
            self.selector =
                TransportSelector::new(self.config.transport, self.config.start_on_polling, now);
            self.connect(now);
        }
    }

    /// The transport opened: say hello.
    pub fn opened(&mut self, now: f64) {
        self.now(now);
        if let Link::Connecting { .. } = self.link {
            let hello = ClientMsg::Hello {
                protocol: PROTOCOL_VERSION,
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
    }

    /// The transport closed or failed (an abandoned transport's events are not reported).
    pub fn closed(&mut self, now: f64, random: f64) {
        self.now(now);
        if matches!(self.link, Link::Connecting { .. } | Link::Live { .. }) {
            self.lost(now, random, "closed", false);
        }
    }

    /// Timers: handshake deadline, retry time, heartbeat, ephemeral expiry.
    pub fn tick(&mut self, now: f64, random: f64) {
        self.now(now);
        self.awareness.expire(now);
        match &mut self.link {
            Link::Connecting { started, .. }
                if now - *started >= self.config.handshake_timeout_ms =>
            {
                self.lost(now, random, "handshake_timeout", false);
            }
            Link::Waiting { until } if now >= *until => self.connect(now),
            Link::Offline { probe_at } if now >= *probe_at => self.connect(now),
            Link::Live { heartbeat } => match heartbeat.poll(now, self.visible) {
                Beat::Ping { t } => self.send(ClientMsg::Ping { t }),
                Beat::Dead => self.lost(now, random, "heartbeat", true),
                Beat::Idle => {}
            },
            _ => {}
        }
        if self.selector.probe_due(now) {
            self.selector.probe_started();
            self.effects.push(Effect::Probe);
        }
        self.track_state(now);
    }

    /// The answer to [`Effect::CheckHttp`]. If HTTP works, one more WebSocket attempt is
    /// made at once; if that fails too, the engine falls back to polling.
    pub fn http_checked(&mut self, now: f64, reachable: bool) {
        self.now(now);
        if self.selector.http_checked(reachable) && matches!(self.link, Link::Waiting { .. }) {
            self.connect(now);
        }
        self.track_state(now);
    }

    /// The outcome of an [`Effect::Probe`]. A working WebSocket replaces the polling
    /// transport at once; the session resumes on it and nothing counts as an outage.
    pub fn probe_finished(&mut self, now: f64, works: bool) {
        self.now(now);
        if self.selector.probe_finished(now, works) {
            self.effects
                .push(Effect::RememberTransport(Transport::WebSocket));
            if !matches!(self.link, Link::Failed { .. } | Link::Idle) {
                self.effects.push(Effect::Disconnect);
                self.connect(now);
            }
        }
        self.track_state(now);
    }

    /// A message from the server.
    pub fn received(&mut self, now: f64, random: f64, msg: ServerMsg) {
        self.now(now);
        match msg {
            ServerMsg::Welcome(welcome) => {
                if let Link::Connecting { welcomed, .. } = &mut self.link {
                    *welcomed = true;
                }
                self.session = Some(welcome.session);
                self.resume_token = Some(welcome.resume_token);
                self.epoch = Some(welcome.epoch);
                self.heartbeat_settings = welcome.heartbeat;
                let reconnect = welcome.reconnect;
                self.selector
                    .set_probe_interval(now, reconnect.ws_probe_interval_ms as f64);
                self.config.handshake_timeout_ms = reconnect.handshake_timeout_ms as f64;
                self.backoff.configure(BackoffConfig {
                    base_ms: reconnect.base_ms as f64,
                    cap_ms: reconnect.cap_ms as f64,
                    max_attempts: reconnect.max_attempts,
                    stable_after_ms: reconnect.stable_after_ms as f64,
                });
                self.awareness.reset(welcome.peers);
            }
            ServerMsg::Replay { ops } => {
                for op in ops {
                    if !self.apply(op) {
                        return self.resync(now);
                    }
                }
                self.caught_up(now);
            }
            ServerMsg::Snapshot { seq, strokes } => {
                self.board = Board::from_snapshot(seq, strokes);
                self.caught_up(now);
            }
            ServerMsg::Applied(op) => {
                if !self.apply(op) {
                    self.resync(now);
                } else if self.outbox.is_empty() && self.is_live() {
                    self.metrics.last_sync = Some(now);
                    self.finish_outage();
                }
            }
            ServerMsg::Rejected {
                op_id,
                code,
                reason,
            } => {
                if self.outbox.remove(&op_id).is_some() {
                    self.effects.push(Effect::SaveOutbox);
                    self.effects
                        .push(Effect::Notice(Notice::Rejected { code, reason }));
                }
            }
            ServerMsg::Pong { t, .. } => {
                if let Link::Live { heartbeat } = &mut self.link {
                    if let Some(rtt) = heartbeat.pong(now, t) {
                        self.rtt.record(rtt);
                    }
                }
            }
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
                message,
                fatal: true,
                ..
            } => self.fail(now, message),
            ServerMsg::Error { .. } => {}
            ServerMsg::Restarting {
                retry_after_ms,
                spread_ms,
            } => {
                self.server_retry_at =
                    Some(now + retry_after_ms as f64 + random * spread_ms as f64);
            }
        }
        self.track_state(now);
    }

    /// The user made a durable op (its id must be new and unique).
    pub fn submit(&mut self, now: f64, op_id: String, op: Op) {
        self.now(now);
        let entry = PendingOp {
            op_id: op_id.clone(),
            op: op.clone(),
            created_ms: now,
        };
        if self.outbox.push(entry) {
            self.effects.push(Effect::SaveOutbox);
            if self.is_live() {
                self.send(ClientMsg::Op { op_id, op });
            }
        }
    }

    /// Cursor or live-stroke points: sent if live, otherwise dropped (never queued).
    pub fn send_ephemeral(&mut self, msg: ClientMsg) {
        if self.is_live() && matches!(msg, ClientMsg::Cursor { .. } | ClientMsg::LiveStroke(_)) {
            self.send(msg);
        }
    }

    /// The browser's `online` / `offline` events.
    pub fn set_online(&mut self, now: f64, random: f64, online: bool) {
        self.now(now);
        self.online = online;
        if online {
            // The network is back: no reason to wait out a backoff.
            if matches!(
                self.link,
                Link::Offline { .. } | Link::Waiting { .. } | Link::Failed { .. }
            ) {
                self.backoff.reset();
                self.connect(now);
            } else if let Link::Live { heartbeat } = &mut self.link {
                if let Beat::Ping { t } = heartbeat.probe(now) {
                    self.send(ClientMsg::Ping { t });
                }
            }
        } else if matches!(self.link, Link::Live { .. } | Link::Connecting { .. }) {
            self.lost(now, random, "offline", false);
        } else if matches!(self.link, Link::Waiting { .. }) {
            self.link = Link::Offline {
                probe_at: now + OFFLINE_PROBE_MS,
            };
        }
        self.track_state(now);
    }

    /// The tab became visible (or hidden). Visible: retry or probe at once.
    pub fn set_visible(&mut self, now: f64, visible: bool) {
        self.now(now);
        let was_visible = self.visible;
        self.visible = visible;
        if visible && !was_visible {
            match &mut self.link {
                Link::Waiting { .. } => self.connect(now),
                Link::Live { heartbeat } => {
                    if let Beat::Ping { t } = heartbeat.probe(now) {
                        self.send(ClientMsg::Ping { t });
                    }
                }
                _ => {}
            }
        }
        self.track_state(now);
    }

    /// The user pressed "Retry now".
    pub fn retry_now(&mut self, now: f64) {
        self.now(now);
        match self.link {
            Link::Waiting { .. } | Link::Failed { .. } | Link::Offline { .. } => {
                self.backoff.reset();
                self.connect(now);
            }
            // An attempt that may be hanging: the user asked, start a fresh one.
            Link::Connecting { .. } => {
                self.effects.push(Effect::Disconnect);
                self.connect(now);
            }
            Link::Idle | Link::Live { .. } => {}
        }
        self.track_state(now);
    }

    /// A new display name, used from the next connection on.
    pub fn set_name(&mut self, name: String) {
        self.config.name = name;
    }

    /// Counts traffic for the metrics panel.
    pub fn count_bytes(&mut self, incoming: bool, bytes: usize) {
        if incoming {
            self.metrics.bytes_in += bytes as u64;
            self.metrics.frames_in += 1;
        } else {
            self.metrics.bytes_out += bytes as u64;
            self.metrics.frames_out += 1;
        }
    }

    // ----------------------------------------------------------------- outputs

    /// Effects to perform, in order.
    pub fn drain_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// When the engine next needs a `tick` (ms), if ever. The host must call `tick` at or
    /// after that time; how late it comes tells the heartbeat whether timers were stalled.
    pub fn schedule(&mut self) -> Option<f64> {
        let link = match &mut self.link {
            Link::Connecting { started, .. } => Some(*started + self.config.handshake_timeout_ms),
            Link::Waiting { until } => Some(*until),
            Link::Offline { probe_at } => Some(*probe_at),
            Link::Live { heartbeat } => {
                let at = heartbeat.next_wakeup(self.visible);
                if let Some(at) = at {
                    heartbeat.expect_wakeup(at);
                }
                at
            }
            Link::Idle | Link::Failed { .. } => None,
        };
        [
            link,
            self.awareness.next_expiry(),
            self.selector.next_wakeup(),
        ]
        .into_iter()
        .flatten()
        .min_by(f64::total_cmp)
    }

    /// The state the chip shows.
    pub fn state(&self) -> ConnectionState {
        match &self.link {
            // Only the very first attempt is "connecting"; once one failed, every further
            // attempt is a reconnection (the chip keeps "Retry now" instead of flapping).
            Link::Idle | Link::Connecting { .. }
                if !self.ever_connected && self.backoff.attempt() == 0 =>
            {
                ConnectionState::Connecting
            }
            Link::Idle | Link::Connecting { .. } | Link::Waiting { .. } => {
                ConnectionState::Reconnecting
            }
            Link::Live { heartbeat } => {
                let slow = heartbeat.overdue() || self.rtt.quality().is_some_and(Quality::is_slow);
                if slow || self.selector.current() == Transport::Polling {
                    ConnectionState::Degraded
                } else {
                    ConnectionState::Connected
                }
            }
            Link::Offline { .. } => ConnectionState::Offline,
            Link::Failed { .. } => ConnectionState::Failed,
        }
    }

    /// Why the engine gave up, when `failed`.
    pub fn failure(&self) -> Option<&str> {
        match &self.link {
            Link::Failed { reason } => Some(reason),
            _ => None,
        }
    }

    /// When the next reconnect attempt happens (ms), while waiting.
    pub fn retry_at(&self) -> Option<f64> {
        match &self.link {
            Link::Waiting { until } => Some(*until),
            Link::Offline { probe_at } => Some(*probe_at),
            _ => None,
        }
    }

    /// Failed attempts since the last stable link.
    pub fn attempt(&self) -> u32 {
        self.backoff.attempt()
    }

    pub fn is_live(&self) -> bool {
        matches!(self.link, Link::Live { .. })
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub fn awareness(&self) -> &Awareness {
        &self.awareness
    }

    pub fn rtt(&self) -> &RttStats {
        &self.rtt
    }

    pub fn metrics(&self) -> &ConnectionMetrics {
        &self.metrics
    }

    /// The transport in use (or about to be).
    pub fn transport(&self) -> Transport {
        self.selector.current()
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
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

    fn now(&mut self, now: f64) {
        self.clock = self.clock.max(now);
    }

    fn send(&mut self, msg: ClientMsg) {
        self.effects.push(Effect::Send(msg));
    }

    fn connect(&mut self, now: f64) {
        if self.ever_connected || matches!(self.link, Link::Waiting { .. } | Link::Offline { .. }) {
            self.metrics.reconnect_attempts += 1;
        }
        self.link = Link::Connecting {
            started: now,
            welcomed: false,
        };
        self.effects.push(Effect::Connect(self.selector.current()));
    }

    /// Applies a log entry; acks the user's op. `false` means entries are missing.
    fn apply(&mut self, op: AppliedOp) -> bool {
        if self.outbox.remove(&op.op_id).is_some() {
            self.effects.push(Effect::SaveOutbox);
            if let Some(outage) = &mut self.outage {
                outage.synced += 1;
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

    /// Catch-up done: live; resend everything unconfirmed, in order.
    fn caught_up(&mut self, now: f64) {
        if !matches!(self.link, Link::Connecting { welcomed: true, .. }) {
            return;
        }
        self.ever_connected = true;
        self.selector.handshake_completed();
        self.backoff.connected(now);
        self.metrics.connects += 1;
        self.metrics.live_since = Some(now);
        self.metrics.first_connected.get_or_insert(now);
        self.link = Link::Live {
            heartbeat: Heartbeat::new(
                now,
                self.heartbeat_settings.ping_interval_ms as f64,
                self.heartbeat_settings.pong_timeout_ms as f64,
            ),
        };
        let resend: Vec<ClientMsg> = self
            .outbox
            .entries()
            .map(|e| ClientMsg::Op {
                op_id: e.op_id.clone(),
                op: e.op.clone(),
            })
            .collect();
        for msg in resend {
            self.send(msg);
        }
        if self.outbox.is_empty() {
            self.metrics.last_sync = Some(now);
            self.finish_outage();
        }
        // The first heartbeat ping goes out at once to learn the RTT.
        if let Link::Live { heartbeat } = &mut self.link {
            if let Beat::Ping { t } = heartbeat.poll(now, true) {
                self.send(ClientMsg::Ping { t });
            }
        }
    }

    fn finish_outage(&mut self) {
        if let Some(outage) = self.outage.take() {
            self.effects.push(Effect::Notice(Notice::Restored {
                synced: outage.synced,
            }));
        }
    }

    /// Missing log entries: reconnect at once, the catch-up fills the gap.
    fn resync(&mut self, now: f64) {
        self.metrics.disconnected("gap");
        self.effects.push(Effect::Disconnect);
        self.connect(now);
    }

    /// The link is gone: abandon it and decide when to try again.
    fn lost(&mut self, now: f64, random: f64, reason: &'static str, immediately: bool) {
        let was_live = self.is_live();
        let handshake_failed = matches!(
            self.link,
            Link::Connecting {
                welcomed: false,
                ..
            }
        );
        self.effects.push(Effect::Disconnect);
        if handshake_failed && self.online {
            match self.selector.ws_failed(now) {
                WsFailure::Retry => {}
                WsFailure::CheckHttp => self.effects.push(Effect::CheckHttp),
                WsFailure::FellBack => {
                    // HTTP works and WebSockets do not: go there now, no backoff.
                    self.effects
                        .push(Effect::RememberTransport(Transport::Polling));
                    self.connect(now);
                    return;
                }
            }
        }
        if was_live {
            self.metrics.disconnected(reason);
            self.backoff.disconnected(now);
        }
        if self.ever_connected && self.outage.is_none() {
            self.outage = Some(Outage::default());
            self.effects.push(Effect::Notice(Notice::ConnectionLost));
        }
        if !self.online {
            self.link = Link::Offline {
                probe_at: now + OFFLINE_PROBE_MS,
            };
        } else if let Some(at) = self.server_retry_at.take() {
            self.link = Link::Waiting { until: at.max(now) };
        } else if immediately && was_live {
            self.connect(now);
        } else {
            match self.backoff.next_delay(random) {
                Some(delay) => self.link = Link::Waiting { until: now + delay },
                None => {
                    let reason = "could not reach the server".to_string();
                    self.effects.push(Effect::Notice(Notice::Failed {
                        reason: reason.clone(),
                    }));
                    self.link = Link::Failed { reason };
                }
            }
        }
    }

    /// The server refused this client for good (e.g. an incompatible version).
    fn fail(&mut self, now: f64, reason: String) {
        self.effects.push(Effect::Disconnect);
        if self.is_live() {
            self.metrics.disconnected("fatal");
        }
        self.effects.push(Effect::Notice(Notice::Failed {
            reason: reason.clone(),
        }));
        self.link = Link::Failed { reason };
        self.track_state(now);
    }

    fn track_state(&mut self, now: f64) {
        let state = self.state();
        self.metrics.state_at(now, state);
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
