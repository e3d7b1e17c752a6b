//! `/healthz` (the process answers) and `/readyz` (it can serve: storage writable, not
//! shutting down), for load balancers, scripts and tests. Both carry the same vitals.

use crate::AppState;
use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};

/// What both endpoints report about the running server.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vitals {
    /// The server's crate version, to tell which build is running.
    pub version: &'static str,
    /// Whole seconds since the server started.
    pub uptime_seconds: u64,
    /// The server's clock (Unix ms), to spot clock skew between nodes.
    pub server_time: u64,
    /// Open connections (HTTP and WebSocket) counted against the caps.
    pub active_connections: usize,
    /// Rooms loaded in memory.
    pub loaded_rooms: usize,
    /// Clients on the HTTP long-polling fallback.
    pub polling_sessions: usize,
    /// This node's id in cluster mode (absent on a single node).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

impl Vitals {
    fn of(state: &AppState) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION"),
            uptime_seconds: state.started.elapsed().as_secs(),
            server_time: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_millis() as u64),
            active_connections: state.caps.open(),
            loaded_rooms: state.hub.loaded_rooms(),
            polling_sessions: state.polls.len(),
            node: state.hub.node_id().map(str::to_owned),
        }
    }
}

/// What `/healthz` reports.
#[derive(Debug, Serialize)]
pub struct Health {
    /// `"ok"` whenever the process can answer HTTP.
    pub status: &'static str,
    #[serde(flatten)]
    pub vitals: Vitals,
}

/// `GET /healthz`: cheap (counters only), and true whenever the process answers.
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        vitals: Vitals::of(&state),
    })
}

/// What `/readyz` reports.
#[derive(Debug, Serialize)]
pub struct Readiness {
    /// `"ready"`, or `"not_ready"` with the failing check named in `failing`.
    pub status: &'static str,
    /// `storage` (the store cannot write) or `shutting_down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<&'static str>,
    #[serde(flatten)]
    pub vitals: Vitals,
}

/// The readiness check that fails now, if any: `shutting_down` or `storage`.
pub fn failing_check(state: &AppState) -> Option<&'static str> {
    if state.shutdown.is_cancelled() {
        Some("shutting_down")
    } else if !state.hub.storage_healthy() {
        Some("storage")
    } else {
        None
    }
}

/// `GET /readyz`: 200 when this server can serve, 503 naming the failing check otherwise
/// (a load balancer then sends new clients elsewhere).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let failing = failing_check(&state);
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
        vitals: Vitals::of(&state),
    };
    (status, Json(readiness))
}
