//! Errors as HTTP responses, mapped in one place: `{"error":{"code","message"}}` with the
//! status that fits. Internal errors are logged once here and shown to clients without detail.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::catalog::CatalogError;
use crate::protocol::{ErrorBody, ErrorCode, ErrorDetail};
use crate::session::SessionError;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// Too many requests: try again after this many milliseconds.
    #[error("too many messages; slow down")]
    RateLimited(u64),
    /// A failure on our side; the detail is logged, not shown.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m.clone()),
            ApiError::Catalog(CatalogError::BadQuery(m)) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            ApiError::Catalog(e @ CatalogError::UnknownProduct(_)) => (StatusCode::NOT_FOUND, "not_found", e.to_string()),
            ApiError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", m.clone()),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m.clone()),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
            ApiError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", self.to_string()),
            ApiError::Session(e @ SessionError::UnknownSession(_)) => (StatusCode::NOT_FOUND, "not_found", e.to_string()),
            ApiError::Session(SessionError::Unauthorized(_)) => (StatusCode::UNAUTHORIZED, "unauthorized", UNAUTHORIZED.into()),
            ApiError::Session(e) => {
                let (code, message, _) = session_failure(e);
                let status = match code {
                    ErrorCode::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                (status, code.as_str(), message)
            }
            ApiError::Catalog(_) | ApiError::Internal(_) => {
                tracing::error!(error = %self, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error".into())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        metrics::counter!(crate::telemetry::ERRORS, "code" => code).increment(1);
        let mut response = (status, Json(ErrorBody { error: ErrorDetail { code, message } })).into_response();
        if let ApiError::RateLimited(ms) = self {
            // Whole seconds, rounded up, as the header counts them.
            if let Ok(value) = axum::http::HeaderValue::from_str(&ms.div_ceil(1000).to_string()) {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// What a refused identity token is told: not why, so a forger learns nothing.
const UNAUTHORIZED: &str = "the identity token is not valid; continuing as a guest";

/// How long a client is told to wait when the model is busy.
const OVERLOADED_RETRY_MS: u64 = 200;

/// What a failed chat turn tells the client, over WebSocket or HTTP: the wire code, the
/// message, and how long to wait before retrying. Internal failures are logged here, once, and
/// shown without detail.
pub(super) fn session_failure(error: &SessionError) -> (ErrorCode, String, Option<u64>) {
    if error.is_overloaded() {
        return (ErrorCode::Overloaded, "the assistant is busy; try again shortly".into(), Some(OVERLOADED_RETRY_MS));
    }
    if let SessionError::Unauthorized(why) = error {
        tracing::info!(%why, "identity token refused");
        return (ErrorCode::Unauthorized, UNAUTHORIZED.into(), None);
    }
    if let Some(message) = error.bad_input() {
        return (ErrorCode::BadRequest, message.to_string(), None);
    }
    match error {
        SessionError::Owned(_) | SessionError::NotTaken => return (ErrorCode::Conflict, error.to_string(), None),
        SessionError::UnknownSession(_) => return (ErrorCode::NotFound, error.to_string(), None),
        _ => {}
    }
    tracing::error!(%error, "chat turn failed");
    (ErrorCode::Internal, "something went wrong on our side; please try again".into(), None)
}

/// A handler panicked: log it, answer 500 with the usual body.
pub(super) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    let body = ErrorBody { error: ErrorDetail { code: "internal", message: "internal error".into() } };
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}
