//! The writer task of one WebSocket: the only code that writes to the socket. It takes
//! direct replies from the reader first, then room frames in batches (one flush per batch),
//! sends pings and drops a silent client, closes with `restarting` at shutdown, and bounds
//! every write with the write timeout. Messages longer than [`FRAGMENT`] go out as several
//! frames of one message (RFC 6455 §5.4), so the library's frame buffer never grows past
//! a fragment.

use super::CLOSE_TIMEOUT;
use crate::{
    connection::close_code,
    hub::outbox::{Frame, Outgoing, Payload},
};
use futures_util::{Sink, SinkExt};
use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{
    protocol::{
        frame::{
            coding::{Data, OpCode},
            Frame as WireFrame,
        },
        CloseFrame,
    },
    Bytes, Message, Utf8Bytes,
};
use tokio_util::sync::CancellationToken;
use tracing::debug;

/// Pings without an answer after which the connection counts as dead.
const MAX_UNANSWERED_PINGS: u32 = 2;

/// Frames written before one flush when a backlog is queued (fewer syscalls under load).
const WRITE_BATCH: usize = 64;

/// The longest frame written (the library keeps a buffer this size per connection): longer
/// messages are fragmented. Most messages (live points,
/// cursors, acks) fit in one; a welcome with many peers or a snapshot takes several.
pub(super) const FRAGMENT: usize = 512;

/// A reply from the reader to the writer, already serialized.
pub(super) enum Direct {
    Send(Frame),
    Close(Option<Frame>, u16),
}

/// What the writer task listens to.
pub(super) struct WriterInputs {
    pub(super) room_frames: mpsc::Receiver<Outgoing>,
    pub(super) direct: super::direct::DirectReceiver,
    /// Cancelled by the writer when it ends, so the reader stops too.
    pub(super) done: CancellationToken,
    pub(super) shutdown: CancellationToken,
    /// Pings sent since the client was last heard from (reset by the reader).
    pub(super) unanswered_pings: Arc<AtomicU32>,
    pub(super) ping_interval: Duration,
    /// The longest one write may take before the client counts as not reading.
    pub(super) write_timeout: Duration,
    /// Sent before closing at shutdown.
    pub(super) restarting: Frame,
}

/// The only task that writes to the socket. While idle it holds only the futures of its
/// `select!`; each write runs in a boxed future, allocated while the write lasts.
///
/// The inputs come boxed: an async fn keeps room for its arguments for as long as it runs
/// (twice, in fact), so a pointer costs less than the inputs themselves.
pub(super) async fn write_loop<W>(task: Box<(W, WriterInputs)>) -> WriterEnd
where
    W: Sink<Message> + Unpin,
{
    let (mut sink, mut inputs) = *task;
    let mut pings = tokio::time::interval_at(
        tokio::time::Instant::now() + inputs.ping_interval,
        inputs.ping_interval,
    );
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let end = loop {
        let result = tokio::select! {
            // Direct replies first: a close requested by the reader must not wait behind
            // a full room queue.
            biased;
            item = inputs.direct.recv() => match item {
                Some(Direct::Send(frame)) => {
                    let written = async {
                        feed_text(&mut sink, frame).await?;
                        sink.flush().await.map_err(drop)
                    };
                    Box::pin(bounded(inputs.write_timeout, written)).await
                }
                Some(Direct::Close(msg, code)) => {
                    Box::pin(close_with(&mut sink, msg, code)).await;
                    break WriterEnd::ServerClosed;
                }
                None => break WriterEnd::ReaderDone,
            },
            () = inputs.shutdown.cancelled() => {
                let restarting = Some(inputs.restarting.clone());
                Box::pin(close_with(&mut sink, restarting, close_code::SERVICE_RESTART)).await;
                break WriterEnd::Shutdown;
            }
            item = inputs.room_frames.recv() => match item.as_ref().map(Outgoing::payload) {
                Some(Payload::Frame(frame)) => {
                    let written = write_batch(&mut sink, frame.clone(), &mut inputs.room_frames);
                    Box::pin(bounded(inputs.write_timeout, written)).await
                }
                Some(&Payload::Close { code, reason }) => {
                    Box::pin(send_close(&mut sink, code, reason)).await;
                    break WriterEnd::RoomClosed;
                }
                // The room forgot this member (it failed or unloaded): end the connection
                // so the client reconnects.
                None => {
                    Box::pin(close_with(&mut sink, None, close_code::TRY_AGAIN_LATER)).await;
                    break WriterEnd::RoomClosed;
                }
            },
            _ = pings.tick() => {
                if inputs.unanswered_pings.fetch_add(1, Ordering::Relaxed) >= MAX_UNANSWERED_PINGS {
                    debug!("two pings unanswered: dropping a dead connection");
                    break WriterEnd::Timeout;
                }
                let written = sink.send(Message::Ping(Default::default()));
                Box::pin(bounded(inputs.write_timeout, written)).await
            }
        };
        if !result {
            break WriterEnd::WriteFailed;
        }
    };
    inputs.done.cancel();
    end
}

