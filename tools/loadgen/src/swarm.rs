//! A swarm of benchmark clients spread over rooms, kept connected across measurement
//! steps. Each client has one writer task (payloads, and Engine.IO pongs) and one reader
//! task that timestamps what it receives; drawers send at given rates.

use crate::{
    conn::{join, Incoming, Target},
    payload::{cursor, live, stamp_of, stroke, Clock},
    procstat::{rss_bytes, CpuMeter},
    stats::Tally,
};
use serde::Serialize;
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use tokio::sync::{mpsc, Semaphore};

/// Connections opened at once while building the swarm (the accept queue stays sane).
const CONNECT_CONCURRENCY: usize = 100;

enum Out {
    Payload(String),
    Pong,
}

struct Member {
    index: usize,
    room: usize,
    writer: mpsc::UnboundedSender<Out>,
}

/// Connected clients.
pub struct Swarm {
    pub target: Target,
    members: Vec<Member>,
    tallies: Vec<Arc<Mutex<Tally>>>,
    clock: Clock,
    rooms: usize,
    per_room: usize,
}

/// Send rates of one drawer, in messages per second (0 = none).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rates {
    pub live: f64,
    pub stroke: f64,
    pub cursor: f64,
}

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub target: Target,
    pub clients: usize,
    pub rooms: usize,
    pub drawers: usize,
    pub rates: Rates,
    pub seconds: f64,
    pub sent_timed: u64,
    pub expected: u64,
    pub delivered: u64,
    pub lost: u64,
    pub delivered_per_sec: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
    pub server_rss_mib: Option<f64>,
    pub server_cpu_percent: Option<f64>,
}

