//! One client connection's identity in metrics and logs: a process-unique id, the
//! transport, and the tracing span every event of the connection is recorded in (with
//! the room's log tag, never its id).

use crate::observability::log_tag::room_tag;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::{info_span, Span};

/// Ids of connections; never reused within a process.
static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// A connection of a client, on one transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Unique in this process.
    pub id: u64,
    /// `websocket` or `polling` (a metrics label).
    pub transport: &'static str,
}

impl Link {
    /// A new connection on `transport`.
    pub fn new(transport: &'static str) -> Self {
        Self {
            id: NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed),
            transport,
        }
    }

    /// The span of this connection to `room`.
    pub fn span(&self, room: &str) -> Span {
        info_span!(
            "connection",
            id = self.id,
            transport = self.transport,
            room = %room_tag(room)
        )
    }
}
