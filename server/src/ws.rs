//! The WebSocket transport at `/ws/{room}`: framing only. The first text frame must be a
//! `hello` (within the handshake timeout) and opens a [`ClientSession`]; after that a
//! reader loop hands each text frame to it, and a single writer task owns the socket's
//! sending half, fed by the room (through the member outbox) and by the reader (direct
//! replies).

use crate::{
    connection::{
        budget::SessionBudgets, client_addr::ClientAddr, close_code, permits::ConnectionPermit,
        ClientSession, HttpError, ProtocolError, Reply, RoomId,
    },
    hub::{outbox::Outgoing, LeaveReason},
    AppState,
};
use axum::{
    extract::{
        ws::{
            rejection::WebSocketUpgradeRejection, CloseFrame, Message, Utf8Bytes, WebSocket,
            WebSocketUpgrade,
        },
        State,
    },
    response::{IntoResponse, Response},
    Extension,
};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};
use tether_core::{limits::MAX_FRAME_BYTES, protocol::ServerMsg};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// Hard ceiling on one WebSocket message, enforced by the WebSocket library itself (it
/// stops reading and closes with 1009). Just above the protocol's limit: messages between
/// `MAX_FRAME_BYTES` and this get a clear `frame_too_large` error from the session instead
/// of a dropped connection, and nothing much larger is ever buffered.
const HARD_MESSAGE_LIMIT: usize = MAX_FRAME_BYTES + 4 * 1024;

/// How long a close frame may take to go out; the connection ends either way.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Read and write buffers per socket. The library default (128 KiB each) would make
/// every idle connection cost ~150 KiB; protocol frames are small, and larger ones just
/// take a few more reads.
const SOCKET_BUFFER: usize = 4 * 1024;

/// Frames written before one flush when a backlog is queued (fewer syscalls under load).
const WRITE_BATCH: usize = 64;

/// Direct replies waiting for the writer (pongs, errors): a client that floods pings
/// without reading them gets disconnected, not buffered without bound.
const DIRECT_QUEUE: usize = 64;

/// Pings without an answer after which the connection counts as dead.
const MAX_UNANSWERED_PINGS: u32 = 2;

/// How long the reader waits for the writer to flush a final close.
const WRITER_FINISH: Duration = Duration::from_secs(5);

