//! `/healthz` (the process answers) and `/readyz` (it can serve: storage writable, not
//! shutting down), for load balancers, scripts and tests.

use crate::AppState;
use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};
use serde::Serialize;

/// What `/healthz` reports.
#[derive(Debug, Serialize)]
pub struct Health {
    /// `"ok"` whenever the process can answer HTTP.
    pub status: &'static str,
    /// The server's crate version, to tell which build is running.
    pub version: &'static str,
}

/// `GET /healthz`: cheap, and true whenever the process answers.
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// What `/readyz` reports.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// `"ready"`, or `"not_ready"` with the failing check named in `failing`.
    pub status: &'static str,
    /// `storage` (the store cannot write) or `shutting_down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<&'static str>,
    /// The server's crate version.
    pub version: &'static str,
    /// Open connections (HTTP and WebSocket).
    pub active_connections: usize,
    /// Rooms loaded in memory.
    pub loaded_rooms: usize,
}

/// `GET /readyz`: 200 when this server can serve, 503 naming the failing check otherwise
/// (a load balancer then sends new clients elsewhere).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let failing = if state.shutdown.is_cancelled() {
        Some("shutting_down")
    } else if !state.hub.storage_healthy() {
        Some("storage")
    } else {
        None
    };
    let status = match failing {
        None => StatusCode::OK,
        Some(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    let readiness = Readiness {
        status: if failing.is_none() {
            "ready"
        } else {
            "not_ready"
        },
        failing,
        version: env!("CARGO_PKG_VERSION"),
        active_connections: state.caps.open(),
        loaded_rooms: state.hub.loaded_rooms(),
    };
    (status, Json(readiness))
}
