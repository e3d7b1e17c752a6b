//! `chaos`: one chaos run; prints its summary line (and the report as JSON with `--json`)
//! and exits non-zero if anything was lost, doubled, divergent or stuck.

use chaos::run::{run, ChaosOptions};
use clap::Parser;
use std::{path::PathBuf, time::Duration};

#[derive(Parser)]
#[command(
    about = "Break the network and kill the server while clients draw; then check nothing was lost"
)]
struct Cli {
    /// The Tether server binary to run (it is killed and restarted).
    #[arg(long)]
    server_bin: PathBuf,
    #[arg(long, default_value_t = 6)]
    clients: usize,
    #[arg(long, default_value_t = 2)]
    rooms: usize,
    /// Seconds of drawing under faults.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// `kill -9` restarts during the run.
    #[arg(long, default_value_t = 1)]
    kills: usize,
    /// Graceful (SIGTERM) restarts during the run.
    #[arg(long, default_value_t = 1)]
    graceful: usize,
    /// Run a cluster of this many nodes on a real Redis (0: one server on SQLite).
    #[arg(long, default_value_t = 0)]
    cluster_nodes: usize,
    /// In a cluster: Redis crashes (`kill -9` and a restart on its AOF) during the run.
    #[arg(long, default_value_t = 1)]
    redis_restarts: usize,
    /// Seed of the fault schedule (default: random, printed in the summary).
    #[arg(long)]
    seed: Option<u64>,
    /// Also print the report as one JSON line.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let options = ChaosOptions {
        server_bin: cli.server_bin,
        clients: cli.clients,
        rooms: cli.rooms,
        duration: Duration::from_secs(cli.seconds),
        kills: cli.kills,
        graceful_restarts: cli.graceful,
        cluster_nodes: cli.cluster_nodes,
        redis_restarts: cli.redis_restarts,
        seed: cli.seed.unwrap_or_else(|| fastrand::u64(..)),
    };
    let report = run(options).await?;
    println!("{}", report.summary());
    if cli.json {
        println!("{}", serde_json::to_string(&report)?);
    }
    if !report.passed() {
        std::process::exit(1);
    }
    Ok(())
}
