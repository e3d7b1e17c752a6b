//! The HTTP long-polling transport, for clients behind proxies that break WebSockets.
//!
//! Same protocol messages, same sessions, same room hub — only the framing differs:
//! - `POST /api/poll/open/{room}` with a `hello` → `{"sid": ...}` (a poll session: a
//!   [`ClientSession`] plus the member outbox the room writes into);
//! - `GET /api/poll/{sid}?ack=N` → held up to `poll_hold_ms` until frames are queued, then
//!   `{"batch": N+1, "messages": [...], "closed": null | {"code": ..}}`. The client acks the
//!   batch it got with its next poll; an unacked batch is sent again, so a response lost on
//!   the way loses nothing;
//! - `POST /api/poll/{sid}/send` with `{"messages": [...]}` → each handled in order.
//!
//! A poll session that is not polled for `poll_idle_ms` counts as a dropped connection: it
//! leaves its room (which keeps it resumable for the grace period).

use crate::{
    hub::{
        outbox::{frame, Frame, MemberOutbox, Outgoing},
        LeaveReason,
    },
    random::random_id,
    session::{check_hello, close_code, decode, ClientSession, ProtocolError, Reply},
    AppState,
};
use app::{ids::is_valid_id, protocol::ServerMsg};
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{sync::mpsc, time::Instant};
use tracing::debug;

/// Most messages in one `send` batch (a client batches what it produced since its last
/// request; a second of drawing is far below this).
pub const MAX_BATCH_MESSAGES: usize = 256;

/// Replies (pongs, errors) a session may have waiting for its next poll. A client that
/// sends without polling gets `429 too_many_unread` instead of growing this without bound.
pub const MAX_UNREAD_REPLIES: usize = 1024;

/// Largest `send` body: a batch of maximal messages would be refused anyway.
pub const MAX_BATCH_BYTES: usize = 512 * 1024;

/// A JSON error answer: a status and a machine-readable code with a sentence.
pub struct PollError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl PollError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn unknown_session() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "unknown_session",
            "no such poll session (expired or closed): open a new one",
        )
    }
}

impl IntoResponse for PollError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

impl From<ProtocolError> for PollError {
    fn from(error: ProtocolError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error.code, error.message)
    }
}

/// What a held poll reads from (locked for the whole poll; only polls touch it).
struct Queued {
    room_frames: mpsc::Receiver<Outgoing>,
    /// The last batch sent, kept until the client acks it.
    unacked: Option<(u64, Vec<Frame>)>,
    next_batch: u64,
    /// Set once the connection is over; reported to the client in the next poll.
    closed: Option<u16>,
}

/// Replies from the session itself (pongs, errors, rejections), and whether `send`
/// ended the session. Its own short-lived lock, so a held poll never blocks a `send`.
#[derive(Default)]
struct Direct {
    frames: VecDeque<Frame>,
    closed: Option<u16>,
}

/// One client on the polling transport.
struct PollSession {
    session: tokio::sync::Mutex<Option<ClientSession>>,
    queued: tokio::sync::Mutex<Queued>,
    direct: Mutex<Direct>,
    /// Wakes a held poll when `send` queued a direct reply.
    wake: tokio::sync::Notify,
    /// True while a poll request is being served (only one at a time).
    polling: std::sync::atomic::AtomicBool,
    last_seen: Mutex<Instant>,
}

/// All poll sessions of this server.
#[derive(Clone, Default)]
pub struct PollSessions {
    sessions: Arc<Mutex<HashMap<String, Arc<PollSession>>>>,
}

impl PollSessions {
    fn get(&self, sid: &str) -> Option<Arc<PollSession>> {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(sid)
            .cloned()
    }

    fn remove(&self, sid: &str) -> Option<Arc<PollSession>> {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(sid)
    }

    /// Number of open poll sessions.
    pub fn len(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops sessions that stopped polling; runs until `shutdown`.
    pub async fn reap(self, idle_after: Duration, shutdown: tokio_util::sync::CancellationToken) {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = shutdown.cancelled() => return,
            }
            let now = Instant::now();
            let idle: Vec<String> = {
                let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
                sessions
                    .iter()
                    .filter(|(_, s)| !s.polling.load(std::sync::atomic::Ordering::SeqCst))
                    .filter(|(_, s)| {
                        now - *s.last_seen.lock().unwrap_or_else(|p| p.into_inner()) > idle_after
                    })
                    .map(|(sid, _)| sid.clone())
                    .collect()
            };
            for sid in idle {
                if let Some(poll) = self.remove(&sid) {
                    debug!(%sid, "poll session stopped polling: dropped");
                    end(&poll, LeaveReason::Dropped).await;
                }
            }
        }
    }
}

