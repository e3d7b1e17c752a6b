//! The `server` binary: parses the configuration, sets up logging, opens storage, binds,
//! and runs [`server::run`] until SIGINT/SIGTERM.

use anyhow::Context;
use clap::Parser;
use leptos::config::get_configuration;
use server::{
    config::{Config, LogFormat},
    AppState,
};
use tracing::{info, warn};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,server=debug"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Text => logs.init(),
        // Span fields (the connection's id, transport and room tag) on every line.
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }

    // Every connection is a file: take all the process may have (soft → hard limit), and
    // say how many, since the connection cap is derived from it.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(open_files) => info!(open_files, "open-file limit raised"),
        Err(error) => warn!(%error, "cannot raise the open-file limit"),
    }
    // `None`: Leptos reads LEPTOS_* from the environment (what cargo-leptos and
    // scripts/build-site.sh provide), falling back to its defaults.
    let leptos_options = get_configuration(None)
        .context("reading the LEPTOS_* settings")?
        .leptos_options;
    let addr = config.addr.unwrap_or(leptos_options.site_addr);
    let state = AppState::connect(config, leptos_options)
        .await
        .context("opening storage")?;
    info!(
        max_connections = state.caps.max_total(),
        max_per_address = state.caps.max_per_address(),
        "connection caps"
    );

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    // Tests and scripts read this exact line to learn the port when binding port 0.
    info!("listening on http://{bound}");

    server::run(listener, state, server::shutdown::signal())
        .await
        .context("serving HTTP")?;
    info!("stopped");
    Ok(())
}
