//! What a client learns when it joins: its session, the settings it must use, the
//! server's limits and who else is in the room.

use crate::{defaults, limits};
use serde::{Deserialize, Serialize};

/// Session facts and server settings a client needs after connecting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Welcome {
    /// The server's protocol version.
    pub protocol: u32,
    /// This connection's public session id (peers know the user by it).
    pub session: String,
    /// Secret that lets this client resume the session after a drop.
    pub resume_token: String,
    /// The author id this client's ops carry (peers see it, never the client id).
    #[serde(default)]
    pub author: String,
    /// True when an earlier session was resumed rather than a new one started.
    pub resumed: bool,
    /// The room's last seq when the client joined.
    pub room_seq: u64,
    /// Id of the room's history; sent back in the next `Hello` with `last_seq`.
    pub epoch: String,
    /// Heartbeat timings to use.
    pub heartbeat: HeartbeatSettings,
    /// Reconnect timings to use.
    pub reconnect: ReconnectSettings,
    /// The server's input limits.
    pub limits: Limits,
    /// Everyone else in the room.
    pub peers: Vec<Peer>,
}

/// Heartbeat timings the client must use (tests shorten them through server config).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatSettings {
    /// Between pings while the tab is visible.
    pub ping_interval_ms: u64,
    /// A pong later than this marks the link degraded; two misses mean dead.
    pub pong_timeout_ms: u64,
}

impl Default for HeartbeatSettings {
    fn default() -> Self {
        Self {
            ping_interval_ms: defaults::PING_INTERVAL_MS,
            pong_timeout_ms: defaults::PONG_TIMEOUT_MS,
        }
    }
}

/// How clients reconnect (tests shorten these through server config).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconnectSettings {
    /// First backoff ceiling; doubles per attempt.
    pub base_ms: u64,
    /// The longest backoff delay.
    pub cap_ms: u64,
    /// Attempts before the client shows `failed`.
    pub max_attempts: u32,
    /// A link up this long resets the attempt counter.
    pub stable_after_ms: u64,
    /// An unfinished handshake after this long is abandoned.
    pub handshake_timeout_ms: u64,
    /// How long the server keeps a dropped session resumable (peers see it `away`).
    pub grace_ms: u64,
    /// On the polling fallback, how often to probe whether WebSockets work again.
    pub ws_probe_interval_ms: u64,
    /// Once `failed`, how often the client still tries, quietly.
    #[serde(default = "default_quiet_retry_ms")]
    pub quiet_retry_ms: u64,
}

fn default_quiet_retry_ms() -> u64 {
    defaults::QUIET_RETRY_MS
}

impl Default for ReconnectSettings {
    fn default() -> Self {
        Self {
            base_ms: defaults::BACKOFF_BASE_MS,
            cap_ms: defaults::BACKOFF_CAP_MS,
            max_attempts: defaults::BACKOFF_MAX_ATTEMPTS,
            stable_after_ms: defaults::STABLE_AFTER_MS,
            handshake_timeout_ms: defaults::HANDSHAKE_TIMEOUT_MS,
            grace_ms: defaults::GRACE_MS,
            ws_probe_interval_ms: defaults::WS_PROBE_INTERVAL_MS,
            quiet_retry_ms: defaults::QUIET_RETRY_MS,
        }
    }
}

/// The server's input limits, so clients can stay inside them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// See [`limits::MAX_FRAME_BYTES`].
    pub max_frame_bytes: usize,
    /// See [`limits::MAX_POINTS_PER_STROKE`].
    pub max_points_per_stroke: usize,
    /// See [`limits::MAX_COORDINATE`].
    pub max_coordinate: f32,
    /// See [`limits::MIN_STROKE_WIDTH`].
    pub min_stroke_width: f32,
    /// See [`limits::MAX_STROKE_WIDTH`].
    pub max_stroke_width: f32,
    /// See [`limits::MAX_NAME_CHARS`].
    pub max_name_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: limits::MAX_FRAME_BYTES,
            max_points_per_stroke: limits::MAX_POINTS_PER_STROKE,
            max_coordinate: limits::MAX_COORDINATE,
            min_stroke_width: limits::MIN_STROKE_WIDTH,
            max_stroke_width: limits::MAX_STROKE_WIDTH,
            max_name_chars: limits::MAX_NAME_CHARS,
        }
    }
}

/// Someone in the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Peer {
    /// The peer's public session id.
    pub session: String,
    /// Display name.
    pub name: String,
    /// Presence colour.
    pub color: String,
    /// `active`, or `away` while the peer's connection is down within the grace period.
    pub state: PeerState,
}

/// Whether a peer is connected right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PeerState {
    /// Connected.
    Active,
    /// Connection dropped; resumable until the grace period ends.
    Away,
}
