//! The link's life cycle: connecting, catching up, live, lost (wait, offline or give up),
//! and the chip state and timer schedule that follow from it.

use super::{ConnectionId, DisconnectReason, Effect, Notice, SyncEngine, Transport};
use crate::{
    defaults::{CALM_NOTICE_MS, OFFLINE_PROBE_MS},
    protocol::ClientMsg,
    sync::{
        heartbeat::{Beat, Heartbeat},
        quality::Quality,
        status::ConnectionState,
        transport::WsFailure,
    },
};

/// Where the link stands.
#[derive(Debug, Clone)]
pub(super) enum LinkState {
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
    /// Gave up: the chip says so. `retry_at`: a quiet attempt is due then (after running
    /// out of attempts); `None` after a refusal retrying cannot fix.
    Failed {
        reason: String,
        retry_at: Option<f64>,
    },
}

impl LinkState {
    /// Offline from `now` on, with the slow probe scheduled.
    pub(super) fn offline_from(now: f64) -> Self {
        LinkState::Offline {
            probe_at: now + OFFLINE_PROBE_MS as f64,
        }
    }
}

impl SyncEngine {
    /// The state the chip shows.
    pub fn state(&self) -> ConnectionState {
        match &self.link {
            // Only the very first attempt is "connecting"; once one failed, every further
            // attempt is a reconnection (the chip keeps "Retry now" instead of flapping).
            // A quiet attempt after giving up: the chip keeps saying `failed` until it works.
            LinkState::Connecting { .. } | LinkState::Waiting { .. } if self.quiet => {
                ConnectionState::Failed
            }
            LinkState::Idle | LinkState::Connecting { .. }
                if !self.ever_connected && self.backoff.attempt() == 0 =>
            {
                ConnectionState::Connecting
            }
            LinkState::Idle | LinkState::Connecting { .. } | LinkState::Waiting { .. } => {
                ConnectionState::Reconnecting
            }
            LinkState::Live { heartbeat } => {
                let slow = heartbeat.overdue() || self.rtt.quality().is_some_and(Quality::is_slow);
                if slow || self.selector.current() == Transport::Polling {
                    ConnectionState::Degraded
                } else {
                    ConnectionState::Connected
                }
            }
            LinkState::Offline { .. } => ConnectionState::Offline,
            LinkState::Failed { .. } => ConnectionState::Failed,
        }
    }

    /// When the engine next needs a `tick` (ms), if ever. The host must call `tick` at or
    /// after that time; how late it comes tells the heartbeat whether timers were stalled.
    pub fn schedule(&mut self) -> Option<f64> {
        let link = match &mut self.link {
            LinkState::Connecting { started, .. } => {
                Some(*started + self.config.handshake_timeout_ms)
            }
            LinkState::Waiting { until } => Some(*until),
            LinkState::Offline { probe_at } => Some(*probe_at),
            LinkState::Live { heartbeat } => {
                let at = heartbeat.next_wakeup(self.visible);
                if let Some(at) = at {
                    heartbeat.expect_wakeup(at);
                }
                at
            }
            LinkState::Failed { retry_at, .. } => *retry_at,
            LinkState::Idle => None,
        };
        let report = self.reporter.next_at().filter(|_| self.is_live());
        [
            link,
            self.awareness.next_expiry(),
            self.selector.next_wakeup(),
            report,
            self.announcement_due(),
            self.stall_wakeup(),
        ]
        .into_iter()
        .flatten()
        .min_by(f64::total_cmp)
    }

    /// When the next reconnect attempt happens (ms), while waiting.
    pub fn retry_at(&self) -> Option<f64> {
        match &self.link {
            LinkState::Waiting { until } => Some(*until),
            LinkState::Offline { probe_at } => Some(*probe_at),
            _ => None,
        }
    }

    /// Opens a new connection (the previous one, if any, was abandoned).
    pub(super) fn connect(&mut self, now: f64) {
        if self.ever_connected
            || matches!(
                self.link,
                LinkState::Waiting { .. } | LinkState::Offline { .. }
            )
        {
            self.metrics.reconnect_attempts += 1;
        }
        self.link = LinkState::Connecting {
            started: now,
            welcomed: false,
        };
        self.selector.attempt_started();
        self.forget_stall();
        self.next_connection += 1;
        let id = ConnectionId(self.next_connection);
        self.current = Some(id);
        self.effects.push(Effect::Connect {
            id,
            transport: self.selector.current(),
        });
    }

    /// Drops the current connection: nothing it reports counts any more.
    pub(super) fn abandon(&mut self) {
        self.forget_stall();
        self.current = None;
        self.effects.push(Effect::Disconnect);
    }

