//! `loadgen`: runs one benchmark scenario against one target and prints its result as a
//! JSON line (`{"scenario": ..., "result": ...}`); `report` turns a run's lines into the
//! tables of `docs/BENCHMARKS.md`. `scripts/bench-load.sh` drives a whole run.

use clap::{Parser, Subcommand};
use loadgen::{commit, conn::Target, report, scenarios, storm};
use serde::Serialize;
use std::{path::PathBuf, time::Duration};

#[derive(Parser)]
#[command(
    about = "Tether load generator: N clients across R rooms, bounded in count, rate and time"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 1 room × N clients, one drawer, increasing rate until p99 > bound or loss.
    Fanout {
        #[arg(long, value_enum)]
        target: Target,
        /// host:port of the hub.
        #[arg(long)]
        addr: String,
        /// PID of the hub process, for its RSS and CPU.
        #[arg(long)]
        server_pid: Option<u32>,
        #[arg(long, default_value_t = 1000)]
        clients: usize,
        #[arg(long, default_value_t = 4)]
        step_seconds: u64,
        #[arg(long, default_value_t = 100.0)]
        max_p99_ms: f64,
    },
    /// R rooms × N clients, a quarter drawing at 30 live msgs/s.
    Classroom {
        #[arg(long, value_enum)]
        target: Target,
        #[arg(long)]
        addr: String,
        #[arg(long)]
        server_pid: Option<u32>,
        #[arg(long, default_value_t = 50)]
        rooms: usize,
        #[arg(long, default_value_t = 20)]
        per_room: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// N idle connections: server RSS per connection.
    Idle {
        #[arg(long, value_enum)]
        target: Target,
        #[arg(long)]
        addr: String,
        #[arg(long)]
        server_pid: u32,
        #[arg(long, default_value_t = 5000)]
        connections: usize,
    },
    /// Op commit latency: writers send strokes and wait for each ack.
    Commit {
        /// Which setup this is, for the report (e.g. `redis-2`).
        #[arg(long)]
        label: String,
        /// host:port of the server, or of each node of a cluster (comma separated).
        #[arg(long)]
        addr: String,
        #[arg(long, default_value_t = 40)]
        writers: usize,
        #[arg(long, default_value_t = 10)]
        rooms: usize,
        /// Ops per second per writer.
        #[arg(long, default_value_t = 10.0)]
        rate: f64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Graceful restart of a Tether server (or, with `--cluster-nodes`, of one node of a
    /// cluster on Redis) under N engine-driven clients.
    Storm {
        /// The Tether server binary (started, restarted and stopped by this command).
        #[arg(long)]
        server_bin: PathBuf,
        #[arg(long, default_value_t = 2000)]
        clients: usize,
        #[arg(long, default_value_t = 100)]
        per_room: usize,
        /// 0: one server on SQLite; else a cluster of this many nodes on a Redis, clients
        /// behind a round-robin balancer, and the first node restarted.
        #[arg(long, default_value_t = 0)]
        cluster_nodes: usize,
    },
    /// Writes the tables for the result lines in `results` into `doc`.
    Report {
        #[arg(long)]
        results: PathBuf,
        #[arg(long, default_value = "docs/BENCHMARKS.md")]
        doc: PathBuf,
    },
}

fn print<T: Serialize>(scenario: &str, result: &T) -> anyhow::Result<()> {
    println!(
        "{}",
        serde_json::json!({ "scenario": scenario, "result": result })
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Fanout {
            target,
            addr,
            server_pid,
            clients,
            step_seconds,
            max_p99_ms,
        } => {
            let result = scenarios::fanout(
                target,
                &addr,
                server_pid,
                clients,
                Duration::from_secs(step_seconds),
                max_p99_ms,
            )
            .await?;
            print("fanout", &result)
        }
        Command::Classroom {
            target,
            addr,
            server_pid,
            rooms,
            per_room,
            seconds,
        } => {
            let result = scenarios::classroom(
                target,
                &addr,
                server_pid,
                rooms,
                per_room,
                Duration::from_secs(seconds),
            )
            .await?;
            print("classroom", &result)
        }
        Command::Idle {
            target,
            addr,
            server_pid,
            connections,
        } => print(
            "idle",
            &scenarios::idle(target, &addr, server_pid, connections).await?,
        ),
        Command::Commit {
            label,
            addr,
            writers,
            rooms,
            rate,
            seconds,
        } => {
            let duration = Duration::from_secs(seconds);
            let result = commit::commit(label, &addr, writers, rooms, rate, duration).await?;
            print("commit", &result)
        }
        Command::Storm {
            server_bin,
            clients,
            per_room,
            cluster_nodes,
        } => {
            let result = storm::storm(server_bin, clients, per_room, cluster_nodes).await?;
            print(
                if cluster_nodes > 0 {
                    "storm-cluster"
                } else {
                    "storm"
                },
                &result,
            )
        }
        Command::Report { results, doc } => {
            let section = report::render(&std::fs::read_to_string(&results)?)?;
            report::write_into(&doc, &section)?;
            print!("{section}");
            Ok(())
        }
    }
}
