//! Read APIs for the shop's backend (Bearer admin key): an order as stored, with its timeline,
//! returns and refunds; and a conversation's transcript, paged by entry id.
//!
//! ```text
//! GET /v1/admin/orders/{id}                                   the order
//! GET /v1/admin/sessions/{id}/transcript?after=0&limit=100    {"session_id","entries","next_after"}
//! ```

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::orders::admin;
use super::{ApiError, AppState};
use crate::orders::{self, Order, OrderLine, format_time, normalize_order_id};
use crate::protocol::agent::Entry;

/// Entries per transcript page, at most.
const MAX_PAGE: usize = 500;

/// An order as the shop's backend reads it back.
#[derive(Debug, Serialize)]
pub struct AdminOrder {
    order_id: String,
    customer_id: Option<String>,
    email: String,
    status: &'static str,
    placed_at: String,
    currency: String,
    total: f64,
    shipping_address: Option<String>,
    carrier: Option<String>,
    tracking: Option<String>,
    estimated_delivery: Option<String>,
    lines: Vec<OrderLine>,
    timeline: Vec<AdminEvent>,
    returns: Vec<AdminReturn>,
    refunds: Vec<AdminRefund>,
}

#[derive(Debug, Serialize)]
struct AdminEvent {
    event_id: String,
    status: &'static str,
    at: String,
}

#[derive(Debug, Serialize)]
struct AdminReturn {
    reference: String,
    status: &'static str,
    lines: Vec<OrderLine>,
    created_at: String,
}

#[derive(Debug, Serialize)]
struct AdminRefund {
    return_reference: Option<String>,
    amount: f64,
    currency: String,
    status: &'static str,
    created_at: String,
    updated_at: String,
}

impl From<Order> for AdminOrder {
    fn from(o: Order) -> AdminOrder {
        AdminOrder {
            total: (o.total() * 100.0).round() / 100.0,
            order_id: o.id,
            customer_id: o.customer_id,
            email: o.email,
            status: o.status.as_str(),
            placed_at: format_time(o.placed_at),
            currency: o.currency,
            shipping_address: o.shipping_address,
            carrier: o.carrier,
            tracking: o.tracking,
            estimated_delivery: o.estimated_delivery.map(format_time),
            lines: o.lines,
            timeline: o.events.into_iter().map(|e| AdminEvent { event_id: e.id, status: e.status.as_str(), at: format_time(e.at) }).collect(),
            returns: o
                .returns
                .into_iter()
                .map(|r| AdminReturn { reference: r.reference, status: r.status.as_str(), lines: r.lines, created_at: format_time(r.created_at) })
                .collect(),
            refunds: o
                .refunds
                .into_iter()
                .map(|r| AdminRefund {
                    return_reference: r.return_reference,
                    amount: r.amount,
                    currency: r.currency,
                    status: r.status.as_str(),
                    created_at: format_time(r.created_at),
                    updated_at: format_time(r.updated_at),
                })
                .collect(),
        }
    }
}

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
