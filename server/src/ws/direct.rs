//! The reader's line to the writer for direct replies (pongs, errors, a close).
//!
//! A tokio channel would do, but it costs about 800 bytes per connection whether anything
//! is sent or not (cache-padded fields and a block of 32 slots allocated up front); this
//! queue costs about 100 and holds slots only while replies wait. One sender (the reader),
//! one receiver (the writer); the receiver sees the end once the sender is dropped.

use super::writer::Direct;
use crate::locks::lock;
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};
use tokio::sync::Notify;

struct Shared {
    state: Mutex<State>,
    /// One waiter (the writer); `notify_one` keeps a permit if it is not waiting yet.
    ready: Notify,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Direct>,
    closed: bool,
}

/// The reader's end.
pub(super) struct DirectSender {
    shared: Arc<Shared>,
    capacity: usize,
}

/// The writer's end.
pub(super) struct DirectReceiver {
    shared: Arc<Shared>,
}

/// A queue holding at most `capacity` replies (a close always fits).
pub(super) fn direct_queue(capacity: usize) -> (DirectSender, DirectReceiver) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        ready: Notify::new(),
    });
    let receiver = DirectReceiver {
        shared: shared.clone(),
    };
    (DirectSender { shared, capacity }, receiver)
}

impl DirectSender {
    /// Queues a reply; `false` when `capacity` replies are already waiting (the client
    /// does not read what it is sent).
    pub(super) fn try_send(&self, reply: Direct) -> bool {
        let mut state = lock(&self.shared.state);
        if state.queue.len() >= self.capacity {
            return false;
        }
        state.queue.push_back(reply);
        drop(state);
        self.shared.ready.notify_one();
        true
    }

    /// Queues a close, whatever is waiting: it ends the connection, so it is the last.
    pub(super) fn close(&self, close: Direct) {
        lock(&self.shared.state).queue.push_back(close);
        self.shared.ready.notify_one();
    }
}

impl Drop for DirectSender {
    fn drop(&mut self) {
        lock(&self.shared.state).closed = true;
        self.shared.ready.notify_one();
    }
}

impl DirectReceiver {
    /// The next reply; `None` once the sender is gone and nothing is left. Cancel-safe: a
    /// reply stays queued until this returns it.
    pub(super) async fn recv(&mut self) -> Option<Direct> {
        loop {
            {
                let mut state = lock(&self.shared.state);
                if let Some(reply) = state.queue.pop_front() {
                    if state.queue.is_empty() {
                        state.queue = VecDeque::new(); // nothing held while idle
                    }
                    return Some(reply);
                }
                if state.closed {
                    return None;
                }
            }
            self.shared.ready.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::outbox::Frame;

    fn reply(text: &'static str) -> Direct {
        Direct::Send(Frame::from_static(text))
    }

    fn text(direct: Option<Direct>) -> Option<String> {
        match direct? {
            Direct::Send(frame) => Some(frame.as_str().to_owned()),
            Direct::Close(_, code) => Some(format!("close {code}")),
        }
    }

    #[tokio::test]
    async fn replies_arrive_in_order_then_the_end() {
        let (tx, mut rx) = direct_queue(2);
        assert!(tx.try_send(reply("a")));
        assert!(tx.try_send(reply("b")));
        assert!(!tx.try_send(reply("c")), "full");
        tx.close(Direct::Close(None, 1000));
        drop(tx);
        assert_eq!(text(rx.recv().await).as_deref(), Some("a"));
        assert_eq!(text(rx.recv().await).as_deref(), Some("b"));
        assert_eq!(text(rx.recv().await).as_deref(), Some("close 1000"));
        assert_eq!(text(rx.recv().await), None);
    }

    #[tokio::test]
    async fn a_waiting_receiver_wakes_for_a_reply_and_for_the_end() {
        let (tx, mut rx) = direct_queue(4);
        let waiting = tokio::spawn(async move {
            let first = text(rx.recv().await);
            let end = text(rx.recv().await);
            (first, end)
        });
        tokio::task::yield_now().await;
        assert!(tx.try_send(reply("x")));
        drop(tx);
        let (first, end) = waiting.await.unwrap();
        assert_eq!((first.as_deref(), end), (Some("x"), None));
    }
}
