//! Restart storm: many clients running the real sync engine are connected and drawing; the
//! server restarts gracefully (SIGTERM, then started again on the same port and data) while
//! they keep drawing. Measures how long until everyone is back and in sync, the peak rate
//! of reconnections, and checks that no op was lost or stored twice.
//!
//! In cluster mode the clients reach N nodes on one Redis through a round-robin balancer
//! (the chaos harness's proxy, without faults), and the first node restarts: its clients
//! come back on the other nodes (the balancer skips the node while it is down).

use crate::procstat::rss_bytes;
use anyhow::{bail, Context};
use chaos::{proxy, redis_server::RedisServer};
use serde::Serialize;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};
use tether_client::{stroke_at, ClientOptions, NativeClient};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// What the storm measured.
#[derive(Debug, Clone, Serialize)]
pub struct StormResult {
    /// Nodes serving (1: one server on SQLite).
    pub nodes: usize,
    pub clients: usize,
    pub rooms: usize,
    /// From the restarted server listening until every client was back, with nothing
    /// pending and on its room's latest seq.
    pub all_resynced_after_s: f64,
    /// The same, from the SIGTERM (in a cluster, clients need not wait for the node).
    pub all_resynced_after_stop_s: f64,
    /// Clients that reconnected (all on one server; the restarted node's in a cluster).
    pub reconnected: usize,
    /// Most reconnections completed within one second.
    pub peak_reconnects_per_s: u32,
    pub ops_created: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub rooms_hash_equal: usize,
    pub server_rss_mib: Option<f64>,
}

/// A server process this run owns.
struct Server {
    child: Child,
}

