//! One chaos run: the real server binary on a SQLite data dir — or a cluster of nodes on a
//! real Redis — native clients running the browser's sync engine through the fault proxy,
//! all drawing, while the proxy breaks connections and servers are killed (`kill -9`) and
//! gracefully restarted (in a cluster: one node at a time, and Redis crashes too). Then
//! everything settles and the run checks, against the stored log itself, that nothing was
//! lost, doubled or left behind.

use crate::{
    backend::Backend,
    proxy::{self, Cut, ProxyControl},
};
use anyhow::bail;
use serde::Serialize;
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    path::PathBuf,
    time::{Duration, Instant},
};
use tether_client::{stroke_at, ClientOptions, NativeClient};
use tether_core::board::{Board, Op};

/// What to run.
#[derive(Debug, Clone)]
pub struct ChaosOptions {
    pub server_bin: PathBuf,
    pub clients: usize,
    pub rooms: usize,
    /// How long clients draw while faults are injected.
    pub duration: Duration,
    pub kills: usize,
    pub graceful_restarts: usize,
    /// 0: one server on SQLite; else a cluster of this many nodes on Redis.
    pub cluster_nodes: usize,
    /// Redis crashes (`kill -9`, restart on the AOF) during the run (cluster only).
    pub redis_restarts: usize,
    pub seed: u64,
}

/// What the run found.
#[derive(Debug, Clone, Serialize)]
pub struct ChaosReport {
    pub seed: u64,
    pub clients: usize,
    pub rooms: usize,
    pub seconds: f64,
    pub ops_created: usize,
    pub ops_stored: usize,
    pub faults_injected: usize,
    pub kill_restarts: usize,
    pub graceful_restarts: usize,
    /// Nodes serving (1 without a cluster) and, in a cluster, Redis crashes.
    pub nodes: usize,
    pub redis_restarts: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub clients_hash_equal: usize,
    pub stuck_pending: usize,
    pub presence_consistent: usize,
    pub settle_seconds: f64,
}

impl ChaosReport {
    /// True when every guarantee held.
    pub fn passed(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.clients_hash_equal == self.clients
            && self.stuck_pending == 0
            && self.presence_consistent == self.clients
    }

    /// The one summary line.
    pub fn summary(&self) -> String {
        format!(
            "chaos {}{}: seed {}, {} clients in {} rooms for {:.0} s: ops created {}, stored {}, faults injected {}, restarts {} kill -9 + {} graceful{}, lost {}, duplicated {}, clients hash-equal {}/{}, stuck pending {}, presence consistent {}/{} (settled in {:.1} s)",
            if self.passed() { "PASSED" } else { "FAILED" },
            if self.nodes > 1 {
                format!(" (cluster: {} nodes on Redis)", self.nodes)
            } else {
                String::new()
            },
            self.seed,
            self.clients,
            self.rooms,
            self.seconds,
            self.ops_created,
            self.ops_stored,
            self.faults_injected,
            self.kill_restarts,
            self.graceful_restarts,
            if self.nodes > 1 {
                format!(" + {} Redis crashes", self.redis_restarts)
            } else {
                String::new()
            },
            self.lost,
            self.duplicated,
            self.clients_hash_equal,
            self.clients,
            self.stuck_pending,
            self.presence_consistent,
            self.clients,
            self.settle_seconds,
        )
    }
}

/// A fault from the random schedule.
fn inject(proxy: &ProxyControl, rng: &mut fastrand::Rng) -> (&'static str, Duration) {
    let hold = Duration::from_millis(rng.u64(500..3_000));
    match rng.u8(0..6) {
        0 => {
            proxy.cut(Cut::Fin);
            ("cut fin", Duration::ZERO)
        }
        1 => {
            proxy.cut(Cut::Rst);
            ("cut rst", Duration::ZERO)
        }
        2 => {
            proxy.blackhole(true);
            ("black hole", hold)
        }
        3 => {
            let delay = Duration::from_millis(rng.u64(100..1_200));
            proxy.delay(delay, Duration::from_millis(rng.u64(100..1_200)));
            ("delay", hold)
        }
        4 => {
            proxy.bandwidth(rng.u64(2_000..30_000));
            ("bandwidth", hold)
        }
        _ => {
            proxy.refuse(true);
            proxy.cut(Cut::Rst);
            ("refuse", hold)
        }
    }
}

