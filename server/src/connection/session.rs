//! One client's session, whatever transport carries its frames: opened from a hello, it
//! decodes and validates every message and turns it into room commands and replies. Bad
//! input gets an explicit `error` or `rejected` and changes nothing.

use super::{
    budget::{ReportBudget, SessionBudgets},
    hello::check_hello,
    Link, ProtocolError,
};
use crate::hub::{
    outbox::{MemberOutbox, Outgoing},
    Hub, JoinRequest, LeaveReason, RoomError, RoomHandle,
};
use crate::observability::record;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tether_core::{
    board::{validate_op, validate_points, validate_position, validate_style},
    ids::is_valid_id,
    limits::{MAX_FRAME_BYTES, MAX_LIVE_POINTS_PER_MESSAGE},
    protocol::{
        report::{ConnectionReport, InvalidReport},
        ClientMsg, LiveStroke, ServerMsg,
    },
};
use tokio::sync::mpsc;
use tracing::debug;

/// What the transport does after handling one client frame.
#[derive(Debug)]
pub enum Reply {
    /// Nothing to send back (the room answers through the member outbox, if at all).
    Nothing,
    /// Send this to the client (directly, not through the room).
    Send(ServerMsg),
    /// Send this (if any) and close the connection with the code.
    Close(Option<ServerMsg>, u16),
    /// The client said goodbye (`Bye`) or that its page is going away (`Unloading`):
    /// close normally and leave the room for that reason.
    Bye(LeaveReason),
}

/// Parses one text frame, enforcing the frame size limit first.
pub fn decode(text: &str) -> Result<ClientMsg, ProtocolError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(ProtocolError::FrameTooLarge { bytes: text.len() });
    }
    serde_json::from_str(text).map_err(|e| ProtocolError::BadMessage(e.to_string()))
}

/// Connection reports come at most one per this after a burst of two (clients send one
/// every 30 s, and one more when the page goes away).
const MIN_REPORT_GAP: Duration = Duration::from_secs(5);

/// A client joined to a room.
pub struct ClientSession {
    room: RoomHandle,
    /// The connection reports this connection may still send.
    reports: ReportBudget,
    /// Counts the connection as open until the session ends (or is dropped).
    counted: OpenConnection,
    resumed: bool,
    /// The client id (the key of its op budget).
    client_id: String,
    /// What this connection may send, and how fast.
    budgets: SessionBudgets,
}

impl ClientSession {
    /// Opens a session from the client's first frame, which must be a hello for `room`:
    /// joins the room, which queues `welcome` and the catch-up into the returned queue
    /// (the member outbox, bounded by the hub's settings; the transport drains it).
    /// `link` names the connection in the metrics and the dashboard.
    pub async fn open(
        hub: &Hub,
        room: &str,
        hello: &str,
        budgets: SessionBudgets,
        link: Link,
    ) -> Result<(Self, mpsc::Receiver<Outgoing>), ProtocolError> {
        Self::join(hub, room, hello, budgets, link)
            .await
            .inspect_err(|refused| {
                record::protocol_error(refused.code());
                if matches!(refused, ProtocolError::RoomFull(_)) {
                    record::refusal("room_full");
                }
            })
    }

    async fn join(
        hub: &Hub,
        room: &str,
        hello: &str,
        budgets: SessionBudgets,
        link: Link,
    ) -> Result<(Self, mpsc::Receiver<Outgoing>), ProtocolError> {
        let hello = decode(hello).and_then(|msg| check_hello(room, msg))?;
        let client_id = hello.client_id.clone();
        let (outbox, frames) = MemberOutbox::channel(hub.settings().outbox_capacity);
        match hub.join(room, JoinRequest { hello, outbox }).await {
            Ok((room, accepted)) => {
                record::connection_opened(link.transport, accepted.resumed);
                let session = Self {
                    room,
                    reports: ReportBudget::new(MIN_REPORT_GAP),
                    counted: OpenConnection {
                        link,
                        ended: "dropped",
                    },
                    resumed: accepted.resumed,
                    client_id,
                    budgets,
                };
                Ok((session, frames))
            }
            Err(RoomError::Full(members)) => Err(ProtocolError::RoomFull(members)),
            Err(error @ RoomError::TooManyRooms(_)) => {
                Err(ProtocolError::RoomUnavailable(error.to_string()))
            }
            Err(error @ RoomError::Storage(_)) => {
                Err(ProtocolError::StorageUnavailable(error.to_string()))
            }
            Err(error) => Err(ProtocolError::RoomUnavailable(error.to_string())),
        }
    }

