//! One client's session, independent of the transport that carries its frames: checks the
//! handshake, decodes and validates every message, and turns them into room commands.
//! Bad input gets an explicit `Error` or `Rejected` and changes nothing.

use crate::hub::{outbox::MemberOutbox, Hello, Hub, JoinError, JoinRequest, LeaveReason, RoomLink};
use app::{
    board::{is_valid_color, validate_op, validate_points, validate_position, validate_style},
    ids::is_valid_id,
    limits::{MAX_FRAME_BYTES, MAX_LIVE_POINTS_PER_MESSAGE},
    protocol::{clean_name, ClientMsg, LiveStroke, ServerMsg, PROTOCOL_VERSION},
};
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::debug;

/// WebSocket close codes the server uses.
pub mod close_code {
    /// Normal end (client said `Bye`).
    pub const NORMAL: u16 = 1000;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The server is restarting: reconnect after the `Restarting` delay.
    pub const SERVICE_RESTART: u16 = 1012;
    /// The client broke the protocol in a way that retrying will not fix.
    pub const POLICY: u16 = 1008;
    /// The server cannot serve the room right now; retry later.
    pub const UNAVAILABLE: u16 = 1013;
}

/// A problem with what the client sent, as the `Error` message it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolError {
    pub code: &'static str,
    pub message: String,
    /// The connection closes after a fatal error.
    pub fatal: bool,
}

impl ProtocolError {
    fn new(code: &'static str, message: impl Into<String>, fatal: bool) -> Self {
        Self {
            code,
            message: message.into(),
            fatal,
        }
    }

    /// The message sent to the client.
    pub fn to_msg(&self) -> ServerMsg {
        ServerMsg::Error {
            code: self.code.into(),
            message: self.message.clone(),
            fatal: self.fatal,
        }
    }
}

/// What the transport does after handling one client frame.
#[derive(Debug)]
pub enum Reply {
    Nothing,
    /// Send this to the client (directly, not through the room).
    Send(ServerMsg),
    /// Send this (if any) and close the connection with the code.
    Close(Option<ServerMsg>, u16),
    /// The client said goodbye: close normally and end the session now.
    Bye,
}

/// Parses one text frame, enforcing the frame size limit first.
pub fn decode(text: &str) -> Result<ClientMsg, ProtocolError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(ProtocolError::new(
            "frame_too_large",
            format!(
                "message of {} bytes; the limit is {MAX_FRAME_BYTES}",
                text.len()
            ),
            false,
        ));
    }
    serde_json::from_str(text)
        .map_err(|e| ProtocolError::new("bad_message", format!("unreadable message: {e}"), false))
}

/// Checks that `msg` is a valid `Hello` for the room the client connected to.
pub fn check_hello(room: &str, msg: ClientMsg) -> Result<Hello, ProtocolError> {
    let ClientMsg::Hello {
        protocol,
        room: hello_room,
        client_id,
        resume_token,
        last_seq,
        epoch,
        name,
        color,
    } = msg
    else {
        return Err(ProtocolError::new(
            "hello_expected",
            "the first message must be hello",
            true,
        ));
    };
    if protocol != PROTOCOL_VERSION {
        return Err(ProtocolError::new(
            "unsupported_protocol",
            format!("this server speaks protocol {PROTOCOL_VERSION}, the page speaks {protocol}: reload the page"),
            true,
        ));
    }
    if hello_room != room {
        return Err(ProtocolError::new(
            "room_mismatch",
            format!("hello names room {hello_room:?} but the connection is for {room:?}"),
            true,
        ));
    }
    if !is_valid_id(&client_id) {
        return Err(ProtocolError::new(
            "invalid_client_id",
            "clientId must match [A-Za-z0-9_-]{1,64}",
            true,
        ));
    }
    let Some(name) = clean_name(&name) else {
        return Err(ProtocolError::new(
            "invalid_name",
            format!(
                "names are 1 to {} characters without control characters",
                app::limits::MAX_NAME_CHARS
            ),
            true,
        ));
    };
    if !is_valid_color(&color) {
        return Err(ProtocolError::new(
            "invalid_color",
            "color must be #rrggbb",
            true,
        ));
    }
    // Tokens and epochs are ids this server issued; anything else cannot match.
    let resume_token = resume_token.filter(|t| is_valid_id(t));
    let epoch = epoch.filter(|e| is_valid_id(e));
    Ok(Hello {
        client_id,
        name,
        color,
        last_seq,
        epoch,
        resume_token,
    })
}

