//! The WebSocket transport at `/ws/{room}`: framing only. The first text frame must be a
//! `hello` (within the handshake timeout) and opens a [`ClientSession`]; after that a
//! reader loop hands each text frame to it, and a single writer task owns the socket's
//! sending half, fed by the room (through the member outbox) and by the reader (direct
//! replies).

use crate::observability::log_tag::room_tag;
use crate::{
    connection::{
        budget::SessionBudgets, client_addr::ClientAddr, close_code, permits::ConnectionPermit,
        ClientSession, HttpError, Link, ProtocolError, Reply, RoomId,
    },
    hub::{
        outbox::{frame, Outgoing},
        LeaveReason,
    },
    AppState,
};
use axum::{
    extract::{ws::WebSocketUpgrade, State},
    response::{IntoResponse, Response},
    Extension,
};
use direct::DirectSender;
use futures_util::{Sink, Stream, StreamExt};
use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};
use tether_core::{limits::MAX_FRAME_BYTES, protocol::ServerMsg};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{protocol::WebSocketConfig, Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn, Instrument};
use upgrade::WebSocketRequest;
use writer::{close_with, write_loop, Direct, WriterEnd, WriterInputs};

mod direct;
mod flush_buffer;
mod upgrade;
mod writer;

/// Hard ceiling on one WebSocket message, enforced by the WebSocket library itself (it
/// stops reading and closes with 1009). Just above the protocol's limit: messages between
/// `MAX_FRAME_BYTES` and this get a clear `frame_too_large` error from the session instead
/// of a dropped connection, and nothing much larger is ever buffered.
const HARD_MESSAGE_LIMIT: usize = MAX_FRAME_BYTES + 4 * 1024;

/// How long a close frame may take to go out; the connection ends either way.
pub(crate) const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The read chunk per socket: clients send small frames (a stroke is the largest), and once
/// a frame's header is read the library reserves the whole frame, so a small chunk costs
/// no extra reads for big messages. It is allocated for every connection, idle or not.
const READ_BUFFER: usize = 256;

/// The socket settings: the library writes each frame straight into the connection's
/// [`flush_buffer::FlushBuffer`] (its own write buffer would keep the capacity of the
/// largest message forever).
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(HARD_MESSAGE_LIMIT))
        .max_frame_size(Some(HARD_MESSAGE_LIMIT))
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
}

/// Direct replies waiting for the writer (pongs, errors): a client that floods pings
/// without reading them gets disconnected, not buffered without bound.
const DIRECT_QUEUE: usize = 64;

/// How long the reader waits for the writer to flush a final close.
const WRITER_FINISH: Duration = Duration::from_secs(5);

