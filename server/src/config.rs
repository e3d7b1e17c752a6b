//! The server's configuration: one struct, from command-line flags with environment
//! fallbacks. Leptos' own settings (`LEPTOS_SITE_ROOT`, `LEPTOS_SITE_ADDR`, ...) are read
//! by Leptos; flags here override them where both exist.

use crate::{
    access::PublicUrl,
    connection::{
        budget::{EphemeralBudget, GuessBudget, JoinBudget, OpBudget, Rate},
        permits::ConnectionCaps,
    },
    hub::{
        log::{BoardCaps, LogSettings},
        HubSettings,
    },
    identity::AuthorKey,
};
use clap::Parser;
use std::{net::IpAddr, sync::Arc};
use std::{net::SocketAddr, path::PathBuf, time::Duration};
use tether_core::{
    defaults, limits,
    protocol::{HeartbeatSettings, ReconnectSettings, ServerMsg},
};

/// Wrong admin tokens per minute from one address: a mistyped token or two cost nothing,
/// and guessing a 128-bit token at this pace takes forever.
pub const ADMIN_GUESSES_PER_MINUTE: u32 = 10;

/// Frames queued for one client before it counts as too slow and is disconnected: a
/// burst of a thousand strokes from a busy room fits; a client stalled for good does not
/// hold memory forever.
pub const OUTBOX_FRAMES: usize = 1024;

/// Newest ops per room kept in memory to replay to clients that reconnect; clients
/// further behind get a snapshot.
pub const REPLAY_WINDOW: usize = 1000;
/// Default for `--snapshot-every`.
pub const SNAPSHOT_EVERY: usize = 1000;
/// Default for `--dedup-window`.
pub const DEDUP_WINDOW: usize = 4096;

/// The default write timeout: a healthy client on a slow 3G link drains a 64 KiB frame in
/// well under a second; ten seconds is only ever reached by a client that stopped reading.
pub const WRITE_TIMEOUT_MS: u64 = 10_000;

/// Connections one address may hold: a classroom of sixty behind one NAT, each with a
/// WebSocket and a page load or two in flight, with room to spare.
pub const MAX_CONNECTIONS_PER_IP: usize = 256;

/// Time for a request head: a phone on a bad 3G link sends its few hundred bytes in well
/// under a second; only a client that means to hold the socket needs longer.
pub const HEADER_TIMEOUT_MS: u64 = 10_000;

