//! The poll sessions of this server: one [`PollSession`] per client on the polling
//! transport, found by its secret id, and the reaper that ends sessions whose client
//! stopped polling.

use crate::{
    connection::ClientSession,
    hub::{
        outbox::{Frame, Outgoing},
        LeaveReason,
    },
    locks::lock,
};
use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};
use tokio::{sync::mpsc, time::Instant};
use tokio_util::sync::CancellationToken;
use tracing::debug;

/// What a held poll reads from (locked for the whole poll; only polls touch it).
pub(super) struct Queued {
    pub(super) room_frames: mpsc::Receiver<Outgoing>,
    /// The last batch sent, kept until the client acks it.
    pub(super) unacked: Option<(u64, Vec<Frame>)>,
    pub(super) next_batch: u64,
    /// Set once the connection is over; reported to the client in the next poll.
    pub(super) closed: Option<u16>,
}

/// Replies from the session itself (pongs, errors, rejections), and whether `send`
/// ended the session. Its own short-lived lock, so a held poll never blocks a `send`.
#[derive(Default)]
pub(super) struct Direct {
    pub(super) frames: VecDeque<Frame>,
    pub(super) closed: Option<u16>,
}

/// One client on the polling transport.
pub(super) struct PollSession {
    pub(super) session: tokio::sync::Mutex<Option<ClientSession>>,
    pub(super) queued: tokio::sync::Mutex<Queued>,
    pub(super) direct: Mutex<Direct>,
    /// Wakes a held poll when `send` queued a direct reply.
    pub(super) wake: tokio::sync::Notify,
    /// True while a poll request is being served (only one at a time).
    polling: AtomicBool,
    last_seen: Mutex<Instant>,
    /// The connection's tracing span: `send` handles messages inside it.
    pub(super) span: tracing::Span,
}

impl PollSession {
    pub(super) fn new(
        session: ClientSession,
        room_frames: mpsc::Receiver<Outgoing>,
        span: tracing::Span,
    ) -> Self {
        Self {
            span,
            session: tokio::sync::Mutex::new(Some(session)),
            queued: tokio::sync::Mutex::new(Queued {
                room_frames,
                unacked: None,
                next_batch: 1,
                closed: None,
            }),
            direct: Mutex::new(Direct::default()),
            wake: tokio::sync::Notify::new(),
            polling: AtomicBool::new(false),
            last_seen: Mutex::new(Instant::now()),
        }
    }

    /// Marks a poll as in progress, or `None` when one already is. The mark is released
    /// when the returned guard drops — also when the client cut the request and its
    /// handler was dropped mid-poll, so a cut poll never wedges the session.
    pub(super) fn start_poll(&self) -> Option<PollInProgress<'_>> {
        (!self.polling.swap(true, Ordering::SeqCst)).then_some(PollInProgress(self))
    }

    /// The client was heard from.
    pub(super) fn seen(&self) {
        *lock(&self.last_seen) = Instant::now();
    }

    /// Leaves the room (once; later calls find no session).
    pub(super) async fn end(&self, reason: LeaveReason) {
        if let Some(session) = self.session.lock().await.take() {
            session.leave(reason).await;
        }
    }

    fn idle_since(&self, now: Instant) -> Option<Duration> {
        if self.polling.load(Ordering::SeqCst) {
            return None; // a held poll is the opposite of idle
        }
        Some(now - *lock(&self.last_seen))
    }
}

/// A poll being served; dropping it (request answered or cut) ends the poll.
pub(super) struct PollInProgress<'a>(&'a PollSession);

impl Drop for PollInProgress<'_> {
    fn drop(&mut self) {
        self.0.seen();
        self.0.polling.store(false, Ordering::SeqCst);
    }
}

/// All poll sessions of this server.
#[derive(Clone, Default)]
pub struct PollSessions {
    sessions: Arc<Mutex<HashMap<String, Arc<PollSession>>>>,
}

impl PollSessions {
    pub(super) fn insert(&self, sid: String, poll: PollSession) {
        lock(&self.sessions).insert(sid, Arc::new(poll));
    }

    pub(super) fn get(&self, sid: &str) -> Option<Arc<PollSession>> {
        lock(&self.sessions).get(sid).cloned()
    }

    pub(super) fn remove(&self, sid: &str) -> Option<Arc<PollSession>> {
        lock(&self.sessions).remove(sid)
    }

    /// Number of open poll sessions.
    pub fn len(&self) -> usize {
        lock(&self.sessions).len()
    }

    /// True when no client is on the polling transport.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops sessions that stopped polling; runs until `shutdown`.
    pub async fn reap(self, idle_after: Duration, shutdown: CancellationToken) {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = shutdown.cancelled() => return,
            }
            let now = Instant::now();
            let idle: Vec<String> = lock(&self.sessions)
                .iter()
                .filter(|(_, s)| s.idle_since(now).is_some_and(|idle| idle > idle_after))
                .map(|(sid, _)| sid.clone())
                .collect();
            for sid in idle {
                if let Some(poll) = self.remove(&sid) {
                    // The id is a bearer credential: only its first characters are logged.
                    debug!(sid = %&sid[..sid.len().min(6)], "poll session stopped polling: dropped");
                    poll.end(LeaveReason::Dropped).await;
                }
            }
        }
    }
}
