//! The numbers behind the live dashboard, kept by this process as things happen (the
//! Prometheus recorder cannot be read back): sessions by transport, ops and reconnects per
//! second over the last minute, recent commit latencies, and the latest telemetry report
//! of each connected client. Everything is bounded: windows by time, samples by count,
//! reports by the connections open.

use super::window::{PerSecond, RecentSamples};
use crate::locks::lock;
use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, OnceLock,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tether_core::{
    protocol::admin::{AdminStats, QualityCounts, TransportCounts},
    sync::quality::Quality,
};

/// What the latest report of one connection said.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientView {
    /// The chip state it showed (`connected`, `degraded`, …).
    pub state: &'static str,
    /// Its median round trip (ms), if it measured any.
    pub rtt_p50_ms: Option<f64>,
}

#[derive(Default)]
struct Windows {
    ops: PerSecond,
    reconnects: PerSecond,
    commits_ms: RecentSamples,
    /// Latest report per connection (removed when the connection ends).
    clients: HashMap<u64, ClientView>,
    /// Why clients' links dropped, summed over their reports.
    drop_reasons: BTreeMap<String, u64>,
}

/// The process's live numbers.
#[derive(Default)]
pub struct Live {
    websocket: AtomicU64,
    polling: AtomicU64,
    reconnects_total: AtomicU64,
    windows: Mutex<Windows>,
}

/// The process's [`Live`].
pub fn live() -> &'static Live {
    static LIVE: OnceLock<Live> = OnceLock::new();
    LIVE.get_or_init(Live::default)
}

impl Live {
    fn transport(&self, transport: &str) -> &AtomicU64 {
        if transport == "polling" {
            &self.polling
        } else {
            &self.websocket
        }
    }

    pub(super) fn connection_opened(&self, transport: &str) {
        self.transport(transport).fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn connection_closed(&self, transport: &str) {
        // Never below zero, even if an open was recorded before a reset.
        let _ = self
            .transport(transport)
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    pub(super) fn reconnect(&self) {
        self.reconnects_total.fetch_add(1, Ordering::Relaxed);
        lock(&self.windows).reconnects.add(unix_seconds());
    }

    pub(super) fn op_applied(&self) {
        lock(&self.windows).ops.add(unix_seconds());
    }

    pub(super) fn commit(&self, took: Duration) {
        lock(&self.windows)
            .commits_ms
            .add(took.as_secs_f64() * 1000.0);
    }

    /// A client's telemetry report for connection `connection`; `dropped` counts the
    /// reasons its link dropped since its previous report.
    pub fn client_report(&self, connection: u64, view: ClientView, dropped: &[(String, u64)]) {
        let mut windows = lock(&self.windows);
        windows.clients.insert(connection, view);
        for (reason, count) in dropped {
            *windows.drop_reasons.entry(reason.clone()).or_default() += count;
        }
    }

    /// Connection `connection` ended: its last report no longer describes anyone.
    pub fn client_gone(&self, connection: u64) {
        lock(&self.windows).clients.remove(&connection);
    }

    /// The dashboard's numbers now (rooms and node are the caller's to fill in).
    pub fn stats(&self) -> AdminStats {
        let now = unix_seconds();
        let windows = lock(&self.windows);
        let mut client_states = BTreeMap::new();
        let mut rtt_classes = QualityCounts::default();
        for view in windows.clients.values() {
            *client_states.entry(view.state.to_owned()).or_default() += 1;
            if let Some(rtt) = view.rtt_p50_ms {
                match Quality::of_rtt(rtt) {
                    Quality::Excellent => rtt_classes.excellent += 1,
                    Quality::Good => rtt_classes.good += 1,
                    Quality::Degraded => rtt_classes.degraded += 1,
                    Quality::Poor => rtt_classes.poor += 1,
                }
            }
        }
        AdminStats {
            connections: TransportCounts {
                websocket: self.websocket.load(Ordering::Relaxed),
                polling: self.polling.load(Ordering::Relaxed),
            },
            client_states,
            ops_per_second: windows.ops.sum_last(now, 10) as f64 / 10.0,
            ops_series: windows.ops.series(now),
            commit_p50_ms: windows.commits_ms.percentile(50.0),
            commit_p99_ms: windows.commits_ms.percentile(99.0),
            rtt_classes,
            reconnects_total: self.reconnects_total.load(Ordering::Relaxed),
            reconnects_last_minute: windows.reconnects.sum_last(now, 60),
            reconnects_series: windows.reconnects.series(now),
            reconnect_reasons: windows.drop_reasons.clone(),
            ..AdminStats::default()
        }
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}
