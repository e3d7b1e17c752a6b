//! The WebSocket transport at `/ws/{room}`: framing only. The first text frame must be a
//! `Hello` (within the handshake timeout); after that a reader loop hands each frame to
//! the [`ClientSession`], and a single writer task owns the socket's sending half, fed by
//! the room (through the member outbox) and by the reader (direct replies).

use crate::{
    hub::{
        outbox::{MemberOutbox, Outgoing},
        LeaveReason,
    },
    session::{check_hello, close_code, decode, ClientSession, ProtocolError, Reply},
    AppState,
};
use app::{ids::is_valid_id, protocol::ServerMsg};
use axum::{
    extract::{
        ws::{
            rejection::WebSocketUpgradeRejection, CloseFrame, Message, Utf8Bytes, WebSocket,
            WebSocketUpgrade,
        },
        Path, State,
    },
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// Hard ceiling on one WebSocket message, enforced by the WebSocket library itself.
/// Messages between `MAX_FRAME_BYTES` and this get a clear `frame_too_large` error from
/// the session instead of a dropped connection; beyond it the connection is closed.
const HARD_MESSAGE_LIMIT: usize = 1024 * 1024;

/// Read and write buffers per socket. The library default (128 KiB each) would make
/// every idle connection cost ~150 KiB; protocol frames are small, and larger ones just
/// take a few more reads.
const SOCKET_BUFFER: usize = 4 * 1024;

/// Frames written before one flush when a backlog is queued (fewer syscalls under load).
const WRITE_BATCH: usize = 64;

/// Direct replies waiting for the writer (pongs, errors): a client that floods pings
/// without reading them gets disconnected, not buffered without bound.
const DIRECT_QUEUE: usize = 64;

/// `GET /ws/{room}`: upgrades to a WebSocket after checking the room id.
pub async fn ws_handler(
    Path(room): Path<String>,
    State(state): State<AppState>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if !is_valid_id(&room) {
        let body = serde_json::json!({
            "code": "invalid_room",
            "message": "room ids must match [A-Za-z0-9_-]{1,64}",
        });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
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
            connections.track_future(handle_socket(socket, room, state))
        })
}

