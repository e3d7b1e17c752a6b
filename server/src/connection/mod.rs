//! The one connection core both transports share. A transport (WebSocket or HTTP
//! polling) only frames text: everything from the hello to the last reply is here.
//!
//! - [`session`]: [`ClientSession::open`] turns a hello into a joined session;
//!   [`ClientSession::handle_text`] turns each incoming text frame into a [`Reply`].
//! - [`hello`]: checking the handshake.  [`error`]: [`ProtocolError`], every refusal with
//!   its code, fatality and close code.  [`close_code`]: all WebSocket close codes.
//! - [`room_id`]: the `{room}` path extractor that answers a bad id with 400 itself.
//! - [`http_error`]: the JSON error answer of every HTTP route.
//! - [`link`]: a connection's id, transport and tracing span.

pub mod budget;
pub mod client_addr;
pub mod close_code;
pub mod error;
pub mod hello;
pub mod http_error;
pub mod link;
pub mod permits;
pub mod room_id;
pub mod session;

pub use error::ProtocolError;
pub use http_error::HttpError;
pub use link::Link;
pub use room_id::RoomId;
pub use session::{ClientSession, Reply};
