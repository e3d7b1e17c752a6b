//! Slowing down when the server asks: after `error{rate_limited}` no durable op is sent
//! until the pause is over; then every unconfirmed op from the first one the server did
//! not take is resent, in order. The server drops everything from a throttled connection
//! until then, so one client's ops never reach the log out of order.

use super::SyncEngine;
use crate::protocol::ClientMsg;

/// A pause the server asked for (`error{rate_limited}`).
#[derive(Debug, Clone)]
pub(super) struct Throttle {
    /// When durable ops may flow again.
    pub(super) until: f64,
    /// The first op the server did not take: the resend starts there.
    pub(super) from: Option<String>,
}

impl SyncEngine {
    /// The pause is over: resend, in order, every unconfirmed op from the first one the
    /// server did not take (everything before it was taken and will be acknowledged).
    pub(super) fn resume_after_throttle(&mut self) {
        let Some(throttle) = self.throttle.take() else {
            return;
        };
        if !self.is_live() {
            return; // the catch-up of the next connection resends everything anyway
        }
        let start = throttle
            .from
            .and_then(|from| self.outbox.entries().position(|e| e.op_id == from))
            .unwrap_or(0);
        let resend: Vec<ClientMsg> = self
            .outbox
            .entries()
            .skip(start)
            .map(|e| ClientMsg::Op {
                op_id: e.op_id.clone(),
                op: e.op.clone(),
            })
            .collect();
        for msg in resend {
            self.send(msg);
        }
    }
}