    /// This session's public id.
    pub fn session(&self) -> &str {
        self.room.session()
    }

    /// True when this connection resumed an earlier session.
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// Handles one text frame after the handshake.
    pub async fn handle_text(&self, text: &str) -> Reply {
        match decode(text) {
            Ok(msg) => self.handle(msg).await,
            Err(error) => Reply::Send(error_msg(&error)),
        }
    }

    /// Handles one decoded message after the handshake.
    pub async fn handle(&self, msg: ClientMsg) -> Reply {
        match msg {
            ClientMsg::Hello { .. } => Reply::Send(error_msg(&ProtocolError::AlreadyJoined)),
            ClientMsg::Op { op_id, op } => {
                if let Err(invalid) = validate_op(&op_id, &op) {
                    debug!(session = %self.session(), code = invalid.code(), "op rejected");
                    record::op_rejected(invalid.code());
                    return Reply::Send(ServerMsg::Rejected {
                        op_id,
                        code: invalid.code().into(),
                        reason: invalid.to_string(),
                    });
                }
                if let Err(pause) = self.budgets.ops.admit(&self.client_id) {
                    // Over budget: say when to come back, and end the connection. The
                    // client resends its outbox in order on the next one: nothing lost, no
                    // op overtaking another.
                    debug!(session = %self.session(), "op budget exceeded: connection paused");
                    record::refusal("op_rate");
                    let error = ProtocolError::RateLimited {
                        retry_after_ms: pause.as_millis() as u64,
                    };
                    return Reply::Close(Some(error_msg(&error)), error.close_code());
                }
                match self.room.op(op_id, op).await {
                    Ok(()) => Reply::Nothing,
                    Err(_) => {
                        let error = ProtocolError::RoomUnavailable("the room restarted".into());
                        Reply::Close(Some(error_msg(&error)), error.close_code())
                    }
                }
            }
            ClientMsg::Ping { t } => Reply::Send(ServerMsg::Pong {
                t,
                server_time: unix_ms(),
            }),
            ClientMsg::Cursor { .. } | ClientMsg::LiveStroke(_)
                if !self.budgets.ephemeral.admit() =>
            {
                Reply::Nothing // over budget: ephemeral messages may be dropped
            }
            msg @ (ClientMsg::Cursor { .. } | ClientMsg::LiveStroke(_)) => {
                if let Err(error) = check_ephemeral(&msg) {
                    return Reply::Send(error_msg(&error));
                }
                let session = self.session().to_owned();
                let relayed = match msg {
                    ClientMsg::Cursor { x, y } => ServerMsg::Cursor { session, x, y },
                    ClientMsg::LiveStroke(live) => {
                        ServerMsg::LiveStroke(LiveStroke { session, ..live })
                    }
                    _ => return Reply::Nothing,
                };
                self.room.ephemeral(relayed);
                Reply::Nothing
            }
            ClientMsg::Report(report) => self.take_report(&report),
            ClientMsg::Bye => Reply::Bye(LeaveReason::Bye),
            ClientMsg::Unloading => Reply::Bye(LeaveReason::Unloading),
        }
    }

    /// A connection report: validated, within the [`ReportBudget`] (more are ignored),
    /// then added to the metrics and the dashboard.
    fn take_report(&self, report: &ConnectionReport) -> Reply {
        if let Err(InvalidReport(why)) = report.validate() {
            return Reply::Send(error_msg(&ProtocolError::InvalidReport(why)));
        }
        if !self.reports.admit() {
            record::refusal("report_rate");
            return Reply::Nothing;
        }
        record::client_report(self.counted.link.id, report);
        Reply::Nothing
    }

    /// Why the transport ended (a label of the closed-connections metric: `dropped`,
    /// `timeout`, `slow`, `shutdown`, `server_closed`); a client's `bye` or `unloading`
    /// passed to [`Self::leave`] says more and wins.
    pub fn ended_because(&mut self, why: &'static str) {
        self.counted.ended = why;
    }