async fn start_server(
    bin: &Path,
    port: u16,
    data_dir: &Path,
    redis_url: Option<&str>,
) -> anyhow::Result<Server> {
    let mut command = Command::new(bin);
    if let Some(url) = redis_url {
        command.env("TETHER_REDIS_URL", url);
    }
    let mut child = command
        .env("TETHER_ADDR", format!("127.0.0.1:{port}"))
        .env("TETHER_DATA_DIR", data_dir)
        .env("TETHER_RESTART_RETRY_AFTER_MS", "500")
        .env("TETHER_RESTART_SPREAD_MS", "5000")
        // Thousands of clients from one address: a real crowd has many, each with its own
        // join budget.
        .env("TETHER_JOINS_PER_SECOND", "10000000")
        .env("TETHER_JOINS_BURST", "10000000")
        .env("TETHER_MAX_CONNECTIONS_PER_IP", "1000000")
        .env("RUST_LOG", "warn,server=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let mut lines = BufReader::new(child.stdout.take().context("server stdout")?).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Ok(Ok(Some(line))) = tokio::time::timeout_at(deadline.into(), lines.next_line()).await
    {
        if line.contains("listening on http://") {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(Server { child });
        }
    }
    bail!("the server did not start")
}

impl Server {
    fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// SIGTERM and wait: the graceful shutdown path (`Restarting`, flush, 1012).
    async fn stop_gracefully(mut self) -> anyhow::Result<()> {
        let pid = self.pid().context("server already gone")?;
        let status = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()?;
        if !status.success() {
            bail!("kill -TERM {pid} failed");
        }
        tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .context("server did not stop")??;
        Ok(())
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_until(
    what: &str,
    limit: Duration,
    mut done: impl FnMut() -> bool,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > limit {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok(started.elapsed().as_secs_f64())
}

pub async fn storm(
    server_bin: PathBuf,
    clients: usize,
    per_room: usize,
    cluster_nodes: usize,
) -> anyhow::Result<StormResult> {
    let data = std::env::temp_dir().join(format!("tether-storm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let redis = match cluster_nodes {
        0 => None,
        _ => Some(RedisServer::start(free_port()?, data.join("redis")).await?),
    };
    let redis_url = redis.as_ref().map(RedisServer::url);
    let mut nodes = Vec::new();
    for n in 0..cluster_nodes.max(1) {
        let port = free_port()?;
        let dir = data.join(format!("node{n}"));
        nodes.push((port, dir.clone()));
    }
    let mut others = Vec::new();
    for (port, dir) in &nodes[1..] {
        others.push(start_server(&server_bin, *port, dir, redis_url.as_deref()).await?);
    }
    let (port, dir) = nodes[0].clone();
    let server = start_server(&server_bin, port, &dir, redis_url.as_deref()).await?;
    let upstreams = nodes
        .iter()
        .map(|(port, _)| std::net::SocketAddr::from(([127, 0, 0, 1], *port)))
        .collect();
    let (entry, _balancer) = proxy::start_balanced("127.0.0.1:0".parse()?, upstreams).await?;
    let rooms = clients.div_ceil(per_room);
    let swarm: Vec<(usize, NativeClient)> = (0..clients)
        .map(|i| {
            let options = ClientOptions {
                server: format!("ws://{entry}"),
                room: format!("storm{}", i / per_room),
                name: format!("c{i}"),
            };
            (i / per_room, NativeClient::spawn(options))
        })
        .collect();
    let live =
        |swarm: &[(usize, NativeClient)]| swarm.iter().all(|(_, c)| c.view().state.is_live());
    wait_until("every client to connect", Duration::from_secs(120), || {
        live(&swarm)
    })
    .await?;
    for (i, (_, client)) in swarm.iter().enumerate() {
        client.draw(stroke_at(
            10.0 + (i % 50) as f32 * 8.0,
            10.0 + (i / 50 % 50) as f32 * 8.0,
        ));
    }
    wait_until(
        "the first strokes to land",
        Duration::from_secs(120),
        || swarm.iter().all(|(_, c)| c.view().pending == 0),
    )
    .await?;
    let server_rss_mib = server
        .pid()
        .and_then(rss_bytes)
        .map(|b| b as f64 / (1024.0 * 1024.0));

    let connects_before: Vec<u32> = swarm.iter().map(|(_, c)| c.view().connects).collect();
    let stopping = Instant::now();
    server.stop_gracefully().await?;
    // The restarted node's clients: all of them on one server; in a cluster, those it
    // disconnected (some may be back on another node already).
    let affected: Vec<bool> = swarm
        .iter()
        .zip(&connects_before)
        .map(|((_, c), before)| {
            let view = c.view();
            cluster_nodes == 0 || !view.state.is_live() || view.connects > *before
        })
        .collect();
    // Everyone keeps drawing while the server is away.
    for (i, (_, client)) in swarm.iter().enumerate() {
        client.draw(stroke_at(
            400.0 + (i % 50) as f32 * 8.0,
            10.0 + (i / 50 % 50) as f32 * 8.0,
        ));
    }
    let server = start_server(&server_bin, port, &dir, redis_url.as_deref()).await?;
    let restarted = Instant::now();

    // Reconnections per 100 ms, and the moment everyone is back and in sync.
    let mut per_tick = Vec::new();
    let mut back = vec![false; swarm.len()];
    let all_resynced_after_s = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut newly = 0;
        for (i, (_, client)) in swarm.iter().enumerate() {
            if !back[i] && client.view().connects > connects_before[i] {
                back[i] = true;
                newly += 1;
            }
        }
        per_tick.push(newly);
        let mut room_seq: BTreeMap<usize, u64> = BTreeMap::new();
        for (room, client) in &swarm {
            let seq = room_seq.entry(*room).or_default();
            *seq = (*seq).max(client.view().seq);
        }
        let synced = swarm.iter().all(|(room, c)| {
            let view = c.view();
            view.state.is_live() && view.pending == 0 && view.seq == room_seq[room]
        });
        if synced && back.iter().zip(&affected).all(|(b, a)| *b || !*a) {
            break restarted.elapsed().as_secs_f64();
        }
        if restarted.elapsed() > Duration::from_secs(180) {
            bail!("clients did not all resync within 180 s");
        }
    };
    let after_stop_s = stopping.elapsed().as_secs_f64();
    let reconnected = back.iter().filter(|b| **b).count();
    let peak_reconnects_per_s = per_tick
        .windows(10)
        .map(|w| w.iter().sum::<u32>())
        .max()
        .unwrap_or_else(|| per_tick.iter().sum());

    // Every room: seq equals the ops created there (a duplicate would take a second seq),
    // every stroke is present, and every client holds the same state.
    let mut ops_created = 0;
    let (mut lost, mut duplicated, mut rooms_hash_equal) = (0, 0, 0);
    for room in 0..rooms {
        let members: Vec<&NativeClient> = swarm
            .iter()
            .filter(|(r, _)| *r == room)
            .map(|(_, c)| c)
            .collect();
        let created: usize = members.iter().map(|c| c.created().len()).sum();
        ops_created += created;
        let view = members[0].view();
        lost += created.saturating_sub(view.strokes);
        duplicated += (view.seq as usize).saturating_sub(created);
        if members.iter().all(|c| c.view().doc_hash == view.doc_hash) {
            rooms_hash_equal += 1;
        }
    }
    for (_, client) in swarm {
        client.stop().await;
    }
    server.stop_gracefully().await?;
    for other in others {
        other.stop_gracefully().await?;
    }
    drop(redis);
    let _ = std::fs::remove_dir_all(&data);
    Ok(StormResult {
        nodes: nodes.len(),
        clients,
        reconnected,
        all_resynced_after_stop_s: after_stop_s,
        rooms,
        all_resynced_after_s,
        peak_reconnects_per_s,
        ops_created,
        lost,
        duplicated,
        rooms_hash_equal,
        server_rss_mib,
    })
}
