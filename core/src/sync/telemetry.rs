//! When a client reports on its connection, and what: first
//! [`FIRST_REPORT_MS`] after it first connected, then every
//! [`REPORT_INTERVAL_MS`](crate::defaults::REPORT_INTERVAL_MS) while live, and once more
//! when the page goes away; counters are deltas since the previous report, so summing a
//! client's reports gives its totals and nothing is counted twice.

use super::{
    engine::Transport, metrics::ConnectionMetrics, quality::RttStats, status::ConnectionState,
};
use crate::{
    compact::from_pairs,
    defaults::FIRST_REPORT_MS,
    protocol::report::{
        ConnectionReport, MAX_REPORTED_BYTES, MAX_REPORTED_COUNT, MAX_REPORTED_SPAN_MS,
    },
};
use litemap::LiteMap;

/// The counters as of the last report.
#[derive(Debug, Clone, Default, PartialEq)]
struct Baseline {
    time_in_state: LiteMap<ConnectionState, f64>,
    reconnects: u32,
    disconnects: LiteMap<&'static str, u32>,
    bytes_in: u64,
    bytes_out: u64,
    online_changes: u64,
    visibility_changes: u64,
}

/// One client's reporting schedule and baseline.
#[derive(Debug, Clone)]
pub struct Reporter {
    interval_ms: f64,
    next_at: Option<f64>,
    sent: Baseline,
    online_changes: u64,
    visibility_changes: u64,
}

/// What a report is made from: the engine's view at `now`.
pub struct Snapshot<'a> {
    /// The time of the report (ms).
    pub now: f64,
    /// The connection counters since the page loaded.
    pub metrics: &'a ConnectionMetrics,
    /// The recent round trips.
    pub rtt: &'a RttStats,
    /// The chip state now.
    pub state: ConnectionState,
    /// The transport in use.
    pub transport: Transport,
    /// The user's ops not yet confirmed.
    pub pending: usize,
}

impl Reporter {
    /// Reports every `interval_ms` once live.
    pub fn new(interval_ms: f64) -> Self {
        Self {
            interval_ms,
            next_at: None,
            sent: Baseline::default(),
            online_changes: 0,
            visibility_changes: 0,
        }
    }

    /// The link came up at `now`: the first report is [`FIRST_REPORT_MS`] after the first
    /// time (or one interval, if shorter); later ones keep their schedule.
    pub fn live_from(&mut self, now: f64) {
        if self.next_at.is_none() {
            self.next_at = Some(now + self.interval_ms.min(FIRST_REPORT_MS as f64));
        }
    }

    /// When the next report is due, if scheduled.
    pub fn next_at(&self) -> Option<f64> {
        self.next_at
    }

    /// The browser said online or offline.
    pub fn online_changed(&mut self) {
        self.online_changes += 1;
    }

    /// The tab was hidden or shown.
    pub fn visibility_changed(&mut self) {
        self.visibility_changes += 1;
    }

    /// The report due at `snapshot.now`, if one is (`force`: the page is going away).
    pub fn report(&mut self, snapshot: &Snapshot<'_>, force: bool) -> Option<ConnectionReport> {
        let due = self.next_at.is_some_and(|at| snapshot.now >= at);
        if !due && !force {
            return None;
        }
        self.next_at = Some(snapshot.now + self.interval_ms);
        let now = self.baseline(snapshot);
        let before = std::mem::replace(&mut self.sent, now.clone());
        // Clamped to what the server accepts: after a long sleep a report covers days.
        let count = |delta: u64| delta.min(MAX_REPORTED_COUNT);
        let report = ConnectionReport {
            transport: snapshot.transport.as_str().to_owned(),
            state: snapshot.state.as_str().to_owned(),
            time_in_state_ms: from_pairs(
                now.time_in_state
                    .iter()
                    .map(|(state, ms)| {
                        let earlier = before.time_in_state.get(state).copied().unwrap_or(0.0);
                        let spent = (ms - earlier).max(0.0).round() as u64;
                        (state.as_str().to_owned(), spent.min(MAX_REPORTED_SPAN_MS))
                    })
                    .filter(|(_, ms)| *ms > 0),
            ),
            reconnects: count(u64::from(now.reconnects.saturating_sub(before.reconnects))),
            disconnects: from_pairs(
                now.disconnects
                    .iter()
                    .map(|(reason, n)| {
                        let earlier = before.disconnects.get(reason).copied().unwrap_or(0);
                        (
                            (*reason).to_owned(),
                            count(u64::from(n.saturating_sub(earlier))),
                        )
                    })
                    .filter(|(_, n)| *n > 0),
            ),
            rtt_p50_ms: snapshot.rtt.percentile(50.0),
            rtt_p95_ms: snapshot.rtt.percentile(95.0),
            bytes_in: (now.bytes_in.saturating_sub(before.bytes_in)).min(MAX_REPORTED_BYTES),
            bytes_out: (now.bytes_out.saturating_sub(before.bytes_out)).min(MAX_REPORTED_BYTES),
            pending_ops: count(snapshot.pending as u64),
            online_changes: count(now.online_changes - before.online_changes),
            visibility_changes: count(now.visibility_changes - before.visibility_changes),
        };
        Some(report)
    }

