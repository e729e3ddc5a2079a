//! Order routes: the admin API a shop's backend calls like a webhook (Bearer admin key), and
//! the signed invoice links the assistant gives.
//!
//! ```text
//! POST /v1/admin/customers              a customer or an array of them   (upsert by id)
//! POST /v1/admin/orders                 an order or an array of them     (upsert by order_id)
//! POST /v1/admin/orders/{id}/events     an event or an array of them     (appended once per event_id)
//! POST /v1/admin/orders/{id}/refunds    {"status":"issued"}: the cancellation's refund was paid
//! POST /v1/admin/returns/{reference}    {"status":"received"|"refunded"|"rejected"}
//! GET  /v1/orders/{id}/invoice?expires=&signature=                        the invoice, as HTML
//! ```
//!
//! Rows are checked one by one: the good ones are written, each bad one is reported with its
//! index and why, and changes nothing. A body with no good row is a 400.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Html;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ApiError, AppState};
use crate::dialogue::{day, invoice_message};
use crate::orders::identity::same_secret;
use crate::orders::import::{CustomerRecord, EventRecord, OrderRecord, Record};
use crate::orders::store::Appended;
use crate::orders::{self, ReturnStatus, normalize_order_id};

/// Most rows in one admin request.
pub const MAX_ROWS: usize = 1000;

/// What an admin upsert did.
#[derive(Debug, Serialize)]
pub struct Upserted {
    /// Rows written (an unchanged row rewritten counts).
    pub upserted: usize,
    /// Events already stored, skipped (event upserts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<usize>,
    pub errors: Vec<RowFailure>,
}

#[derive(Debug, Serialize)]
pub struct RowFailure {
    /// Position of the row in the body (0 for a single object).
    pub index: usize,
    pub message: String,
}

pub async fn upsert_customers(State(state): State<AppState>, headers: HeaderMap, body: String) -> Result<Json<Upserted>, ApiError> {
    upsert::<CustomerRecord>(&state, &headers, &body).await
}

pub async fn upsert_orders(State(state): State<AppState>, headers: HeaderMap, body: String) -> Result<Json<Upserted>, ApiError> {
    upsert::<OrderRecord>(&state, &headers, &body).await
}

pub async fn append_events(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Result<Json<Upserted>, ApiError> {
    admin(&state, &headers)?;
    let order_id = normalize_order_id(&id);
    let (events, errors) = rows::<EventRecord, _>(&body, EventRecord::check)?;
    let store = state.sessions.orders().store();
    let now = state.sessions.clock().now();
    let (mut added, mut duplicates) = (0, 0);
    for (_, event) in events {
        match store.append_event(&order_id, &event, now).await.map_err(internal)? {
            Appended::Added => added += 1,
            Appended::Duplicate => duplicates += 1,
            Appended::UnknownOrder => return Err(ApiError::NotFound(format!("no order {order_id}"))),
        }
    }
    Ok(Json(Upserted { upserted: added, duplicates: Some(duplicates), errors }))
}

/// `{"status": …}` of the return and refund routes.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdate {
    pub status: String,
}

/// What a return or refund update changed.
#[derive(Debug, Serialize)]
pub struct Updated {
    pub order_id: String,
    pub updated: u64,
}

pub async fn update_return(State(state): State<AppState>, Path(reference): Path<String>, headers: HeaderMap, body: String) -> Result<Json<Updated>, ApiError> {
    admin(&state, &headers)?;
    let status = status_of(&body)?;
    let status = match ReturnStatus::parse(&status) {
        Some(s @ (ReturnStatus::Received | ReturnStatus::Refunded | ReturnStatus::Rejected)) => s,
        _ => return Err(ApiError::BadRequest(format!("status {status:?} is not one of received, refunded, rejected"))),
    };
    let store = state.sessions.orders().store();
    match store.update_return(reference.trim(), status, state.sessions.clock().now()).await.map_err(internal)? {
        Some(order_id) => Ok(Json(Updated { order_id, updated: 1 })),
        None => Err(ApiError::NotFound(format!("no return {reference}"))),
    }
}

