//! Errors as HTTP responses, mapped in one place: `{"error":{"code","message"}}` with the
//! status that fits. Internal errors are logged once here and shown to clients without detail.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::catalog::CatalogError;
use crate::protocol::{ErrorBody, ErrorDetail};
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
            ApiError::Session(e) if e.is_overloaded() => {
                (StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the assistant is busy; try again shortly".into())
            }
            ApiError::Session(e @ SessionError::UnknownSession(_)) => (StatusCode::NOT_FOUND, "not_found", e.to_string()),
            ApiError::Session(e) if e.bad_input().is_some() => {
                (StatusCode::BAD_REQUEST, "bad_request", e.bad_input().unwrap_or_default().to_string())
            }
            ApiError::Catalog(_) | ApiError::Session(_) => {
                tracing::error!(error = %self, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error".into())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        (status, Json(ErrorBody { error: ErrorDetail { code, message } })).into_response()
    }
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