/// `GET /ws-probe`: lets a client on the polling fallback find out whether WebSockets
/// work again (through its proxy, end to end): it answers one `ping` text with `pong`.
pub async fn probe_handler(ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(64).on_upgrade(|mut socket| async move {
        let asked = tokio::time::timeout(Duration::from_secs(5), socket.recv()).await;
        if let Ok(Some(Ok(Message::Text(text)))) = asked {
            if text.as_str() == "ping" {
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

/// The connection loop, generic over the socket halves so tests could drive it with
/// channels.
pub async fn run_connection<W, R>(mut sink: W, mut stream: R, room: String, state: AppState)
where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin + Send,
{
    let handshake =
        tokio::time::timeout(state.config.handshake_timeout(), next_text(&mut stream)).await;
    let hello = match handshake {
        Err(_) => {
            // Not fatal: on a slow link the next attempt may well make it.
            let error = ProtocolError {
                code: "handshake_timeout",
                message: "no hello in time".into(),
                fatal: false,
            };
            return close_with(&mut sink, Some(error.to_msg()), close_code::POLICY).await;
        }
        Ok(None) => return,
        Ok(Some(text)) => match decode(&text).and_then(|msg| check_hello(&room, msg)) {
            Ok(hello) => hello,
            Err(mut error) => {
                error.fatal = true;
                return close_with(&mut sink, Some(error.to_msg()), close_code::POLICY).await;
            }
        },
    };

    let (outbox, room_frames) = MemberOutbox::channel(state.hub.settings().outbox_capacity);
    let session = match ClientSession::join(&state.hub, &room, hello, outbox).await {
        Ok(session) => session,
        Err(error) => {
            return close_with(&mut sink, Some(error.to_msg()), close_code::UNAVAILABLE).await
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
            restarting: ServerMsg::Restarting {
                retry_after_ms: state.config.restart_retry_after_ms,
                spread_ms: state.config.restart_spread_ms,
            },
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
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Binary(_))) => {
                let error = ProtocolError {
                    code: "binary_unsupported",
                    message: "send JSON text frames".into(),
                    fatal: false,
                };
                if direct.try_send(Direct::Send(error.to_msg())).is_err() {
                    break;
                }
                continue;
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) | None => break,
            Some(Err(error)) => {
                debug!(%error, "websocket read failed");
                break;
            }
        };
        let reply = match decode(&text) {
            Ok(msg) => session.handle(msg).await,
            Err(error) => Reply::Send(error.to_msg()),
        };
        let keep_going = match reply {
            Reply::Nothing => true,
            Reply::Send(msg) => direct.try_send(Direct::Send(msg)).is_ok(),
            Reply::Close(msg, code) => {
                let _ = direct.send(Direct::Close(msg, code)).await;
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
    if tokio::time::timeout(Duration::from_secs(5), writer)
        .await
        .is_err()
    {
        warn!(%room, "websocket writer did not finish in time");
    }
}

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
    /// Sent before closing at shutdown.
    restarting: ServerMsg,
}

/// Pings without an answer after which the connection counts as dead.
const MAX_UNANSWERED_PINGS: u32 = 2;

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
                Some(Direct::Send(msg)) => sink.send(text(&msg)).await.is_ok(),
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
                Some(Outgoing::Frame(frame)) => write_batch(&mut sink, frame, &mut inputs.room_frames).await,
                Some(Outgoing::Close { code, reason }) => {
                    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
                // The room forgot this member (it failed or unloaded): end the connection
                // so the client reconnects.
                None => {
                    close_with(&mut sink, None, close_code::UNAVAILABLE).await;
                    break;
                }
            },
            _ = pings.tick() => {
                if inputs.unanswered_pings.fetch_add(1, Ordering::Relaxed) >= MAX_UNANSWERED_PINGS {
                    debug!("two pings unanswered: dropping a dead connection");
                    break;
                }
                sink.send(Message::Ping(Default::default())).await.is_ok()
            }
        };
        if !result {
            break;
        }
    }
    inputs.done.cancel();
}

/// Writes `first` and whatever else is already queued (up to [`WRITE_BATCH`] frames), then
/// flushes once. `false` when the connection is over (write failed, or a queued close was
/// sent).
async fn write_batch<W: Sink<Message> + Unpin>(
    sink: &mut W,
    first: Utf8Bytes,
    queue: &mut mpsc::Receiver<Outgoing>,
) -> bool {
    if sink.feed(Message::Text(first)).await.is_err() {
        return false;
    }
    for _ in 1..WRITE_BATCH {
        match queue.try_recv() {
            Ok(Outgoing::Frame(frame)) => {
                if sink.feed(Message::Text(frame)).await.is_err() {
                    return false;
                }
            }
            Ok(Outgoing::Close { code, reason }) => {
                let frame = CloseFrame {
                    code,
                    reason: Utf8Bytes::from_static(reason),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                return false;
            }
            Err(_) => break,
        }
    }
    sink.flush().await.is_ok()
}

fn text(msg: &ServerMsg) -> Message {
    Message::Text(
        serde_json::to_string(msg)
            .expect("ServerMsg serializes")
            .into(),
    )
}

async fn close_with<W: Sink<Message> + Unpin>(sink: &mut W, msg: Option<ServerMsg>, code: u16) {
    if let Some(msg) = msg {
        let _ = sink.send(text(&msg)).await;
    }
    let reason = Utf8Bytes::from_static("");
    let _ = sink
        .send(Message::Close(Some(CloseFrame { code, reason })))
        .await;
}

/// The next text frame, skipping control frames; `None` when the socket ends first.
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
