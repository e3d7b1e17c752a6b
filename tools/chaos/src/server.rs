//! The server under test: the real binary started, killed and restarted by the chaos run,
//! and its SQLite log read back to judge the run.

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};
use tether_core::board::Op;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// Short timings, sent to the clients in `welcome`, so faults are noticed in seconds.
/// Every client comes from 127.0.0.1, so the per-address join budget is raised as for a
/// crowd of many addresses; per-connection budgets stay at their defaults.
const SERVER_ENV: [(&str, &str); 12] = [
    ("TETHER_PING_INTERVAL_MS", "1000"),
    ("TETHER_PONG_TIMEOUT_MS", "1000"),
    ("TETHER_HANDSHAKE_TIMEOUT_MS", "3000"),
    ("TETHER_BACKOFF_BASE_MS", "200"),
    ("TETHER_BACKOFF_CAP_MS", "2000"),
    ("TETHER_BACKOFF_MAX_ATTEMPTS", "1000"),
    ("TETHER_GRACE_MS", "3000"),
    ("TETHER_WS_PING_INTERVAL_MS", "1000"),
    ("TETHER_RESTART_RETRY_AFTER_MS", "300"),
    ("TETHER_RESTART_SPREAD_MS", "1500"),
    ("TETHER_JOINS_PER_SECOND", "100000"),
    ("TETHER_JOINS_BURST", "100000"),
];

/// The real server binary as a child process on a fixed port and data dir.
pub struct Server {
    pub bin: PathBuf,
    pub port: u16,
    pub data: PathBuf,
    /// Settings beyond [`SERVER_ENV`] (a cluster node's `TETHER_REDIS_URL`).
    pub env: Vec<(String, String)>,
    pub child: Option<Child>,
}

impl Server {
    /// Starts it and waits for its `listening on` line; a later panic ends the run.
    pub async fn start(&mut self) -> anyhow::Result<()> {
        let mut command = Command::new(&self.bin);
        command
            .env("TETHER_ADDR", format!("127.0.0.1:{}", self.port))
            .env("TETHER_DATA_DIR", &self.data)
            .env("RUST_LOG", "warn,server=info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (key, value) in SERVER_ENV {
            command.env(key, value);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        let mut lines = BufReader::new(child.stdout.take().context("server stdout")?).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let line = tokio::time::timeout_at(deadline.into(), lines.next_line()).await;
            match line {
                Ok(Ok(Some(line))) if line.contains("listening on http://") => break,
                Ok(Ok(Some(line))) if line.contains("panicked") => bail!("server panicked: {line}"),
                Ok(Ok(Some(_))) => continue,
                _ => bail!("the server did not start"),
            }
        }
        // Keep draining its log; a panic anywhere fails the run.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("panicked") {
                    eprintln!("chaos: SERVER PANIC: {line}");
                    std::process::exit(3);
                }
            }
        });
        self.child = Some(child);
        Ok(())
    }

    /// The child's process id.
    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child
            .as_ref()
            .and_then(Child::id)
            .context("server not running")
    }

    /// `kill -9`.
    pub async fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().await?;
        }
        Ok(())
    }

    /// SIGTERM, and wait for a clean exit.
    pub async fn graceful(&mut self) -> anyhow::Result<()> {
        let pid = self.pid()?;
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()?;
        if let Some(mut child) = self.child.take() {
            let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
                .await
                .context("no exit after SIGTERM")??;
            if !status.success() {
                bail!("graceful shutdown exited with {status}");
            }
        }
        Ok(())
    }
}

/// Every room's stored log: (seq, op id, op) in seq order, by room.
pub type StoredLogs = BTreeMap<String, Vec<(u64, String, Op)>>;

/// Every room's log from the server's SQLite file.
pub fn read_log(data_dir: &Path) -> anyhow::Result<StoredLogs> {
    let conn = Connection::open_with_flags(
        data_dir.join("tether.sqlite3"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut statement = conn.prepare("SELECT room, seq, op_id, op FROM ops ORDER BY room, seq")?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut rooms: BTreeMap<String, Vec<(u64, String, Op)>> = BTreeMap::new();
    for row in rows {
        let (room, seq, op_id, op) = row?;
        let op: Op = serde_json::from_str(&op).context("unreadable stored op")?;
        rooms.entry(room).or_default().push((seq as u64, op_id, op));
    }
    Ok(rooms)
}
