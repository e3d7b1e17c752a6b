//! Counters about the connection, for the metrics panel and the chip's popover.

use super::{engine::DisconnectReason, status::ConnectionState};
use litemap::LiteMap;

/// Connection counters of one client since the page loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectionMetrics {
    /// Links that completed the handshake.
    pub connects: u32,
    /// Links lost, by reason.
    pub disconnects: LiteMap<DisconnectReason, u32>,
    /// Connection attempts after the first.
    pub reconnect_attempts: u32,
    /// Bytes received (text frames).
    pub bytes_in: u64,
    /// Bytes sent (text frames).
    pub bytes_out: u64,
    /// Frames received.
    pub frames_in: u64,
    /// Frames sent.
    pub frames_out: u64,
    /// Finished strokes sent (resends count again: they cost bytes again).
    pub strokes_sent: u32,
    /// Bytes of those strokes' messages.
    pub stroke_bytes_sent: u64,
    /// When the current link came up (ms), if live.
    pub live_since: Option<f64>,
    /// When the first link came up (ms).
    pub first_connected: Option<f64>,
    /// Last time the client was fully in sync with the server (ms).
    pub last_sync: Option<f64>,
    /// Time spent per state (ms), up to the last state change.
    pub time_in_state: LiteMap<ConnectionState, f64>,
    state: Option<(ConnectionState, f64)>,
}

impl ConnectionMetrics {
    /// The average size of a finished stroke's message, once one was sent.
    pub fn bytes_per_stroke(&self) -> Option<f64> {
        (self.strokes_sent > 0).then(|| self.stroke_bytes_sent as f64 / self.strokes_sent as f64)
    }

    /// Counts a lost link.
    pub fn disconnected(&mut self, reason: DisconnectReason) {
        *self.disconnects.entry(reason).or_default() += 1;
        self.live_since = None;
    }

    /// Links lost, by reason name.
    pub fn disconnects_by_name(&self) -> LiteMap<&'static str, u32> {
        crate::compact::from_pairs(
            self.disconnects
                .iter()
                .map(|(reason, n)| (reason.as_str(), *n)),
        )
    }

    /// Total links lost.
    pub fn disconnect_count(&self) -> u32 {
        self.disconnects.values().sum()
    }

    /// Records the state shown at `now`, accumulating time in the previous one.
    pub fn state_at(&mut self, now: f64, state: ConnectionState) {
        match self.state {
            Some((current, _)) if current == state => {}
            Some((previous, since)) => {
                *self.time_in_state.entry(previous).or_default() += (now - since).max(0.0);
                self.state = Some((state, now));
            }
            None => self.state = Some((state, now)),
        }
    }

    /// Time per state including the current stretch.
    pub fn time_in_state_at(&self, now: f64) -> LiteMap<ConnectionState, f64> {
        let mut totals = self.time_in_state.clone();
        if let Some((state, since)) = self.state {
            *totals.entry(state).or_default() += (now - since).max(0.0);
        }
        totals
    }

    /// How long the current link has been up (ms).
    pub fn uptime(&self, now: f64) -> Option<f64> {
        self.live_since.map(|since| (now - since).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_accumulated_per_state() {
        let mut metrics = ConnectionMetrics::default();
        metrics.state_at(0.0, ConnectionState::Connecting);
        metrics.state_at(100.0, ConnectionState::Connected);
        metrics.state_at(150.0, ConnectionState::Connected);
        metrics.state_at(1_100.0, ConnectionState::Reconnecting);
        let totals = metrics.time_in_state_at(1_600.0);
        assert_eq!(totals[&ConnectionState::Connecting], 100.0);
        assert_eq!(totals[&ConnectionState::Connected], 1_000.0);
        assert_eq!(totals[&ConnectionState::Reconnecting], 500.0);
    }

    #[test]
    fn disconnects_are_counted_by_reason() {
        let mut metrics = ConnectionMetrics {
            live_since: Some(5.0),
            ..Default::default()
        };
        metrics.disconnected(DisconnectReason::Heartbeat);
        metrics.disconnected(DisconnectReason::Closed);
        metrics.disconnected(DisconnectReason::Closed);
        assert_eq!(metrics.disconnect_count(), 3);
        assert_eq!(metrics.disconnects[&DisconnectReason::Closed], 2);
        assert_eq!(metrics.uptime(10.0), None);
    }
}
