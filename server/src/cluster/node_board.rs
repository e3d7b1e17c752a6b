//! The cluster's node table for the dashboard: every node writes its summary into one
//! Redis hash every [`PUBLISH_EVERY`]; a dashboard on any node reads them all. Entries
//! older than [`STALE_AFTER`] belong to nodes that stopped, and are removed.

use crate::store::{redis::Redis, StoreError};
use redis::AsyncCommands;
use std::time::Duration;
use tether_core::protocol::admin::NodeSummary;
use tokio_util::sync::CancellationToken;
use tracing::debug;

/// The hash: node id → JSON summary.
const NODES_KEY: &str = "tether:nodes";

/// How often a node publishes its summary.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(5);

/// A summary this old (seconds) is from a node that is gone.
pub const STALE_AFTER: u64 = 15;

/// Publishes `summary()` every [`PUBLISH_EVERY`] until `shutdown`, then removes it.
pub async fn publish_every(
    redis: Redis,
    summary: impl Fn() -> NodeSummary,
    shutdown: CancellationToken,
) {
    let mut every = tokio::time::interval(PUBLISH_EVERY);
    let mut connection = redis.connection();
    let mut node = String::new();
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = shutdown.cancelled() => break,
        }
        let summary = summary();
        node.clone_from(&summary.node);
        let Ok(json) = serde_json::to_string(&summary) else {
            continue;
        };
        let written: redis::RedisResult<i64> = connection.hset(NODES_KEY, &node, json).await;
        if let Err(error) = written {
            debug!(%error, "node summary not published");
        }
    }
    let _: redis::RedisResult<i64> = connection.hdel(NODES_KEY, &node).await;
}

/// Every live node's summary, ordered by id; stale ones are removed on the way.
pub async fn read_all(redis: &Redis, now: u64) -> Result<Vec<NodeSummary>, StoreError> {
    let mut connection = redis.connection();
    let entries: Vec<(String, String)> = connection
        .hgetall(NODES_KEY)
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    let (live, stale) = sort_out(entries, now);
    if !stale.is_empty() {
        let _: redis::RedisResult<i64> = connection.hdel(NODES_KEY, &stale).await;
    }
    Ok(live)
}

/// The fresh summaries (by node id) and the ids of stale or unreadable entries.
pub fn sort_out(entries: Vec<(String, String)>, now: u64) -> (Vec<NodeSummary>, Vec<String>) {
    let mut live = Vec::new();
    let mut stale = Vec::new();
    for (node, json) in entries {
        match serde_json::from_str::<NodeSummary>(&json) {
            Ok(summary) if summary.updated_at + STALE_AFTER >= now => live.push(summary),
            _ => stale.push(node),
        }
    }
    live.sort_by(|a, b| a.node.cmp(&b.node));
    (live, stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(node: &str, updated_at: u64) -> (String, String) {
        let summary = NodeSummary {
            node: node.into(),
            updated_at,
            ..NodeSummary::default()
        };
        (node.into(), serde_json::to_string(&summary).unwrap())
    }

    #[test]
    fn fresh_summaries_are_kept_in_order_and_stale_or_broken_ones_dropped() {
        let entries = vec![
            entry("b", 100),
            entry("a", 90),
            entry("gone", 80),
            ("junk".into(), "{".into()),
        ];
        let (live, stale) = sort_out(entries, 100);
        let ids: Vec<&str> = live.iter().map(|s| s.node.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(stale, ["gone", "junk"]);
    }
}
