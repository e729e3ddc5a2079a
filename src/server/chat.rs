//! `POST /v1/chat`: one turn for request/response callers (a voice backend, a test script),
//! over the same sessions as the WebSocket.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;

use super::ws::MAX_TEXT_CHARS;
use super::{ApiError, AppState};
use crate::dialogue::Input;
use crate::protocol::{Channel, ChatRequest, ChatResponse, ServerFrame};
use crate::session::{SessionError, TurnInput};

pub async fn turn(State(state): State<AppState>, body: Result<Json<ChatRequest>, JsonRejection>) -> Result<Json<ChatResponse>, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if request.text.trim().is_empty() {
        return Err(ApiError::BadRequest("'text' is empty".into()));
    }
    if request.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::TooLarge(format!("'text' is limited to {MAX_TEXT_CHARS} characters")));
    }
    let session_id = match request.session_id.as_deref() {
        Some(id) => match state.sessions.store().load(id).await.map_err(SessionError::from)? {
            Some(stored) => stored.id,
            None => return Err(SessionError::UnknownSession(id.to_string()).into()),
        },
        None => state.sessions.open(None, 0, request.channel.unwrap_or(Channel::Api)).await?.session_id,
    };
    let body = serde_json::json!({ "type": "message", "text": request.text }).to_string();
    let frames = state.sessions.turn(&session_id, TurnInput { client_id: None, input: Input::Text(&request.text), body: &body }).await?;
    let reply = frames
        .into_iter()
        .find_map(|f| match f {
            ServerFrame::Reply(reply) => Some(reply),
            _ => None,
        })
        .ok_or_else(|| ApiError::Session(SessionError::UnknownSession(session_id.clone())))?;
    Ok(Json(ChatResponse { session_id, reply }))
}
