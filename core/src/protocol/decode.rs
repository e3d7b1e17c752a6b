//! How the browser decodes a [`ServerMsg`] and what it carries, from a parsed JSON tree
//! (see [`crate::json`] for why not serde there): the `type` first, then that variant's
//! fields. It reads the same JSON the derived serde decoder reads (the tests compare the
//! two on every variant and on malformed messages); the server keeps serde.

use super::{
    HeartbeatSettings, Limits, LiveStroke, Peer, PeerState, ReconnectSettings, ServerMsg, Welcome,
};
use crate::{
    defaults,
    json::{self, DecodeError, FromJson, Json},
};

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

impl ServerMsg {
    /// Decodes one message from its JSON text (a WebSocket frame, or one message of a
    /// polling batch).
    pub fn from_json(text: &str) -> Result<ServerMsg, DecodeError> {
        json::decode(text)
    }
}

impl FromJson for ServerMsg {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(match fields.str("type")? {
            "welcome" => ServerMsg::Welcome(Welcome::from_json(value)?),
            "replay" => ServerMsg::Replay {
                ops: fields.req("ops")?,
            },
            "snapshot" => ServerMsg::Snapshot {
                seq: fields.req("seq")?,
                strokes: fields.req("strokes")?,
            },
            "applied" => ServerMsg::Applied(FromJson::from_json(value)?),
            "rejected" => ServerMsg::Rejected {
                op_id: fields.req("opId")?,
                code: fields.req("code")?,
                reason: fields.req("reason")?,
            },
            "pong" => ServerMsg::Pong {
                t: fields.req("t")?,
                server_time: fields.req("serverTime")?,
            },
            "peerJoined" => ServerMsg::PeerJoined {
                peer: fields.req("peer")?,
            },
            "peerAway" => ServerMsg::PeerAway {
                session: fields.req("session")?,
            },
            "peerBack" => ServerMsg::PeerBack {
                session: fields.req("session")?,
            },
            "peerLeft" => ServerMsg::PeerLeft {
                session: fields.req("session")?,
            },
            "cursor" => ServerMsg::Cursor {
                session: fields.req("session")?,
                x: fields.req("x")?,
                y: fields.req("y")?,
            },
            "liveStroke" => ServerMsg::LiveStroke(LiveStroke::from_json(value)?),
            "error" => ServerMsg::Error {
                code: fields.req("code")?,
                message: fields.req("message")?,
                fatal: fields.req("fatal")?,
                retry_after_ms: fields.opt("retryAfterMs")?,
            },
            "restarting" => ServerMsg::Restarting {
                retry_after_ms: fields.req("retryAfterMs")?,
                spread_ms: fields.req("spreadMs")?,
            },
            other => {
                return Err(DecodeError::new(format!(
                    "unknown variant `{other}`, expected one of {}",
                    TYPES.join(", ")
                )))
            }
        })
    }
}

impl FromJson for Welcome {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(Welcome {
            protocol: fields.req("protocol")?,
            session: fields.req("session")?,
            resume_token: fields.req("resumeToken")?,
            author: fields.or_default("author")?,
            resumed: fields.req("resumed")?,
            room_seq: fields.req("roomSeq")?,
            epoch: fields.req("epoch")?,
            heartbeat: fields.req("heartbeat")?,
            reconnect: fields.req("reconnect")?,
            limits: fields.req("limits")?,
            peers: fields.req("peers")?,
        })
    }
}

impl FromJson for HeartbeatSettings {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(HeartbeatSettings {
            ping_interval_ms: fields.req("pingIntervalMs")?,
            pong_timeout_ms: fields.req("pongTimeoutMs")?,
        })
    }
}

impl FromJson for ReconnectSettings {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(ReconnectSettings {
            base_ms: fields.req("baseMs")?,
            cap_ms: fields.req("capMs")?,
            max_attempts: fields.req("maxAttempts")?,
            stable_after_ms: fields.req("stableAfterMs")?,
            handshake_timeout_ms: fields.req("handshakeTimeoutMs")?,
            grace_ms: fields.req("graceMs")?,
            ws_probe_interval_ms: fields.req("wsProbeIntervalMs")?,
            quiet_retry_ms: fields
                .opt("quietRetryMs")?
                .unwrap_or(defaults::QUIET_RETRY_MS),
        })
    }
}

impl FromJson for Limits {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(Limits {
            max_frame_bytes: fields.req("maxFrameBytes")?,
            max_points_per_stroke: fields.req("maxPointsPerStroke")?,
            max_coordinate: fields.req("maxCoordinate")?,
            min_stroke_width: fields.req("minStrokeWidth")?,
            max_stroke_width: fields.req("maxStrokeWidth")?,
            max_name_chars: fields.req("maxNameChars")?,
        })
    }
}

impl FromJson for Peer {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(Peer {
            session: fields.req("session")?,
            name: fields.req("name")?,
            color: fields.req("color")?,
            state: match fields.str("state")? {
                "active" => PeerState::Active,
                "away" => PeerState::Away,
                other => {
                    return Err(DecodeError::new(format!(
                        "`state`: unknown variant `{other}`, expected `active` or `away`"
                    )))
                }
            },
        })
    }
}

impl FromJson for LiveStroke {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(LiveStroke {
            stroke_id: fields.req("strokeId")?,
            color: fields.or_default("color")?,
            width: fields.or_default("width")?,
            points: crate::board::points_from_json(fields, "points")?,
            session: fields.or_default("session")?,
            cancelled: fields.or_default("cancelled")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{AppliedOp, Op, Point, Stroke};

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
    fn another_variants_field_is_ignored_whatever_its_type() {
        let text = r#"{"type":"peerLeft","session":"p1","x":"left"}"#;
        assert!(ServerMsg::from_json(text).is_ok());
        assert!(derived(text).is_ok());
    }

    #[test]
    fn optional_fields_may_be_missing_and_defaults_fill_them() {
        let mut welcome = serde_json::to_value(&every_message()[0]).unwrap();
        welcome.as_object_mut().unwrap().remove("author");
        welcome["reconnect"]
            .as_object_mut()
            .unwrap()
            .remove("quietRetryMs");
        let text = welcome.to_string();
        let ours = ServerMsg::from_json(&text).unwrap();
        assert_eq!(ours, derived(&text).unwrap());
        let ServerMsg::Welcome(welcome) = ours else {
            panic!("{text}")
        };
        assert_eq!(welcome.author, "");
        assert_eq!(welcome.reconnect.quiet_retry_ms, defaults::QUIET_RETRY_MS);
        let bare = ServerMsg::LiveStroke(LiveStroke {
            stroke_id: "s".into(),
            color: String::new(),
            width: 0.0,
            points: vec![],
            session: String::new(),
            cancelled: false,
        });
        let live = serde_json::to_string(&bare).unwrap();
        assert_eq!(
            live,
            r#"{"type":"liveStroke","strokeId":"s","points":"AA"}"#
        );
        assert_eq!(ServerMsg::from_json(&live).unwrap(), bare);
        assert_eq!(derived(&live).unwrap(), bare);
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
            r#"{"type":"peerJoined","peer":{"session":"p","name":"n","color":"c","state":"gone"}}"#,
            r#"{"type":"restarting","retryAfterMs":-1,"spreadMs":0}"#,
            r#"{"type":"cursor","session":"p1","x":1}"#,
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
