//! The server's configuration: one struct, from command-line flags with environment
//! fallbacks. Leptos' own settings (`LEPTOS_SITE_ROOT`, `LEPTOS_SITE_ADDR`, ...) are read
//! by Leptos; flags here override them where both exist.

use clap::Parser;
use std::net::SocketAddr;

/// Every tunable of a Tether server process.
#[derive(Debug, Clone, Parser)]
#[command(name = "tether-server", version, about = "Tether: a collaborative drawing board")]
pub struct Config {
    /// Address to listen on. Defaults to LEPTOS_SITE_ADDR (127.0.0.1:3000); port 0 picks a
    /// free port, which the server logs as `listening on http://...`.
    #[arg(long, env = "TETHER_ADDR")]
    pub addr: Option<SocketAddr>,
}
