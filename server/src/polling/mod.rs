//! The HTTP long-polling transport, for clients behind proxies that break WebSockets.
//! Framing only: the hello opens a [`ClientSession`] and each message is handed to it, as
//! on a WebSocket.
//!
//! - `POST /api/poll/open/{room}` with a `hello` → `{"sid": ...}` (a poll session: a
//!   session plus the member outbox the room writes into);
//! - `GET /api/poll/{sid}?ack=N` → held up to `poll_hold_ms` until frames are queued, then
//!   `{"batch": N+1, "messages": [...], "closed": null | {"code": ..}}`. The client acks the
//!   batch it got with its next poll; an unacked batch is sent again, so a response lost on
//!   the way loses nothing. One poll at a time; a poll whose request is cut ends with it;
//! - `POST /api/poll/{sid}/send` with `{"messages": [...]}` → each handled in order.
//!
//! A poll session that is not polled for `poll_idle_ms` counts as a dropped connection: it
//! leaves its room (which keeps it resumable for the grace period).
//!
//! [`sessions`]: the registry and the reaper.  [`batch`]: assembling a poll's answer.

mod batch;
mod sessions;

pub use sessions::PollSessions;

use crate::{
    connection::{
        budget::SessionBudgets, client_addr::ClientAddr, close_code, ClientSession, HttpError,
        Link, Reply, RoomId,
    },
    hub::{outbox::frame, LeaveReason},
    locks::lock,
    random::random_id,
    AppState,
};
use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, FromRequest, Path, Query, Request, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use sessions::PollSession;
use tether_core::limits::{MAX_POLL_BATCH_BYTES, MAX_POLL_BATCH_MESSAGES};
use tracing::{debug, Instrument};

/// Replies (pongs, errors) a session may have waiting for its next poll. A client that
/// sends without polling gets `429 too_many_unread` instead of growing this without bound.
pub const MAX_UNREAD_REPLIES: usize = 1024;

/// The body of a polling POST: labelled JSON, and read within the route's body limit.
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        require_json(request.headers())?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(body_refused)?;
        Ok(JsonBody(body))
    }
}

/// Polling POSTs must say they carry JSON: a cross-site form can only send form types,
/// so this closes the last gap the Origin check might leave (old browsers without Origin).
fn require_json(headers: &HeaderMap) -> Result<(), HttpError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json_required",
            "send the body as application/json",
        ))
    }
}

/// A body that could not be read: over the route's limit (413, refused while reading), or
/// broken off.
fn body_refused(rejection: BytesRejection) -> HttpError {
    let code = match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        _ => "bad_body",
    };
    HttpError::new(rejection.status(), code, rejection.body_text())
}

fn unknown_session() -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        "unknown_session",
        "no such poll session (expired or closed): open a new one",
    )
}

/// `POST /api/poll/open/{room}`: the body is a `hello`.
pub async fn open(
    RoomId(room): RoomId,
    ClientAddr(address): ClientAddr,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, HttpError> {
    state
        .joins
        .admit(address)
        .map_err(HttpError::too_many_joins)?;
    let hello = std::str::from_utf8(&body).map_err(|_| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_message",
            "the body is not UTF-8",
        )
    })?;
    let budget = SessionBudgets {
        ops: state.ops.clone(),
        ephemeral: state.config.ephemeral_budget(),
    };
    let link = Link::new("polling");
    let span = link.span(&room);
    let (session, room_frames) = ClientSession::open(&state.hub, &room, hello, budget, link)
        .instrument(span.clone())
        .await?;
    span.in_scope(|| debug!("poll session opened"));
    let sid = random_id();
    state
        .polls
        .insert(sid.clone(), PollSession::new(session, room_frames, span));
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
) -> Result<Response, HttpError> {
    let poll = state.polls.get(&sid).ok_or_else(unknown_session)?;
    let Some(in_progress) = poll.start_poll() else {
        return Err(HttpError::new(
            StatusCode::CONFLICT,
            "poll_in_progress",
            "this session is already being polled; one poll at a time",
        ));
    };
    let body = batch::next_batch(
        &poll,
        query.ack,
        state.config.poll_hold(),
        &state.shutdown,
        state.config.restarting(),
    )
    .await;
    drop(in_progress);
    if body.closed {
        state.polls.remove(&sid);
        poll.end(LeaveReason::Dropped).await;
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], body.json).into_response())
}

/// Body of a `send`: each message stays raw JSON until the session decodes it once.
#[derive(Debug, Deserialize)]
struct SendBody<'a> {
    #[serde(borrow)]
    messages: Vec<&'a RawValue>,
}

/// `POST /api/poll/{sid}/send`: messages from the client, handled in order.
pub async fn send(
    Path(sid): Path<String>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, HttpError> {
    let poll = state.polls.get(&sid).ok_or_else(unknown_session)?;
    let too_large =
        |what: String| HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large", what);
    if body.len() > MAX_POLL_BATCH_BYTES {
        let limit = format!("{} bytes; the limit is {MAX_POLL_BATCH_BYTES}", body.len());
        return Err(too_large(limit));
    }
    let batch: SendBody = serde_json::from_slice(&body).map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_batch",
            format!("expected {{\"messages\": [...]}}: {e}"),
        )
    })?;
    if batch.messages.len() > MAX_POLL_BATCH_MESSAGES {
        let count = batch.messages.len();
        return Err(too_large(format!(
            "{count} messages; the limit is {MAX_POLL_BATCH_MESSAGES}"
        )));
    }
    let unread = lock(&poll.direct).frames.len();
    if unread + batch.messages.len() > MAX_UNREAD_REPLIES {
        return Err(HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_unread",
            format!("{unread} replies are waiting to be polled; poll before sending more"),
        ));
    }
    poll.seen();
    let mut guard = poll.session.lock().await;
    let Some(session) = guard.as_ref() else {
        return Err(unknown_session());
    };
    let mut replies = Vec::new();
    let mut ended = None;
    for message in batch.messages {
        match session
            .handle_text(message.get())
            .instrument(poll.span.clone())
            .await
        {
            Reply::Nothing => {}
            Reply::Send(msg) => replies.push(frame(&msg)),
            Reply::Close(msg, code) => {
                replies.extend(msg.as_ref().map(frame));
                ended = Some((code, LeaveReason::Dropped));
                break;
            }
            Reply::Bye(reason) => {
                ended = Some((close_code::NORMAL, reason));
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
        let mut direct = lock(&poll.direct);
        direct.frames.extend(replies);
        if let Some((code, _)) = ended {
            direct.closed = Some(code);
        }
    }
    poll.wake.notify_one();
    Ok(Json(serde_json::json!({ "ok": true })).into_response())
}
