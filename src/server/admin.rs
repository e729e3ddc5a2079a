//! Read APIs for the shop's backend (Bearer admin key): an order as stored, with its timeline,
//! returns and refunds; and a conversation's transcript, paged by entry id.
//!
//! ```text
//! GET /v1/admin/orders/{id}                                   the order
//! GET /v1/admin/sessions/{id}/transcript?after=0&limit=100    {"session_id","entries","next_after"}
//! GET /v1/admin/customers/{id}/export                         everything held about the customer
//! DELETE /v1/admin/customers/{id}                             erased (orders anonymized)
//! ```

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::orders::admin;
use super::{ApiError, AppState};
use crate::orders::{self, normalize_order_id};
use crate::protocol::admin::AdminOrder;
use crate::protocol::agent::Entry;
use crate::session::privacy;

/// Entries per transcript page, at most.
const MAX_PAGE: usize = 500;

/// `GET /v1/admin/orders/{id}`.
pub async fn order(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Result<Json<AdminOrder>, ApiError> {
    admin(&state, &headers)?;
    let id = normalize_order_id(&id);
    let order = state.sessions.orders().store().order(&id).await.map_err(|e: orders::StoreError| ApiError::Internal(e.to_string()))?;
    order.map(|o| Json(AdminOrder::from(o))).ok_or_else(|| ApiError::NotFound(format!("no order {id:?}")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    100
}

#[derive(Debug, Serialize)]
pub struct Transcript {
    session_id: String,
    entries: Vec<Entry>,
    /// The `after` of the next page; null when this page is the last.
    next_after: Option<i64>,
}

/// `GET /v1/admin/sessions/{id}/transcript?after=&limit=`: shopper messages, stored frames and
/// agents' notes, oldest first, from entry `after` on.
pub async fn transcript(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Transcript>, ApiError> {
    admin(&state, &headers)?;
    let Query(page) = page.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if page.limit == 0 || page.limit > MAX_PAGE || page.after < 0 {
        return Err(ApiError::BadRequest(format!("'limit' is 1 to {MAX_PAGE} and 'after' an entry id (0 or more)")));
    }
    if state.sessions.store().load(&id).await.map_err(|e| ApiError::Internal(e.to_string()))?.is_none() {
        return Err(ApiError::NotFound(format!("no session {id:?}")));
    }
    let mut entries = state.sessions.entries_page(&id, page.after, page.limit + 1).await?;
    let more = entries.len() > page.limit;
    entries.truncate(page.limit);
    let next_after = more.then(|| entries.last().map_or(page.after, |e| e.id));
    Ok(Json(Transcript { session_id: id, entries, next_after }))
}

/// `GET /v1/admin/customers/{id}/export`: everything held about the customer, as JSON.
pub async fn export_customer(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Result<Json<privacy::CustomerExport>, ApiError> {
    admin(&state, &headers)?;
    Ok(Json(privacy::export(state.sessions.store(), &id).await?))
}

/// `DELETE /v1/admin/customers/{id}`: the customer erased; what was removed (all zero the
/// second time).
pub async fn erase_customer(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Result<Json<privacy::Erased>, ApiError> {
    admin(&state, &headers)?;
    let erased = privacy::erase(state.sessions.store(), &id).await?;
    tracing::info!(customer = %id, ?erased, "customer erased");
    Ok(Json(erased))
}
