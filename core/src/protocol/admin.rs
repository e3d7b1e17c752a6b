//! What the operator dashboard (`/admin`) shows, as the server sends it: the page embeds
//! one of these and then fetches a fresh one every few seconds from `/api/admin/stats`.
//! Everything here is about this node; nothing identifies a user.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A dashboard snapshot of one node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminStats {
    /// The node's id in cluster mode.
    pub node: Option<String>,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
    /// Sessions connected right now, by transport.
    pub connections: TransportCounts,
    /// Connected clients by the state their chip last reported (telemetry).
    pub client_states: BTreeMap<String, u64>,
    /// Ops applied per second, averaged over the last 10 s.
    pub ops_per_second: f64,
    /// Ops applied in each of the last 60 seconds, oldest first.
    pub ops_series: Vec<u32>,
    /// Storage commit latency, median over the recent commits (ms).
    pub commit_p50_ms: Option<f64>,
    /// Storage commit latency, 99th percentile over the recent commits (ms).
    pub commit_p99_ms: Option<f64>,
    /// Connected clients by the quality of their last reported round trip (p50).
    pub rtt_classes: QualityCounts,
    /// Clients that came back with a resume token (resumed or after the grace period).
    pub reconnects_total: u64,
    /// Reconnects in the last 60 s.
    pub reconnects_last_minute: u64,
    /// Reconnects per second over the last 60 s, oldest first.
    pub reconnects_series: Vec<u32>,
    /// Why clients' links dropped, as they reported it.
    pub reconnect_reasons: BTreeMap<String, u64>,
    /// Rooms held in memory.
    pub loaded_rooms: u64,
    /// The busiest loaded rooms (most members, then most ops).
    pub rooms: Vec<RoomActivity>,
    /// In cluster mode: every node's summary, this one included (empty on one node).
    pub nodes: Vec<NodeSummary>,
}

impl AdminStats {
    /// Sessions connected on any transport.
    pub fn total_connections(&self) -> u64 {
        self.connections.websocket + self.connections.polling
    }
}

/// One node at a glance, as it last published itself (cluster mode).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSummary {
    /// The node's id.
    pub node: String,
    /// Seconds since it started.
    pub uptime_seconds: u64,
    /// Sessions connected to it.
    pub connections: u64,
    /// Rooms it holds in memory.
    pub loaded_rooms: u64,
    /// Ops applied per second (last 10 s).
    pub ops_per_second: f64,
    /// Its storage commit p99 (ms).
    pub commit_p99_ms: Option<f64>,
    /// Reconnects it saw in the last minute.
    pub reconnects_last_minute: u64,
    /// When it published this (Unix seconds).
    pub updated_at: u64,
}

impl AdminStats {
    /// This node's line in the cluster's node table, as of `now` (Unix seconds).
    pub fn summary(&self, now: u64) -> NodeSummary {
        NodeSummary {
            node: self.node.clone().unwrap_or_default(),
            uptime_seconds: self.uptime_seconds,
            connections: self.total_connections(),
            loaded_rooms: self.loaded_rooms,
            ops_per_second: self.ops_per_second,
            commit_p99_ms: self.commit_p99_ms,
            reconnects_last_minute: self.reconnects_last_minute,
            updated_at: now,
        }
    }
}

/// Counts per transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TransportCounts {
    /// On WebSocket.
    pub websocket: u64,
    /// On the HTTP long-polling fallback.
    pub polling: u64,
}

/// Counts per link quality class (see `sync::quality::Quality`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QualityCounts {
    /// Under 100 ms.
    pub excellent: u64,
    /// Under 300 ms.
    pub good: u64,
    /// Under 1 s.
    pub degraded: u64,
    /// 1 s or more.
    pub poor: u64,
}

impl QualityCounts {
    /// The counts in display order, with their class names.
    pub fn classes(&self) -> [(&'static str, u64); 4] {
        [
            ("excellent", self.excellent),
            ("good", self.good),
            ("degraded", self.degraded),
            ("poor", self.poor),
        ]
    }
}

/// One loaded room's activity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomActivity {
    /// The room id (shown to the admin only).
    pub room: String,
    /// Members (connected or away).
    pub members: u64,
    /// Ops applied since the room was loaded on this node.
    pub ops: u64,
    /// Seconds since the last op or join.
    pub idle_seconds: u64,
}
