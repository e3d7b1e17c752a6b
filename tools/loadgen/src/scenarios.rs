//! The benchmark scenarios. Each returns a JSON-serializable result; every run is bounded
//! in clients, rate and time and stops by itself. Traffic goes to 127.0.0.1 only.

use crate::{
    conn::Target,
    procstat::rss_bytes,
    swarm::{Rates, Step, Swarm},
};
use serde::Serialize;
use std::time::Duration;

/// The per-drawer live-point rates tried by the fan-out search, in messages per second.
const FANOUT_RATES: [f64; 10] = [
    10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0, 1280.0, 2560.0, 5120.0,
];

/// The fixed, moderate fan-out load at which p99 is compared between targets.
pub const MODERATE_RATE: f64 = 20.0;

#[derive(Debug, Clone, Serialize)]
pub struct Fanout {
    pub target: Target,
    pub clients: usize,
    /// p99 etc. at [`MODERATE_RATE`] messages per second from the one drawer.
    pub moderate: Step,
    pub steps: Vec<Step>,
    /// The highest delivered rate of a step that kept p99 ≤ the bound and lost nothing.
    pub max_sustained_delivered_per_s: f64,
    pub max_sustained_send_rate: f64,
}

/// 1 room × `clients`, one drawer, increasing rate until p99 > `max_p99_ms` or loss.
pub async fn fanout(
    target: Target,
    addr: &str,
    pid: Option<u32>,
    clients: usize,
    step: Duration,
    max_p99_ms: f64,
) -> anyhow::Result<Fanout> {
    let swarm = Swarm::connect(target, addr, 1, clients).await?;
    let drain = Duration::from_secs(3);
    let only_live = |live| Rates {
        live,
        stroke: 0.0,
        cursor: 0.0,
    };
    let moderate = swarm
        .measure(1, only_live(MODERATE_RATE), step, drain, pid)
        .await;
    let mut steps = Vec::new();
    let (mut best, mut best_rate) = (0.0, 0.0);
    for rate in FANOUT_RATES {
        let result = swarm.measure(1, only_live(rate), step, drain, pid).await;
        let sustained = result.p99_ms <= max_p99_ms && result.lost == 0 && result.errors == 0;
        eprintln!(
            "  {} fan-out {rate:>6}/s: delivered {:>9.0}/s p99 {:>8.2} ms lost {}",
            target.name(),
            result.delivered_per_sec,
            result.p99_ms,
            result.lost
        );
        steps.push(result.clone());
        if !sustained {
            break;
        }
        (best, best_rate) = (result.delivered_per_sec, rate);
    }
    Ok(Fanout {
        target,
        clients,
        moderate,
        steps,
        max_sustained_delivered_per_s: best,
        max_sustained_send_rate: best_rate,
    })
}

/// `rooms × per_room` clients; a quarter of each room draws 30 live-point messages/s and
/// finishes a stroke every 2 s.
pub async fn classroom(
    target: Target,
    addr: &str,
    pid: Option<u32>,
    rooms: usize,
    per_room: usize,
    duration: Duration,
) -> anyhow::Result<Step> {
    let swarm = Swarm::connect(target, addr, rooms, per_room).await?;
    let rates = Rates {
        live: 30.0,
        stroke: 0.5,
        cursor: 0.0,
    };
    Ok(swarm
        .measure(per_room / 4, rates, duration, Duration::from_secs(5), pid)
        .await)
}

#[derive(Debug, Clone, Serialize)]
pub struct Idle {
    pub target: Target,
    pub connections: usize,
    pub rss_before_mib: f64,
    pub rss_after_mib: f64,
    pub rss_per_connection_kib: f64,
}

/// `connections` idle connections (in rooms of 50): server memory per connection.
pub async fn idle(
    target: Target,
    addr: &str,
    pid: u32,
    connections: usize,
) -> anyhow::Result<Idle> {
    let before = rss_bytes(pid).unwrap_or(0);
    let per_room = 50.min(connections);
    let swarm = Swarm::connect(target, addr, connections / per_room, per_room).await?;
    tokio::time::sleep(Duration::from_secs(2)).await; // let the server settle its buffers
    let after = rss_bytes(pid).unwrap_or(0);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let result = Idle {
        target,
        connections: swarm.len(),
        rss_before_mib: mib(before),
        rss_after_mib: mib(after),
        rss_per_connection_kib: after.saturating_sub(before) as f64
            / 1024.0
            / swarm.len().max(1) as f64,
    };
    drop(swarm);
    Ok(result)
}
