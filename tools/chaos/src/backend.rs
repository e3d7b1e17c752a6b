//! What a chaos run breaks: one server on its SQLite file, or a cluster — a Redis and
//! several nodes behind the fault proxy, which balances over them. Nodes are killed
//! (`kill -9`) or restarted gracefully one at a time; in a cluster Redis is crashed and
//! restarted too. Its log (SQLite or Redis streams) is the judge of the run.

use crate::{
    redis_server::RedisServer,
    server::{read_log, Server, StoredLogs},
};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The servers of a run.
pub struct Backend {
    nodes: Vec<Server>,
    redis: Option<RedisServer>,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Backend {
    /// One node on SQLite in `data` (`cluster_nodes` 0), or a Redis and `cluster_nodes`
    /// nodes, all with their files under `data`.
    pub async fn start(bin: PathBuf, cluster_nodes: usize, data: PathBuf) -> anyhow::Result<Self> {
        let redis = if cluster_nodes > 0 {
            Some(RedisServer::start(free_port()?, data.join("redis")).await?)
        } else {
            None
        };
        let env: Vec<(String, String)> = redis
            .iter()
            .map(|redis| ("TETHER_REDIS_URL".to_owned(), redis.url()))
            .collect();
        let mut nodes = Vec::new();
        for n in 0..cluster_nodes.max(1) {
            let mut node = Server {
                bin: bin.clone(),
                port: free_port()?,
                data: if redis.is_some() {
                    data.join(format!("node{n}"))
                } else {
                    data.clone()
                },
                env: env.clone(),
                child: None,
            };
            node.start().await?;
            nodes.push(node);
        }
        Ok(Self { nodes, redis })
    }

    /// Where the proxy sends connections.
    pub fn upstreams(&self) -> Vec<SocketAddr> {
        self.nodes
            .iter()
            .map(|node| SocketAddr::from(([127, 0, 0, 1], node.port)))
            .collect()
    }

    /// How many nodes serve (1 without a cluster).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// True in cluster mode.
    pub fn is_cluster(&self) -> bool {
        self.redis.is_some()
    }

    /// Node `index` goes down (`kill -9`, or SIGTERM and a clean exit) for `down`, then
    /// starts again.
    pub async fn restart_node(
        &mut self,
        index: usize,
        kill: bool,
        down: Duration,
    ) -> anyhow::Result<()> {
        let count = self.nodes.len();
        let node = &mut self.nodes[index % count];
        if kill {
            node.kill9().await?;
        } else {
            node.graceful().await?;
        }
        tokio::time::sleep(down).await;
        node.start().await
    }

    /// Crashes Redis (`kill -9`) for `down` and restarts it on its AOF (cluster only).
    pub async fn restart_redis(&mut self, down: Duration) -> anyhow::Result<()> {
        match &mut self.redis {
            Some(redis) => redis.crash_and_restart(down).await,
            None => Ok(()),
        }
    }

    /// Every room's stored log, (seq, op id, op) in seq order.
    pub async fn read_log(
        &self,
        data: &std::path::Path,
        rooms: &[String],
    ) -> anyhow::Result<StoredLogs> {
        match &self.redis {
            Some(redis) => redis.read_log(rooms).await,
            None => read_log(data),
        }
    }

    /// Stops every node gracefully (a failed clean exit fails the run), then Redis.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for node in &mut self.nodes {
            node.graceful().await?;
        }
        if let Some(redis) = &mut self.redis {
            redis.kill9().await?;
        }
        Ok(())
    }
}
