//! How the browser decodes a [`ServerMsg`]: the `type` first, then the message straight
//! into that variant. The derived decoder of an internally tagged enum buffers every
//! message into serde's generic `Content` tree and decodes the variant again from there;
//! that second pass, for every variant and every type inside them, is a large share of
//! the WASM bundle (docs/BENCHMARKS.md, "First load"). [`ServerMsg::from_json`] accepts
//! the JSON the derived decoder accepts (the tests compare the two on every variant and
//! on malformed messages), with one difference: it decodes the fields of every variant,
//! so a message carrying another variant's field with a value of the wrong type is
//! refused (the server never sends one). The derived one stays for decoding from a
//! `serde_json::Value`.

use super::{LiveStroke, Peer, ServerMsg, Welcome};
use crate::board::{AppliedOp, Stroke};
use serde::{de::Error as _, Deserialize};
use std::borrow::Cow;

/// The `type` of every server message.
const TYPES: &[&str] = &[
    "welcome",
    "replay",
    "snapshot",
    "applied",
    "rejected",
    "pong",
    "peerJoined",
    "peerAway",
    "peerBack",
    "peerLeft",
    "cursor",
    "liveStroke",
    "error",
    "restarting",
];

/// Every field of the struct-like variants, as on the wire, and the `type`: one decoder
/// for all of them, where a derived struct per variant cost ~1.3 KB of the bundle each.
/// No two variants give one name different types, so each variant takes the fields it has
/// and names the first one missing. The variants that are structs of their own
/// (`welcome`, `applied`, `liveStroke`) are decoded again as those.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fields<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    ops: Option<Vec<AppliedOp>>,
    seq: Option<u64>,
    strokes: Option<Vec<Stroke>>,
    op_id: Option<String>,
    code: Option<String>,
    reason: Option<String>,
    t: Option<f64>,
    server_time: Option<f64>,
    peer: Option<Peer>,
    session: Option<String>,
    x: Option<f32>,
    y: Option<f32>,
    message: Option<String>,
    fatal: Option<bool>,
    retry_after_ms: Option<u64>,
    spread_ms: Option<u64>,
}

/// `field`'s value, or the error a derived decoder gives when it is missing.
fn required<T>(value: Option<T>, field: &'static str) -> Result<T, serde_json::Error> {
    value.ok_or_else(|| serde_json::Error::missing_field(field))
}

