//! Op commit latency: writers in a few rooms each send a stroke, wait for its `applied`
//! (the ack: the op is durable — fsynced by SQLite, or by Redis with `appendfsync always`
//! — and sequenced), and send the next one at a steady pace. Measures the round trip per
//! op. Clients are spread over the given node addresses (a cluster's nodes), so in a
//! cluster the rooms' writers sit on different nodes.

use crate::{
    conn::{join, Incoming, Target},
    stats::Tally,
};
use serde::Serialize;
use std::time::{Duration, Instant};
use tether_client::stroke_at;
use tether_core::{
    board::Op,
    protocol::{ClientMsg, ServerMsg},
};

/// What the run measured.
#[derive(Debug, Clone, Serialize)]
pub struct CommitResult {
    /// Which setup ran (e.g. `sqlite-1`, `redis-2`).
    pub label: String,
    pub nodes: usize,
    pub writers: usize,
    pub rooms: usize,
    pub ops: u64,
    pub ops_per_sec: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
}

/// `writers` clients in `rooms` rooms (on `addrs`, round-robin), each committing
/// `per_writer_rate` ops a second for `duration`.
pub async fn commit(
    label: String,
    addrs: &str,
    writers: usize,
    rooms: usize,
    per_writer_rate: f64,
    duration: Duration,
) -> anyhow::Result<CommitResult> {
    let addrs: Vec<&str> = addrs.split(',').collect();
    let mut tasks = Vec::new();
    for index in 0..writers {
        let addr = addrs[index % addrs.len()].to_owned();
        let room = format!("commit{}", index % rooms.max(1));
        let (mut sender, mut receiver) = join(Target::Tether, &addr, &room, index).await?;
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let interval = Duration::from_secs_f64(1.0 / per_writer_rate);
            let end = Instant::now() + duration;
            let mut next = Instant::now();
            let mut n = 0u64;
            while Instant::now() < end {
                n += 1;
                let op_id = format!("w{index}-{n}");
                let stroke = stroke_at((n % 80) as f32 * 10.0, (index % 60) as f32 * 10.0);
                let msg = ClientMsg::Op {
                    op_id: op_id.clone(),
                    op: Op::AddStroke { stroke },
                };
                let sent = Instant::now();
                if sender.send(&serde_json::to_string(&msg)?).await.is_err() {
                    tally.errors += 1;
                    break;
                }
                if !acked(&mut receiver, &op_id).await {
                    tally.errors += 1;
                    break;
                }
                tally.record(sent.elapsed().as_micros() as u64);
                next += interval;
                tokio::time::sleep_until(next.into()).await;
            }
            anyhow::Ok(tally)
        }));
    }
    let mut total = Tally::default();
    for task in tasks {
        total.merge(&task.await??);
    }
    Ok(CommitResult {
        label,
        nodes: addrs.len(),
        writers,
        rooms,
        ops: total.delivered,
        ops_per_sec: total.delivered as f64 / duration.as_secs_f64(),
        p50_ms: total.ms(50.0),
        p95_ms: total.ms(95.0),
        p99_ms: total.ms(99.0),
        max_ms: total.max_ms(),
        errors: total.errors,
    })
}

/// Reads until the `applied` of `op_id` (false if the connection ends or errs first).
async fn acked(receiver: &mut crate::conn::Receiver, op_id: &str) -> bool {
    while let Some(incoming) = receiver.next().await {
        let Incoming::Payload(text) = incoming else {
            continue;
        };
        match ServerMsg::from_json(&text) {
            Ok(ServerMsg::Applied(applied)) if applied.op_id == op_id => return true,
            Ok(ServerMsg::Rejected { .. } | ServerMsg::Error { .. }) => return false,
            _ => {}
        }
    }
    false
}
