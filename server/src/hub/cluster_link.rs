//! A room actor's line to the cluster: its ops go to the commit script, and committed
//! entries (its own and other nodes') come back in seq order, from the feed or, when the
//! feed lost some, from the stream. The order logic is the pure [`FeedOrder`]; this file
//! runs the Redis calls it asks for and the timers that make a lost message a short delay,
//! never a lost stroke:
//! - a commit reply ahead of the feed: if the feed has not caught up within [`NUDGE`], fill;
//! - every [`CHECK_EVERY`] (and after a PUB/SUB reconnect): read the head, fill if behind.

use super::{feed_order::FeedOrder, room::sleep_until_opt};
use crate::observability::log_tag::room_tag;
use crate::observability::record;
use crate::{
    cluster::{feed::Subscription, Cluster},
    store::{
        redis::{parse_published, Commit},
        StoreError,
    },
};
use futures_util::{future::BoxFuture, stream::FuturesUnordered, FutureExt, StreamExt};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tether_core::board::{AppliedOp, Op};
use tokio::time::Instant;
use tracing::warn;

/// How long a commit reply may run ahead of the feed before the stream is read.
const NUDGE: Duration = Duration::from_millis(100);

/// How often a room checks the head on its own (a lost message with nothing after it).
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// This node's commits whose entry has not come back on the feed yet, kept to measure
/// the PUB/SUB lag; beyond this many (a feed that is down) they are forgotten.
const LAG_TRACKED: usize = 1024;

/// An op this node sent to the commit script, and what the script said.
pub(super) struct CommitReply {
    pub session: String,
    pub author: String,
    pub op_id: String,
    /// The op as sent (author stamped), for the answer to a resend.
    pub op: Op,
    pub result: Result<Commit, StoreError>,
}

/// What the link has for its room.
pub(super) enum LinkEvent {
    /// The script answered one of this node's ops.
    Committed(CommitReply),
    /// Entries ready to apply, in seq order.
    Ready(Vec<AppliedOp>),
    /// Redis failed a read: the room cannot stay current.
    Failed(StoreError),
}

/// The cluster side of one room on this node.
pub(super) struct ClusterLink {
    cluster: Arc<Cluster>,
    room: String,
    _subscription: Subscription,
    order: FeedOrder,
    commits: FuturesUnordered<BoxFuture<'static, CommitReply>>,
    fill: Option<BoxFuture<'static, Result<Vec<AppliedOp>, StoreError>>>,
    head_check: Option<BoxFuture<'static, Result<u64, StoreError>>>,
    next_check: Instant,
    nudge: Option<Instant>,
    /// When each of this node's ops went to the commit script (by op id), until its entry
    /// arrives on the feed: the feed lag metric.
    sent_at: HashMap<String, Instant>,
}

impl ClusterLink {
    /// The link of a room loaded through `applied`, subscribed before it was read.
    pub fn new(
        cluster: Arc<Cluster>,
        room: String,
        subscription: Subscription,
        applied: u64,
    ) -> Self {
        Self {
            cluster,
            room,
            _subscription: subscription,
            order: FeedOrder::new(applied),
            commits: FuturesUnordered::new(),
            fill: None,
            head_check: None,
            next_check: Instant::now() + CHECK_EVERY,
            nudge: None,
            sent_at: HashMap::new(),
        }
    }

    /// The cluster this room is part of.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The store holds entries this node has not applied yet.
    pub fn is_behind(&self) -> bool {
        self.order.behind()
    }

    /// No op of this node is waiting for the script.
    pub fn is_idle(&self) -> bool {
        self.commits.is_empty()
    }

    /// Sends a checked op (author stamped) to the commit script.
    pub fn commit(&mut self, session: &str, author: &str, op_id: String, op: Op, epoch: &str) {
        let entry = AppliedOp {
            seq: 0, // the script picks it
            op_id,
            author: author.to_owned(),
            op,
        };
        let (cluster, room, epoch) = (self.cluster.clone(), self.room.clone(), epoch.to_owned());
        let session = session.to_owned();
        if self.sent_at.len() >= LAG_TRACKED {
            self.sent_at.clear();
        }
        self.sent_at.insert(entry.op_id.clone(), Instant::now());
        self.commits.push(
            async move {
                let started = std::time::Instant::now();
                let result = cluster.redis().commit(&room, &epoch, &entry).await;
                if result.is_ok() {
                    record::storage_commit(started.elapsed());
                }
                CommitReply {
                    session,
                    author: entry.author,
                    op_id: entry.op_id,
                    op: entry.op,
                    result,
                }
            }
            .boxed(),
        );
    }

