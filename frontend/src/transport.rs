//! The two transports behind one face: the runtime opens, sends on and abandons an
//! [`OpenTransport`] without caring which kind it is.

use crate::{polling::PollTransport, websocket::WsTransport};
use tether_core::sync::Transport;

/// Event callbacks of one transport instance.
pub struct Handlers {
    pub on_open: Box<dyn FnMut()>,
    /// One protocol message, as JSON text.
    pub on_text: Box<dyn FnMut(String)>,
    /// The transport closed or failed (called at most once).
    pub on_close: Box<dyn FnMut()>,
}

/// An open (or opening) transport.
pub enum OpenTransport {
    WebSocket(WsTransport),
    Polling(PollTransport),
}

impl OpenTransport {
    /// Opens a transport of `kind` to `room`.
    pub fn open(kind: Transport, room: &str, handlers: Handlers) -> Result<Self, String> {
        match kind {
            Transport::WebSocket => {
                let url = crate::websocket::url_for(room).ok_or("no page location")?;
                WsTransport::open(&url, handlers).map(OpenTransport::WebSocket)
            }
            Transport::Polling => Ok(OpenTransport::Polling(PollTransport::open(room, handlers))),
        }
    }

    /// Sends one message (JSON text); `false` if the transport cannot take it now.
    pub fn send(&self, text: &str) -> bool {
        match self {
            OpenTransport::WebSocket(ws) => ws.send(text),
            OpenTransport::Polling(poll) => poll.send(text),
        }
    }

    /// Sends the last messages while the page is going away: over the open socket, or as
    /// one beacon for polling (an ordinary request would be cancelled with the page).
    pub fn send_last(&self, texts: &[String]) -> bool {
        match self {
            OpenTransport::WebSocket(ws) => texts.iter().all(|text| ws.send(text)),
            OpenTransport::Polling(poll) => poll.beacon(&texts.join(",")),
        }
    }

    /// Drops the transport without waiting for anything; none of its handlers runs again.
    pub fn abandon(self) {
        match self {
            OpenTransport::WebSocket(ws) => ws.abandon(),
            OpenTransport::Polling(poll) => poll.abandon(),
        }
    }
}