/// `GET /ws/{room}`: upgrades to a WebSocket (a bad room id was answered with 400 by the
/// [`RoomId`] extractor before this runs).
pub async fn ws_handler(
    RoomId(room): RoomId,
    ClientAddr(address): ClientAddr,
    permit: Option<Extension<ConnectionPermit>>,
    State(state): State<AppState>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if let Err(retry_after) = state.joins.admit(address) {
        return HttpError::too_many_joins(retry_after).into_response();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    ws.max_message_size(HARD_MESSAGE_LIMIT)
        .max_frame_size(HARD_MESSAGE_LIMIT)
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .on_upgrade(move |socket| {
            // Tracked, so a shutdown can wait for every connection to close.
            let connections = state.connections.clone();
            connections.track_future(async move {
                // The connection counts against the caps until the socket closes.
                let _permit = permit;
                handle_socket(socket, room, state).await
            })
        })
}

/// `GET /ws-probe`: lets a client on the polling fallback find out whether WebSockets
/// work again (through its proxy, end to end): it answers one `ping` text with `pong`.
pub async fn probe_handler(ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(64).on_upgrade(|mut socket| async move {
        let asked = tokio::time::timeout(Duration::from_secs(5), socket.recv()).await;
        if let Ok(Some(Ok(Message::Text(text)))) = asked {
            if text.as_str() == "ping" {
                // A probe that cannot answer has failed: the client's timeout says so.
                let _ = socket
                    .send(Message::Text(Utf8Bytes::from_static("pong")))
                    .await;
            }
        }
        let _ = socket.send(Message::Close(None)).await;
    })
}

/// Runs one connection from handshake to close.
async fn handle_socket(socket: WebSocket, room: String, state: AppState) {
    let (sink, stream) = socket.split();
    run_connection(sink, stream, room, state).await;
}

/// The connection loop, generic over the socket halves so tests drive it with channels.
pub async fn run_connection<W, R>(mut sink: W, mut stream: R, room: String, state: AppState)
where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin + Send,
{
    let handshake =
        tokio::time::timeout(state.config.handshake_timeout(), next_text(&mut stream)).await;
    let hello = match handshake {
        Err(_) => {
            let error = ProtocolError::HandshakeTimeout;
            return close_with(&mut sink, Some(error.to_refusal()), error.close_code()).await;
        }
        Ok(None) => return,
        Ok(Some(text)) => text,
    };
    let budget = SessionBudgets {
        ops: state.ops.clone(),
        ephemeral: state.config.ephemeral_budget(),
    };
    let opened = ClientSession::open(&state.hub, &room, &hello, budget).await;
    let (session, room_frames) = match opened {
        Ok(opened) => opened,
        Err(error @ (ProtocolError::StorageUnavailable(_) | ProtocolError::RoomUnavailable(_))) => {
            return close_with(&mut sink, Some(error.to_msg()), error.close_code()).await
        }
        Err(error) => {
            return close_with(&mut sink, Some(error.to_refusal()), error.close_code()).await
        }
    };
    debug!(%room, session = %session.session(), "websocket session started");

    let (direct, direct_frames) = mpsc::channel(DIRECT_QUEUE);
    let writer_done = CancellationToken::new();
    let liveness = Arc::new(AtomicU32::new(0));
    let writer = tokio::spawn(write_loop(
        sink,
        WriterInputs {
            room_frames,
            direct: direct_frames,
            done: writer_done.clone(),
            shutdown: state.shutdown.clone(),
            unanswered_pings: liveness.clone(),
            ping_interval: state.config.ws_ping_interval(),
            write_timeout: state.config.write_timeout(),
            restarting: state.config.restarting(),
        },
    ));

    let mut leave = LeaveReason::Dropped;
    loop {
        let message = tokio::select! {
            message = stream.next() => message,
            () = writer_done.cancelled() => break,
        };
        // Anything from the client proves the link is alive.
        liveness.store(0, Ordering::Relaxed);
        let reply = match message {
            Some(Ok(Message::Text(text))) => session.handle_text(&text).await,
            Some(Ok(Message::Binary(_))) => Reply::Send(ProtocolError::BinaryUnsupported.to_msg()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Reply::Nothing,
            Some(Ok(Message::Close(_))) | None => break,
            Some(Err(error)) => {
                debug!(%error, "websocket read failed");
                if is_too_big(&error) {
                    // Say why before going; the writer may already be gone.
                    let close = Direct::Close(None, close_code::MESSAGE_TOO_BIG);
                    let _ = direct.send(close).await;
                }
                break;
            }
        };
        let keep_going = match reply {
            Reply::Nothing => true,
            // A full direct queue means the client does not read its replies: drop it.
            Reply::Send(msg) => direct.try_send(Direct::Send(msg)).is_ok(),
            Reply::Close(msg, code) => {
                // The writer may already be gone; the connection ends either way.
                if direct.send(Direct::Close(msg, code)).await.is_ok() {
                    finish_closing(&mut stream).await;
                }
                false
            }
            Reply::Bye => {
                leave = LeaveReason::Bye;
                let _ = direct.send(Direct::Close(None, close_code::NORMAL)).await;
                false
            }
        };
        if !keep_going {
            break;
        }
    }
    session.leave(leave).await;
    drop(direct);
    // The writer flushes what is queued for a direct close, then ends; it also ends on
    // its own when the room drops the outbox. Bound the wait for a stuck socket.
    if tokio::time::timeout(WRITER_FINISH, writer).await.is_err() {
        warn!(%room, "websocket writer did not finish in time");
    }
}

/// The closing handshake after the server asked to close: read (and discard) what the
/// client still sends until its close frame arrives, for a moment at most. Closing the TCP
/// connection with unread data would reset it, and a reset can destroy the message that
/// said why (`rate_limited`, say) before the client reads it.
async fn finish_closing<R>(stream: &mut R)
where
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let drained = async {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    // A client that never answers is dropped after the deadline anyway.
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, drained).await;
}

/// True when the WebSocket library refused a message over [`HARD_MESSAGE_LIMIT`]. Its
/// error type is not re-exported by axum, so the check reads its (stable) message.
fn is_too_big(error: &axum::Error) -> bool {
    let text = error.to_string();
    text.contains("Space limit exceeded") || text.contains("too long")
}

/// A reply from the reader to the writer.
enum Direct {
    Send(ServerMsg),
    Close(Option<ServerMsg>, u16),
}

/// What the writer task listens to.
struct WriterInputs {
    room_frames: mpsc::Receiver<Outgoing>,
    direct: mpsc::Receiver<Direct>,
    /// Cancelled by the writer when it ends, so the reader stops too.
    done: CancellationToken,
    shutdown: CancellationToken,
    /// Pings sent since the client was last heard from (reset by the reader).
    unanswered_pings: Arc<AtomicU32>,
    ping_interval: Duration,
    /// The longest one write may take before the client counts as not reading.
    write_timeout: Duration,
    /// Sent before closing at shutdown.
    restarting: ServerMsg,
}

/// The only task that writes to the socket.
async fn write_loop<W>(mut sink: W, mut inputs: WriterInputs)
where
    W: Sink<Message> + Unpin,
{
    let mut pings = tokio::time::interval_at(
        tokio::time::Instant::now() + inputs.ping_interval,
        inputs.ping_interval,
    );
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let result = tokio::select! {
            // Direct replies first: a close requested by the reader must not wait behind
            // a full room queue.
            biased;
            item = inputs.direct.recv() => match item {
                Some(Direct::Send(msg)) => bounded(inputs.write_timeout, sink.send(text(&msg))).await,
                Some(Direct::Close(msg, code)) => {
                    close_with(&mut sink, msg, code).await;
                    break;
                }
                None => break,
            },
            () = inputs.shutdown.cancelled() => {
                close_with(&mut sink, Some(inputs.restarting.clone()), close_code::SERVICE_RESTART).await;
                break;
            }
            item = inputs.room_frames.recv() => match item {
                Some(Outgoing::Frame(frame)) => {
                    let written = write_batch(&mut sink, frame, &mut inputs.room_frames);
                    bounded(inputs.write_timeout, written).await
                }
                Some(Outgoing::Close { code, reason }) => {
                    send_close(&mut sink, code, reason).await;
                    break;
                }
                // The room forgot this member (it failed or unloaded): end the connection
                // so the client reconnects.
                None => {
                    close_with(&mut sink, None, close_code::TRY_AGAIN_LATER).await;
                    break;
                }
            },
            _ = pings.tick() => {
                if inputs.unanswered_pings.fetch_add(1, Ordering::Relaxed) >= MAX_UNANSWERED_PINGS {
                    debug!("two pings unanswered: dropping a dead connection");
                    break;
                }
                bounded(inputs.write_timeout, sink.send(Message::Ping(Default::default()))).await
            }
        };
        if !result {
            break;
        }
    }
    inputs.done.cancel();
}

