//! Limits on everything a client controls. One place, named and explained, shared by the
//! server (which enforces them) and the browser (which stays inside them so its input is
//! never rejected). Each number is also sent to clients in `Welcome`.

/// Largest WebSocket message the server reads. A maximal stroke (`MAX_POINTS_PER_STROKE`
/// points of ~16 JSON bytes each) fits with room to spare.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Points in one stroke. About 30 s of continuous drawing at 60 Hz after the client drops
/// points closer than a pixel; the client ends a stroke there and starts the next one.
pub const MAX_POINTS_PER_STROKE: usize = 2_000;

/// Points in one ephemeral live-stroke batch (one animation frame of drawing, generously).
pub const MAX_LIVE_POINTS_PER_MESSAGE: usize = 256;

/// Coordinates are board units (CSS pixels from the board's top-left); anything beyond
/// this magnitude is a bug or an attack, not a drawing.
pub const MAX_COORDINATE: f32 = 100_000.0;

/// Stroke widths in board units: thinner is invisible, wider is a fill tool.
pub const MIN_STROKE_WIDTH: f32 = 0.5;
/// See [`MIN_STROKE_WIDTH`].
pub const MAX_STROKE_WIDTH: f32 = 64.0;

/// Display names: long enough for "Firstname Lastname (team)", short enough for a chip.
pub const MAX_NAME_CHARS: usize = 40;

/// Ids (rooms, ops, strokes, clients, sessions): `[A-Za-z0-9_-]{1,MAX_ID_LEN}`.
pub const MAX_ID_LEN: usize = 64;

/// Messages in one polling `send` request. A client sends what it produced since its last
/// request; a second of drawing is far below this, and a backlog drawn offline goes out in
/// several requests of at most this many.
pub const MAX_POLL_BATCH_MESSAGES: usize = 256;

/// Bytes in one polling `send` body: a few maximal strokes. Larger backlogs are split by
/// the client (see [`crate::protocol::poll_batches`]).
pub const MAX_POLL_BATCH_BYTES: usize = 512 * 1024;

/// Durable ops per second one connection may send, sustained. A fast drawer makes a few
/// strokes a second (scribbling short strokes: about 8); 40 leaves a fivefold margin.
pub const OPS_PER_SECOND: u32 = 40;

/// Durable ops one connection may send at once: an outbox of hundreds of strokes drawn
/// offline goes out in one go after reconnecting.
pub const OPS_BURST: u32 = 400;

/// Ephemeral messages per second one connection may send, sustained: live points and the
/// cursor each go out at most once per animation frame, so 120/s while drawing on a 60 Hz
/// screen and 288/s on a 144 Hz one; twice that before anything is dropped.
pub const EPHEMERAL_PER_SECOND: u32 = 600;

/// Ephemeral messages one connection may send at once (two seconds of drawing).
pub const EPHEMERAL_BURST: u32 = 1_200;

/// Joins (WebSocket handshakes and poll opens) per second from one client address: a
/// classroom behind one NAT reconnecting after a server restart spreads its returns over
/// seconds.
pub const JOINS_PER_SECOND_PER_ADDRESS: u32 = 10;

/// Joins from one client address at once (a classroom of sixty).
pub const JOINS_BURST_PER_ADDRESS: u32 = 60;

/// Members (connected or away) one board holds. A join flood cannot grow a room past it,
/// so it cannot drown the real members in presence traffic; a session that is already a
/// member always resumes.
pub const MAX_MEMBERS_PER_ROOM: usize = 100;

/// Strokes on one board. Far beyond any drawing people make together; it bounds what one
/// loaded room can cost in memory and what a cold load must read.
pub const MAX_STROKES_PER_BOARD: usize = 50_000;

/// The weight of one board (see [`stroke_weight`]): 64 MiB, about a million points.
pub const MAX_BOARD_WEIGHT: usize = 64 * 1024 * 1024;

/// What a stroke costs a board, in bytes: a generous estimate of its size in memory and on
/// the wire (16 per point, 64 for the rest), cheap to compute for every op.
pub fn stroke_weight(stroke: &crate::board::Stroke) -> usize {
    64 + 16 * stroke.points.len() + stroke.id.len() + stroke.color.len()
}

/// Rooms held in memory at once. A room costs its board (bounded by the board caps) and a
/// task; when this many are loaded, opening another unloads the least recently used empty
/// one, so a flood of links to random boards cannot exhaust memory.
pub const MAX_LOADED_ROOMS: usize = 10_000;
