//! Tether's server: server-side rendering of the Leptos app, the WebSocket room hub, and
//! durable storage.
//!
//! Layout:
//! - [`config`]: the one configuration struct (flags with env fallbacks).
//! - [`store`]: the `Store` trait and the embedded SQLite implementation.
//! - [`hub`]: the registry of room actors; each room is a thin loop around a pure room
//!   log and a pure presence table; [`hub::outbox`]: per-member frame queues.
//! - [`connection`]: the one connection core both transports share (hello, session,
//!   errors, close codes, the room-id extractor).
//! - [`ws`]: the WebSocket framing (`/ws/{room}`); [`polling`]: the HTTP long-polling
//!   framing (`/api/poll/...`).
//! - [`admin`]: the operator dashboard (`/admin`, `/api/admin/stats`) behind its token.
//! - [`access`]: the Host and Origin policy; [`headers`]: security headers and the CSP
//!   nonce.
//! - [`board_page`]: SSR of `/b/{room}` with the room's strokes embedded; [`bundles`]: `/pkg`
//!   (precompressed when the build made copies).
//! - [`identity`]: author ids, derived from client ids under a server secret.
//! - [`fuzzing`]: entry points of the fuzz targets and the corpus replay.
//! - [`listener`]: the accept loop (connection caps, header timeout, graceful shutdown).
//! - [`health`]: `/healthz` and `/readyz`; [`observability`]: the metrics and `/metrics`; [`shutdown`]: SIGINT/SIGTERM; [`random`]: ids and secrets;
//!   [`locks`]: poison-tolerant locking.
//! - this file: [`app`] builds the router from state, [`run`] serves it on a listener the
//!   caller bound until the caller's shutdown future resolves. Tests bind `127.0.0.1:0`.

// Leptos view types nest deeply; the board page exceeds the default query depth.
#![recursion_limit = "512"]

pub mod access;
pub mod admin;
pub mod board_page;
pub mod bundles;
pub mod cluster;
pub mod config;
pub mod connection;
pub mod fuzzing;
pub mod headers;
pub mod health;
pub mod hub;
pub mod identity;
pub mod listener;
pub mod locks;
pub mod observability;
pub mod polling;
pub mod random;
pub mod shutdown;
pub mod store;
pub mod ws;

use access::Access;
use app::shell;
use axum::{
    extract::{DefaultBodyLimit, FromRef},
    middleware,
    routing::{get, post},
    Router,
};
use config::Config;
use connection::{
    budget::{GuessBudget, JoinBudget, OpBudget},
    permits::ConnectionCaps,
};
use headers::provide_request_nonce;
use hub::Hub;
use leptos::config::LeptosOptions;
use std::{future::Future, sync::Arc};
use store::{RedisStore, SqliteStore, Store};
use tether_core::limits::{MAX_FRAME_BYTES, MAX_POLL_BATCH_BYTES};
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower_http::{
    compression::{
        predicate::{DefaultPredicate, NotForContentType, Predicate},
        CompressionLayer,
    },
    trace::TraceLayer,
};
use tracing::{error, info, warn};

/// Domain separation of the key room tags in logs are made with.
const LOG_TAG_CONTEXT: &str = "tether 2026-12 room tags in logs";

/// State shared by every request handler.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' settings: site root for static files, bundle name, environment.
    pub leptos_options: LeptosOptions,
    pub hub: Hub,
    pub config: Arc<Config>,
    /// Cancelled when the server begins shutting down; every connection watches it.
    pub shutdown: CancellationToken,
    /// Every WebSocket connection task, so shutdown can wait for them to close.
    pub connections: TaskTracker,
    /// Clients on the HTTP long-polling transport.
    pub polls: polling::PollSessions,
    /// Which Hosts and Origins are served (from `--public-url`).
    pub access: Arc<Access>,
    /// Joins per client address.
    pub joins: Arc<JoinBudget>,
    /// Durable ops per client.
    pub ops: Arc<OpBudget>,
    /// Wrong admin tokens per client address.
    pub guesses: Arc<GuessBudget>,
    /// Open connections, in total and per address.
    pub caps: Arc<ConnectionCaps>,
    /// When this server started (uptime in `/readyz` and `/metrics`).
    pub started: std::time::Instant,
}

impl AppState {
    /// Opens the store named by `config` (Redis with `--redis-url`, else SQLite) and
    /// builds the state around it.
    pub async fn connect(config: Config, leptos_options: LeptosOptions) -> anyhow::Result<Self> {
        match config.redis_url.clone() {
            Some(url) => Self::join_cluster(config, leptos_options, &url).await,
            None => Self::open(config, leptos_options),
        }
    }

