//! `POST /v1/chat`: one turn for request/response callers (a voice backend, a test script),
//! over the same sessions as the WebSocket.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;

use super::ws::refuse_text;
use super::{ApiError, AppState};
use crate::dialogue::Input;
use crate::protocol::{Channel, ChatRequest, ChatResponse, ErrorCode, ServerFrame};
use crate::session::TurnInput;

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
    if let Some(consent) = request.consent {
        state.sessions.set_consent(&session_id, consent).await?;
    }
    if let Some(claims) = claims {
        state.sessions.identify(&session_id, claims).await?;
    }
    let body = serde_json::json!({ "type": "message", "text": request.text }).to_string();
    let frames = state.sessions.turn(&session_id, TurnInput { client_id: None, input: Input::Text(&request.text), body: &body, personalize: request.personalize.unwrap_or(true) }).await?;
    let Some(ServerFrame::Reply(reply)) = frames.into_iter().next() else {
        unreachable!("a turn's first frame is its reply");
    };
    Ok(Json(ChatResponse { session_id, reply }))
}