    fn baseline(&self, snapshot: &Snapshot<'_>) -> Baseline {
        let metrics = snapshot.metrics;
        Baseline {
            time_in_state: metrics.time_in_state_at(snapshot.now),
            reconnects: metrics.reconnect_attempts,
            disconnects: metrics.disconnects_by_name(),
            bytes_in: metrics.bytes_in,
            bytes_out: metrics.bytes_out,
            online_changes: self.online_changes,
            visibility_changes: self.visibility_changes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::engine::DisconnectReason;
    use proptest::prelude::*;

    fn snapshot<'a>(now: f64, metrics: &'a ConnectionMetrics, rtt: &'a RttStats) -> Snapshot<'a> {
        Snapshot {
            now,
            metrics,
            rtt,
            state: ConnectionState::Connected,
            transport: Transport::WebSocket,
            pending: 0,
        }
    }

    #[test]
    fn reports_come_soon_after_going_live_then_every_interval_and_say_what_changed() {
        let mut reporter = Reporter::new(30_000.0);
        let mut metrics = ConnectionMetrics::default();
        let rtt = RttStats::default();
        let at = |now| snapshot(now, &metrics, &rtt);
        assert_eq!(reporter.report(&at(0.0), false), None, "not live yet");
        reporter.live_from(1_000.0);
        assert_eq!(reporter.report(&at(5_999.0), false), None);
        metrics.disconnected(DisconnectReason::Heartbeat);
        metrics.reconnect_attempts = 2;
        metrics.bytes_in = 500;
        let at = |now| snapshot(now, &metrics, &rtt);
        let first = reporter.report(&at(6_000.0), false).unwrap();
        assert_eq!(first.disconnects[&"heartbeat".to_owned()], 1);
        assert_eq!((first.reconnects, first.bytes_in), (2, 500));
        assert_eq!(first.validate(), Ok(()));
        assert_eq!(reporter.next_at(), Some(36_000.0));
        reporter.live_from(20_000.0);
        assert_eq!(
            reporter.next_at(),
            Some(36_000.0),
            "a reconnect keeps the schedule"
        );
        metrics.bytes_in = 800;
        let at = |now| snapshot(now, &metrics, &rtt);
        let second = reporter.report(&at(36_000.0), false).unwrap();
        assert!(
            second.disconnects.is_empty(),
            "only what is new since the last report"
        );
        assert_eq!((second.reconnects, second.bytes_in), (0, 300));
        let farewell = reporter.report(&at(37_000.0), true);
        assert!(farewell.is_some(), "the page going away reports at once");
    }

    #[test]
    fn a_report_after_days_asleep_is_still_one_the_server_takes() {
        let mut reporter = Reporter::new(30_000.0);
        let mut metrics = ConnectionMetrics::default();
        let rtt = RttStats::default();
        metrics.state_at(0.0, ConnectionState::Offline);
        reporter.live_from(0.0);
        let two_months = 60.0 * 24.0 * 3_600_000.0;
        metrics.state_at(two_months, ConnectionState::Connected);
        let report = reporter
            .report(&snapshot(two_months + 1.0, &metrics, &rtt), false)
            .unwrap();
        assert_eq!(
            report.time_in_state_ms[&"offline".to_owned()],
            MAX_REPORTED_SPAN_MS
        );
        assert_eq!(report.validate(), Ok(()));
    }

    proptest! {
        #[test]
        fn the_reports_of_a_client_add_up_to_its_totals(
            steps in proptest::collection::vec((0u64..2_000, 0u32..3, any::<bool>()), 1..60)
        ) {
            let mut reporter = Reporter::new(10_000.0);
            let mut metrics = ConnectionMetrics::default();
            let rtt = RttStats::default();
            reporter.live_from(0.0);
            let (mut now, mut summed_bytes, mut summed_drops) = (0.0, 0u64, 0u64);
            for (bytes, drops, force) in steps {
                now += 3_000.0;
                metrics.bytes_out += bytes;
                for _ in 0..drops {
                    metrics.disconnected(DisconnectReason::Closed);
                }
                if let Some(report) = reporter.report(&snapshot(now, &metrics, &rtt), force) {
                    prop_assert_eq!(report.validate(), Ok(()));
                    summed_bytes += report.bytes_out;
                    summed_drops += report.disconnects.values().sum::<u64>();
                }
            }
            let last = reporter.report(&snapshot(now + 1.0, &metrics, &rtt), true).unwrap();
            summed_bytes += last.bytes_out;
            summed_drops += last.disconnects.values().sum::<u64>();
            prop_assert_eq!(summed_bytes, metrics.bytes_out);
            prop_assert_eq!(summed_drops, u64::from(metrics.disconnect_count()));
        }
    }
}
