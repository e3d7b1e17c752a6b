//! The wire protocol: every message between browser and server, as JSON text frames (the
//! same messages travel over the HTTP polling transport). Both sides compile this module,
//! so a change that breaks one side breaks the build of the other.
//!
//! Messages are internally tagged: `{"type":"op","opId":"…","op":{"kind":"addStroke",…}}`.

use crate::board::{AppliedOp, Op, Point, Stroke};
use serde::{Deserialize, Serialize};

/// Bumped on any incompatible change. A client speaking another version gets
/// `Error{code:"unsupported_protocol", fatal:true}` telling it to reload.
pub const PROTOCOL_VERSION: u32 = 1;

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
        protocol: u32,
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
        name: String,
        color: String,
    },
    /// A durable op; answered by `Applied` (to everyone) or `Rejected` (to the sender).
    Op { op_id: String, op: Op },
    /// Application-level heartbeat; `t` is echoed in `Pong` to measure the round trip.
    Ping { t: f64 },
    /// Ephemeral: where this user's pointer is. Never stored, may be dropped.
    Cursor { x: f32, y: f32 },
    /// Ephemeral: new points of a stroke being drawn, batched per animation frame.
    LiveStroke(LiveStroke),
    /// The client is leaving on purpose (tab closed): no grace period.
    Bye,
}

/// Points of a stroke still being drawn. The finished stroke arrives as a durable
/// `AddStroke` with the same `stroke_id`, which replaces the live one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveStroke {
    pub stroke_id: String,
    pub color: String,
    pub width: f32,
    /// Points since the previous batch of the same stroke.
    pub points: Vec<Point>,
    /// Set by the server on relay: the drawing user's session.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session: String,
    /// The stroke was abandoned (pointer cancelled): peers drop it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
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
        ops: Vec<AppliedOp>,
    },
    /// The whole board at `seq`, when replaying would be longer or impossible.
    Snapshot {
        seq: u64,
        strokes: Vec<Stroke>,
    },
    /// A durable op took its place in the log. For its author, this is the acknowledgement.
    Applied(AppliedOp),
    /// A durable op was refused and will never be applied; `code` is machine-readable.
    Rejected {
        op_id: String,
        code: String,
        reason: String,
    },
    Pong {
        t: f64,
        server_time: f64,
    },
    PeerJoined {
        peer: Peer,
    },
    /// The peer's connection dropped; it may come back within the grace period.
    PeerAway {
        session: String,
    },
    PeerBack {
        session: String,
    },
    PeerLeft {
        session: String,
    },
    /// Ephemeral, relayed from another session.
    Cursor {
        session: String,
        x: f32,
        y: f32,
    },
    LiveStroke(LiveStroke),
    /// Something the client sent was wrong, or the server cannot serve it. With `fatal`
    /// the connection closes and retrying the same thing will not help.
    Error {
        code: String,
        message: String,
        fatal: bool,
    },
    /// The server is about to restart: reconnect after `retry_after_ms` plus a random
    /// share of `spread_ms`, so clients do not all return at once.
    Restarting {
        retry_after_ms: u64,
        spread_ms: u64,
    },
}

/// Session facts and server settings a client needs after connecting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Welcome {
    pub protocol: u32,
    /// This connection's public session id (peers know the user by it).
    pub session: String,
    /// Secret that lets this client resume the session after a drop.
    pub resume_token: String,
    /// True when an earlier session was resumed rather than a new one started.
    pub resumed: bool,
    /// The room's last seq when the client joined.
    pub room_seq: u64,
    /// Id of the room's history; sent back in the next `Hello` with `last_seq`.
    pub epoch: String,
    pub heartbeat: HeartbeatSettings,
    pub reconnect: ReconnectSettings,
    pub limits: Limits,
    /// Everyone else in the room.
    pub peers: Vec<Peer>,
}

/// Heartbeat timings the client must use (tests shorten them through server config).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatSettings {
    pub ping_interval_ms: u64,
    pub pong_timeout_ms: u64,
}

/// How clients reconnect (tests shorten these through server config).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconnectSettings {
    /// First backoff ceiling; doubles per attempt.
    pub base_ms: u64,
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
}

impl Default for ReconnectSettings {
    fn default() -> Self {
        Self {
            base_ms: 1_000,
            cap_ms: 30_000,
            max_attempts: 10,
            stable_after_ms: 5_000,
            handshake_timeout_ms: 10_000,
            grace_ms: 30_000,
            ws_probe_interval_ms: 30_000,
        }
    }
}

/// The server's input limits, so clients can stay inside them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub max_frame_bytes: usize,
    pub max_points_per_stroke: usize,
    pub max_coordinate: f32,
    pub min_stroke_width: f32,
    pub max_stroke_width: f32,
    pub max_name_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        use crate::limits::*;
        Limits {
            max_frame_bytes: MAX_FRAME_BYTES,
            max_points_per_stroke: MAX_POINTS_PER_STROKE,
            max_coordinate: MAX_COORDINATE,
            min_stroke_width: MIN_STROKE_WIDTH,
            max_stroke_width: MAX_STROKE_WIDTH,
            max_name_chars: MAX_NAME_CHARS,
        }
    }
}

/// Someone in the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Peer {
    pub session: String,
    pub name: String,
    pub color: String,
    /// `active`, or `away` while the peer's connection is down within the grace period.
    pub state: PeerState,
}

/// Whether a peer is connected right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PeerState {
    Active,
    Away,
}

/// Normalizes a display name: trims, collapses inner whitespace; `None` when empty, too
/// long or containing control characters.
pub fn clean_name(name: &str) -> Option<String> {
    let cleaned = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = cleaned.chars().count();
    (chars > 0 && chars <= crate::limits::MAX_NAME_CHARS && !cleaned.chars().any(char::is_control))
        .then_some(cleaned)
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
    fn every_message_round_trips() {
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
            ClientMsg::LiveStroke(live.clone()),
            ClientMsg::Bye,
        ];
        for msg in client {
            let json = serde_json::to_string(&msg).unwrap();
            assert_eq!(
                serde_json::from_str::<ClientMsg>(&json).unwrap(),
                msg,
                "{json}"
            );
        }
        let server = [
            ServerMsg::Pong {
                t: 1.0,
                server_time: 2.0,
            },
            ServerMsg::LiveStroke(LiveStroke {
                session: "p".into(),
                ..live
            }),
            ServerMsg::Restarting {
                retry_after_ms: 100,
                spread_ms: 5000,
            },
            ServerMsg::Error {
                code: "x".into(),
                message: "y".into(),
                fatal: true,
            },
        ];
        for msg in server {
            let json = serde_json::to_string(&msg).unwrap();
            assert_eq!(
                serde_json::from_str::<ServerMsg>(&json).unwrap(),
                msg,
                "{json}"
            );
        }
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

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Ann   Lee "), Some("Ann Lee".into()));
        assert_eq!(clean_name("   "), None);
        assert_eq!(
            clean_name(&"é".repeat(crate::limits::MAX_NAME_CHARS)).map(|n| n.chars().count()),
            Some(40)
        );
        assert_eq!(
            clean_name(&"x".repeat(crate::limits::MAX_NAME_CHARS + 1)),
            None
        );
        assert_eq!(clean_name("a\u{0007}b"), None);
    }
}
