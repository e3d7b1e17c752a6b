//! The wire protocol: every message between browser and server, as JSON text frames (the
//! same messages travel over the HTTP polling transport). Every crate compiles this
//! module, so a change that breaks one side breaks the build of the other.
//!
//! Messages are internally tagged: `{"type":"op","opId":"…","op":{"kind":"addStroke",…}}`.
//!
//! - this file: [`ClientMsg`], [`ServerMsg`], [`LiveStroke`] and the version.
//! - [`welcome`]: what a client learns on joining (settings, limits, peers).
//! - [`names`]: display-name rules.  [`poll_batch`]: splitting polling sends.
//! - [`admin`]: what the operator dashboard shows.  [`report`]: clients' telemetry.
//! - [`decode`]: [`ServerMsg::from_json`], the browser's smaller decoder.

pub mod admin;
mod decode;
mod names;
mod poll_batch;
mod poll_reply;
pub mod report;
mod welcome;

pub use names::clean_name;
pub use poll_batch::poll_batches;
pub use poll_reply::{poll_session_id, PollReply};
pub use welcome::{HeartbeatSettings, Limits, Peer, PeerState, ReconnectSettings, Welcome};

use crate::board::{AppliedOp, Op, Point, Stroke};
use serde::{Deserialize, Serialize};

/// Bumped on any incompatible change. A client speaking another version gets
/// `Error{code:"unsupported_protocol", fatal:true}` telling it to reload.
/// 2: stroke and live-stroke points travel packed ([`crate::board::packed`]).
pub const PROTOCOL_VERSION: u32 = 2;

/// The `error` code that asks a client to slow down: the server ends the connection, and
/// the client comes back after the given time with its outbox, losing nothing.
pub const RATE_LIMITED: &str = "rate_limited";

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ClientMsg {
    /// First message on every connection.
    Hello {
        /// The client's [`PROTOCOL_VERSION`].
        protocol: u32,
        /// The room the connection is for (must match the URL's).
        room: String,
        /// Per-browser id (kept in localStorage); becomes the author of this client's ops.
        client_id: String,
        /// The secret from an earlier `Welcome`, to resume that session.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume_token: Option<String>,
        /// The last seq this client applied; the server sends only what came after.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seq: Option<u64>,
        /// The room epoch `last_seq` belongs to. If the room's history was reset since
        /// (another epoch), `last_seq` means nothing and the client gets a snapshot.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
        /// Display name shown to peers.
        name: String,
        /// Presence colour (`#rrggbb`).
        color: String,
    },
    /// A durable op; answered by `Applied` (to everyone) or `Rejected` (to the sender).
    Op {
        /// Made by the client, unique: a resend of the same op is applied once.
        op_id: String,
        /// What to do to the board.
        op: Op,
    },
    /// Application-level heartbeat; `t` is echoed in `Pong` to measure the round trip.
    Ping {
        /// The client's clock when it sent the ping (ms).
        t: f64,
    },
    /// Ephemeral: where this user's pointer is. Never stored, may be dropped.
    Cursor {
        /// Board x.
        x: f32,
        /// Board y.
        y: f32,
    },
    /// Ephemeral: new points of a stroke being drawn, batched per animation frame.
    LiveStroke(LiveStroke),
    /// The client is leaving on purpose (left the board): no grace period.
    Bye,
    /// The page is going away (reload, tab closed, navigation away): the member leaves
    /// after a short grace period (`defaults::UNLOAD_GRACE_MS`) unless the same session
    /// resumes first — a reload does, so peers never see a second copy, and a closed tab
    /// is seen leaving at once.
    Unloading,
    /// Telemetry: how this client's connection has been (see [`report`]).
    Report(report::ConnectionReport),
}

/// A live stroke's batches carry its style (colour and width) on the first batch and
/// then on every this many: the rest leave it out (~30 bytes of each frame while drawing),
/// and a peer that missed the first batch (ephemeral messages may be dropped) has it
/// within this many frames.
pub const LIVE_STYLE_EVERY: u32 = 10;

/// Points of a stroke still being drawn. The finished stroke arrives as a durable
/// `AddStroke` with the same `stroke_id`, which replaces the live one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveStroke {
    /// The id the finished stroke will have.
    pub stroke_id: String,
    /// Stroke colour (`#rrggbb`); empty (and left out) on batches without the style.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub color: String,
    /// Stroke width in board units; 0 (and left out) on batches without the style.
    #[serde(default, skip_serializing_if = "is_unset")]
    pub width: f32,
    /// Points since the previous batch of the same stroke (packed on the wire, see
    /// [`crate::board::packed`]).
    #[serde(with = "crate::board::packed")]
    pub points: Vec<Point>,
    /// Set by the server on relay: the drawing user's session.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session: String,
    /// The stroke was abandoned (pointer cancelled): peers drop it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

impl LiveStroke {
    /// Whether this batch carries the stroke's style (see [`LIVE_STYLE_EVERY`]).
    pub fn has_style(&self) -> bool {
        !self.color.is_empty() || self.width != 0.0
    }
}