async fn end(poll: &PollSession, reason: LeaveReason) {
    if let Some(session) = poll.session.lock().await.take() {
        session.leave(reason).await;
    }
}

/// `POST /api/poll/open/{room}`: the body is a `hello`.
pub async fn open(
    Path(room): Path<String>,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, PollError> {
    if !is_valid_id(&room) {
        return Err(PollError::new(
            StatusCode::BAD_REQUEST,
            "invalid_room",
            "room ids must match [A-Za-z0-9_-]{1,64}",
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        PollError::new(
            StatusCode::BAD_REQUEST,
            "bad_message",
            "the body is not UTF-8",
        )
    })?;
    let hello = decode(text).and_then(|msg| check_hello(&room, msg))?;
    let (outbox, room_frames) = MemberOutbox::channel(state.hub.settings().outbox_capacity);
    let session = ClientSession::join(&state.hub, &room, hello, outbox)
        .await
        .map_err(|e| PollError::new(StatusCode::SERVICE_UNAVAILABLE, e.code, e.message))?;
    let sid = random_id();
    let poll = PollSession {
        session: tokio::sync::Mutex::new(Some(session)),
        queued: tokio::sync::Mutex::new(Queued {
            room_frames,
            unacked: None,
            next_batch: 1,
            closed: None,
        }),
        direct: Mutex::new(Direct::default()),
        wake: tokio::sync::Notify::new(),
        polling: false.into(),
        last_seen: Mutex::new(Instant::now()),
    };
    state
        .polls
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(sid.clone(), Arc::new(poll));
    debug!(%room, %sid, "poll session opened");
    Ok(Json(serde_json::json!({ "sid": sid })).into_response())
}

/// Query of a poll: the last batch the client received.
#[derive(Debug, Deserialize)]
pub struct PollQuery {
    #[serde(default)]
    ack: u64,
}

/// `GET /api/poll/{sid}?ack=N`: the next batch of messages, held until there is one.
pub async fn poll(
    Path(sid): Path<String>,
    Query(query): Query<PollQuery>,
    State(state): State<AppState>,
) -> Result<Response, PollError> {
    let poll = state
        .polls
        .get(&sid)
        .ok_or_else(PollError::unknown_session)?;
    if poll.polling.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Err(PollError::new(
            StatusCode::CONFLICT,
            "poll_in_progress",
            "this session is already being polled; one poll at a time",
        ));
    }
    let restarting = ServerMsg::Restarting {
        retry_after_ms: state.config.restart_retry_after_ms,
        spread_ms: state.config.restart_spread_ms,
    };
    let body = next_batch(
        &poll,
        query.ack,
        state.config.poll_hold(),
        &state.shutdown,
        restarting,
    )
    .await;
    *poll.last_seen.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    poll.polling
        .store(false, std::sync::atomic::Ordering::SeqCst);
    if body.closed {
        state.polls.remove(&sid);
        end(&poll, LeaveReason::Dropped).await;
    }
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.json,
    )
        .into_response())
}

struct Batch {
    json: String,
    closed: bool,
}

async fn next_batch(
    poll: &PollSession,
    ack: u64,
    hold: Duration,
    shutdown: &tokio_util::sync::CancellationToken,
    restarting: ServerMsg,
) -> Batch {
    let mut queued = poll.queued.lock().await;
    // Resend what the client did not acknowledge (its previous response was lost).
    if let Some((batch, frames)) = &queued.unacked {
        if ack < *batch {
            return render(*batch, frames, queued.closed);
        }
    }
    queued.unacked = None;
    let deadline = Instant::now() + hold;
    let mut frames = take_direct(poll, &mut queued);
    while frames.is_empty() && queued.closed.is_none() {
        tokio::select! {
            item = queued.room_frames.recv() => match item {
                Some(Outgoing::Frame(frame)) => frames.push(frame),
                Some(Outgoing::Close { code, .. }) => queued.closed = Some(code),
                None => queued.closed = Some(close_code::UNAVAILABLE),
            },
            () = poll.wake.notified() => frames.extend(take_direct(poll, &mut queued)),
            () = tokio::time::sleep_until(deadline) => break,
            () = shutdown.cancelled() => {
                frames.push(frame(&restarting));
                queued.closed = Some(close_code::SERVICE_RESTART);
            }
        }
    }
    // Take everything else that is ready, up to a sensible batch.
    while frames.len() < MAX_BATCH_MESSAGES && queued.closed.is_none() {
        match queued.room_frames.try_recv() {
            Ok(Outgoing::Frame(frame)) => frames.push(frame),
            Ok(Outgoing::Close { code, .. }) => queued.closed = Some(code),
            Err(mpsc::error::TryRecvError::Empty) => break,
            Err(mpsc::error::TryRecvError::Disconnected) => {
                queued.closed = Some(close_code::UNAVAILABLE)
            }
        }
    }
    frames.extend(take_direct(poll, &mut queued));
    let batch = queued.next_batch;
    queued.next_batch += 1;
    let body = render(batch, &frames, queued.closed);
    queued.unacked = Some((batch, frames));
    body
}