    /// Leaves the room: the transport is gone (`Dropped`, resumable) or the client said
    /// `Bye`.
    pub async fn leave(mut self, reason: LeaveReason) {
        match reason {
            LeaveReason::Dropped => {}
            LeaveReason::Unloading => self.counted.ended = "unloading",
            LeaveReason::Bye => self.counted.ended = "bye",
        }
        self.room.leave(reason).await;
    }
}

/// The open-connections gauge's share of one session: counted from the join, uncounted
/// when the session ends however it ends (a transport task may be dropped mid-way).
struct OpenConnection {
    link: Link,
    /// Why it ended: `dropped` unless the client said otherwise.
    ended: &'static str,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        record::connection_closed(self.link.id, self.link.transport, self.ended);
    }
}

/// The message for a protocol error after the handshake, counted by code.
fn error_msg(error: &ProtocolError) -> ServerMsg {
    record::protocol_error(error.code());
    error.to_msg()
}

/// Checks an ephemeral message (cursor, live stroke) before it is relayed; other messages
/// pass.
pub(crate) fn check_ephemeral(msg: &ClientMsg) -> Result<(), ProtocolError> {
    match msg {
        ClientMsg::Cursor { x, y } => {
            validate_position(0, *x, *y).map_err(|source| ProtocolError::InvalidEphemeral {
                what: "cursor",
                source,
            })
        }
        ClientMsg::LiveStroke(live) => check_live_stroke(live),
        _ => Ok(()),
    }
}

fn check_live_stroke(live: &LiveStroke) -> Result<(), ProtocolError> {
    let invalid = |source| ProtocolError::InvalidEphemeral {
        what: "live stroke",
        source,
    };
    if !is_valid_id(&live.stroke_id) {
        return Err(ProtocolError::InvalidLiveStrokeId);
    }
    if live.points.len() > MAX_LIVE_POINTS_PER_MESSAGE {
        return Err(ProtocolError::TooManyLivePoints {
            count: live.points.len(),
        });
    }
    // A batch without the style relies on an earlier one; one with it is checked whole.
    if live.has_style() {
        validate_style(&live.color, live.width).map_err(invalid)?;
    }
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
    use tether_core::board::Point;

    #[test]
    fn oversized_and_malformed_frames_are_named() {
        let big = format!(
            "{{\"type\":\"ping\",\"t\":1,\"pad\":\"{}\"}}",
            "x".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(decode(&big).unwrap_err().code(), "frame_too_large");
        let error = decode("{\"type\":\"nope\"}").unwrap_err();
        assert_eq!(error.code(), "bad_message");
        assert!(error.to_string().contains("nope"), "{error}");
        assert!(!error.is_fatal());
    }

    #[test]
    fn live_strokes_are_bounded() {
        let live = LiveStroke {
            stroke_id: "s".into(),
            color: "#000000".into(),
            width: 2.0,
            points: vec![Point::new(0.0, 0.0); MAX_LIVE_POINTS_PER_MESSAGE + 1],
            session: String::new(),
            cancelled: false,
        };
        assert_eq!(
            check_live_stroke(&live).unwrap_err().code(),
            "too_many_points"
        );
        let bad_color = LiveStroke {
            color: "x".into(),
            points: vec![],
            ..live.clone()
        };
        assert_eq!(
            check_live_stroke(&bad_color).unwrap_err().code(),
            "invalid_color"
        );
        // Batches between styled ones leave the style out; half a style is refused.
        let unstyled = LiveStroke {
            color: String::new(),
            width: 0.0,
            points: vec![Point::new(1.0, 2.0)],
            ..live.clone()
        };
        assert!(check_live_stroke(&unstyled).is_ok());
        let half = LiveStroke {
            width: 3.0,
            ..unstyled
        };
        assert_eq!(
            check_live_stroke(&half).unwrap_err().code(),
            "invalid_color"
        );
        let far = LiveStroke {
            points: vec![Point::new(1e9, 0.0)],
            ..live
        };
        assert_eq!(
            check_live_stroke(&far).unwrap_err().code(),
            "coordinate_out_of_bounds"
        );
    }
}
