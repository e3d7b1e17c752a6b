//! Every WebSocket close code the server sends, in one place (RFC 6455 §7.4.1 and the
//! IANA registry). Polling sessions report the same codes in their `closed` field.

/// Normal end (the client said `bye`).
pub const NORMAL: u16 = 1000;
/// The client broke the protocol in a way that retrying will not fix (or never said
/// hello in time).
pub const POLICY: u16 = 1008;
/// A message over the size the server reads (`MAX_FRAME_BYTES` and a little).
pub const MESSAGE_TOO_BIG: u16 = 1009;
/// The server hit a condition it cannot serve the room through (storage failed):
/// clients reconnect and find a freshly loaded room.
pub const INTERNAL_ERROR: u16 = 1011;
/// The server is restarting: reconnect after the `restarting` delay.
pub const SERVICE_RESTART: u16 = 1012;
/// Try again later: the room is unavailable, or this client fell too far behind and must
/// resync.
pub const TRY_AGAIN_LATER: u16 = 1013;
