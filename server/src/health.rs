//! `/healthz`: a cheap liveness answer for load balancers, scripts and tests.

use axum::Json;
use serde::Serialize;

/// What `/healthz` reports.
#[derive(Debug, Serialize)]
pub struct Health {
    /// `"ok"` whenever the process can answer HTTP.
    pub status: &'static str,
    /// The server's crate version, to tell which build is running.
    pub version: &'static str,
}

/// `GET /healthz`.
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}