/// Why the writer stopped: how the connection ended, unless the reader saw it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WriterEnd {
    /// The reader asked it to close (an error, a rate limit).
    ServerClosed,
    /// The reader is gone.
    ReaderDone,
    /// The server is shutting down (`restarting` was sent).
    Shutdown,
    /// The room ended the member (too slow, storage failed, room unloaded).
    RoomClosed,
    /// The client answered no pings.
    Timeout,
    /// A write failed or timed out: the client stopped reading, or the socket broke.
    WriteFailed,
}

impl WriterEnd {
    /// The `reason` label of the closed-connections metric.
    pub(super) fn as_label(self) -> &'static str {
        match self {
            WriterEnd::ServerClosed | WriterEnd::RoomClosed => "server_closed",
            WriterEnd::ReaderDone => "dropped",
            WriterEnd::Shutdown => "shutdown",
            WriterEnd::Timeout => "timeout",
            WriterEnd::WriteFailed => "slow",
        }
    }
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
    feed_text(sink, first).await?;
    for _ in 1..WRITE_BATCH {
        let Ok(next) = queue.try_recv() else { break };
        match next.payload() {
            Payload::Frame(frame) => feed_text(sink, frame.clone()).await?,
            &Payload::Close { code, reason } => {
                send_close(sink, code, reason).await;
                return Err(());
            }
        }
    }
    sink.flush().await.map_err(drop)
}

/// Queues one text message (without flushing), in fragments of at most [`FRAGMENT`] bytes.
/// The fragments share the message's buffer; UTF-8 may be split between them (only the
/// whole message must be valid).
async fn feed_text<W: Sink<Message> + Unpin>(sink: &mut W, text: Utf8Bytes) -> Result<(), ()> {
    if text.len() <= FRAGMENT {
        return sink.feed(Message::Text(text)).await.map_err(drop);
    }
    let bytes = Bytes::from(text);
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + FRAGMENT).min(bytes.len());
        let opcode = if start == 0 {
            Data::Text
        } else {
            Data::Continue
        };
        let piece = WireFrame::message(
            bytes.slice(start..end),
            OpCode::Data(opcode),
            end == bytes.len(),
        );
        sink.feed(Message::Frame(piece)).await.map_err(drop)?;
        start = end;
    }
    Ok(())
}

/// Sends a close frame. The connection is over either way, so a failure to send it
/// (the peer is already gone) needs no handling.
async fn send_close<W: Sink<Message> + Unpin>(sink: &mut W, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code: code.into(),
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
}

/// Sends `frame` (if any), then a close frame with `code`.
pub(super) async fn close_with<W: Sink<Message> + Unpin>(
    sink: &mut W,
    frame: Option<Frame>,
    code: u16,
) {
    if let Some(frame) = frame {
        // If this fails, so will the close frame; the connection ends regardless.
        let sent = async {
            feed_text(sink, frame).await?;
            sink.flush().await.map_err(drop)
        };
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, sent).await;
    }
    send_close(sink, code, "").await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn long_messages_go_out_in_fragments_of_one_message() {
        let (mut sink, mut written) = futures_channel::mpsc::unbounded::<Message>();
        let text: String = "ab\u{e9}".repeat(FRAGMENT); // 4 bytes each: splits inside a char
        feed_text(&mut sink, Utf8Bytes::from(text.clone()))
            .await
            .unwrap();
        feed_text(&mut sink, Utf8Bytes::from_static("short"))
            .await
            .unwrap();
        drop(sink);
        let frames: Vec<Message> = written.by_ref().collect().await;
        let (pieces, rest) = frames.split_at(4);
        let mut joined = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            let Message::Frame(frame) = piece else {
                panic!("{piece:?}")
            };
            let expected = if i == 0 { Data::Text } else { Data::Continue };
            assert_eq!(frame.header().opcode, OpCode::Data(expected));
            assert_eq!(frame.header().is_final, i == 3);
            assert!(frame.payload().len() <= FRAGMENT);
            joined.extend_from_slice(frame.payload());
        }
        assert_eq!(String::from_utf8(joined).unwrap(), text);
        assert_eq!(
            rest,
            [Message::Text("short".into())],
            "short ones stay whole"
        );
    }
}