    /// Catch-up done: live; resend everything unconfirmed, in order.
    pub(super) fn caught_up(&mut self, now: f64) {
        if !matches!(self.link, LinkState::Connecting { welcomed: true, .. }) {
            return;
        }
        self.ever_connected = true;
        self.quiet = false;
        self.selector.handshake_completed();
        self.backoff.connected(now);
        self.metrics.connects += 1;
        self.metrics.live_since = Some(now);
        self.metrics.first_connected.get_or_insert(now);
        self.reporter.live_from(now);
        let mut heartbeat = Heartbeat::new(
            now,
            self.heartbeat_settings.ping_interval_ms as f64,
            self.heartbeat_settings.pong_timeout_ms as f64,
        );
        // The first heartbeat ping goes out at once to learn the RTT (after the resends).
        let first_ping = heartbeat.poll(now, true);
        self.link = LinkState::Live { heartbeat };
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
        if !self.outbox.is_empty() {
            self.op_sent(now);
        }
        if self.outbox.is_empty() {
            self.in_sync(now);
        }
        if let Beat::Ping { t } = first_ping {
            self.send(ClientMsg::Ping { t });
        }
    }

    /// Nothing of the user's is unconfirmed: note the time, end any outage.
    pub(super) fn in_sync(&mut self, now: f64) {
        self.metrics.last_sync = Some(now);
        if let Some(synced) = self.outage_synced.take() {
            if std::mem::take(&mut self.outage_announced) {
                self.effects
                    .push(Effect::Notice(Notice::Restored { synced }));
            }
        }
    }

    /// Announces the current outage if the last announcement is far enough back (at once
    /// for a first outage; for a flapping link, only once the calm period has passed).
    pub(super) fn announce_if_calm(&mut self, now: f64) {
        let calm = self
            .announced_at
            .is_none_or(|at| now - at >= CALM_NOTICE_MS as f64);
        if self.outage_synced.is_some() && !self.outage_announced && calm {
            self.outage_announced = true;
            self.announced_at = Some(now);
            self.effects.push(Effect::Notice(Notice::ConnectionLost));
        }
    }

    /// When a rationed announcement of the current outage becomes due, if one is waiting.
    pub(super) fn announcement_due(&self) -> Option<f64> {
        match (self.outage_synced, self.outage_announced, self.announced_at) {
            (Some(_), false, Some(at)) => Some(at + CALM_NOTICE_MS as f64),
            _ => None,
        }
    }

    /// Missing log entries: reconnect at once, the catch-up fills the gap.
    pub(super) fn resync(&mut self, now: f64) {
        self.metrics.disconnected(DisconnectReason::Gap);
        self.abandon();
        self.connect(now);
    }

    /// The link is gone: abandon it and decide when to try again.
    pub(super) fn lost(&mut self, now: f64, random: f64, reason: DisconnectReason) {
        let was_live = self.is_live();
        let handshake_failed = matches!(
            self.link,
            LinkState::Connecting {
                welcomed: false,
                ..
            }
        );
        self.abandon();
        if handshake_failed && self.online {
            match self.selector.ws_failed(now) {
                WsFailure::Retry => {}
                WsFailure::CheckHttp => self.effects.push(Effect::CheckHttp),
                WsFailure::Confirm => {
                    // HTTP answered while this attempt was under way: decide now.
                    self.connect(now);
                    return;
                }
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
        if self.ever_connected && self.outage_synced.is_none() {
            self.outage_synced = Some(0);
            self.announce_if_calm(now);
        }
        if !self.online {
            self.link = LinkState::offline_from(now);
        } else if let Some(at) = self.server_retry_at.take() {
            self.link = LinkState::Waiting { until: at.max(now) };
        } else if reason.reconnects_at_once() && was_live {
            self.connect(now);
        } else {
            match self.backoff.next_delay(random) {
                Some(delay) => self.link = LinkState::Waiting { until: now + delay },
                None => {
                    let reason = "could not reach the server".to_string();
                    // Said once; the quiet attempts that follow fail without a word.
                    if !self.quiet {
                        self.effects.push(Effect::Notice(Notice::Failed {
                            code: None,
                            reason: reason.clone(),
                        }));
                    }
                    self.quiet = true;
                    // Spread like any retry, so clients do not come back all at once.
                    let retry_at = now + self.quiet_retry_ms * (0.5 + random.clamp(0.0, 1.0) / 2.0);
                    self.link = LinkState::Failed {
                        reason,
                        retry_at: Some(retry_at),
                    };
                }
            }
        }
    }

    /// The server refused this client for good (e.g. an incompatible version), with
    /// `code` and `reason`.
    pub(super) fn fail(&mut self, now: f64, code: String, reason: String) {
        self.abandon();
        if self.is_live() {
            self.metrics.disconnected(DisconnectReason::Fatal);
        }
        self.effects.push(Effect::Notice(Notice::Failed {
            code: Some(code),
            reason: reason.clone(),
        }));
        self.quiet = false;
        self.link = LinkState::Failed {
            reason,
            retry_at: None,
        };
        self.track_state(now);
    }

    /// Accumulates time per chip state.
    pub(super) fn track_state(&mut self, now: f64) {
        let state = self.state();
        self.metrics.state_at(now, state);
    }
}
