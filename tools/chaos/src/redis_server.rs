//! The cluster's Redis in a chaos run: a real `redis-server` on a fixed port and data dir,
//! with the settings Tether needs (`appendonly yes`, `appendfsync always`, `noeviction`),
//! killed with `kill -9` and restarted on the same data; and the rooms' logs read back from
//! its streams to judge the run.

use crate::server::StoredLogs;
use anyhow::{bail, Context};
use serde::Deserialize;
use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};
use tether_core::board::Op;
use tokio::process::{Child, Command};

/// A running (or stopped) `redis-server`.
pub struct RedisServer {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

/// What the commit script keeps of an entry (its seq is the stream id).
#[derive(Deserialize)]
struct Body {
    op_id: String,
    op: Op,
}

impl RedisServer {
    /// Starts Redis on `port` with its files in `dir`; returns once it answers.
    pub async fn start(port: u16, dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        let mut redis = Self {
            port,
            dir,
            child: None,
        };
        redis.spawn().await?;
        Ok(redis)
    }

    /// `redis://127.0.0.1:<port>/0`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&self.dir)
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .args(["--maxmemory-policy", "noeviction", "--save", ""])
            .arg("--logfile")
            .arg(self.dir.join("redis.log"))
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting redis-server (scripts/setup.sh installs it)")?;
        self.child = Some(child);
        let client = redis::Client::open(self.url())?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await {
                let pong: redis::RedisResult<String> =
                    redis::cmd("PING").query_async(&mut connection).await;
                if pong.is_ok() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!("redis-server did not start: see {}", self.dir.display());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `kill -9`, down for `down`, then a start on the same data: the AOF is all it keeps.
    pub async fn crash_and_restart(&mut self, down: Duration) -> anyhow::Result<()> {
        self.kill9().await?;
        tokio::time::sleep(down).await;
        self.spawn().await
    }

    /// `kill -9`.
    pub async fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().await?;
        }
        Ok(())
    }

    /// Each room's log from its stream: (seq, op id, op) in seq order.
    pub async fn read_log(&self, rooms: &[String]) -> anyhow::Result<StoredLogs> {
        let mut connection = redis::Client::open(self.url())?
            .get_multiplexed_async_connection()
            .await?;
        let mut logs = StoredLogs::new();
        for room in rooms {
            let entries: Vec<(String, Vec<String>)> = redis::cmd("XRANGE")
                .arg(format!("tether:{{{room}}}:log"))
                .arg("-")
                .arg("+")
                .query_async(&mut connection)
                .await?;
            let mut ops = Vec::with_capacity(entries.len());
            for (id, fields) in entries {
                let seq: u64 = id
                    .split_once('-')
                    .and_then(|(seq, _)| seq.parse().ok())
                    .with_context(|| format!("stream id {id}"))?;
                let body: Body = serde_json::from_str(fields.get(1).context("entry body")?)
                    .context("unreadable stored entry")?;
                ops.push((seq, body.op_id, body.op));
            }
            if !ops.is_empty() {
                logs.insert(room.clone(), ops);
            }
        }
        Ok(logs)
    }
}
