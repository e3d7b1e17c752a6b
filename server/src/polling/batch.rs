//! Assembling the answer to one poll: resend an unacknowledged batch, or wait (up to the
//! hold time) for room frames and direct replies and send them as the next batch.

use super::sessions::{PollSession, Queued};
use crate::locks::lock;
use crate::{
    connection::close_code,
    hub::outbox::{frame, Frame, Payload},
};
use std::time::Duration;
use tether_core::{limits::MAX_POLL_BATCH_MESSAGES, protocol::ServerMsg};
use tokio::{sync::mpsc, time::Instant};
use tokio_util::sync::CancellationToken;

/// A rendered poll answer.
pub(super) struct Batch {
    /// `{"batch":N,"messages":[...],"closed":...}`.
    pub(super) json: String,
    /// The connection is over: the session must end.
    pub(super) closed: bool,
}

/// The next batch for a client that acknowledged `ack`. Cancel-safe: at every await no
/// frame has left the queue yet, so a cut request loses nothing.
pub(super) async fn next_batch(
    poll: &PollSession,
    ack: u64,
    hold: Duration,
    shutdown: &CancellationToken,
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
                Some(out) => match out.payload() {
                    Payload::Frame(frame) => frames.push(frame.clone()),
                    Payload::Close { code, .. } => queued.closed = Some(*code),
                },
                None => queued.closed = Some(close_code::TRY_AGAIN_LATER),
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
    while frames.len() < MAX_POLL_BATCH_MESSAGES && queued.closed.is_none() {
        match queued.room_frames.try_recv() {
            Ok(out) => match out.payload() {
                Payload::Frame(frame) => frames.push(frame.clone()),
                Payload::Close { code, .. } => queued.closed = Some(*code),
            },
            Err(mpsc::error::TryRecvError::Empty) => break,
            Err(mpsc::error::TryRecvError::Disconnected) => {
                queued.closed = Some(close_code::TRY_AGAIN_LATER)
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
    let mut direct = lock(&poll.direct);
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
