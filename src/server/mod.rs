//! The HTTP server: the axum router over the application state, and `run`, which serves a
//! bound listener until a shutdown future resolves. The only module that knows HTTP status
//! codes.

mod api;
mod error;
pub mod shutdown;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::catalog::Catalog;
use crate::nlu::Nlu;

pub use error::ApiError;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub nlu: Arc<Nlu>,
}

/// Longest any HTTP request may take before it is answered with 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The router with every route and layer.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/v1/search", get(api::search))
        .route("/v1/suggest", get(api::suggest))
        .route("/v1/products/{id}", get(api::product))
        .route("/v1/products/{id}/similar", get(api::similar))
        .fallback(api::not_found)
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn run(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, products = state.catalog.len(), "listening");
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}
