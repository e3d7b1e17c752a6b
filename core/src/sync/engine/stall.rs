//! Noticing a dead link sooner while the user draws. The heartbeat alone needs up to a
//! ping interval plus two pong timeouts (about 20 s by default) to call an open link dead;
//! a user drawing cannot wait that long to learn their strokes are not getting through.
//! So: an op unacknowledged for longer than [`SyncEngine::stall_bound`] (from the measured
//! round trips: 3 × p95, between 1.5 s and 5 s) sends a probe at once; no pong and no ack
//! within the same bound, and the link is replaced at once. Only an answer to this client
//! (a pong, an ack of its op) counts: other people's messages still arriving prove nothing
//! about the way up. Idle links keep the cheaper heartbeat.
//!
//! A link that only crawls (a weak uplink under a backlog) looks stalled too, and
//! replacing it would resend the backlog and stall again: each stall-triggered drop
//! doubles the bound for the following links (up to [`MAX_STALLED_BOUND_MS`]), until the
//! client is fully in sync again.

use super::{DisconnectReason, LinkState, SyncEngine};
use crate::protocol::ClientMsg;

/// The stall bound never goes below this (ms): a fast link may still take a moment.
const MIN_STALL_MS: f64 = 1_500.0;
/// Nor above this (ms): a black hole is noticed within two of these.
const MAX_STALL_MS: f64 = 5_000.0;
/// Without a measured round trip yet.
const UNMEASURED_STALL_MS: f64 = 3_000.0;
/// The bound after repeated stall drops never exceeds this (ms).
const MAX_STALLED_BOUND_MS: f64 = 60_000.0;

impl SyncEngine {
    /// How long an op may stay unacknowledged, and a stall probe unanswered (ms).
    pub fn stall_bound(&self) -> f64 {
        let bound = self
            .rtt
            .percentile(95.0)
            .map_or(UNMEASURED_STALL_MS, |p95| 3.0 * p95)
            .clamp(MIN_STALL_MS, MAX_STALL_MS);
        (bound * 2f64.powi(self.stall_drops.min(8) as i32)).min(MAX_STALLED_BOUND_MS)
    }

    /// An op went out on the live link at `now`.
    pub(super) fn op_sent(&mut self, now: f64) {
        self.unacked_since.get_or_insert(now);
    }

    /// The server answered this client (a pong, an ack): the way up works. The clock of
    /// what is still unacknowledged starts over.
    pub(super) fn answered(&mut self, now: f64) {
        self.stall_deadline = None;
        self.unacked_since = (!self.outbox.is_empty() && self.is_live()).then_some(now);
        if self.outbox.is_empty() {
            self.stall_drops = 0; // in sync: the link carried everything
        }
    }

    /// A new link, or none: nothing is in flight on it yet.
    pub(super) fn forget_stall(&mut self) {
        self.unacked_since = None;
        self.stall_deadline = None;
    }

    /// From `tick`, while live and visible: probe a stalled link, replace a dead one.
    /// Returns `true` when the link was given up.
    pub(super) fn check_stall(&mut self, now: f64, random: f64) -> bool {
        if !self.visible || !matches!(self.link, LinkState::Live { .. }) {
            return false;
        }
        let bound = self.stall_bound();
        match (self.stall_deadline, self.unacked_since) {
            (Some(deadline), _) if now >= deadline => {
                self.forget_stall();
                self.stall_drops += 1;
                self.lost(now, random, DisconnectReason::Heartbeat);
                true
            }
            (None, Some(since)) if now - since >= bound => {
                self.stall_deadline = Some(now + bound);
                self.send(ClientMsg::Ping { t: now });
                false
            }
            _ => false,
        }
    }

    /// When `check_stall` next has something to do, if anything.
    pub(super) fn stall_wakeup(&self) -> Option<f64> {
        if !self.visible || !self.is_live() {
            return None;
        }
        match (self.stall_deadline, self.unacked_since) {
            (Some(deadline), _) => Some(deadline),
            (None, Some(since)) => Some(since + self.stall_bound()),
            _ => None,
        }
    }
}