impl Swarm {
    /// Connects `rooms × per_room` clients; `addr` may list several servers (comma
    /// separated, a cluster's nodes): clients are spread over them round-robin.
    pub async fn connect(
        target: Target,
        addr: &str,
        rooms: usize,
        per_room: usize,
    ) -> anyhow::Result<Self> {
        let clock = Clock::start();
        let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
        let addrs: Vec<&str> = addr.split(',').collect();
        let mut joins = Vec::new();
        for room in 0..rooms {
            for slot in 0..per_room {
                let index = room * per_room + slot;
                let (gate, addr) = (gate.clone(), addrs[index % addrs.len()].to_owned());
                joins.push(tokio::spawn(async move {
                    let _permit = gate.acquire_owned().await;
                    join(target, &addr, &format!("bench{room}"), index)
                        .await
                        .map(|halves| (index, room, halves))
                }));
            }
        }
        let mut members = Vec::new();
        let mut tallies = Vec::new();
        for joined in joins {
            let (index, room, (mut sender, mut receiver)) = joined.await??;
            let tally = Arc::new(Mutex::new(Tally::default()));
            let (writer, mut outgoing) = mpsc::unbounded_channel::<Out>();
            let errors = tally.clone();
            tokio::spawn(async move {
                while let Some(out) = outgoing.recv().await {
                    let sent = match out {
                        Out::Payload(payload) => sender.send(&payload).await,
                        Out::Pong => sender.pong().await,
                    };
                    if sent.is_err() {
                        errors.lock().unwrap_or_else(|p| p.into_inner()).errors += 1;
                        break;
                    }
                }
            });
            let (reader_tally, pongs) = (tally.clone(), writer.clone());
            tokio::spawn(async move {
                while let Some(incoming) = receiver.next().await {
                    match incoming {
                        Incoming::Payload(payload) => {
                            let now = clock.micros();
                            let mut tally = reader_tally.lock().unwrap_or_else(|p| p.into_inner());
                            match stamp_of(&payload) {
                                Some(stamp) if stamp.sender != index => {
                                    tally.record(now.saturating_sub(stamp.sent_micros))
                                }
                                Some(_) => {} // our own op's acknowledgement
                                None if payload.contains("\"type\":\"cursor\"")
                                    || payload.starts_with("{\"type\":\"cursor") =>
                                {
                                    tally.delivered_untimed += 1
                                }
                                None => {}
                            }
                        }
                        Incoming::Ping => {
                            let _ = pongs.send(Out::Pong);
                        }
                        Incoming::Other => {}
                    }
                }
            });
            members.push(Member {
                index,
                room,
                writer,
            });
            tallies.push(tally);
        }
        Ok(Self {
            target,
            members,
            tallies,
            clock,
            rooms,
            per_room,
        })
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The first `drawers` clients of every room send at `rates` for `duration`; then the
    /// swarm waits (up to `drain`) for every timed message to arrive everywhere.
    pub async fn measure(
        &self,
        drawers: usize,
        rates: Rates,
        duration: Duration,
        drain: Duration,
        server_pid: Option<u32>,
    ) -> Step {
        for tally in &self.tallies {
            *tally.lock().unwrap_or_else(|p| p.into_inner()) = Tally::default();
        }
        let sent = Arc::new(AtomicU64::new(0));
        let cpu = server_pid.and_then(CpuMeter::start);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for member in self
            .members
            .iter()
            .filter(|m| m.index - m.room * self.per_room < drawers)
        {
            let (writer, index, sent, clock) = (
                member.writer.clone(),
                member.index,
                sent.clone(),
                self.clock,
            );
            tasks.push(tokio::spawn(drive(
                writer, index, rates, duration, sent, clock,
            )));
        }
        for task in tasks {
            let _ = task.await;
        }
        let seconds = started.elapsed().as_secs_f64();
        let server_cpu_percent = cpu.and_then(|c| c.percent());
        let server_rss_mib = server_pid
            .and_then(rss_bytes)
            .map(|b| b as f64 / (1024.0 * 1024.0));
        let sent_timed = sent.load(Ordering::SeqCst);
        let expected = sent_timed * (self.per_room as u64 - 1);
        let deadline = Instant::now() + drain;
        let total = |tallies: &[Arc<Mutex<Tally>>]| {
            let mut all = Tally::default();
            for tally in tallies {
                all.merge(&tally.lock().unwrap_or_else(|p| p.into_inner()));
            }
            all
        };
        let mut all = total(&self.tallies);
        while all.delivered < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
            all = total(&self.tallies);
        }
        Step {
            target: self.target,
            clients: self.members.len(),
            rooms: self.rooms,
            drawers: drawers * self.rooms,
            rates,
            seconds,
            sent_timed,
            expected,
            delivered: all.delivered,
            lost: expected.saturating_sub(all.delivered),
            delivered_per_sec: all.delivered as f64 / seconds,
            p50_ms: all.ms(50.0),
            p95_ms: all.ms(95.0),
            p99_ms: all.ms(99.0),
            max_ms: all.max_ms(),
            errors: all.errors,
            server_rss_mib,
            server_cpu_percent,
        }
    }
}

/// One drawer: each message kind on its own steady schedule.
async fn drive(
    writer: mpsc::UnboundedSender<Out>,
    index: usize,
    rates: Rates,
    duration: Duration,
    sent: Arc<AtomicU64>,
    clock: Clock,
) {
    let end = tokio::time::Instant::now() + duration;
    let every = |rate: f64| (rate > 0.0).then(|| Duration::from_secs_f64(1.0 / rate));
    let (live_every, stroke_every, cursor_every) =
        (every(rates.live), every(rates.stroke), every(rates.cursor));
    let mut next =
        [live_every, stroke_every, cursor_every].map(|e| e.map(|_| tokio::time::Instant::now()));
    let mut n = 0u64;
    loop {
        let Some((kind, at)) = next
            .iter()
            .enumerate()
            .filter_map(|(k, at)| at.map(|at| (k, at)))
            .min_by_key(|(_, at)| *at)
        else {
            return;
        };
        if at >= end {
            return;
        }
        tokio::time::sleep_until(at).await;
        n += 1;
        let payload = match kind {
            0 => live(index, n, clock.micros()),
            1 => stroke(index, n, clock.micros()),
            _ => cursor(n),
        };
        if kind < 2 {
            sent.fetch_add(1, Ordering::SeqCst);
        }
        if writer.send(Out::Payload(payload)).is_err() {
            return;
        }
        let period =
            [live_every, stroke_every, cursor_every][kind].expect("scheduled kinds have a period");
        next[kind] = Some(at + period);
    }
}
