//! `POST /v1/events`: shopper events from a shop's page (by session) or its backend (by
//! customer, with the admin key), checked one by one: a bad event is named by its place in
//! the batch and skipped, the others are stored once per id.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::{ApiError, AppState};
use crate::events::{MAX_BATCH, RawEvent};

/// Largest events body: 500 events of a couple of hundred bytes, with room to spare.
pub(super) const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Deserialize)]
pub struct EventsRequest {
    events: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct EventsResponse {
    /// Stored now.
    accepted: usize,
    /// Stored before under the same id: nothing changed.
    duplicates: usize,
    /// Of sessions whose shopper did not allow personalization: not stored.
    without_consent: usize,
    errors: Vec<EventError>,
}

#[derive(Debug, Serialize)]
pub struct EventError {
    index: usize,
    message: String,
}

pub async fn record(State(state): State<AppState>, headers: HeaderMap, body: Result<Json<EventsRequest>, JsonRejection>) -> Result<Json<EventsResponse>, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if request.events.len() > MAX_BATCH {
        return Err(ApiError::TooLarge(format!("at most {MAX_BATCH} events a request, got {}", request.events.len())));
    }
    // The admin key, when one is sent, must be right; without it, events name sessions only.
    let trusted = headers.contains_key(axum::http::header::AUTHORIZATION) && {
        super::orders::admin(&state, &headers)?;
        true
    };
    let mut errors = Vec::new();
    let mut batch = Vec::with_capacity(request.events.len());
    let mut places = Vec::with_capacity(request.events.len());
    for (index, value) in request.events.into_iter().enumerate() {
        match serde_json::from_value::<RawEvent>(value) {
            Ok(raw) => {
                batch.push(raw);
                places.push(index);
            }
            Err(e) => errors.push(EventError { index, message: format!("not an event: {e}") }),
        }
    }
    let recorded = state.sessions.record_events(batch, trusted).await?;
    errors.extend(recorded.errors.into_iter().map(|(i, message)| EventError { index: places[i], message }));
    errors.sort_by_key(|e| e.index);
    Ok(Json(EventsResponse {
        accepted: recorded.inserted.accepted,
        duplicates: recorded.inserted.duplicates,
        without_consent: recorded.without_consent,
        errors,
    }))
}