pub async fn issue_refunds(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Result<Json<Updated>, ApiError> {
    admin(&state, &headers)?;
    let status = status_of(&body)?;
    if status != "issued" {
        return Err(ApiError::BadRequest(format!("status {status:?} is not \"issued\"")));
    }
    let order_id = normalize_order_id(&id);
    let store = state.sessions.orders().store();
    if store.owner(&order_id).await.map_err(internal)?.is_none() {
        return Err(ApiError::NotFound(format!("no order {order_id}")));
    }
    let updated = store.issue_cancellation_refunds(&order_id, state.sessions.clock().now()).await.map_err(internal)?;
    Ok(Json(Updated { order_id, updated }))
}

fn status_of(body: &str) -> Result<String, ApiError> {
    let update: StatusUpdate = serde_json::from_str(body).map_err(|e| ApiError::BadRequest(format!("expected {{\"status\": …}}: {e}")))?;
    Ok(update.status.trim().to_string())
}

async fn upsert<R>(state: &AppState, headers: &HeaderMap, body: &str) -> Result<Json<Upserted>, ApiError>
where
    R: Record,
{
    admin(state, headers)?;
    let (good, errors) = rows::<R, _>(body, R::check)?;
    let store = state.sessions.orders().store();
    let now = state.sessions.clock().now();
    for (_, row) in &good {
        R::save(store, row, now).await.map_err(internal)?;
    }
    Ok(Json(Upserted { upserted: good.len(), duplicates: None, errors }))
}

/// The rows of a body (one JSON object or an array), checked; a 400 when none is good.
fn rows<R, T>(body: &str, check: impl Fn(R) -> Result<T, String>) -> Result<(Vec<(usize, T)>, Vec<RowFailure>), ApiError>
where
    R: DeserializeOwned,
{
    let value: serde_json::Value = serde_json::from_str(body).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let values = match value {
        serde_json::Value::Array(values) => values,
        object @ serde_json::Value::Object(_) => vec![object],
        _ => return Err(ApiError::BadRequest("the body is a JSON object or an array of them".into())),
    };
    if values.len() > MAX_ROWS {
        return Err(ApiError::TooLarge(format!("at most {MAX_ROWS} rows per request, got {}", values.len())));
    }
    let (mut good, mut errors) = (Vec::new(), Vec::new());
    for (index, value) in values.into_iter().enumerate() {
        match serde_json::from_value::<R>(value).map_err(|e| e.to_string()).and_then(&check) {
            Ok(row) => good.push((index, row)),
            Err(message) => errors.push(RowFailure { index, message }),
        }
    }
    if good.is_empty() {
        let detail = errors.iter().map(|e| format!("row {}: {}", e.index, e.message)).collect::<Vec<_>>().join("; ");
        return Err(ApiError::BadRequest(if detail.is_empty() { "no rows".into() } else { detail }));
    }
    Ok((good, errors))
}

/// Lets the request through only with the configured admin key (compared in constant time).
pub(super) fn admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(key) = &state.admin_key else {
        return Err(ApiError::Forbidden("the admin API is off: configure admin_key".into()));
    };
    let given = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(given) if same_secret(given.trim(), key) => Ok(()),
        _ => Err(ApiError::Unauthorized("a valid admin key is required: Authorization: Bearer <admin key>".into())),
    }
}

fn internal(error: orders::StoreError) -> ApiError {
    ApiError::Internal(error.to_string())
}

/// `GET /v1/orders/{id}/invoice?expires=&signature=`: the invoice of an invoiced order, for a
/// link the assistant signed and that has not expired. Any other request is a 404 that says
/// nothing about the order.
pub async fn invoice(State(state): State<AppState>, Path(id): Path<String>, RawQuery(query): RawQuery) -> Result<Html<String>, ApiError> {
    let not_found = || ApiError::NotFound("no such invoice, or the link has expired".into());
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|_| not_found())?;
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let expires: orders::Seconds = param("expires").and_then(|e| e.parse().ok()).ok_or_else(not_found)?;
    let signature = param("signature").ok_or_else(not_found)?;
    let id = normalize_order_id(&id);
    let orders = state.sessions.orders();
    if expires <= state.sessions.clock().now() || !orders.key().check_link(&invoice_message(&id, expires), signature) {
        return Err(not_found());
    }
    let order = orders.store().order(&id).await.map_err(internal)?.filter(|o| o.status.invoiced()).ok_or_else(not_found)?;
    let rows: String = order
        .lines
        .iter()
        .map(|l| {
            let total = crate::dialogue::compose::money(l.price * f64::from(l.quantity), &order.currency);
            format!("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape(&l.title), l.quantity, escape(&total))
        })
        .collect();
    let total = crate::dialogue::compose::money(order.total(), &order.currency);
    let address = order.shipping_address.as_deref().map(escape).unwrap_or_default();
    Ok(Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Invoice for order {id}</title></head><body>\
         <h1>Invoice for order {id}</h1><p>Placed on {placed}. Ship to: {address}</p>\
         <table><thead><tr><th>Item</th><th>Quantity</th><th>Amount</th></tr></thead><tbody>{rows}</tbody>\
         <tfoot><tr><th colspan=\"2\">Total</th><th>{total}</th></tr></tfoot></table></body></html>",
        id = escape(&order.id),
        placed = day(order.placed_at),
        total = escape(&total),
    )))
}

/// Text safe inside HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
