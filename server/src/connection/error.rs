//! Everything the server refuses in what a client sends, as one error type: a message for
//! people, a stable code for machines, whether retrying can help, and how a transport
//! closes when it ends the connection over it.

use super::close_code;
use tether_core::{
    board::InvalidOp,
    limits::{MAX_FRAME_BYTES, MAX_LIVE_POINTS_PER_MESSAGE, MAX_NAME_CHARS},
    protocol::{ServerMsg, PROTOCOL_VERSION, RATE_LIMITED},
};
use thiserror::Error;

/// A problem with what a client sent, or a reason the server cannot serve it now.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProtocolError {
    /// A frame over [`MAX_FRAME_BYTES`].
    #[error("message of {bytes} bytes; the limit is {MAX_FRAME_BYTES}")]
    FrameTooLarge {
        /// The frame's size.
        bytes: usize,
    },
    /// Not JSON, or not a message of the protocol.
    #[error("unreadable message: {0}")]
    BadMessage(String),
    /// A binary frame: the protocol is JSON text.
    #[error("send JSON text frames")]
    BinaryUnsupported,
    /// No hello within the handshake timeout. Not fatal: on a slow link the next attempt
    /// may well make it.
    #[error("no hello in time")]
    HandshakeTimeout,
    /// The first message was something else.
    #[error("the first message must be hello")]
    HelloExpected,
    /// The client speaks another protocol version.
    #[error(
        "this server speaks protocol {PROTOCOL_VERSION}, the page speaks {client}: reload the page"
    )]
    UnsupportedProtocol {
        /// The client's version.
        client: u32,
    },
    /// The hello names another room than the URL.
    #[error("hello names room {hello:?} but the connection is for {url:?}")]
    RoomMismatch {
        /// The room in the hello.
        hello: String,
        /// The room in the URL.
        url: String,
    },
    /// The client id breaks the id rules.
    #[error("clientId must match [A-Za-z0-9_-]{{1,64}}")]
    InvalidClientId,
    /// The display name is empty, too long or has control characters.
    #[error("names are 1 to {MAX_NAME_CHARS} characters, without invisible or control characters")]
    InvalidName,
    /// The presence colour is not `#rrggbb`.
    #[error("color must be #rrggbb")]
    InvalidColor,
    /// A second hello on a joined connection.
    #[error("hello was already received on this connection")]
    AlreadyJoined,
    /// A live stroke's id breaks the id rules.
    #[error("live stroke: strokeId must match [A-Za-z0-9_-]{{1,64}}")]
    InvalidLiveStrokeId,
    /// A live-stroke batch over [`MAX_LIVE_POINTS_PER_MESSAGE`].
    #[error(
        "live stroke: {count} points in one message; the limit is {MAX_LIVE_POINTS_PER_MESSAGE}"
    )]
    TooManyLivePoints {
        /// Points sent.
        count: usize,
    },
    /// An ephemeral message with invalid content (`what` says which kind).
    #[error("{what}: {source}")]
    InvalidEphemeral {
        /// `cursor` or `live stroke`.
        what: &'static str,
        /// What is wrong with it.
        source: InvalidOp,
    },
    /// A connection report with unknown names or numbers out of range.
    #[error("report: {0}")]
    InvalidReport(String),
    /// More durable ops than the client's budget: the connection ends, and the client
    /// comes back after `retry_after_ms` with its outbox (slowed, never robbed).
    #[error("too many changes at once: reconnecting in {retry_after_ms} ms")]
    RateLimited {
        /// How long the client must stay away.
        retry_after_ms: u64,
    },
    /// The board holds as many people as it may.
    #[error("this board is full ({0} people); try again later")]
    RoomFull(usize),
    /// The room's storage failed.
    #[error("{0}; retry shortly")]
    StorageUnavailable(String),
    /// The room is restarting or unloading.
    #[error("{0}; retry shortly")]
    RoomUnavailable(String),
}