/// A restart from the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Restart {
    /// A node (the server) is killed with `kill -9`.
    Kill,
    /// A node is stopped with SIGTERM and must exit cleanly.
    Graceful,
    /// Redis is killed with `kill -9` and restarted on its AOF.
    Redis,
}

pub async fn run(options: ChaosOptions) -> anyhow::Result<ChaosReport> {
    let started = Instant::now();
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let data = std::env::temp_dir().join(format!(
        "tether-chaos-{}-{}",
        std::process::id(),
        options.seed
    ));
    let _ = std::fs::remove_dir_all(&data);
    let mut backend = Backend::start(
        options.server_bin.clone(),
        options.cluster_nodes,
        data.clone(),
    )
    .await?;
    let (proxy_addr, proxy) =
        proxy::start_balanced("127.0.0.1:0".parse()?, backend.upstreams()).await?;

    let clients: Vec<(String, NativeClient)> = (0..options.clients)
        .map(|i| {
            let room = format!("chaos{}", i % options.rooms.max(1));
            let client = NativeClient::spawn(ClientOptions {
                server: format!("ws://{proxy_addr}"),
                room: room.clone(),
                name: format!("client{i}"),
            });
            (room, client)
        })
        .collect();

    // Restarts at random moments of the drawing phase.
    let redis_restarts = if backend.is_cluster() {
        options.redis_restarts
    } else {
        0
    };
    let mut restarts: Vec<(Duration, Restart)> = (0..options.kills)
        .map(|_| Restart::Kill)
        .chain((0..options.graceful_restarts).map(|_| Restart::Graceful))
        .chain((0..redis_restarts).map(|_| Restart::Redis))
        .map(|restart| {
            (
                Duration::from_millis(
                    rng.u64(1_000..options.duration.as_millis().max(2_000) as u64 - 500),
                ),
                restart,
            )
        })
        .collect();
    restarts.sort();

    let mut faults = 0usize;
    let mut last_strokes: HashMap<usize, String> = HashMap::new();
    let mut next_fault = Instant::now() + Duration::from_millis(rng.u64(300..1_500));
    let mut heal_at: Option<Instant> = None;
    let (mut kill_restarts, mut graceful_restarts, mut redis_crashes) = (0, 0, 0);
    let phase_end = Instant::now() + options.duration;
    while Instant::now() < phase_end {
        // Someone draws (or now and then erases their last stroke).
        let who = rng.usize(0..clients.len());
        let client = &clients[who].1;
        match last_strokes.get(&who) {
            Some(id) if rng.u8(0..10) == 0 => client.submit(Op::EraseStroke { id: id.clone() }),
            _ => {
                let stroke = stroke_at(rng.f32() * 800.0, rng.f32() * 600.0);
                last_strokes.insert(who, stroke.id.clone());
                client.draw(stroke);
            }
        }
        let now = Instant::now();
        if heal_at.is_some_and(|at| now >= at) {
            proxy.heal();
            heal_at = None;
        }
        if heal_at.is_none() && now >= next_fault {
            let (_, hold) = inject(&proxy, &mut rng);
            faults += 1;
            heal_at = Some(now + hold);
            next_fault = now + hold + Duration::from_millis(rng.u64(300..2_000));
        }
        if let Some(&(at, restart)) = restarts.first() {
            if started.elapsed() >= at {
                restarts.remove(0);
                // Down for a moment, as a real restart would be.
                let down = Duration::from_millis(rng.u64(100..1_500));
                let node = rng.usize(0..backend.node_count());
                match restart {
                    Restart::Kill => {
                        backend.restart_node(node, true, down).await?;
                        kill_restarts += 1;
                    }
                    Restart::Graceful => {
                        backend.restart_node(node, false, down).await?;
                        graceful_restarts += 1;
                    }
                    Restart::Redis => {
                        backend.restart_redis(down).await?;
                        redis_crashes += 1;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(
            rng.u64(20..120) / options.clients.max(1) as u64 + 5,
        ))
        .await;
    }
    proxy.heal();

    // Settle: everyone live, nothing pending, each room on one seq, presence complete.
    let settle_started = Instant::now();
    let members: BTreeMap<&str, usize> =
        clients.iter().fold(BTreeMap::new(), |mut acc, (room, _)| {
            *acc.entry(room.as_str()).or_default() += 1;
            acc
        });
    let settled = |clients: &[(String, NativeClient)]| {
        let mut room_seq: HashMap<&str, u64> = HashMap::new();
        for (room, client) in clients {
            let seq = room_seq.entry(room).or_default();
            *seq = (*seq).max(client.view().seq);
        }
        clients.iter().all(|(room, c)| {
            let view = c.view();
            view.state.is_live()
                && view.pending == 0
                && view.seq == room_seq[room.as_str()]
                && view.peers.len() + 1 == members[room.as_str()]
        })
    };
    while !settled(&clients) && settle_started.elapsed() < Duration::from_secs(90) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let settle_seconds = settle_started.elapsed().as_secs_f64();

    // The stored log is the judge.
    let rooms: Vec<String> = members.keys().map(|room| room.to_string()).collect();
    let stored = backend.read_log(&data, &rooms).await?;
    let mut report = ChaosReport {
        seed: options.seed,
        clients: options.clients,
        rooms: options.rooms,
        seconds: options.duration.as_secs_f64(),
        ops_created: 0,
        ops_stored: stored.values().map(Vec::len).sum(),
        faults_injected: faults,
        kill_restarts,
        graceful_restarts,
        nodes: backend.node_count(),
        redis_restarts: redis_crashes,
        lost: 0,
        duplicated: 0,
        clients_hash_equal: 0,
        stuck_pending: 0,
        presence_consistent: 0,
        settle_seconds,
    };
    let mut server_hash: HashMap<String, String> = HashMap::new();
    for (room, ops) in &stored {
        let mut board = Board::new();
        let mut ids = HashSet::new();
        for (expected, (seq, op_id, op)) in ops.iter().enumerate() {
            if *seq != expected as u64 + 1 {
                bail!("room {room}: stored seqs have a gap at {seq}");
            }
            if !ids.insert(op_id.clone()) {
                report.duplicated += 1;
            }
            board.apply(*seq, op);
        }
        server_hash.insert(room.clone(), board.doc_hash());
    }
    let stored_ids: HashMap<&str, HashSet<&str>> = stored
        .iter()
        .map(|(room, ops)| {
            (
                room.as_str(),
                ops.iter().map(|(_, id, _)| id.as_str()).collect(),
            )
        })
        .collect();
    for (room, client) in &clients {
        let created = client.created();
        report.ops_created += created.len();
        let in_room = stored_ids.get(room.as_str());
        report.lost += created
            .iter()
            .filter(|id| !in_room.is_some_and(|ids| ids.contains(id.as_str())))
            .count();
        let view = client.view();
        if server_hash
            .get(room)
            .is_some_and(|hash| *hash == view.doc_hash)
        {
            report.clients_hash_equal += 1;
        }
        if view.pending > 0 {
            report.stuck_pending += 1;
        }
        let names: HashSet<&str> = view.peers.iter().map(|(_, name)| name.as_str()).collect();
        if view.peers.len() + 1 == members[room.as_str()] && names.len() == view.peers.len() {
            report.presence_consistent += 1;
        }
    }
    for (_, client) in clients {
        client.stop().await;
    }
    backend.stop().await?;
    let _ = std::fs::remove_dir_all(&data);
    Ok(report)
}