/// Open files kept back from the connection cap, for the database, logs and static files.
const RESERVED_FILES: u64 = 256;

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

    /// A URL this server is reached at, e.g. `https://board.example.com` (repeatable, or
    /// comma-separated in the env var). Browser pages of these origins may open
    /// WebSockets and poll; requests naming other host names are refused (DNS rebinding).
    /// Loopback, IP addresses and the same origin as the request always work.
    #[arg(long = "public-url", env = "TETHER_PUBLIC_URL", value_delimiter = ',')]
    pub public_urls: Vec<PublicUrl>,

    /// The secret author ids are derived with (64 hex digits): the same on every node of a
    /// cluster, so a user keeps their author id on any node. Unset: kept in the data dir.
    #[arg(long, env = "TETHER_IDENTITY_SECRET", hide_env_values = true)]
    pub identity_secret: Option<String>,

    /// How log lines are written: `text` for people, `json` (one object per line, with the
    /// connection's span fields) for log collectors.
    #[arg(long, env = "TETHER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// The token that opens the operator dashboard at `/admin` (`/admin?token=…`, or
    /// `Authorization: Bearer …` for `/api/admin/stats`). Unset: the dashboard is off.
    #[arg(long, env = "TETHER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Wrong admin tokens one client address may send per minute; past that it is locked
    /// out (`429`) until the next guess would fit.
    #[arg(long, env = "TETHER_ADMIN_GUESSES_PER_MINUTE", default_value_t = ADMIN_GUESSES_PER_MINUTE)]
    pub admin_guesses_per_minute: u32,

    /// A reverse proxy (load balancer) whose `X-Forwarded-For` names the real client, for
    /// per-address budgets (repeatable, or comma-separated in the env var).
    #[arg(
        long = "trusted-proxy",
        env = "TETHER_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,

    /// Durable ops per second one client may send, sustained; over it the connection is
    /// told `rate_limited` and ended, and the client comes back after the pause with its
    /// outbox (it loses nothing).
    #[arg(long, env = "TETHER_OPS_PER_SECOND", default_value_t = limits::OPS_PER_SECOND)]
    pub ops_per_second: u32,

    /// Durable ops one client may send at once.
    #[arg(long, env = "TETHER_OPS_BURST", default_value_t = limits::OPS_BURST)]
    pub ops_burst: u32,

    /// Ephemeral messages (cursors, live points) per second one connection may send;
    /// over it they are dropped.
    #[arg(long, env = "TETHER_EPHEMERAL_PER_SECOND", default_value_t = limits::EPHEMERAL_PER_SECOND)]
    pub ephemeral_per_second: u32,

    /// Ephemeral messages one connection may send at once.
    #[arg(long, env = "TETHER_EPHEMERAL_BURST", default_value_t = limits::EPHEMERAL_BURST)]
    pub ephemeral_burst: u32,

    /// Joins (WebSocket handshakes, poll opens) per second from one client address; over
    /// it: 429 with a retry time.
    #[arg(long, env = "TETHER_JOINS_PER_SECOND", default_value_t = limits::JOINS_PER_SECOND_PER_ADDRESS)]
    pub joins_per_second: u32,

    /// Joins from one client address at once.
    #[arg(long, env = "TETHER_JOINS_BURST", default_value_t = limits::JOINS_BURST_PER_ADDRESS)]
    pub joins_burst: u32,

    /// The longest one write to a client may take: a client that stops reading is
    /// disconnected after this (it resumes and catches up when it reads again), instead of
    /// pinning board-sized frames in memory forever.
    #[arg(long, env = "TETHER_WRITE_TIMEOUT_MS", default_value_t = WRITE_TIMEOUT_MS)]
    pub write_timeout_ms: u64,

    /// Members (connected or away) one board holds; further new people are told the board
    /// is full (members already in it always resume).
    #[arg(long, env = "TETHER_MAX_MEMBERS_PER_ROOM", default_value_t = limits::MAX_MEMBERS_PER_ROOM)]
    pub max_members_per_room: usize,

    /// Open connections in total; 0 picks the process's open-file limit less a reserve
    /// for the database and logs. Over it new connections get `503 server_busy`.
    #[arg(long, env = "TETHER_MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,

    /// Open connections from one client address (TCP peer); over it: `429
    /// too_many_connections`. Behind a load balancer, cap per client there.
    #[arg(long, env = "TETHER_MAX_CONNECTIONS_PER_IP", default_value_t = MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: usize,

    /// A new connection must send its first byte, and every request its whole head, within
    /// this: sockets that send nothing (or dribble) are closed instead of held.
    #[arg(long, env = "TETHER_HEADER_TIMEOUT_MS", default_value_t = HEADER_TIMEOUT_MS)]
    pub header_timeout_ms: u64,

    /// Strokes one board holds; further strokes are refused with `board_full` (erase or
    /// clear to make room).
    #[arg(long, env = "TETHER_MAX_STROKES_PER_BOARD", default_value_t = limits::MAX_STROKES_PER_BOARD)]
    pub max_strokes_per_board: usize,

    /// How much drawing one board holds, in bytes (an estimate: 16 per point); further
    /// strokes are refused with `board_full`.
    #[arg(long, env = "TETHER_MAX_BOARD_BYTES", default_value_t = limits::MAX_BOARD_WEIGHT)]
    pub max_board_bytes: usize,

    /// Rooms held in memory at once; opening another unloads the least recently used empty
    /// room (if every room is in use, the new one is refused with 503).
    #[arg(long, env = "TETHER_MAX_LOADED_ROOMS", default_value_t = limits::MAX_LOADED_ROOMS)]
    pub max_loaded_rooms: usize,

    /// Cluster mode: rooms' logs, dedup and fan-out live in this Redis (e.g.
    /// `redis://127.0.0.1:6379/0`), so any number of nodes serve any room. Unset: the
    /// embedded SQLite database in `--data-dir`. Run Redis with `appendonly yes`,
    /// `appendfsync always` and `maxmemory-policy noeviction`.
    #[arg(long, env = "TETHER_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Folder for the embedded SQLite database (created if missing).
    #[arg(long, env = "TETHER_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// How long a new connection may take to send its hello before it is closed.
    #[arg(long, env = "TETHER_HANDSHAKE_TIMEOUT_MS", default_value_t = defaults::HANDSHAKE_TIMEOUT_MS)]
    pub handshake_timeout_ms: u64,

    /// How long an empty room stays in memory (a reload or quick reconnect finds it warm).
    #[arg(long, env = "TETHER_ROOM_LINGER_MS", default_value_t = defaults::ROOM_LINGER_MS)]
    pub room_linger_ms: u64,

    /// Frames queued for one client before it counts as too slow and is disconnected.
    #[arg(long, env = "TETHER_OUTBOX_FRAMES", default_value_t = OUTBOX_FRAMES)]
    pub outbox_frames: usize,

    /// Newest ops per room kept in memory to replay to clients that reconnect.
    #[arg(long, env = "TETHER_REPLAY_WINDOW", default_value_t = REPLAY_WINDOW)]
    pub replay_window: usize,

    /// Ops between saved snapshots of a board (at least; a big board waits for as many ops
    /// as it has strokes): a cold load reads the snapshot and the ops after it.
    #[arg(long, env = "TETHER_SNAPSHOT_EVERY", default_value_t = SNAPSHOT_EVERY)]
    pub snapshot_every: usize,

    /// Newest op ids per room kept in memory for dedup; older ones are looked up in the
    /// store when an op id is not among them.
    #[arg(long, env = "TETHER_DEDUP_WINDOW", default_value_t = DEDUP_WINDOW)]
    pub dedup_window: usize,

    /// Client heartbeat: interval between app-level pings, sent to clients in Welcome.
    #[arg(long, env = "TETHER_PING_INTERVAL_MS", default_value_t = defaults::PING_INTERVAL_MS)]
    pub ping_interval_ms: u64,

    /// Client heartbeat: a pong later than this marks the link degraded.
    #[arg(long, env = "TETHER_PONG_TIMEOUT_MS", default_value_t = defaults::PONG_TIMEOUT_MS)]
    pub pong_timeout_ms: u64,

    /// How long a dropped session can be resumed; peers see it `away` meanwhile, then
    /// `left`.
    #[arg(long, env = "TETHER_GRACE_MS", default_value_t = defaults::GRACE_MS)]
    pub grace_ms: u64,

    /// WebSocket Ping frames every this long; a connection that misses two pongs is
    /// dropped (browsers answer pings even in throttled background tabs).
    #[arg(long, env = "TETHER_WS_PING_INTERVAL_MS", default_value_t = defaults::WS_PING_INTERVAL_MS)]
    pub ws_ping_interval_ms: u64,

    /// Client reconnect backoff: first ceiling (doubles per attempt).
    #[arg(long, env = "TETHER_BACKOFF_BASE_MS", default_value_t = defaults::BACKOFF_BASE_MS)]
    pub backoff_base_ms: u64,

    /// Client reconnect backoff: longest delay.
    #[arg(long, env = "TETHER_BACKOFF_CAP_MS", default_value_t = defaults::BACKOFF_CAP_MS)]
    pub backoff_cap_ms: u64,

    /// Client reconnect attempts before showing `failed`.
    #[arg(long, env = "TETHER_BACKOFF_MAX_ATTEMPTS", default_value_t = defaults::BACKOFF_MAX_ATTEMPTS)]
    pub backoff_max_attempts: u32,

    /// A link must stay up this long before the client's attempt counter resets.
    #[arg(long, env = "TETHER_STABLE_AFTER_MS", default_value_t = defaults::STABLE_AFTER_MS)]
    pub stable_after_ms: u64,

    /// Once a client has given up (`failed`), it still tries this often, quietly.
    #[arg(long, env = "TETHER_QUIET_RETRY_MS", default_value_t = defaults::QUIET_RETRY_MS)]
    pub quiet_retry_ms: u64,

    /// Clients on the polling fallback probe for a working WebSocket this often.
    #[arg(long, env = "TETHER_WS_PROBE_INTERVAL_MS", default_value_t = defaults::WS_PROBE_INTERVAL_MS)]
    pub ws_probe_interval_ms: u64,

    /// At shutdown, clients are told to come back after this long...
    #[arg(long, env = "TETHER_RESTART_RETRY_AFTER_MS", default_value_t = defaults::RESTART_RETRY_AFTER_MS)]
    pub restart_retry_after_ms: u64,

    /// ...plus a random share of this window, so they do not all return at once.
    #[arg(long, env = "TETHER_RESTART_SPREAD_MS", default_value_t = defaults::RESTART_SPREAD_MS)]
    pub restart_spread_ms: u64,

    /// Polling transport: how long a poll is held open waiting for messages (proxies
    /// commonly cut idle requests at 30 s or more).
    #[arg(long, env = "TETHER_POLL_HOLD_MS", default_value_t = defaults::POLL_HOLD_MS)]
    pub poll_hold_ms: u64,

    /// Polling transport: a session that has not polled for this long counts as a dropped
    /// connection (its member goes `away`, then `left` after the grace period).
    #[arg(long, env = "TETHER_POLL_IDLE_MS", default_value_t = defaults::POLL_IDLE_MS)]
    pub poll_idle_ms: u64,
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
    pub fn hub_settings(&self, authors: Arc<AuthorKey>) -> HubSettings {
        HubSettings {
            authors,
            room_linger: Duration::from_millis(self.room_linger_ms),
            outbox_capacity: self.outbox_frames,
            max_members: self.max_members_per_room,
            max_loaded_rooms: self.max_loaded_rooms,
            log: LogSettings {
                replay_window: self.replay_window,
                dedup_window: self.dedup_window,
                snapshot_every: self.snapshot_every,
                caps: BoardCaps {
                    max_strokes: self.max_strokes_per_board,
                    max_weight: self.max_board_bytes,
                },
            },
            heartbeat: HeartbeatSettings {
                ping_interval_ms: self.ping_interval_ms,
                pong_timeout_ms: self.pong_timeout_ms,
            },
            reconnect: ReconnectSettings {
                base_ms: self.backoff_base_ms,
                cap_ms: self.backoff_cap_ms,
                max_attempts: self.backoff_max_attempts,
                stable_after_ms: self.stable_after_ms,
                handshake_timeout_ms: self.handshake_timeout_ms,
                grace_ms: self.grace_ms,
                ws_probe_interval_ms: self.ws_probe_interval_ms,
                quiet_retry_ms: self.quiet_retry_ms,
            },
        }
    }

    /// How long a poll is held.
    pub fn poll_hold(&self) -> Duration {
        Duration::from_millis(self.poll_hold_ms)
    }

    /// The budget of wrong admin tokens per address.
    pub fn guess_budget(&self) -> GuessBudget {
        GuessBudget::per_minute(self.admin_guesses_per_minute)
    }

    /// The per-client op budget of this server.
    pub fn op_budget(&self) -> OpBudget {
        OpBudget::new(Rate {
            per_second: self.ops_per_second,
            burst: self.ops_burst,
        })
    }

    /// The ephemeral budget of a new connection.
    pub fn ephemeral_budget(&self) -> EphemeralBudget {
        EphemeralBudget::new(Rate {
            per_second: self.ephemeral_per_second,
            burst: self.ephemeral_burst,
        })
    }

    /// The per-address join budget of this server.
    pub fn join_budget(&self) -> JoinBudget {
        JoinBudget::new(Rate {
            per_second: self.joins_per_second,
            burst: self.joins_burst,
        })
    }

    /// What every connection is told before the server shuts down.
    pub fn restarting(&self) -> ServerMsg {
        ServerMsg::Restarting {
            retry_after_ms: self.restart_retry_after_ms,
            spread_ms: self.restart_spread_ms,
        }
    }

    /// The connection caps: `--max-connections` (or the open-file limit less a reserve)
    /// and `--max-connections-per-ip`.
    pub fn connection_caps(&self) -> Arc<ConnectionCaps> {
        let total = match self.max_connections {
            0 => rlimit::getrlimit(rlimit::Resource::NOFILE)
                .map(|(soft, _)| soft.saturating_sub(RESERVED_FILES).max(64) as usize)
                .unwrap_or(1024),
            n => n,
        };
        ConnectionCaps::new(total, self.max_connections_per_ip.max(1))
    }

    /// First byte and request head deadline.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms.max(10))
    }

    /// The longest one write to a client may take.
    pub fn write_timeout(&self) -> Duration {
        Duration::from_millis(self.write_timeout_ms.max(10))
    }

    /// Interval of WebSocket Ping frames.
    pub fn ws_ping_interval(&self) -> Duration {
        Duration::from_millis(self.ws_ping_interval_ms.max(10))
    }
}

/// The log line format (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}
