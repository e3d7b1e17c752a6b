//! A client's connection report (telemetry): sent every
//! [`REPORT_INTERVAL_MS`](crate::defaults::REPORT_INTERVAL_MS) while live
//! and once when the page goes away, aggregated by the server into its metrics and never
//! stored per user. Counters are deltas since the client's previous report, so the server
//! only adds them up.

use crate::sync::{engine::DisconnectReason, status::ConnectionState};
use litemap::LiteMap;
use serde::{Deserialize, Serialize};

/// The most a report may claim for one interval — far above anything real, low enough
/// that a hostile client cannot skew the totals much.
pub const MAX_REPORTED_COUNT: u64 = 10_000;
/// The most bytes a report may claim per direction.
pub const MAX_REPORTED_BYTES: u64 = 1 << 30;
/// The longest round trip a report may claim (ms).
pub const MAX_REPORTED_RTT_MS: f64 = 600_000.0;
/// The most time per state a report may claim (ms): 31 days (a report after a long sleep
/// covers it all; clients clamp to this).
pub const MAX_REPORTED_SPAN_MS: u64 = 31 * 24 * 3_600 * 1_000;

/// One client's report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    /// `websocket` or `polling`.
    pub transport: String,
    /// The chip state when the report was made.
    pub state: String,
    /// Time per chip state since the previous report (ms).
    pub time_in_state_ms: LiteMap<String, u64>,
    /// Connection attempts after the first, since the previous report.
    pub reconnects: u64,
    /// Links lost since the previous report, by reason.
    pub disconnects: LiteMap<String, u64>,
    /// Round-trip percentiles over the recent pings (ms).
    pub rtt_p50_ms: Option<f64>,
    /// 95th percentile of the recent round trips (ms).
    pub rtt_p95_ms: Option<f64>,
    /// Bytes received since the previous report.
    pub bytes_in: u64,
    /// Bytes sent since the previous report.
    pub bytes_out: u64,
    /// The user's ops not yet confirmed.
    pub pending_ops: u64,
    /// Browser `online`/`offline` events since the previous report.
    pub online_changes: u64,
    /// Tab visibility changes since the previous report.
    pub visibility_changes: u64,
}

/// Why a report was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidReport(pub String);

impl ConnectionReport {
    /// Checks every field against the names and bounds above.
    pub fn validate(&self) -> Result<(), InvalidReport> {
        let bad = |why: String| Err(InvalidReport(why));
        if !matches!(self.transport.as_str(), "websocket" | "polling") {
            return bad(format!(
                "unknown transport {:?}",
                truncated(&self.transport)
            ));
        }
        if !is_state(&self.state) {
            return bad(format!("unknown state {:?}", truncated(&self.state)));
        }
        if let Some(state) = self.time_in_state_ms.keys().find(|s| !is_state(s)) {
            return bad(format!("unknown state {:?}", truncated(state)));
        }
        if self
            .time_in_state_ms
            .values()
            .any(|ms| *ms > MAX_REPORTED_SPAN_MS)
        {
            return bad("time in state out of range".into());
        }
        if let Some(reason) = self.disconnects.keys().find(|r| !is_reason(r)) {
            return bad(format!("unknown disconnect reason {:?}", truncated(reason)));
        }
        let counts = [
            self.reconnects,
            self.pending_ops,
            self.online_changes,
            self.visibility_changes,
        ];
        if counts
            .into_iter()
            .chain(self.disconnects.values().copied())
            .any(|n| n > MAX_REPORTED_COUNT)
        {
            return bad("count out of range".into());
        }
        if self.bytes_in > MAX_REPORTED_BYTES || self.bytes_out > MAX_REPORTED_BYTES {
            return bad("byte count out of range".into());
        }
        let rtt_ok = |rtt: Option<f64>| {
            rtt.is_none_or(|ms| ms.is_finite() && (0.0..=MAX_REPORTED_RTT_MS).contains(&ms))
        };
        if !rtt_ok(self.rtt_p50_ms) || !rtt_ok(self.rtt_p95_ms) {
            return bad("round trip out of range".into());
        }
        Ok(())
    }
}

fn is_state(name: &str) -> bool {
    ConnectionState::ALL.iter().any(|s| s.as_str() == name)
}

fn is_reason(name: &str) -> bool {
    DisconnectReason::ALL.iter().any(|r| r.as_str() == name)
}

/// At most 32 characters of a client's text, for an error message.
fn truncated(text: &str) -> String {
    text.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ConnectionReport {
        ConnectionReport {
            transport: "websocket".into(),
            state: "connected".into(),
            time_in_state_ms: [("connected".to_owned(), 30_000)].into_iter().collect(),
            reconnects: 1,
            disconnects: [("heartbeat".to_owned(), 1)].into_iter().collect(),
            rtt_p50_ms: Some(40.0),
            rtt_p95_ms: Some(90.0),
            bytes_in: 1_000,
            bytes_out: 500,
            pending_ops: 0,
            online_changes: 0,
            visibility_changes: 2,
        }
    }

    #[test]
    fn a_real_report_passes_and_round_trips() {
        let report = valid();
        assert_eq!(report.validate(), Ok(()));
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(
            serde_json::from_str::<ConnectionReport>(&json).unwrap(),
            report
        );
    }

    #[test]
    fn unknown_names_and_absurd_numbers_are_refused() {
        type Spoil = fn(&mut ConnectionReport);
        let cases: [(Spoil, &str); 8] = [
            (|r| r.transport = "carrier-pigeon".into(), "transport"),
            (|r| r.state = "x".repeat(10_000), "state"),
            (
                |r| {
                    r.time_in_state_ms.insert("nap".into(), 1);
                },
                "state",
            ),
            (
                |r| {
                    r.disconnects.insert("cosmic_ray".into(), 1);
                },
                "reason",
            ),
            (|r| r.reconnects = MAX_REPORTED_COUNT + 1, "count"),
            (|r| r.bytes_out = u64::MAX, "byte"),
            (|r| r.rtt_p50_ms = Some(f64::NAN), "round trip"),
            (|r| r.rtt_p95_ms = Some(-1.0), "round trip"),
        ];
        for (spoil, expected) in cases {
            let mut report = valid();
            spoil(&mut report);
            let InvalidReport(why) = report.validate().unwrap_err();
            assert!(why.contains(expected), "{why:?} should mention {expected}");
            assert!(why.len() < 100, "error messages stay short: {why}");
        }
    }
}