/// A client joined to a room.
pub struct ClientSession {
    link: RoomLink,
    resumed: bool,
}

impl ClientSession {
    /// Joins the room named by the handshake; the room queues `Welcome` and the catch-up
    /// into `outbox`.
    pub async fn join(
        hub: &Hub,
        room: &str,
        hello: Hello,
        outbox: MemberOutbox,
    ) -> Result<Self, ProtocolError> {
        let request = JoinRequest { hello, outbox };
        match hub.join(room, request).await {
            Ok((link, accepted)) => Ok(Self {
                link,
                resumed: accepted.resumed,
            }),
            Err(error @ JoinError::Storage(_)) => Err(ProtocolError::new(
                "storage_unavailable",
                format!("{error}; retry shortly"),
                false,
            )),
            Err(error) => Err(ProtocolError::new(
                "room_unavailable",
                format!("{error}; retry shortly"),
                false,
            )),
        }
    }

    /// This session's public id.
    pub fn session(&self) -> &str {
        self.link.session()
    }

    /// Handles one decoded message after the handshake.
    pub async fn handle(&self, msg: ClientMsg) -> Reply {
        match msg {
            ClientMsg::Hello { .. } => Reply::Send(
                ProtocolError::new(
                    "already_joined",
                    "hello was already received on this connection",
                    false,
                )
                .to_msg(),
            ),
            ClientMsg::Op { op_id, op } => {
                if let Err(invalid) = validate_op(&op_id, &op) {
                    debug!(session = %self.session(), code = invalid.code(), "op rejected");
                    return Reply::Send(ServerMsg::Rejected {
                        op_id,
                        code: invalid.code().into(),
                        reason: invalid.to_string(),
                    });
                }
                match self.link.op(op_id, op).await {
                    Ok(()) => Reply::Nothing,
                    Err(_) => Reply::Close(
                        Some(
                            ProtocolError::new(
                                "room_unavailable",
                                "the room restarted; reconnect",
                                false,
                            )
                            .to_msg(),
                        ),
                        close_code::UNAVAILABLE,
                    ),
                }
            }
            ClientMsg::Ping { t } => Reply::Send(ServerMsg::Pong {
                t,
                server_time: unix_ms(),
            }),
            ClientMsg::Cursor { x, y } => match validate_position(0, x, y) {
                Ok(()) => {
                    self.link.ephemeral(ServerMsg::Cursor {
                        session: self.session().into(),
                        x,
                        y,
                    });
                    Reply::Nothing
                }
                Err(invalid) => Reply::Send(
                    ProtocolError::new(invalid.code(), format!("cursor: {invalid}"), false)
                        .to_msg(),
                ),
            },
            ClientMsg::LiveStroke(live) => match check_live_stroke(&live) {
                Ok(()) => {
                    let session = self.session().to_owned();
                    self.link
                        .ephemeral(ServerMsg::LiveStroke(LiveStroke { session, ..live }));
                    Reply::Nothing
                }
                Err(error) => Reply::Send(error.to_msg()),
            },
            ClientMsg::Bye => Reply::Bye,
        }
    }

    /// True when this connection resumed an earlier session.
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// Leaves the room: the transport is gone (`Dropped`, resumable) or the client said
    /// `Bye`.
    pub async fn leave(self, reason: LeaveReason) {
        self.link.leave(reason).await;
    }
}

