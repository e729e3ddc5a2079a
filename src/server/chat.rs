//! `POST /v1/chat`: one turn for request/response callers (a voice backend, a test script),
//! over the same sessions as the WebSocket.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;

use super::ws::{Bucket, refuse_text};
use super::{ApiError, AppState};
use crate::dialogue::Input;
use crate::protocol::{Channel, ChatRequest, ChatResponse, ErrorCode, ServerFrame};
use crate::session::TurnInput;

/// Most sessions whose buckets are kept; past it, the full ones (no different from new) go.
const KEPT_BUCKETS: usize = 10_000;

/// A session's turn over HTTP takes a token of its bucket (the WebSocket's rate: a burst of 20,
/// then 5 a second), or is refused with how long to wait.
fn take_token(state: &AppState, session_id: &str) -> Result<(), ApiError> {
    let now = state.sessions.clock().instant();
    let mut buckets = state.chat_buckets.lock().unwrap_or_else(|e| e.into_inner());
    if buckets.len() >= KEPT_BUCKETS && !buckets.contains_key(session_id) {
        buckets.retain(|_, b| !b.is_full(now));
    }
    let bucket = buckets.entry(session_id.to_string()).or_insert_with(|| Bucket::new(now));
    bucket.take(now).map_err(|wait| ApiError::RateLimited(wait.as_nanos().div_ceil(1_000_000) as u64))
}

pub async fn turn(State(state): State<AppState>, body: Result<Json<ChatRequest>, JsonRejection>) -> Result<Json<ChatResponse>, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some((code, why)) = refuse_text(&request.text) {
        return Err(if code == ErrorCode::TooLarge { ApiError::TooLarge(why) } else { ApiError::BadRequest(why) });
    }
    // A refused token changes nothing: checked before a session is opened.
    let claims = request.token.as_deref().map(|t| state.sessions.verify_token(t)).transpose()?;
    // An unknown session is found out (404) by the turn itself.
    let session_id = match request.session_id {
        Some(id) => id,
        None => state.sessions.open(None, 0, request.channel.unwrap_or(Channel::Api)).await?.session_id,
    };
    take_token(&state, &session_id)?;
    if let Some(consent) = request.consent {
        state.sessions.set_consent(&session_id, consent).await?;
    }
    if let Some(claims) = claims {
        state.sessions.identify(&session_id, claims).await?;
    }
    let body = serde_json::json!({ "type": "message", "text": request.text }).to_string();
    let frames = state.sessions.turn(&session_id, TurnInput { client_id: None, input: Input::Text(&request.text), body: &body, personalize: request.personalize.unwrap_or(true) }).await?;
    // No reply while a person has the conversation: the message is theirs.
    let reply = frames.into_iter().find_map(|f| if let ServerFrame::Reply(reply) = f { Some(reply) } else { None });
    let status = state.sessions.state(&session_id).await?.status;
    Ok(Json(ChatResponse { session_id, reply, status }))
}