    /// Opens the embedded SQLite store in `--data-dir` and builds the state around it.
    pub fn open(config: Config, leptos_options: LeptosOptions) -> anyhow::Result<Self> {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&config.data_dir)?);
        Ok(Self::with_store(config, leptos_options, store))
    }

    /// The state of one node of a cluster on the Redis at `url`. Author ids are derived
    /// from `--identity-secret`, or else from a secret the first node stored in Redis, so
    /// they are the same on every node.
    pub async fn join_cluster(
        config: Config,
        leptos_options: LeptosOptions,
        url: &str,
    ) -> anyhow::Result<Self> {
        let store = Arc::new(RedisStore::connect(url).await?);
        let secret = match &config.identity_secret {
            Some(secret) => secret.clone(),
            None => {
                store
                    .redis()
                    .shared_secret(&identity::random_secret_hex())
                    .await?
            }
        };
        let authors = Arc::new(identity::AuthorKey::load(&config.data_dir, Some(&secret)));
        let hub = Hub::clustered(store, config.hub_settings(authors));
        Ok(Self::around(config, leptos_options, hub))
    }

    /// The state around an already-open store.
    pub fn with_store(
        config: Config,
        leptos_options: LeptosOptions,
        store: Arc<dyn Store>,
    ) -> Self {
        let authors = Arc::new(identity::AuthorKey::load(
            &config.data_dir,
            config.identity_secret.as_deref(),
        ));
        let hub = Hub::new(store, config.hub_settings(authors));
        Self::around(config, leptos_options, hub)
    }

    fn around(config: Config, leptos_options: LeptosOptions, hub: Hub) -> Self {
        // Logs name rooms by a tag keyed on the identity secret: the same on every node.
        observability::log_tag::use_key(hub.settings().authors.derive(LOG_TAG_CONTEXT));
        Self {
            leptos_options,
            access: Arc::new(Access::new(&config.public_urls)),
            joins: Arc::new(config.join_budget()),
            ops: Arc::new(config.op_budget()),
            guesses: Arc::new(config.guess_budget()),
            caps: config.connection_caps(),
            hub,
            config: Arc::new(config),
            shutdown: CancellationToken::new(),
            connections: TaskTracker::new(),
            polls: polling::PollSessions::default(),
            started: std::time::Instant::now(),
        }
    }
}

/// The full HTTP surface: SSR routes, `/ws/{room}`, the polling API, `/healthz`, and
/// static files from the site root.
pub fn app(state: AppState) -> Router {
    // Server rendering spawns on Leptos' executor (without a route list nothing else sets
    // it up); a second app in the same process finds it already set.
    let _ = any_spawner::Executor::init_tokio();
    let (bundles_path, bundle_files) = bundles::service(&state.leptos_options);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(observability::route::metrics))
        .route("/admin", get(admin::admin_page))
        .route("/api/admin/stats", get(admin::admin_stats))
        .route("/ws/{room}", get(ws::ws_handler))
        .route("/ws-probe", get(ws::probe_handler))
        .route("/api/poll/open/{room}", post(polling::open))
        .route("/api/poll/{sid}", get(polling::poll))
        .route(
            "/api/poll/{sid}/send",
            post(polling::send).layer(DefaultBodyLimit::max(MAX_POLL_BATCH_BYTES)),
        )
        // The board route loads the room before rendering; `/` is rendered as it is.
        .route("/b/{room}", get(board_page::board_page))
        .route("/", get(board_page::landing_page))
        .nest_service(&bundles_path, bundle_files)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_request_nonce, shell))
        // Nothing else takes more than one protocol message; bodies over the limit are
        // refused while reading, never buffered whole.
        .layer(DefaultBodyLimit::max(MAX_FRAME_BYTES))
        // Outermost last: the access check runs first, and refusals get the headers too.
        .layer(middleware::from_fn_with_state(
            state.access.clone(),
            access::check_access,
        ))
        .layer(middleware::from_fn(headers::security_headers))
        // Pages, CSS, JS and the WASM bundle go out compressed (brotli or gzip, as the
        // browser accepts): on a slow phone link the bundle's bytes are most of the wait.
        // Not the polling API's JSON: it carries resume tokens next to what other people
        // wrote, which is what compression side channels (BREACH) need.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/json")),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves [`app`] on `listener` until `shutdown` resolves. Then: stop accepting, tell
/// every client `Restarting` (with a spread so they do not return all at once) and close
/// with 1012, wait for the connections to end, and flush storage.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let token = state.shutdown.clone();
    let hub = state.hub.clone();
    let connections = state.connections.clone();
    let idle_polls = std::time::Duration::from_millis(state.config.poll_idle_ms);
    tokio::spawn(state.polls.clone().reap(idle_polls, token.clone()));
    // Installed before the first connection, so nothing recorded is lost.
    observability::recorder();
    tokio::spawn(observability::upkeep(token.clone()));
    tokio::spawn(admin::publish_node_summary(state.clone(), token.clone()));
    tokio::spawn(forget_idle_budgets(
        state.joins.clone(),
        state.ops.clone(),
        state.guesses.clone(),
        token.clone(),
    ));
    let signal = {
        let token = token.clone();
        async move {
            shutdown.await;
            // Upgraded WebSockets are not drained by axum's graceful shutdown: each
            // connection watches this token and closes itself.
            token.cancel();
        }
    };
    let limits = listener::Limits {
        caps: state.caps.clone(),
        header_timeout: state.config.header_timeout(),
    };
    listener::serve(listener, app(state), limits, CONNECTIONS_DRAIN, signal).await;
    token.cancel();
    connections.close();
    if tokio::time::timeout(CONNECTIONS_DRAIN, connections.wait())
        .await
        .is_err()
    {
        warn!(
            open = connections.len(),
            "connections still open after the drain time"
        );
    }
    match hub.flush().await {
        Ok(()) => info!("storage flushed"),
        Err(error) => error!(%error, "flushing storage at shutdown failed"),
    }
    Ok(())
}

/// Every minute, forgets addresses and clients whose budgets are full again (and ended
/// lockouts), so a scan from many addresses or client ids cannot grow the tables without
/// bound.
async fn forget_idle_budgets(
    joins: Arc<JoinBudget>,
    ops: Arc<OpBudget>,
    guesses: Arc<GuessBudget>,
    shutdown: CancellationToken,
) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = every.tick() => {
                joins.forget_idle();
                ops.forget_idle();
                guesses.forget_idle();
            }
            () = shutdown.cancelled() => return,
        }
    }
}

/// How long shutdown waits for connections to send their close frames.
const CONNECTIONS_DRAIN: std::time::Duration = std::time::Duration::from_secs(5);
