//! Tether's server: server-side rendering of the Leptos app, static files, health.
//!
//! Layout:
//! - [`config`]: the one configuration struct (flags with env fallbacks).
//! - [`health`]: `/healthz`.
//! - [`shutdown`]: SIGINT/SIGTERM.
//! - this file: [`app`] builds the router from state, [`run`] serves it on a listener the
//!   caller bound, until the caller's shutdown future resolves. Tests bind `127.0.0.1:0`.

pub mod config;
pub mod health;
pub mod shutdown;

use app::{shell, App};
use axum::{extract::FromRef, routing::get, Router};
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// State shared by every request handler.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' settings: site root for static files, bundle name, environment.
    pub leptos_options: LeptosOptions,
}

/// The full HTTP surface: SSR routes, `/healthz`, and static files from the site root.
pub fn app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves [`app`] on `listener` until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