/// Drains the session's direct replies (and notes if `send` ended the session).
fn take_direct(poll: &PollSession, queued: &mut Queued) -> Vec<Frame> {
    let mut direct = poll.direct.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(code) = direct.closed.take() {
        queued.closed = Some(code);
    }
    direct.frames.drain(..).collect()
}

/// `{"batch":N,"messages":[...],"closed":...}` from pre-serialized frames.
fn render(batch: u64, frames: &[Frame], closed: Option<u16>) -> Batch {
    let mut json = format!("{{\"batch\":{batch},\"messages\":[");
    for (i, frame) in frames.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(frame.as_str());
    }
    json.push_str("],\"closed\":");
    match closed {
        Some(code) => json.push_str(&format!("{{\"code\":{code}}}")),
        None => json.push_str("null"),
    }
    json.push('}');
    Batch {
        json,
        closed: closed.is_some(),
    }
}

/// Body of a `send`.
#[derive(Debug, Deserialize)]
struct SendBody {
    messages: Vec<serde_json::Value>,
}

/// `POST /api/poll/{sid}/send`: messages from the client, handled in order.
pub async fn send(
    Path(sid): Path<String>,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, PollError> {
    let poll = state
        .polls
        .get(&sid)
        .ok_or_else(PollError::unknown_session)?;
    if body.len() > MAX_BATCH_BYTES {
        return Err(PollError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("{} bytes; the limit is {MAX_BATCH_BYTES}", body.len()),
        ));
    }
    let batch: SendBody = serde_json::from_slice(&body).map_err(|e| {
        PollError::new(
            StatusCode::BAD_REQUEST,
            "bad_batch",
            format!("expected {{\"messages\": [...]}}: {e}"),
        )
    })?;
    if batch.messages.len() > MAX_BATCH_MESSAGES {
        return Err(PollError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "{} messages; the limit is {MAX_BATCH_MESSAGES}",
                batch.messages.len()
            ),
        ));
    }
    let unread = poll
        .direct
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .frames
        .len();
    if unread + batch.messages.len() > MAX_UNREAD_REPLIES {
        return Err(PollError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_unread",
            format!("{unread} replies are waiting to be polled; poll before sending more"),
        ));
    }
    *poll.last_seen.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    let mut guard = poll.session.lock().await;
    let Some(session) = guard.as_ref() else {
        return Err(PollError::unknown_session());
    };
    let mut replies = Vec::new();
    let mut ended = None;
    for message in batch.messages {
        let reply = match decode(&message.to_string()) {
            Ok(msg) => session.handle(msg).await,
            Err(error) => Reply::Send(error.to_msg()),
        };
        match reply {
            Reply::Nothing => {}
            Reply::Send(msg) => replies.push(frame(&msg)),
            Reply::Close(msg, code) => {
                replies.extend(msg.as_ref().map(frame));
                ended = Some((code, LeaveReason::Dropped));
                break;
            }
            Reply::Bye => {
                ended = Some((close_code::NORMAL, LeaveReason::Bye));
                break;
            }
        }
    }
    if let Some((_, reason)) = ended {
        if let Some(session) = guard.take() {
            session.leave(reason).await;
        }
    }
    drop(guard);
    {
        let mut direct = poll.direct.lock().unwrap_or_else(|p| p.into_inner());
        direct.frames.extend(replies);
        if let Some((code, _)) = ended {
            direct.closed = Some(code);
        }
    }
    poll.wake.notify_one();
    Ok(Json(serde_json::json!({ "ok": true })).into_response())
}
