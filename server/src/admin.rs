//! The operator dashboard: `GET /admin` (server rendered, then live in the browser) and
//! `GET /api/admin/stats` (what it refreshes from), behind `--admin-token`.
//!
//! The token comes as `?token=` (a browser opening the page; the answer then sets an
//! HttpOnly, same-site cookie so the page's refreshes and reloads need no token in the
//! URL), as the cookie, or as `Authorization: Bearer` (scripts). No token configured: the
//! page explains how to turn it on and the API answers 404. A wrong or missing token: 401.

use crate::{
    cluster::node_board, headers::provide_request_nonce, observability::live::live, AppState,
};
use app::{
    pages::admin::{AdminView, InitialAdmin},
    shell,
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use leptos::prelude::provide_context;
use std::time::{SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;
use tether_core::protocol::admin::AdminStats;
use tokio_util::sync::CancellationToken;

/// The cookie that carries the token after the first visit.
const COOKIE: &str = "tether_admin";

/// Rows in the busiest-rooms table.
const ROOMS_SHOWN: usize = 10;

/// Whether a request may see the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// No `--admin-token`: the dashboard is off.
    Off,
    /// Missing or wrong token.
    Refused,
    /// The right token; `from_query`: it came in the URL (set the cookie).
    Granted { from_query: bool },
}

fn access(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Access {
    // An empty token would let `?token=` in: it means "off" too.
    let Some(expected) = state
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Access::Off;
    };
    let matches = |given: &str| bool::from(given.as_bytes().ct_eq(expected.as_bytes()));
    let from_query = query
        .and_then(|q| app::route::query_value(q, "token"))
        .is_some_and(|t| matches(&t));
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(matches);
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == COOKIE && matches(value));
    if from_query || from_header || from_cookie {
        Access::Granted { from_query }
    } else {
        Access::Refused
    }
}

/// This node's dashboard numbers now (without the cluster's node table).
pub fn node_stats(state: &AppState) -> AdminStats {
    AdminStats {
        node: state.hub.node_id().map(str::to_owned),
        uptime_seconds: state.started.elapsed().as_secs(),
        loaded_rooms: state.hub.loaded_rooms() as u64,
        rooms: state.hub.busiest_rooms(ROOMS_SHOWN),
        ..live().stats()
    }
}

/// The dashboard's numbers: this node's, and in a cluster every node's summary (this
/// node's as of now; a Redis that cannot answer leaves only this one).
pub async fn stats(state: &AppState) -> AdminStats {
    let mut stats = node_stats(state);
    if let Some(cluster) = state.hub.cluster() {
        let now = unix_seconds();
        let mut nodes = node_board::read_all(cluster.redis(), now)
            .await
            .unwrap_or_default();
        nodes.retain(|other| Some(&other.node) != stats.node.as_ref());
        nodes.push(stats.summary(now));
        nodes.sort_by(|a, b| a.node.cmp(&b.node));
        stats.nodes = nodes;
    }
    stats
}

/// Publishes this node's summary for the other nodes' dashboards until `shutdown` (cluster
/// mode; returns at once on a single node).
pub async fn publish_node_summary(state: AppState, shutdown: CancellationToken) {
    let Some(redis) = state.hub.cluster().map(|c| c.redis().clone()) else {
        return;
    };
    node_board::publish_every(
        redis,
        move || node_stats(&state).summary(unix_seconds()),
        shutdown,
    )
    .await;
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// `GET /admin`.
pub async fn admin_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let access = access(&state, request.headers(), request.uri().query());
    let (status, view) = match access {
        Access::Off => (StatusCode::NOT_FOUND, AdminView::Off),
        Access::Refused => (StatusCode::UNAUTHORIZED, AdminView::Refused),
        Access::Granted { .. } => (
            StatusCode::OK,
            AdminView::Live(Box::new(stats(&state).await)),
        ),
    };
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_request_nonce();
            provide_context(InitialAdmin(view.clone()));
        },
        move || shell(options.clone()),
    );
    let mut response = render(request).await.into_response();
    *response.status_mut() = status;
    if let (Access::Granted { from_query: true }, Some(token)) =
        (access, state.config.admin_token.as_deref())
    {
        let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/admin/stats`.
pub async fn admin_stats(State(state): State<AppState>, request: Request<Body>) -> Response {
    match access(&state, request.headers(), request.uri().query()) {
        Access::Off => (
            StatusCode::NOT_FOUND,
            "the dashboard is off: start the server with --admin-token",
        )
            .into_response(),
        Access::Refused => {
            (StatusCode::UNAUTHORIZED, "a valid admin token is required").into_response()
        }
        Access::Granted { .. } => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(stats(&state).await),
        )
            .into_response(),
    }
}