impl ServerMsg {
    /// Decodes one message from its JSON text (a WebSocket frame, or one message of a
    /// polling batch).
    pub fn from_json(text: &str) -> Result<ServerMsg, serde_json::Error> {
        let fields: Fields = serde_json::from_str(text)?;
        let kind = required(fields.kind, "type")?;
        Ok(match &*kind {
            "welcome" => ServerMsg::Welcome(serde_json::from_str::<Welcome>(text)?),
            "replay" => ServerMsg::Replay {
                ops: required(fields.ops, "ops")?,
            },
            "snapshot" => ServerMsg::Snapshot {
                seq: required(fields.seq, "seq")?,
                strokes: required(fields.strokes, "strokes")?,
            },
            "applied" => ServerMsg::Applied(serde_json::from_str::<AppliedOp>(text)?),
            "rejected" => ServerMsg::Rejected {
                op_id: required(fields.op_id, "opId")?,
                code: required(fields.code, "code")?,
                reason: required(fields.reason, "reason")?,
            },
            "pong" => ServerMsg::Pong {
                t: required(fields.t, "t")?,
                server_time: required(fields.server_time, "serverTime")?,
            },
            "peerJoined" => ServerMsg::PeerJoined {
                peer: required(fields.peer, "peer")?,
            },
            "peerAway" => ServerMsg::PeerAway {
                session: required(fields.session, "session")?,
            },
            "peerBack" => ServerMsg::PeerBack {
                session: required(fields.session, "session")?,
            },
            "peerLeft" => ServerMsg::PeerLeft {
                session: required(fields.session, "session")?,
            },
            "cursor" => ServerMsg::Cursor {
                session: required(fields.session, "session")?,
                x: required(fields.x, "x")?,
                y: required(fields.y, "y")?,
            },
            "liveStroke" => ServerMsg::LiveStroke(serde_json::from_str::<LiveStroke>(text)?),
            "error" => ServerMsg::Error {
                code: required(fields.code, "code")?,
                message: required(fields.message, "message")?,
                fatal: required(fields.fatal, "fatal")?,
                retry_after_ms: fields.retry_after_ms,
            },
            "restarting" => ServerMsg::Restarting {
                retry_after_ms: required(fields.retry_after_ms, "retryAfterMs")?,
                spread_ms: required(fields.spread_ms, "spreadMs")?,
            },
            other => return Err(serde_json::Error::unknown_variant(other, TYPES)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        board::{Op, Point},
        protocol::{HeartbeatSettings, Limits, PeerState, ReconnectSettings},
    };

    /// What the derived decoder makes of `text`.
    fn derived(text: &str) -> Result<ServerMsg, serde_json::Error> {
        serde_json::from_str(text)
    }

    fn stroke(id: &str, author: &str) -> Stroke {
        Stroke {
            id: id.into(),
            points: vec![
                Point {
                    x: 1.0,
                    y: 2.0,
                    pressure: Some(0.25),
                },
                Point {
                    x: 3.5,
                    y: -4.0,
                    pressure: Some(0.5),
                },
            ],
            color: "#112233".into(),
            width: 4.0,
            author: author.into(),
        }
    }

    /// One of each variant, and each again with its optional fields the other way.
    fn every_message() -> Vec<ServerMsg> {
        let peer = |state| Peer {
            session: "p1".into(),
            name: "Ann".into(),
            color: "#445566".into(),
            state,
        };
        let applied = |seq, op| AppliedOp {
            seq,
            op_id: format!("o{seq}"),
            author: "a".into(),
            op,
        };
        let live = LiveStroke {
            stroke_id: "s".into(),
            color: "#000000".into(),
            width: 2.0,
            points: vec![Point::new(1.0, 2.0)],
            session: "p1".into(),
            cancelled: false,
        };
        vec![
            ServerMsg::Welcome(Welcome {
                protocol: 2,
                session: "sess".into(),
                resume_token: "token".into(),
                author: "me".into(),
                resumed: true,
                room_seq: 9,
                epoch: "e1".into(),
                heartbeat: HeartbeatSettings::default(),
                reconnect: ReconnectSettings::default(),
                limits: Limits::default(),
                peers: vec![peer(PeerState::Active), peer(PeerState::Away)],
            }),
            ServerMsg::Replay {
                ops: vec![
                    applied(
                        1,
                        Op::AddStroke {
                            stroke: stroke("s1", "a"),
                        },
                    ),
                    applied(2, Op::EraseStroke { id: "s1".into() }),
                    applied(3, Op::Clear),
                ],
            },
            ServerMsg::Replay { ops: vec![] },
            ServerMsg::Snapshot {
                seq: 4,
                strokes: vec![stroke("s1", "a"), stroke("s2", "")],
            },
            ServerMsg::Applied(applied(
                5,
                Op::AddStroke {
                    stroke: stroke("s3", "b"),
                },
            )),
            ServerMsg::Rejected {
                op_id: "o6".into(),
                code: "too_many_points".into(),
                reason: "too long".into(),
            },
            ServerMsg::Pong {
                t: 12.5,
                server_time: 1.7e12,
            },
            ServerMsg::PeerJoined {
                peer: peer(PeerState::Active),
            },
            ServerMsg::PeerAway {
                session: "p1".into(),
            },
            ServerMsg::PeerBack {
                session: "p1".into(),
            },
            ServerMsg::PeerLeft {
                session: "p1".into(),
            },
            ServerMsg::Cursor {
                session: "p1".into(),
                x: -3.25,
                y: 1e6,
            },
            ServerMsg::LiveStroke(live.clone()),
            ServerMsg::LiveStroke(LiveStroke {
                color: String::new(),
                width: 0.0,
                cancelled: true,
                ..live
            }),
            ServerMsg::Error {
                code: "bad_message".into(),
                message: "no".into(),
                fatal: true,
                retry_after_ms: None,
            },
            ServerMsg::Error {
                code: "rate_limited".into(),
                message: "slow down".into(),
                fatal: false,
                retry_after_ms: Some(2_500),
            },
            ServerMsg::Restarting {
                retry_after_ms: 100,
                spread_ms: 5_000,
            },
        ]
    }

    #[test]
    fn every_message_decodes_as_the_derived_decoder_decodes_it() {
        let messages = every_message();
        let types: std::collections::BTreeSet<String> = messages
            .iter()
            .map(|msg| {
                serde_json::to_value(msg).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(types.len(), TYPES.len(), "every type is tried: {types:?}");
        for msg in messages {
            let text = serde_json::to_string(&msg).unwrap();
            assert_eq!(ServerMsg::from_json(&text).unwrap(), msg, "{text}");
            assert_eq!(derived(&text).unwrap(), msg, "{text}");
        }
    }

    #[test]
    fn the_type_may_come_anywhere_and_unknown_fields_are_ignored() {
        let text = r#"{"session":"p1","extra":[1,{"a":2}],"type":"peerLeft","x":1}"#;
        let expected = ServerMsg::PeerLeft {
            session: "p1".into(),
        };
        assert_eq!(ServerMsg::from_json(text).unwrap(), expected);
        assert_eq!(derived(text).unwrap(), expected);
    }

    #[test]
    fn another_variants_field_of_the_wrong_type_is_refused_by_this_decoder_only() {
        let text = r#"{"type":"peerLeft","session":"p1","x":"left"}"#;
        assert!(ServerMsg::from_json(text).is_err());
        assert!(derived(text).is_ok());
    }

    #[test]
    fn malformed_messages_are_errors_for_both_decoders() {
        for bad in [
            "",
            "[]",
            "null",
            r#"{"session":"p1"}"#,
            r#"{"type":"nope"}"#,
            r#"{"type":5,"session":"p1"}"#,
            r#"{"type":"peerLeft"}"#,
            r#"{"type":"peerLeft","session":7}"#,
            r#"{"type":"pong","t":"soon","serverTime":1}"#,
            r#"{"type":"applied","seq":1,"opId":"o","author":"a","op":{"kind":"addStroke"}}"#,
            r#"{"type":"applied","seq":1,"opId":"o","author":"a","op":{"kind":"paint"}}"#,
            r#"{"type":"applied","seq":1,"opId":"o","author":"a","op":{"id":"s"}}"#,
            r#"{"type":"snapshot","seq":1,"strokes":[{"id":"s"}]}"#,
            r#"{"type":"error","code":"x","message":"y"}"#,
            r#"{"type":"peerLeft","session":"p1""#,
        ] {
            let lean = ServerMsg::from_json(bad);
            assert!(lean.is_err(), "{bad}: {lean:?}");
            assert!(derived(bad).is_err(), "{bad}");
        }
        let unknown = ServerMsg::from_json(r#"{"type":"nope"}"#).unwrap_err();
        assert!(
            unknown.to_string().contains("unknown variant `nope`"),
            "{unknown}"
        );
    }
}
