//! The engine's connection reports: one every interval while live (from `tick`), and a
//! last one before `Unloading` when the page goes away ([`SyncEngine::farewell`]).

use super::{LinkState, SyncEngine};
use crate::{protocol::ClientMsg, sync::telemetry::Snapshot};

impl SyncEngine {
    /// The report to send now, if one is due (`force`: whatever the schedule); only while
    /// live.
    pub(super) fn due_report(&mut self, now: f64, force: bool) -> Option<ClientMsg> {
        if !matches!(self.link, LinkState::Live { .. }) {
            return None;
        }
        let snapshot = Snapshot {
            now,
            metrics: &self.metrics,
            rtt: &self.rtt,
            state: self.state(),
            transport: self.selector.current(),
            pending: self.outbox.len(),
        };
        self.reporter
            .report(&snapshot, force)
            .map(ClientMsg::Report)
    }

    /// The page is going away: what to send on a live link, in order — the last
    /// connection report, then `Unloading`. Empty when not live (nothing would arrive).
    pub fn farewell(&mut self, now: f64) -> Vec<ClientMsg> {
        self.due_report(now, true)
            .into_iter()
            .chain(self.is_live().then_some(ClientMsg::Unloading))
            .collect()
    }
}
