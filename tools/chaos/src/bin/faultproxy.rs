//! `faultproxy LISTEN UPSTREAM CONTROL`: the fault proxy as a standalone process, driven
//! over HTTP on CONTROL (all on 127.0.0.1):
//!
//! ```text
//! POST /cut?how=fin|rst      POST /blackhole?on=true|false     POST /refuse?on=true|false
//! POST /delay?up_ms=N&down_ms=N   POST /bandwidth?bytes_per_second=N   POST /heal
//! GET  /history
//! ```

use axum::{
    extract::{Query, State},
    routing::{get, post},
    Json, Router,
};
use chaos::proxy::{self, Cut, ProxyControl};
use serde::Deserialize;
use std::{collections::HashMap, time::Duration};

#[derive(Deserialize)]
struct CutQuery {
    how: Cut,
}

fn flag(query: &HashMap<String, String>) -> bool {
    query.get("on").is_none_or(|v| v == "true" || v == "1")
}

fn number(query: &HashMap<String, String>, key: &str) -> u64 {
    query.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, listen, upstream, control] = &args[..] else {
        anyhow::bail!("usage: faultproxy LISTEN UPSTREAM CONTROL   (e.g. 127.0.0.1:4000 127.0.0.1:3000 127.0.0.1:4001)");
    };
    let (addr, proxy) = proxy::start(listen.parse()?, upstream.parse()?).await?;
    let app = Router::new()
        .route("/cut", post(|State(p): State<ProxyControl>, Query(q): Query<CutQuery>| async move { p.cut(q.how) }))
        .route("/blackhole", post(|State(p): State<ProxyControl>, Query(q): Query<HashMap<String, String>>| async move { p.blackhole(flag(&q)) }))
        .route("/refuse", post(|State(p): State<ProxyControl>, Query(q): Query<HashMap<String, String>>| async move { p.refuse(flag(&q)) }))
        .route(
            "/delay",
            post(|State(p): State<ProxyControl>, Query(q): Query<HashMap<String, String>>| async move {
                p.delay(Duration::from_millis(number(&q, "up_ms")), Duration::from_millis(number(&q, "down_ms")))
            }),
        )
        .route(
            "/bandwidth",
            post(|State(p): State<ProxyControl>, Query(q): Query<HashMap<String, String>>| async move {
                p.bandwidth(number(&q, "bytes_per_second"))
            }),
        )
        .route("/heal", post(|State(p): State<ProxyControl>| async move { p.heal() }))
        .route("/history", get(|State(p): State<ProxyControl>| async move { Json(p.history()) }))
        .with_state(proxy);
    let control = tokio::net::TcpListener::bind(control).await?;
    println!(
        "proxy listening on {addr}, forwarding to {upstream}, control on http://{}",
        control.local_addr()?
    );
    axum::serve(control, app).await?;
    Ok(())
}