fn is_unset(width: &f32) -> bool {
    *width == 0.0
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ServerMsg {
    /// The answer to `Hello`; followed by `Replay` or `Snapshot`.
    Welcome(Welcome),
    /// Everything after the client's `last_seq`, in order.
    Replay {
        /// The missed log entries, in seq order.
        ops: Vec<AppliedOp>,
    },
    /// The whole board at `seq`, when replaying would be longer or impossible.
    Snapshot {
        /// The last seq the snapshot includes.
        seq: u64,
        /// The board's strokes in drawing order.
        strokes: Vec<Stroke>,
    },
    /// A durable op took its place in the log. For its author, this is the acknowledgement.
    Applied(AppliedOp),
    /// A durable op was refused and will never be applied; `code` is machine-readable.
    Rejected {
        /// The refused op.
        op_id: String,
        /// Stable machine-readable reason (e.g. `too_many_points`).
        code: String,
        /// A sentence for people.
        reason: String,
    },
    /// The answer to `Ping`.
    Pong {
        /// The ping's `t`, echoed.
        t: f64,
        /// The server's wall clock (ms since the Unix epoch).
        server_time: f64,
    },
    /// Someone joined the room.
    PeerJoined {
        /// Who.
        peer: Peer,
    },
    /// The peer's connection dropped; it may come back within the grace period.
    PeerAway {
        /// The peer's session.
        session: String,
    },
    /// An away peer resumed its session.
    PeerBack {
        /// The peer's session.
        session: String,
    },
    /// The peer left (said goodbye, or its grace period ended).
    PeerLeft {
        /// The peer's session.
        session: String,
    },
    /// Ephemeral, relayed from another session.
    Cursor {
        /// Whose pointer.
        session: String,
        /// Board x.
        x: f32,
        /// Board y.
        y: f32,
    },
    /// Ephemeral, relayed from another session (with `session` set).
    LiveStroke(LiveStroke),
    /// Something the client sent was wrong, or the server cannot serve it. With `fatal`
    /// the connection closes and retrying the same thing will not help.
    Error {
        /// Stable machine-readable code.
        code: String,
        /// A sentence for people.
        message: String,
        /// Retrying will not help: the client stops and shows `failed`.
        fatal: bool,
        /// `rate_limited`: the connection ends; reconnect after this long (the outbox is
        /// resent then, in order).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    /// The server is about to restart: reconnect after `retry_after_ms` plus a random
    /// share of `spread_ms`, so clients do not all return at once.
    Restarting {
        /// The least a client waits before reconnecting.
        retry_after_ms: u64,
        /// The window a client spreads its return over.
        spread_ms: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_use_the_documented_json_shape() {
        let op = ClientMsg::Op {
            op_id: "o1".into(),
            op: Op::EraseStroke { id: "s1".into() },
        };
        assert_eq!(
            serde_json::to_string(&op).unwrap(),
            r#"{"type":"op","opId":"o1","op":{"kind":"eraseStroke","id":"s1"}}"#
        );
        let hello: ClientMsg = serde_json::from_str(
            r##"{"type":"hello","protocol":1,"room":"r","clientId":"c","name":"Ann","color":"#112233"}"##,
        )
        .unwrap();
        assert!(matches!(
            hello,
            ClientMsg::Hello {
                last_seq: None,
                resume_token: None,
                ..
            }
        ));
        let applied = ServerMsg::Applied(AppliedOp {
            seq: 7,
            op_id: "o1".into(),
            author: "c".into(),
            op: Op::Clear,
        });
        assert_eq!(
            serde_json::to_string(&applied).unwrap(),
            r#"{"type":"applied","seq":7,"opId":"o1","author":"c","op":{"kind":"clear"}}"#
        );
    }

    #[test]
    fn live_batches_without_the_style_leave_it_out() {
        let unstyled = LiveStroke {
            stroke_id: "s".into(),
            color: String::new(),
            width: 0.0,
            points: vec![Point::new(1.0, 2.0)],
            session: String::new(),
            cancelled: false,
        };
        let json = serde_json::to_string(&ClientMsg::LiveStroke(unstyled.clone())).unwrap();
        let points = crate::board::packed::pack(&unstyled.points);
        assert_eq!(
            json,
            format!(r#"{{"type":"liveStroke","strokeId":"s","points":"{points}"}}"#)
        );
        assert!(!unstyled.has_style());
        let back: ClientMsg = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ClientMsg::LiveStroke(unstyled));
    }

    #[test]
    fn every_client_message_round_trips() {
        let live = LiveStroke {
            stroke_id: "s".into(),
            color: "#000000".into(),
            width: 2.0,
            points: vec![Point::new(1.0, 2.0)],
            session: String::new(),
            cancelled: false,
        };
        let client = [
            ClientMsg::Ping { t: 12.5 },
            ClientMsg::Cursor { x: 1.0, y: 2.0 },
            ClientMsg::LiveStroke(live),
            ClientMsg::Bye,
            ClientMsg::Unloading,
        ];
        for msg in client {
            let json = serde_json::to_string(&msg).unwrap();
            assert_eq!(
                serde_json::from_str::<ClientMsg>(&json).unwrap(),
                msg,
                "{json}"
            );
        }
        // Every server message round-trips in `decode.rs`, through both decoders.
    }

    #[test]
    fn unknown_or_malformed_messages_are_errors() {
        for bad in [
            r#"{"type":"nope"}"#,
            r#"{"op":1}"#,
            "[]",
            "",
            r#"{"type":"op","opId":5}"#,
        ] {
            assert!(serde_json::from_str::<ClientMsg>(bad).is_err(), "{bad}");
        }
    }
}