fn check_live_stroke(live: &LiveStroke) -> Result<(), ProtocolError> {
    let invalid =
        |e: app::board::InvalidOp| ProtocolError::new(e.code(), format!("live stroke: {e}"), false);
    if !is_valid_id(&live.stroke_id) {
        return Err(ProtocolError::new(
            "invalid_id",
            "live stroke: strokeId must match [A-Za-z0-9_-]{1,64}",
            false,
        ));
    }
    if live.points.len() > MAX_LIVE_POINTS_PER_MESSAGE {
        return Err(ProtocolError::new(
            "too_many_points",
            format!(
                "live stroke: {} points in one message; the limit is {MAX_LIVE_POINTS_PER_MESSAGE}",
                live.points.len()
            ),
            false,
        ));
    }
    validate_style(&live.color, live.width).map_err(invalid)?;
    validate_points(&live.points).map_err(invalid)
}

/// Milliseconds since the Unix epoch (for `Pong.server_time`).
fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(room: &str) -> ClientMsg {
        ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            room: room.into(),
            client_id: "c1".into(),
            resume_token: None,
            last_seq: Some(3),
            epoch: None,
            name: "  Ann  ".into(),
            color: "#112233".into(),
        }
    }

    #[test]
    fn a_good_hello_is_accepted_and_cleaned() {
        let checked = check_hello("r", hello("r")).unwrap();
        assert_eq!(checked.name, "Ann");
        assert_eq!(checked.last_seq, Some(3));
    }

    #[test]
    fn every_bad_hello_field_has_its_own_fatal_code() {
        let with = |edit: fn(&mut ClientMsg)| {
            let mut msg = hello("r");
            edit(&mut msg);
            check_hello("r", msg).unwrap_err()
        };
        let cases: [(fn(&mut ClientMsg), &str); 5] = [
            (
                |m| {
                    if let ClientMsg::Hello { protocol, .. } = m {
                        *protocol = 99
                    }
                },
                "unsupported_protocol",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { room, .. } = m {
                        *room = "other".into()
                    }
                },
                "room_mismatch",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { client_id, .. } = m {
                        *client_id = "a b".into()
                    }
                },
                "invalid_client_id",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { name, .. } = m {
                        *name = " ".into()
                    }
                },
                "invalid_name",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { color, .. } = m {
                        *color = "blue".into()
                    }
                },
                "invalid_color",
            ),
        ];
        for (edit, code) in cases {
            let error = with(edit);
            assert_eq!(error.code, code);
            assert!(error.fatal);
        }
        assert_eq!(
            check_hello("r", ClientMsg::Bye).unwrap_err().code,
            "hello_expected"
        );
    }

    #[test]
    fn oversized_and_malformed_frames_are_named() {
        let big = format!(
            "{{\"type\":\"ping\",\"t\":1,\"pad\":\"{}\"}}",
            "x".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(decode(&big).unwrap_err().code, "frame_too_large");
        let error = decode("{\"type\":\"nope\"}").unwrap_err();
        assert_eq!(error.code, "bad_message");
        assert!(error.message.contains("nope"), "{}", error.message);
        assert!(!error.fatal);
    }

    #[test]
    fn live_strokes_are_bounded() {
        let live = LiveStroke {
            stroke_id: "s".into(),
            color: "#000000".into(),
            width: 2.0,
            points: vec![app::board::Point::new(0.0, 0.0); MAX_LIVE_POINTS_PER_MESSAGE + 1],
            session: String::new(),
            cancelled: false,
        };
        assert_eq!(
            check_live_stroke(&live).unwrap_err().code,
            "too_many_points"
        );
        let bad_color = LiveStroke {
            color: "x".into(),
            points: vec![],
            ..live.clone()
        };
        assert_eq!(
            check_live_stroke(&bad_color).unwrap_err().code,
            "invalid_color"
        );
        let far = LiveStroke {
            points: vec![app::board::Point::new(1e9, 0.0)],
            ..live
        };
        assert_eq!(
            check_live_stroke(&far).unwrap_err().code,
            "coordinate_out_of_bounds"
        );
    }
}
