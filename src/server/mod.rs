//! The HTTP server: the axum router over the application state, and `run`, which serves a
//! bound listener until a shutdown future resolves. The only module that knows HTTP status
//! codes.

mod admin;
mod agent;
mod api;
mod chat;
mod demo;
mod error;
mod events;
mod frames;
mod orders;
pub mod origins;
pub mod pages;
pub mod recommendations;
pub mod reload;
pub mod shutdown;
pub mod ws;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::serve::ListenerExt;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::catalog::Catalog;
use crate::session::Sessions;

pub use error::ApiError;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub sessions: Arc<Sessions>,
    pub connections: Connections,
    /// Bearer key of the admin API; `None` turns it off.
    pub admin_key: Option<Arc<str>>,
    /// The key agents sign in to the console with; `None` turns the console off.
    pub agent_key: Option<Arc<str>>,
    /// Demo mode: the demo shop may sign in as a demo customer (`/v1/demo/*`).
    pub demo: bool,
    /// The synonyms file a reload reads again.
    pub synonyms_path: Option<std::path::PathBuf>,
    /// Conversations idle this long are deleted (checked hourly); `None` keeps them.
    pub retention: Option<Duration>,
    /// The web origins allowed to call the API and open `/ws/chat` from a browser.
    pub origins: origins::Origins,
    /// The folder of the web pages (`web/`).
    pub web_dir: std::path::PathBuf,
    /// `POST /v1/chat`'s rate limit per session (as a WebSocket connection's).
    chat_buckets: Arc<std::sync::Mutex<std::collections::HashMap<String, ws::Bucket>>>,
}

impl AppState {
    pub fn new(catalog: Arc<Catalog>, sessions: Arc<Sessions>) -> AppState {
        AppState { catalog, sessions, connections: Connections::default(), admin_key: None, agent_key: None, demo: false, synonyms_path: None, retention: None, origins: origins::Origins::default(), web_dir: pages::default_dir(), chat_buckets: Arc::default() }
    }

    /// Serves the pages from `dir` instead of `web/`.
    pub fn with_web_dir(mut self, dir: std::path::PathBuf) -> AppState {
        self.web_dir = dir;
        self
    }

    /// Allows pages of `origins` (`scheme://host[:port]`, or `*`) besides the server's own.
    pub fn with_origins(mut self, allowed: &[String]) -> AppState {
        self.origins = origins::Origins::new(allowed);
        self
    }

    pub fn with_admin_key(mut self, key: Option<String>) -> AppState {
        self.admin_key = key.map(Arc::from);
        self
    }

    pub fn with_agent_key(mut self, key: Option<String>) -> AppState {
        self.agent_key = key.map(Arc::from);
        self
    }

    /// Deletes conversations idle for `days` (none: keeps them).
    pub fn with_retention_days(mut self, days: Option<u32>) -> AppState {
        self.retention = days.map(|d| Duration::from_secs(u64::from(d) * 86_400));
        self
    }

    /// Reloads read the synonyms from `path` (with the FAQ and the templates).
    pub fn with_synonyms_path(mut self, path: std::path::PathBuf) -> AppState {
        self.synonyms_path = Some(path);
        self
    }

    /// Lets the demo shop mint identity tokens for the demo customers (never for others).
    pub fn with_demo(mut self, demo: bool) -> AppState {
        self.demo = demo;
        self
    }
}

/// The WebSocket connections, which axum's graceful shutdown does not wait for: they stop when
/// `shutdown` is cancelled, and `run` waits for the `tracker` to drain.
#[derive(Clone, Default)]
pub struct Connections {
    pub shutdown: CancellationToken,
    pub tracker: TaskTracker,
}

