//! Cluster mode (`--redis-url`): several nodes serve the same rooms through one Redis.
//!
//! Redis is the log authority (the commit script picks each seq, see
//! [`crate::store::redis`]); each node keeps its room actors as caches of the boards,
//! fed in seq order by PUB/SUB ([`feed`]) with gaps filled from the streams
//! ([`crate::hub::feed_order`]). Ephemeral messages (cursors, live strokes) go over a
//! separate channel per room, at most once, through one publisher task per node.
//! [`node_board`]: every node's summary for the dashboard.

use crate::observability::log_tag::room_tag;
pub mod feed;
pub mod node_board;

use crate::{
    random::random_id,
    store::{redis::live_channel, redis::Redis, StoreError},
};
use feed::{Feed, Router};
use tokio::sync::mpsc;
use tracing::debug;

/// Ephemeral messages waiting to be published; beyond this they are dropped (they may be).
const LIVE_QUEUE: usize = 4096;

/// This node's part of the cluster.
pub struct Cluster {
    redis: Redis,
    feed: Feed,
    /// This process's id: a node skips its own ephemeral messages coming back.
    node: String,
    live: mpsc::Sender<(String, String)>,
}

impl Cluster {
    /// Joins the cluster on `redis` (already connected); `route` delivers rooms' events.
    pub fn start(redis: Redis, route: Router) -> Self {
        let feed = Feed::start(redis.client().clone(), route);
        let (live, queue) = mpsc::channel(LIVE_QUEUE);
        tokio::spawn(publish_live(redis.clone(), queue));
        Self {
            redis,
            feed,
            node: random_id(),
            live,
        }
    }

    /// The Redis commands.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    /// This node's id in the cluster (random per process).
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The node's subscriptions.
    pub fn feed(&self) -> &Feed {
        &self.feed
    }

    /// True while both the command and the PUB/SUB connections are up.
    pub fn is_healthy(&self) -> bool {
        self.redis.is_healthy() && self.feed.is_connected()
    }

    /// Sends an ephemeral message of `session` (a serialized `ServerMsg`) to the room's
    /// members on other nodes; dropped if the publisher is behind.
    pub fn publish_live(&self, room: &str, session: &str, json: &str) {
        let payload = format!("{} {session} {json}", self.node);
        if self.live.try_send((live_channel(room), payload)).is_err() {
            debug!(room = %room_tag(room), "ephemeral publisher busy: message dropped");
        }
    }

    /// The message of an ephemeral payload from another node (`None`: one of ours, or
    /// not well formed).
    pub fn remote_live<'a>(&self, payload: &'a str) -> Option<&'a str> {
        let (node, rest) = payload.split_once(' ')?;
        let (_session, json) = rest.split_once(' ')?;
        (node != self.node).then_some(json)
    }

    /// A new epoch candidate for a room (used if the room has none yet).
    pub async fn epoch_of(&self, room: &str) -> Result<String, StoreError> {
        self.redis.ensure_epoch(room, &random_id()).await
    }
}

/// Publishes ephemeral messages one after the other (they are small; Redis answers in
/// microseconds on the same machine). Ends when the cluster is dropped.
async fn publish_live(redis: Redis, mut queue: mpsc::Receiver<(String, String)>) {
    let mut connection = redis.connection();
    while let Some((channel, payload)) = queue.recv().await {
        let published: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(&payload)
            .query_async(&mut connection)
            .await;
        if let Err(error) = published {
            debug!(%error, "ephemeral message not published");
        }
    }
}
