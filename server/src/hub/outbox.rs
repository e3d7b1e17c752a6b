//! The room's side of one connection: a bounded queue of frames to that client.
//!
//! Only the room actor writes into it, and it never waits: a frame either fits or the
//! member is too slow. Ephemeral frames (cursors, live strokes) use only the upper part of
//! the queue and are dropped when it is fuller than that; a durable frame that does not fit
//! means the client fell behind, so it is disconnected (it resyncs on reconnect) instead
//! of silently missing an op.

use crate::connection::close_code;
use std::sync::Arc;
use tether_core::protocol::ServerMsg;
use tokio::sync::mpsc;

/// A serialized `ServerMsg`. Reference-counted bytes: a broadcast serializes once and every
/// member's queue (and socket write) shares the same buffer.
pub type Frame = tokio_tungstenite::tungstenite::Utf8Bytes;

/// Serializes a message once for every recipient.
pub fn frame(msg: &ServerMsg) -> Frame {
    // ServerMsg holds only strings, numbers and vectors: serialization cannot fail.
    Frame::from(serde_json::to_string(msg).expect("ServerMsg serializes"))
}

/// What the room hands a connection's writer: one shared pointer. Every member's queue
/// allocates its slots in blocks of 32 whether or not anything is queued, so a slot's size
/// is paid by every idle connection (a 32-byte slot cost two kilobytes per member; this
/// one costs 256 bytes). A broadcast allocates its `Outgoing` once and shares it.
#[derive(Debug, Clone)]
pub struct Outgoing(Arc<Payload>);

/// What an [`Outgoing`] carries.
#[derive(Debug)]
pub enum Payload {
    /// A serialized `ServerMsg`, shared by every member it was broadcast to.
    Frame(Frame),
    /// Close the connection with this WebSocket close code and reason.
    Close { code: u16, reason: &'static str },
}

impl Outgoing {
    /// A frame to send (clone the result to share it between members).
    pub fn frame(frame: Frame) -> Self {
        Self(Arc::new(Payload::Frame(frame)))
    }

    /// A request to close the connection.
    pub fn close(code: u16, reason: &'static str) -> Self {
        Self(Arc::new(Payload::Close { code, reason }))
    }

    /// What it carries.
    pub fn payload(&self) -> &Payload {
        &self.0
    }
}

/// Whether a frame reached the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Queued,
    /// Ephemeral frame dropped because the queue is busy: allowed, nothing is lost.
    Dropped,
    /// The member can no longer keep up (or is gone) and must be removed.
    Overflowed,
}

/// The sending half of a member's queue, with the drop/overflow policy.
#[derive(Debug, Clone)]
pub struct MemberOutbox {
    tx: mpsc::Sender<Outgoing>,
    /// Ephemeral frames are only queued while at least this many slots are free.
    ephemeral_reserve: usize,
}

impl MemberOutbox {
    /// A queue of `capacity` frames; the receiving half goes to the connection's writer.
    pub fn channel(capacity: usize) -> (Self, mpsc::Receiver<Outgoing>) {
        let capacity = capacity.max(4);
        let (tx, rx) = mpsc::channel(capacity);
        (
            Self {
                tx,
                ephemeral_reserve: capacity / 4,
            },
            rx,
        )
    }

    /// Queues a durable frame. When only the last slot is left, it is used for a close
    /// message instead, and the caller must drop the member.
    pub fn send_durable(&self, frame: Outgoing) -> Delivery {
        if self.tx.capacity() <= 1 {
            let _ = self.tx.try_send(Outgoing::close(
                close_code::TRY_AGAIN_LATER,
                "too far behind: reconnect to resync",
            ));
            return Delivery::Overflowed;
        }
        match self.tx.try_send(frame) {
            Ok(()) => Delivery::Queued,
            Err(_) => Delivery::Overflowed,
        }
    }

    /// Queues an ephemeral frame if the queue is not busy; otherwise drops it.
    pub fn send_ephemeral(&self, frame: Outgoing) -> Delivery {
        if self.tx.is_closed() {
            return Delivery::Overflowed;
        }
        if self.tx.capacity() <= self.ephemeral_reserve {
            return Delivery::Dropped;
        }
        match self.tx.try_send(frame) {
            Ok(()) => Delivery::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => Delivery::Dropped,
            Err(mpsc::error::TrySendError::Closed(_)) => Delivery::Overflowed,
        }
    }

    /// Asks the connection to close (used when the room itself ends the session).
    pub fn close(&self, code: u16, reason: &'static str) {
        let _ = self.tx.try_send(Outgoing::close(code, reason));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Outgoing {
        Outgoing::frame(Frame::from_static("{}"))
    }

    #[test]
    fn ephemeral_frames_give_way_before_durable_ones() {
        let (outbox, mut rx) = MemberOutbox::channel(8); // reserve 2
        for _ in 0..6 {
            assert_eq!(outbox.send_ephemeral(frame()), Delivery::Queued);
        }
        assert_eq!(outbox.send_ephemeral(frame()), Delivery::Dropped);
        assert_eq!(outbox.send_durable(frame()), Delivery::Queued);
        // One slot left: it carries the close, and the member must go.
        assert_eq!(outbox.send_durable(frame()), Delivery::Overflowed);
        let mut last = None;
        while let Ok(item) = rx.try_recv() {
            last = Some(item);
        }
        assert!(matches!(
            last.as_ref().map(Outgoing::payload),
            Some(Payload::Close {
                code: close_code::TRY_AGAIN_LATER,
                ..
            })
        ));
    }

    #[test]
    fn a_gone_connection_overflows() {
        let (outbox, rx) = MemberOutbox::channel(8);
        drop(rx);
        assert_eq!(outbox.send_durable(frame()), Delivery::Overflowed);
        assert_eq!(outbox.send_ephemeral(frame()), Delivery::Overflowed);
    }
}