/// Largest admin request body.
const ADMIN_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How long `run` waits for WebSocket connections to close after a shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest any HTTP request may take before it is answered with 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The router with every route and layer.
pub fn router(state: AppState) -> Router {
    let cors = state.origins.cors();
    let pages = pages::routes(&state.web_dir);
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/v1/search", get(api::search))
        .route("/v1/suggest", get(api::suggest))
        .route("/v1/products/{id}", get(api::product))
        .route("/v1/products/{id}/similar", get(api::similar))
        .route("/v1/chat", post(chat::turn).layer(DefaultBodyLimit::max(ws::MAX_FRAME_BYTES)))
        .route("/v1/recommendations", get(recommendations::recommend))
        .route("/v1/events", post(events::record).layer(DefaultBodyLimit::max(events::MAX_BODY_BYTES)))
        .route("/ws/chat", get(ws::upgrade))
        .route("/ws/agent", get(agent::upgrade))
        .route("/v1/demo/customers", get(demo::customers))
        .route("/v1/demo/token", post(demo::token))
        .route("/v1/orders/{id}/invoice", get(orders::invoice))
        .route("/v1/admin/customers", post(orders::upsert_customers).layer(DefaultBodyLimit::max(ADMIN_BODY_BYTES)))
        .route("/v1/admin/orders", post(orders::upsert_orders).layer(DefaultBodyLimit::max(ADMIN_BODY_BYTES)))
        .route("/v1/admin/orders/{id}/events", post(orders::append_events).layer(DefaultBodyLimit::max(ADMIN_BODY_BYTES)))
        .route("/v1/admin/orders/{id}/refunds", post(orders::issue_refunds))
        .route("/v1/admin/returns/{reference}", post(orders::update_return))
        .route("/v1/admin/orders/{id}", get(admin::order))
        .route("/v1/admin/reload", post(reload::handler))
        .route("/v1/admin/customers/{id}", axum::routing::delete(admin::erase_customer))
        .route("/v1/admin/customers/{id}/export", get(admin::export_customer))
        .route("/v1/admin/sessions/{id}/transcript", get(admin::transcript))
        .merge(pages)
        .fallback(api::not_found)
        .layer(cors)
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// How often conversations past the retention are looked for.
const RETENTION_CHECK: Duration = Duration::from_secs(3600);

/// Deletes the conversations idle longer than `retention`, at once and then hourly.
async fn expire_transcripts(state: AppState, retention: Duration, stop: CancellationToken) {
    loop {
        let before = state.sessions.clock().now_ms() - retention.as_millis() as i64;
        match crate::session::privacy::expire(state.sessions.store(), before).await {
            Ok(0) => {}
            Ok(gone) => tracing::info!(gone, "deleted conversations past the retention"),
            Err(error) => tracing::warn!(%error, "conversations past the retention not deleted"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(RETENTION_CHECK) => {}
        }
    }
}

/// Serves `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn run(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    if crate::telemetry::handle().is_none() {
        tracing::warn!("another metrics recorder is installed: /metrics stays empty");
    }
    tracing::info!(%addr, products = state.catalog.len(), "listening");
    let connections = state.connections.clone();
    // Trained before the first request, so that every turn sees the same snapshot; then
    // refreshed in the background.
    if let Err(error) = state.sessions.recommender().refresh().await {
        tracing::warn!(%error, "recommendations not trained; lists fall back to the catalog");
    }
    tokio::spawn(state.sessions.recommender().keep_fresh(connections.shutdown.clone()));
    tokio::spawn(reload::on_hangup(state.clone(), connections.shutdown.clone()));
    if let Some(retention) = state.retention {
        tokio::spawn(expire_transcripts(state.clone(), retention, connections.shutdown.clone()));
    }
    // Replies go out as several small frames (typing, reply, status): no Nagle delay.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await?;
    connections.shutdown.cancel();
    connections.tracker.close();
    if tokio::time::timeout(DRAIN_TIMEOUT, connections.tracker.wait()).await.is_err() {
        tracing::warn!(open = connections.tracker.len(), "WebSocket connections still open after the drain timeout");
    }
    tracing::info!("stopped");
    Ok(())
}
