//! The operator dashboard: `GET /admin` (server rendered, then live in the browser) and
//! `GET /api/admin/stats` (what it refreshes from), behind `--admin-token`.
//!
//! The token comes as `?token=` (a browser opening the page; the answer then sets an
//! HttpOnly, same-site cookie so the page's refreshes and reloads need no token in the
//! URL), as the cookie, or as `Authorization: Bearer` (scripts). No token configured: the
//! page explains how to turn it on and the API answers 404. A wrong or missing token: 401.
//! Wrong tokens are budgeted per client address (`--admin-guesses-per-minute`): past it,
//! `429` with `Retry-After`, and the address's tokens go unread until then.

use crate::{
    access::PublicUrl, cluster::node_board, connection::client_addr::ClientAddr,
    headers::provide_request_nonce, observability::live::live, AppState,
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
use std::{
    net::IpAddr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
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
    /// This address sent too many wrong tokens: nothing it sends is read for this long.
    LockedOut(Duration),
    /// The right token; `from_query`: it came in the URL (set the cookie).
    Granted { from_query: bool },
}

fn access(state: &AppState, address: IpAddr, headers: &HeaderMap, query: Option<&str>) -> Access {
    // An empty token would let `?token=` in: it means "off" too.
    let Some(expected) = state
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Access::Off;
    };
    let query_token = query.and_then(|q| app::route::query_value(q, "token"));
    let header_token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let cookie_tokens: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter_map(|(name, value)| (name == COOKIE).then_some(value))
        .collect();
    if query_token.is_none() && header_token.is_none() && cookie_tokens.is_empty() {
        return Access::Refused; // no guess, nothing to count
    }
    if let Err(retry_after) = state.guesses.check(address) {
        return Access::LockedOut(retry_after);
    }
    let matches = |given: &str| bool::from(given.as_bytes().ct_eq(expected.as_bytes()));
    let from_query = query_token.as_deref().is_some_and(matches);
    if from_query || header_token.is_some_and(matches) || cookie_tokens.into_iter().any(matches) {
        return Access::Granted { from_query };
    }
    match state.guesses.wrong(address) {
        Ok(()) => Access::Refused,
        Err(retry_after) => Access::LockedOut(retry_after),
    }
}

/// `429` for an address locked out after too many wrong tokens.
fn locked_out(retry_after: Duration) -> Response {
    let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::RETRY_AFTER, seconds.to_string()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        format!("too many wrong admin tokens from this address: try again in {seconds} s"),
    )
        .into_response()
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
pub async fn admin_page(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    request: Request<Body>,
) -> Response {
    let access = access(&state, address, request.headers(), request.uri().query());
    let (status, view) = match access {
        Access::LockedOut(retry_after) => return locked_out(retry_after),
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
        // Secure when the server is published over HTTPS: the token never rides plain HTTP.
        let secure = if state.config.public_urls.iter().any(PublicUrl::is_https) {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}");
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
pub async fn admin_stats(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    request: Request<Body>,
) -> Response {
    match access(&state, address, request.headers(), request.uri().query()) {
        Access::LockedOut(retry_after) => locked_out(retry_after),
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