    /// How long ago this node sent op `op_id` to the commit script, if it did (and has not
    /// been asked before): its entry is landing now.
    pub fn landing(&mut self, op_id: &str) -> Option<Duration> {
        self.sent_at.remove(op_id).map(|sent| sent.elapsed())
    }

    /// A published entry arrived: what is ready now (a hole starts a fill).
    pub fn receive(&mut self, payload: &str) -> Vec<AppliedOp> {
        match parse_published(payload) {
            Ok(entry) => {
                if let Some(sent) = self.sent_at.get(&entry.op_id) {
                    record::feed_lag(sent.elapsed());
                }
                let ready = self.order.receive(entry);
                self.start_fill();
                ready
            }
            Err(error) => {
                warn!(room = %room_tag(&self.room), %error, "unreadable entry on the feed: filling instead");
                self.resync();
                Vec::new()
            }
        }
    }

    /// The store holds entries through `seq` (a client saw it): fetch them now.
    pub fn wants(&mut self, seq: u64) {
        self.order.saw_head(seq);
        self.start_fill();
    }

    /// Messages may have been lost: check the head now.
    pub fn resync(&mut self) {
        if self.head_check.is_none() {
            let (cluster, room) = (self.cluster.clone(), self.room.clone());
            self.head_check = Some(async move { cluster.redis().head(&room).await }.boxed());
        }
    }

    fn start_fill(&mut self) {
        if let Some((from, to)) = self.order.start_fill() {
            let (cluster, room) = (self.cluster.clone(), self.room.clone());
            self.fill = Some(async move { cluster.redis().range(&room, from, to).await }.boxed());
        }
    }

    /// The next thing for the room; pending while there is nothing. Cancel-safe: every
    /// branch finishes its work without awaiting after taking a result.
    pub async fn next(&mut self) -> LinkEvent {
        loop {
            let nudge = self.nudge;
            tokio::select! {
                Some(reply) = self.commits.next(), if !self.commits.is_empty() => {
                    if !matches!(reply.result, Ok(Commit::Appended(_))) {
                        self.sent_at.remove(&reply.op_id); // nothing new to publish
                    }
                    if let Ok(Commit::Appended(seq) | Commit::Known { seq, .. }) = &reply.result {
                        self.order.saw_head(*seq);
                        if self.order.behind() && self.nudge.is_none() {
                            self.nudge = Some(Instant::now() + NUDGE);
                        }
                    }
                    return LinkEvent::Committed(reply);
                }
                result = poll_slot(&mut self.fill) => match result {
                    Ok(entries) => {
                        let ready = self.order.fill_done(entries);
                        self.start_fill();
                        return LinkEvent::Ready(ready);
                    }
                    Err(error) => {
                        self.order.fill_failed();
                        return LinkEvent::Failed(error);
                    }
                },
                result = poll_slot(&mut self.head_check) => match result {
                    Ok(head) => {
                        self.order.saw_head(head);
                        self.start_fill();
                    }
                    Err(error) => return LinkEvent::Failed(error),
                },
                () = tokio::time::sleep_until(self.next_check) => {
                    self.next_check = Instant::now() + CHECK_EVERY;
                    self.resync();
                }
                () = sleep_until_opt(nudge) => {
                    self.nudge = None;
                    self.start_fill();
                }
            }
        }
    }
}

/// Awaits the future in `slot` and empties the slot; pending forever while it is empty.
pub(super) async fn poll_slot<T>(slot: &mut Option<BoxFuture<'static, T>>) -> T {
    match slot {
        Some(future) => {
            let value = future.await;
            *slot = None;
            value
        }
        None => std::future::pending().await,
    }
}