impl ProtocolError {
    /// The stable code sent to the client.
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::FrameTooLarge { .. } => "frame_too_large",
            ProtocolError::BadMessage(_) => "bad_message",
            ProtocolError::BinaryUnsupported => "binary_unsupported",
            ProtocolError::HandshakeTimeout => "handshake_timeout",
            ProtocolError::HelloExpected => "hello_expected",
            ProtocolError::UnsupportedProtocol { .. } => "unsupported_protocol",
            ProtocolError::RoomMismatch { .. } => "room_mismatch",
            ProtocolError::InvalidClientId => "invalid_client_id",
            ProtocolError::InvalidName => "invalid_name",
            ProtocolError::InvalidColor => "invalid_color",
            ProtocolError::AlreadyJoined => "already_joined",
            ProtocolError::InvalidLiveStrokeId => "invalid_id",
            ProtocolError::TooManyLivePoints { .. } => "too_many_points",
            ProtocolError::InvalidEphemeral { source, .. } => source.code(),
            ProtocolError::InvalidReport(_) => "invalid_report",
            ProtocolError::RateLimited { .. } => RATE_LIMITED,
            ProtocolError::RoomFull(_) => "room_full",
            ProtocolError::StorageUnavailable(_) => "storage_unavailable",
            ProtocolError::RoomUnavailable(_) => "room_unavailable",
        }
    }

    /// True when retrying the same thing cannot help: the client stops and says so.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ProtocolError::RoomFull(_)
                | ProtocolError::HelloExpected
                | ProtocolError::UnsupportedProtocol { .. }
                | ProtocolError::RoomMismatch { .. }
                | ProtocolError::InvalidClientId
                | ProtocolError::InvalidName
                | ProtocolError::InvalidColor
        )
    }

    /// How a transport closes when this error ends the connection.
    pub fn close_code(&self) -> u16 {
        match self {
            ProtocolError::StorageUnavailable(_)
            | ProtocolError::RoomUnavailable(_)
            | ProtocolError::RoomFull(_)
            | ProtocolError::RateLimited { .. } => close_code::TRY_AGAIN_LATER,
            _ => close_code::POLICY,
        }
    }

    /// The `error` message for the client.
    pub fn to_msg(&self) -> ServerMsg {
        self.msg(self.is_fatal())
    }

    /// The `error` message for a refused handshake: fatal whatever the cause, since the
    /// same hello would be refused again.
    pub fn to_refusal(&self) -> ServerMsg {
        self.msg(!matches!(self, ProtocolError::HandshakeTimeout))
    }

    fn msg(&self, fatal: bool) -> ServerMsg {
        let retry_after_ms = match self {
            ProtocolError::RateLimited { retry_after_ms } => Some(*retry_after_ms),
            _ => None,
        };
        ServerMsg::Error {
            code: self.code().into(),
            message: self.to_string(),
            fatal,
            retry_after_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fatality_and_close_codes_follow_the_cause() {
        let bad_hello = ProtocolError::InvalidName;
        assert_eq!(bad_hello.code(), "invalid_name");
        assert!(bad_hello.is_fatal());
        assert_eq!(bad_hello.close_code(), close_code::POLICY);
        let busy = ProtocolError::StorageUnavailable("disk full".into());
        assert!(!busy.is_fatal());
        assert_eq!(busy.close_code(), close_code::TRY_AGAIN_LATER);
        assert_eq!(busy.to_string(), "disk full; retry shortly");
        let cursor = ProtocolError::InvalidEphemeral {
            what: "cursor",
            source: InvalidOp::NonFinite { index: 0 },
        };
        assert_eq!(cursor.code(), "non_finite_coordinate");
    }

    #[test]
    fn a_refused_hello_is_fatal_but_a_slow_one_is_not() {
        let frame = ProtocolError::FrameTooLarge { bytes: 1 << 20 };
        assert!(matches!(
            frame.to_msg(),
            ServerMsg::Error { fatal: false, .. }
        ));
        assert!(matches!(
            frame.to_refusal(),
            ServerMsg::Error { fatal: true, .. }
        ));
        assert!(matches!(
            ProtocolError::HandshakeTimeout.to_refusal(),
            ServerMsg::Error { fatal: false, .. }
        ));
    }
}
