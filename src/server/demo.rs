//! The demo shop's sign-in (demo mode only, `demo_orders`): the demo customers, and an identity
//! token for one of them, as a shop's backend would mint after its shopper logs in. Only the
//! customers of the demo files are offered; any other id is refused, so a real shop's
//! customers cannot be signed in as from a browser.

use std::path::Path;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};

use super::{ApiError, AppState};
use crate::orders::demo;

/// How long a demo sign-in lasts, in seconds.
const TOKEN_SECONDS: i64 = 24 * 3600;

#[derive(Serialize)]
pub struct Customers {
    customers: Vec<DemoCustomer>,
}

#[derive(Serialize)]
struct DemoCustomer {
    id: String,
    name: String,
}

#[derive(Deserialize)]
pub struct TokenRequest {
    customer_id: String,
}

#[derive(Serialize)]
pub struct TokenResponse {
    token: String,
    customer_id: String,
    name: String,
    /// Unix seconds.
    expires_at: i64,
}

/// `GET /v1/demo/customers`.
pub async fn customers(State(state): State<AppState>) -> Result<Json<Customers>, ApiError> {
    let customers = demo_customers(&state)?.into_iter().map(|(id, name)| DemoCustomer { id, name }).collect();
    Ok(Json(Customers { customers }))
}

/// `POST /v1/demo/token {"customer_id"}`.
pub async fn token(State(state): State<AppState>, body: Result<Json<TokenRequest>, JsonRejection>) -> Result<Json<TokenResponse>, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let Some((id, name)) = demo_customers(&state)?.into_iter().find(|(id, _)| *id == request.customer_id) else {
        return Err(ApiError::NotFound(format!("{:?} is not a demo customer", request.customer_id)));
    };
    let expires_at = state.sessions.clock().now() + TOKEN_SECONDS;
    let token = state.sessions.orders().key().issue(&id, expires_at);
    Ok(Json(TokenResponse { token, customer_id: id, name, expires_at }))
}

fn demo_customers(state: &AppState) -> Result<Vec<(String, String)>, ApiError> {
    if !state.demo {
        return Err(ApiError::NotFound("the demo sign-in is off (demo_orders = false)".into()));
    }
    demo::customers(Path::new(demo::DIR)).map_err(|e| ApiError::Internal(e.to_string()))
}