/// `GET /ws/{room}`: upgrades to a WebSocket (a bad room id was answered with 400 by the
/// [`RoomId`] extractor before this runs).
pub async fn ws_handler(
    RoomId(room): RoomId,
    ClientAddr(address): ClientAddr,
    permit: Option<Extension<ConnectionPermit>>,
    State(state): State<AppState>,
    ws: Result<WebSocketRequest, HttpError>,
) -> Response {
    if let Err(retry_after) = state.joins.admit(address) {
        return HttpError::too_many_joins(retry_after).into_response();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let link = Link::new("websocket");
    let span = link.span(&room);
    // One pointer for the connection's task to hold (see `run_connection`).
    let context = Box::new(Context { room, state, link });
    ws.accept(socket_config(), move |socket| {
        // Tracked, so a shutdown can wait for every connection to close.
        let connections = context.state.connections.clone();
        let (sink, stream) = socket.split();
        let connection = serve(sink, stream, context);
        connections.track_future(
            async move {
                // The connection counts against the caps until the socket closes.
                let _permit = permit;
                connection.await
            }
            .instrument(span),
        )
    })
}

/// `GET /ws-probe`: lets a client on the polling fallback find out whether WebSockets
/// work again (through its proxy, end to end): it answers one `ping` text with `pong`.
pub async fn probe_handler(ws: WebSocketUpgrade) -> Response {
    use axum::extract::ws::{Message, Utf8Bytes};
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

/// What a connection needs from the request that opened it. Boxed, because a future keeps
/// room for its arguments as long as it lives: a pointer instead of the whole state.
struct Context {
    room: String,
    state: AppState,
    link: Link,
}

/// The connection loop, generic over the socket halves so tests drive it with channels.
pub fn run_connection<W, R>(
    sink: W,
    stream: R,
    room: String,
    state: AppState,
) -> impl std::future::Future<Output = ()> + Send
where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, WsError>> + Unpin + Send,
{
    let link = Link::new("websocket");
    serve(sink, stream, Box::new(Context { room, state, link }))
}

/// Memory: an idle connection is this future, suspended in its `select!`, plus the writer
/// task. Every longer step (handshake, join, handling a message, closing) runs in a boxed
/// future of its own, so its state is allocated only while it runs instead of being part
/// of what every idle connection holds; the app state is dropped once the session runs.
async fn serve<W, R>(mut sink: W, mut stream: R, context: Box<Context>)
where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, WsError>> + Unpin + Send,
{
    let Context { room, state, link } = *context;
    let opened = Box::pin(open_session(&mut sink, &mut stream, &room, &state, link)).await;
    let Some((session, room_frames)) = opened else {
        return;
    };
    debug!(room = %room_tag(&room), session = %session.session(), "websocket session started");

    let (direct, direct_frames) = direct::direct_queue(DIRECT_QUEUE);
    let writer_done = CancellationToken::new();
    let liveness = Arc::new(AtomicU32::new(0));
    let writer = tokio::spawn(write_loop(Box::new((
        sink,
        WriterInputs {
            room_frames,
            direct: direct_frames,
            done: writer_done.clone(),
            shutdown: state.shutdown.clone(),
            unanswered_pings: liveness.clone(),
            ping_interval: state.config.ws_ping_interval(),
            write_timeout: state.config.write_timeout(),
            restarting: frame(&state.config.restarting()),
        },
    ))));
    drop(state); // not needed while the connection lasts: its space is free

    let mut leave = LeaveReason::Dropped;
    // Why the connection ended, if the reader saw it; `None`: the writer ended first.
    let ended = loop {
        let message = tokio::select! {
            message = stream.next() => message,
            () = writer_done.cancelled() => break None,
        };
        // Anything from the client proves the link is alive.
        liveness.store(0, Ordering::Relaxed);
        // Boxed: a message and its reply are only held while being handled.
        let handled = Box::pin(handle_message(&session, &direct, &mut stream, message)).await;
        match handled {
            Handled::Continue => {}
            Handled::Stop(why) => break Some(why),
            Handled::Bye(reason) => {
                leave = reason;
                break Some("dropped");
            }
        }
    };
    Box::pin(async move {
        let mut session = session;
        let mut writer = writer;
        let writer_finished = ended.is_none();
        let ended = match ended {
            Some(why) => why,
            // It has finished already: its answer is at hand.
            None => (&mut writer).await.map_or("dropped", WriterEnd::as_label),
        };
        session.ended_because(ended);
        session.leave(leave).await;
        drop(direct);
        // The writer flushes what is queued for a direct close, then ends; it also ends on
        // its own when the room drops the outbox. Bound the wait for a stuck socket.
        if !writer_finished && tokio::time::timeout(WRITER_FINISH, writer).await.is_err() {
            warn!(room = %room_tag(&room), "websocket writer did not finish in time");
        }
    })
    .await;
}

/// What the connection does after a message.
enum Handled {
    Continue,
    /// End the connection; why, as the closed-connections metric labels it.
    Stop(&'static str),
    /// The client said goodbye (or that its page is going away): leave for that reason.
    Bye(LeaveReason),
}

/// One message from the client (or the end of the stream), and the reply it gets.
async fn handle_message<R>(
    session: &ClientSession,
    direct: &DirectSender,
    stream: &mut R,
    message: Option<Result<Message, WsError>>,
) -> Handled
where
    R: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let reply = match message {
        Some(Ok(Message::Text(text))) => session.handle_text(&text).await,
        Some(Ok(Message::Binary(_))) => Reply::Send(ProtocolError::BinaryUnsupported.to_msg()),
        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => Reply::Nothing,
        Some(Ok(Message::Close(_))) | None => return Handled::Stop("dropped"),
        Some(Err(error)) => {
            debug!(%error, "websocket read failed");
            if is_too_big(&error) {
                // Say why before going; the writer may already be gone.
                direct.close(Direct::Close(None, close_code::MESSAGE_TOO_BIG));
                return Handled::Stop("server_closed");
            }
            return Handled::Stop("dropped");
        }
    };
    match reply {
        Reply::Nothing => Handled::Continue,
        // A full direct queue means the client does not read its replies: drop it.
        Reply::Send(msg) => match direct.try_send(Direct::Send(frame(&msg))) {
            true => Handled::Continue,
            false => Handled::Stop("slow"),
        },
        Reply::Close(msg, code) => {
            close_from_reader(direct, stream, msg, code).await;
            Handled::Stop("server_closed")
        }
        Reply::Bye(reason) => {
            direct.close(Direct::Close(None, close_code::NORMAL));
            Handled::Bye(reason)
        }
    }
}

/// The handshake: the `hello` within the handshake timeout, then joining the room. A
/// refusal is written to the client here; `None` means the connection is over.
async fn open_session<W, R>(
    sink: &mut W,
    stream: &mut R,
    room: &str,
    state: &AppState,
    link: Link,
) -> Option<(ClientSession, mpsc::Receiver<Outgoing>)>
where
    W: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let handshake = tokio::time::timeout(state.config.handshake_timeout(), next_text(stream)).await;
    let hello = match handshake {
        Err(_) => {
            let error = ProtocolError::HandshakeTimeout;
            crate::observability::record::protocol_error(error.code());
            close_with(sink, Some(frame(&error.to_refusal())), error.close_code()).await;
            return None;
        }
        Ok(None) => return None,
        Ok(Some(text)) => text,
    };
    let budget = SessionBudgets {
        ops: state.ops.clone(),
        ephemeral: state.config.ephemeral_budget(),
    };
    match ClientSession::open(&state.hub, room, &hello, budget, link).await {
        Ok(opened) => Some(opened),
        Err(error @ (ProtocolError::StorageUnavailable(_) | ProtocolError::RoomUnavailable(_))) => {
            close_with(sink, Some(frame(&error.to_msg())), error.close_code()).await;
            None
        }
        Err(error) => {
            close_with(sink, Some(frame(&error.to_refusal())), error.close_code()).await;
            None
        }
    }
}

/// The session asked to close: the writer sends `msg` and the close frame, and the reader
/// finishes the closing handshake. The writer may already be gone; the connection ends
/// either way.
async fn close_from_reader<R>(
    direct: &DirectSender,
    stream: &mut R,
    msg: Option<ServerMsg>,
    code: u16,
) where
    R: Stream<Item = Result<Message, WsError>> + Unpin,
{
    direct.close(Direct::Close(msg.as_ref().map(frame), code));
    finish_closing(stream).await;
}

/// The closing handshake after the server asked to close: read (and discard) what the
/// client still sends until its close frame arrives, for a moment at most. Closing the TCP
/// connection with unread data would reset it, and a reset can destroy the message that
/// said why (`rate_limited`, say) before the client reads it.
async fn finish_closing<R>(stream: &mut R)
where
    R: Stream<Item = Result<Message, WsError>> + Unpin,
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

/// True when the WebSocket library refused a message over [`HARD_MESSAGE_LIMIT`].
fn is_too_big(error: &WsError) -> bool {
    matches!(error, WsError::Capacity(_))
}

/// The next text frame, skipping control frames; `None` when the socket ends first.
/// A binary frame stands for an empty text (which fails the hello check, clearly).
async fn next_text<R>(stream: &mut R) -> Option<String>
where
    R: Stream<Item = Result<Message, WsError>> + Unpin,
{
    while let Some(message) = stream.next().await {
        match message {
            Ok(Message::Text(text)) => return Some(text.to_string()),
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => continue,
            Ok(Message::Binary(_)) => return Some(String::new()),
            Ok(Message::Close(_)) | Err(_) => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests;
