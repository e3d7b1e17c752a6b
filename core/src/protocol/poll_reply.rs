//! What the polling client reads from the server's answers: the session id from
//! `POST /api/poll/open/{room}` (`{"sid":"…"}`) and each batch from `GET /api/poll/{sid}`
//! (`{"batch":n,"messages":[…],"closed":null | {…}}`). The messages stay JSON texts, so
//! the engine decodes them exactly as it decodes WebSocket frames.

use crate::json::{self, Json};

/// The poll session id in the answer to the hello; `None` if it has none.
pub fn poll_session_id(text: &str) -> Option<String> {
    json::parse(text).ok()?.object().ok()?.req("sid").ok()
}

/// One answer to a poll.
#[derive(Debug, Clone, PartialEq)]
pub struct PollReply {
    /// The batch number, which the next poll acknowledges.
    pub batch: u64,
    /// Each message's JSON text, as a WebSocket frame would carry it.
    pub messages: Vec<String>,
    /// The server ended the session (`closed` present and not null; what it says is not
    /// needed: the messages before it already said why).
    pub closed: bool,
}

impl PollReply {
    /// Reads one answer; `None` if it is not one.
    pub fn from_text(text: &str) -> Option<PollReply> {
        let value = json::parse(text).ok()?;
        let fields = value.object().ok()?;
        let messages = fields.get("messages")?.items().ok()?;
        Some(PollReply {
            batch: fields.req("batch").ok()?,
            messages: messages.iter().map(|(raw, _)| (*raw).to_owned()).collect(),
            closed: fields.get("closed").is_some_and(|c| *c != Json::Null),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ServerMsg;

    #[test]
    fn a_batch_hands_on_each_message_as_its_own_text() {
        let text = r#"{"batch":3,"messages":[{"type":"pong","t":1.5,"serverTime":2},
            {"type":"peerLeft","session":"p\u00e9"}],"closed":null}"#;
        let reply = PollReply::from_text(text).unwrap();
        assert_eq!(reply.batch, 3);
        assert!(!reply.closed);
        assert_eq!(
            reply.messages,
            [
                r#"{"type":"pong","t":1.5,"serverTime":2}"#,
                r#"{"type":"peerLeft","session":"p\u00e9"}"#
            ]
        );
        assert_eq!(
            ServerMsg::from_json(&reply.messages[1]).unwrap(),
            ServerMsg::PeerLeft {
                session: "pé".into()
            }
        );
    }

    #[test]
    fn a_closed_session_says_so_and_a_missing_closed_is_open() {
        let closed = PollReply::from_text(r#"{"batch":1,"messages":[],"closed":{"code":4000}}"#);
        assert!(closed.unwrap().closed);
        let open = PollReply::from_text(r#"{"batch":1,"messages":[]}"#);
        assert!(!open.unwrap().closed);
    }

    #[test]
    fn what_is_not_an_answer_is_none() {
        for bad in [
            "",
            "{}",
            r#"{"batch":1}"#,
            r#"{"messages":[]}"#,
            r#"{"batch":-1,"messages":[]}"#,
            r#"{"batch":1,"messages":{}}"#,
            r#"{"batch":1,"messages":[}"#,
        ] {
            assert_eq!(PollReply::from_text(bad), None, "{bad}");
        }
        assert_eq!(poll_session_id(r#"{"sid":"abc"}"#).as_deref(), Some("abc"));
        assert_eq!(poll_session_id(r#"{"sid":1}"#), None);
        assert_eq!(poll_session_id("nope"), None);
    }
}
