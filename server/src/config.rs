//! The server's configuration: one struct, from command-line flags with environment
//! fallbacks. Leptos' own settings (`LEPTOS_SITE_ROOT`, `LEPTOS_SITE_ADDR`, ...) are read
//! by Leptos; flags here override them where both exist.

use crate::hub::HubSettings;
use app::protocol::HeartbeatSettings;
use clap::Parser;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Every tunable of a Tether server process.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "tether-server",
    version,
    about = "Tether: a collaborative drawing board"
)]
pub struct Config {
    /// Address to listen on. Defaults to LEPTOS_SITE_ADDR (127.0.0.1:3000); port 0 picks a
    /// free port, which the server logs as `listening on http://...`.
    #[arg(long, env = "TETHER_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Folder for the embedded SQLite database (created if missing).
    #[arg(long, env = "TETHER_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// How long a new connection may take to send its hello before it is closed.
    #[arg(long, env = "TETHER_HANDSHAKE_TIMEOUT_MS", default_value_t = 10_000)]
    pub handshake_timeout_ms: u64,

    /// How long an empty room stays in memory (a reload or quick reconnect finds it warm).
    #[arg(long, env = "TETHER_ROOM_LINGER_MS", default_value_t = 30_000)]
    pub room_linger_ms: u64,

    /// Frames queued for one client before it counts as too slow and is disconnected.
    #[arg(long, env = "TETHER_OUTBOX_FRAMES", default_value_t = 1024)]
    pub outbox_frames: usize,

    /// Newest ops per room kept in memory to replay to clients that reconnect.
    #[arg(long, env = "TETHER_REPLAY_WINDOW", default_value_t = 1000)]
    pub replay_window: usize,

    /// Client heartbeat: interval between app-level pings, sent to clients in Welcome.
    #[arg(long, env = "TETHER_PING_INTERVAL_MS", default_value_t = 15_000)]
    pub ping_interval_ms: u64,

    /// Client heartbeat: a pong later than this marks the link degraded.
    #[arg(long, env = "TETHER_PONG_TIMEOUT_MS", default_value_t = 5_000)]
    pub pong_timeout_ms: u64,
}

impl Config {
    /// The configuration with every default (as if no flag and no env var were given).
    pub fn defaults() -> Self {
        Self::parse_from(["tether-server"])
    }

    /// Handshake deadline.
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_millis(self.handshake_timeout_ms)
    }

    /// The hub's share of the settings.
    pub fn hub_settings(&self) -> HubSettings {
        HubSettings {
            room_linger: Duration::from_millis(self.room_linger_ms),
            outbox_capacity: self.outbox_frames,
            replay_window: self.replay_window,
            heartbeat: HeartbeatSettings {
                ping_interval_ms: self.ping_interval_ms,
                pong_timeout_ms: self.pong_timeout_ms,
            },
        }
    }
}
