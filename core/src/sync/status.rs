//! The connection state the chip shows, and why.

/// The six states of the `ConnectionStatus` chip (`data-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnectionState {
    /// First connection in progress.
    Connecting,
    /// Live, quality excellent or good.
    Connected,
    /// Live but slow: RTT over the bound, a pong overdue, or on the polling fallback.
    Degraded,
    /// Lost the link; retrying (attempt n, next try at t).
    Reconnecting,
    /// The browser says it has no network.
    Offline,
    /// Gave up (too many attempts) or a fatal error; the user can retry.
    Failed,
}

impl ConnectionState {
    /// Every state, in the order the chip documents them.
    pub const ALL: [ConnectionState; 6] = [
        ConnectionState::Connecting,
        ConnectionState::Connected,
        ConnectionState::Degraded,
        ConnectionState::Reconnecting,
        ConnectionState::Offline,
        ConnectionState::Failed,
    ];

    /// The `data-state` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Degraded => "degraded",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Offline => "offline",
            ConnectionState::Failed => "failed",
        }
    }

    /// The chip's label.
    pub fn label(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "Connecting…",
            ConnectionState::Connected => "Connected",
            ConnectionState::Degraded => "Slow connection",
            ConnectionState::Reconnecting => "Reconnecting…",
            ConnectionState::Offline => "Offline",
            ConnectionState::Failed => "Disconnected",
        }
    }

    /// True while ops can flow.
    pub fn is_live(self) -> bool {
        matches!(self, ConnectionState::Connected | ConnectionState::Degraded)
    }
}