/// Runs one socket write, bounded: a client that stops reading cannot pin the writer — and
/// every frame queued behind it — for longer than `limit`. `false` when the write failed
/// or timed out (the connection then ends; the client resumes and catches up).
async fn bounded<E>(
    limit: Duration,
    write: impl std::future::Future<Output = Result<(), E>>,
) -> bool {
    match tokio::time::timeout(limit, write).await {
        Ok(result) => result.is_ok(),
        Err(_) => {
            debug!(
                ?limit,
                "a write did not finish in time: the client is not reading"
            );
            false
        }
    }
}

/// Writes `first` and whatever else is already queued (up to [`WRITE_BATCH`] frames), then
/// flushes once. `Err` when the connection is over (write failed, or a queued close was
/// sent).
async fn write_batch<W: Sink<Message> + Unpin>(
    sink: &mut W,
    first: Utf8Bytes,
    queue: &mut mpsc::Receiver<Outgoing>,
) -> Result<(), ()> {
    sink.feed(Message::Text(first)).await.map_err(drop)?;
    for _ in 1..WRITE_BATCH {
        match queue.try_recv() {
            Ok(Outgoing::Frame(frame)) => sink.feed(Message::Text(frame)).await.map_err(drop)?,
            Ok(Outgoing::Close { code, reason }) => {
                send_close(sink, code, reason).await;
                return Err(());
            }
            Err(_) => break,
        }
    }
    sink.flush().await.map_err(drop)
}

fn text(msg: &ServerMsg) -> Message {
    Message::Text(crate::hub::outbox::frame(msg))
}

/// Sends a close frame. The connection is over either way, so a failure to send it
/// (the peer is already gone) needs no handling.
async fn send_close<W: Sink<Message> + Unpin>(sink: &mut W, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
}

/// Sends `msg` (if any), then a close frame with `code`.
async fn close_with<W: Sink<Message> + Unpin>(sink: &mut W, msg: Option<ServerMsg>, code: u16) {
    if let Some(msg) = msg {
        // If this fails, so will the close frame; the connection ends regardless.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.send(text(&msg))).await;
    }
    send_close(sink, code, "").await;
}

/// The next text frame, skipping control frames; `None` when the socket ends first.
/// A binary frame stands for an empty text (which fails the hello check, clearly).
async fn next_text<R>(stream: &mut R) -> Option<String>
where
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    while let Some(message) = stream.next().await {
        match message {
            Ok(Message::Text(text)) => return Some(text.to_string()),
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(Message::Binary(_)) => return Some(String::new()),
            Ok(Message::Close(_)) | Err(_) => return None,
        }
    }
    None
}

#[cfg(test)]
#[path = "ws_tests.rs"]
mod tests;
