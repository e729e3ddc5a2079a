//! What both sockets (`/ws/chat` and `/ws/agent`) share about frames: strict parsing of a client
//! frame, and the error frame, counted once by code.

use serde::de::DeserializeOwned;

use super::error::session_failure;
use crate::protocol::{ErrorCode, ErrorFrame};
use crate::session::SessionError;

/// A client frame, strictly: a JSON object whose string `type` is one of `types`, with fields
/// of the right types. A refusal names what was wrong and answers the frame's `id` when it has
/// one.
pub(super) fn parse<T: DeserializeOwned>(text: &str, types: &[&str]) -> Result<T, ErrorFrame> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(format!("malformed JSON: {e}"), None))?;
    let id = value.get("id").and_then(|v| v.as_str()).map(str::to_string);
    let kind = match value.get("type") {
        Some(serde_json::Value::String(kind)) => kind.clone(),
        Some(_) => return Err(bad("\"type\" must be a string".into(), id)),
        None if value.is_object() => return Err(bad("the frame has no \"type\"".into(), id)),
        None => return Err(bad("a frame is a JSON object".into(), None)),
    };
    if !types.contains(&kind.as_str()) {
        return Err(bad(format!("unknown frame type {kind:?}; expected one of {}", types.join(", ")), id));
    }
    serde_json::from_value(value).map_err(|e| bad(format!("bad {kind} frame: {e}"), id))
}

fn bad(message: String, in_reply_to: Option<String>) -> ErrorFrame {
    error(ErrorCode::BadRequest, message, in_reply_to, None)
}

/// An error frame, counted in the errors metric by its code.
pub(super) fn error(code: ErrorCode, message: impl Into<String>, in_reply_to: Option<String>, retry_after_ms: Option<u64>) -> ErrorFrame {
    metrics::counter!(crate::telemetry::ERRORS, "code" => code.as_str()).increment(1);
    ErrorFrame { code, message: message.into(), in_reply_to, retry_after_ms }
}

/// The error frame for a failed session operation.
pub(super) fn failure(e: &SessionError, in_reply_to: Option<String>) -> ErrorFrame {
    let (code, message, retry_after_ms) = session_failure(e);
    error(code, message, in_reply_to, retry_after_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPES: [&str; 2] = ["hello", "ping"];

    #[derive(Debug, serde::Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Frame {
        Hello { name: String },
        Ping,
    }

    fn refused(text: &str) -> ErrorFrame {
        parse::<Frame>(text, &TYPES).unwrap_err()
    }

    #[test]
    fn each_refusal_says_what_was_wrong_and_answers_the_id() {
        assert!(refused("{").message.starts_with("malformed JSON"));
        assert_eq!(refused("[1]").message, "a frame is a JSON object");
        let e = refused(r#"{"id":"m1","type":7}"#);
        assert_eq!((e.message.as_str(), e.in_reply_to.as_deref()), ("\"type\" must be a string", Some("m1")));
        assert_eq!(refused(r#"{"id":"m2"}"#).message, "the frame has no \"type\"");
        assert_eq!(refused(r#"{"type":"shout"}"#).message, "unknown frame type \"shout\"; expected one of hello, ping");
        assert!(refused(r#"{"type":"hello","name":3}"#).message.starts_with("bad hello frame"));
        assert!(matches!(refused("{").code, ErrorCode::BadRequest));
        assert!(matches!(parse::<Frame>(r#"{"type":"hello","name":"Ann"}"#, &TYPES), Ok(Frame::Hello { name }) if name == "Ann"));
        assert!(matches!(parse::<Frame>(r#"{"type":"ping"}"#, &TYPES), Ok(Frame::Ping)));
    }
}
