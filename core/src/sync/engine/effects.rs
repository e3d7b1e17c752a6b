//! What the engine tells its host: effects to perform, notices for the user, and the
//! small value types they carry.

use crate::protocol::ClientMsg;

/// Identifies one connection attempt. The engine hands a new id to every
/// [`Effect::Connect`]; the host reports that connection's events with it, and the engine
/// ignores events of any connection it has already abandoned. Hosts need no bookkeeping
/// of their own to keep a dead socket's late events out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

/// What the host must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a new transport of this kind and report its events with `id`. Any previous
    /// transport has already been abandoned.
    Connect {
        /// The id this connection's events must carry.
        id: ConnectionId,
        /// Which transport to open.
        transport: Transport,
    },
    /// Abandon the current transport now: detach its handlers and close it, without
    /// waiting for its close event (a dead socket can sit in CLOSING for a minute).
    Disconnect,
    /// Send this message on the current transport.
    Send(ClientMsg),
    /// The outbox changed: persist [`SyncEngine::outbox`](super::SyncEngine::outbox).
    SaveOutbox,
    /// Tell the user (a toast).
    Notice(Notice),
    /// Find out whether the server answers plain HTTP (`GET /healthz`); report with
    /// `http_checked`.
    CheckHttp,
    /// Try a throwaway WebSocket (`/ws-probe`); report with `probe_finished`.
    Probe,
    /// Remember the transport for this tab's session (a reload starts there).
    RememberTransport(Transport),
}

/// Events worth telling the user about. The wording is the app's (`app::notices`).
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The link dropped. Once per outage, not once per attempt.
    ConnectionLost,
    /// Back in sync after an outage.
    Restored {
        /// The user's ops confirmed since the outage began.
        synced: usize,
    },
    /// Gave up, or the server refused this client for good.
    Failed {
        /// The server's machine-readable code when it refused (e.g. `room_full`); `None`
        /// when the attempts ran out.
        code: Option<String>,
        /// Why, in words.
        reason: String,
    },
    /// The server refused one of the user's ops; it is dropped.
    Rejected {
        /// The server's machine-readable code.
        code: String,
        /// The server's sentence.
        reason: String,
    },
}

/// Which transport carries the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `/ws/{room}`: the normal transport.
    WebSocket,
    /// HTTP long polling: the fallback where WebSockets are blocked.
    Polling,
}

impl Transport {
    /// The name shown in the UI and test hooks (`data-transport`).
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::WebSocket => "websocket",
            Transport::Polling => "polling",
        }
    }
}

/// Why a link was given up. Counted in the metrics; some reasons reconnect at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DisconnectReason {
    /// The transport closed or failed.
    Closed,
    /// The handshake did not finish in time.
    HandshakeTimeout,
    /// Pings went unanswered: the link is dead though still open.
    Heartbeat,
    /// The browser went offline.
    Offline,
    /// Log entries were missing: reconnecting fills the gap.
    Gap,
    /// The server refused this client for good.
    Fatal,
}

impl DisconnectReason {
    /// Every reason.
    pub const ALL: [DisconnectReason; 6] = [
        DisconnectReason::Closed,
        DisconnectReason::HandshakeTimeout,
        DisconnectReason::Heartbeat,
        DisconnectReason::Offline,
        DisconnectReason::Gap,
        DisconnectReason::Fatal,
    ];

    /// The label in the metrics panel.
    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectReason::Closed => "closed",
            DisconnectReason::HandshakeTimeout => "handshake_timeout",
            DisconnectReason::Heartbeat => "heartbeat",
            DisconnectReason::Offline => "offline",
            DisconnectReason::Gap => "gap",
            DisconnectReason::Fatal => "fatal",
        }
    }

    /// A live link that died silently is replaced at once (no backoff): the server is
    /// most likely fine, only this socket is not.
    pub fn reconnects_at_once(self) -> bool {
        matches!(self, DisconnectReason::Heartbeat)
    }
}
