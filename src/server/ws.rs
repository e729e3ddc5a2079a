//! `/ws/chat`: protocol v1 over a WebSocket. Frames are parsed strictly (a bad one gets an
//! `error` frame and the connection stays open), each connection is rate limited, messages are
//! answered in order through the session layer, which stores every numbered frame before it is
//! sent here. The loop is generic over the socket's `Sink`/`Stream` so it is testable alone.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio_tungstenite::tungstenite;

use crate::dialogue::Input;
use crate::protocol::{ClientFrame, ErrorCode, ErrorFrame, Hello, PROTOCOL_VERSION, ServerFrame};
use crate::session::{SessionError, TurnInput};

use super::AppState;
use super::error::session_failure;

/// Largest frame accepted; a bigger one closes the connection with 1009.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Messages and actions a connection may send per second, sustained…
const RATE_PER_SECOND: f64 = 5.0;
/// …and in a burst.
const RATE_BURST: f64 = 20.0;
/// Read buffer per connection: it is allocated up front, so the default 128 KiB would make
/// 10,000 idle connections cost over a gigabyte; frames bigger than this still arrive whole.
const READ_BUFFER_BYTES: usize = 4 * 1024;

pub async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_FRAME_BYTES).max_frame_size(MAX_FRAME_BYTES).read_buffer_size(READ_BUFFER_BYTES).on_upgrade(move |socket: WebSocket| {
        let tracker = state.connections.tracker.clone();
        tracker.track_future(async move {
            let (sink, stream) = socket.split();
            serve(state, sink, stream).await;
        })
    })
}

/// Serves one connection until the client leaves or the server shuts down.
pub async fn serve<W, R>(state: AppState, mut sink: W, mut stream: R)
where
    W: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let shutdown = state.connections.shutdown.clone();
    let mut connection = Connection { session: None, bucket: Bucket::new() };
    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => {
                let _ = sink.send(close(close_code::AWAY, "server shutting down")).await;
                return;
            }
            next = stream.next() => next,
        };
        let message = match next {
            None => return,
            Some(Ok(message)) => message,
            Some(Err(error)) => {
                if too_big(error) {
                    let _ = sink.send(close(close_code::SIZE, &format!("frames are limited to {MAX_FRAME_BYTES} bytes"))).await;
                }
                return;
            }
        };
        let frames = match message {
            Message::Text(text) => connection.frame(&state, text.as_str()).await,
            Message::Binary(_) => vec![error_frame(ErrorCode::BadRequest, "binary frames are not supported; send JSON text", None)],
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => return,
        };
        for frame in frames {
            if sink.send(Message::Text(to_text(&frame).into())).await.is_err() {
                return;
            }
        }
    }
}

struct Connection {
    session: Option<String>,
    bucket: Bucket,
}

impl Connection {
    /// The frames that answer one text frame.
    async fn frame(&mut self, state: &AppState, text: &str) -> Vec<ServerFrame> {
        let frame = match parse(text) {
            Ok(frame) => frame,
            Err(error) => return vec![error],
        };
        match frame {
            ClientFrame::Ping => vec![ServerFrame::Pong],
            ClientFrame::Ack { .. } => Vec::new(),
            ClientFrame::Hello(hello) => self.hello(state, hello).await,
            ClientFrame::Message(message) => {
                let id = message.id.clone();
                if let Some((code, why)) = refuse_text(&message.text) {
                    return vec![error_frame(code, &why, id)];
                }
                self.turn(state, id.as_deref(), Input::Text(&message.text), text).await
            }
            ClientFrame::Action(action) => {
                let id = action.id.clone();
                self.turn(state, id.as_deref(), Input::Action(&action), text).await
            }
            ClientFrame::Event(event) => {
                let mut frames = Vec::new();
                let Some(session) = self.ensure_session(state, &mut frames).await else { return frames };
                if let Err(e) = state.sessions.event(&session, &event, text).await {
                    frames.push(session_error(&e, None));
                }
                frames
            }
        }
    }

    async fn hello(&mut self, state: &AppState, hello: Hello) -> Vec<ServerFrame> {
        if hello.protocol != PROTOCOL_VERSION {
            return vec![error_frame(ErrorCode::BadRequest, &format!("protocol {} is not supported; this server speaks {PROTOCOL_VERSION}", hello.protocol), None)];
        }
        if self.session.is_some() {
            return vec![error_frame(ErrorCode::BadRequest, "hello was already sent on this connection", None)];
        }
        match state.sessions.open(hello.session_id.as_deref(), hello.last_seq, hello.channel).await {
            Ok(opened) => {
                self.session = Some(opened.session_id.clone());
                let mut frames = vec![ServerFrame::Welcome {
                    protocol: PROTOCOL_VERSION,
                    session_id: opened.session_id,
                    seq: opened.seq,
                    resumed: opened.resumed,
                }];
                frames.extend(opened.replay.iter().filter_map(|body| serde_json::from_str(body).ok()));
                if let (Some(token), Some(session)) = (&hello.token, &self.session) {
                    let identified = match state.sessions.verify_token(token) {
                        Ok(claims) => state.sessions.identify(session, claims).await,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = identified {
                        frames.push(session_error(&e, None));
                    }
                }
                frames
            }
            Err(e) => vec![session_error(&e, None)],
        }
    }

    /// The session of this connection, opening an anonymous web one on first use.
    async fn ensure_session(&mut self, state: &AppState, frames: &mut Vec<ServerFrame>) -> Option<String> {
        if self.session.is_none() {
            let mut hello = self.hello(state, Hello { protocol: PROTOCOL_VERSION, ..Hello::default() }).await;
            let ok = matches!(hello.first(), Some(ServerFrame::Welcome { .. }));
            frames.append(&mut hello);
            if !ok {
                return None;
            }
        }
        self.session.clone()
    }

    async fn turn(&mut self, state: &AppState, id: Option<&str>, input: Input<'_>, body: &str) -> Vec<ServerFrame> {
        if let Err(wait) = self.bucket.take() {
            let mut frame = error_frame(ErrorCode::RateLimited, "too many messages; slow down", id.map(str::to_string));
            if let ServerFrame::Error(e) = &mut frame {
                e.retry_after_ms = Some(wait.as_millis() as u64 + 1);
            }
            return vec![frame];
        }
        let mut frames = Vec::new();
        let Some(session) = self.ensure_session(state, &mut frames).await else { return frames };
        frames.push(ServerFrame::Typing);
        match state.sessions.turn(&session, TurnInput { client_id: id, input, body }).await {
            Ok(mut answer) => frames.append(&mut answer),
            Err(e) => frames.push(session_error(&e, id.map(str::to_string))),
        }
        frames
    }
}

/// A client frame, strictly: JSON object, known `type`, fields of the right types.
fn parse(text: &str) -> Result<ClientFrame, ServerFrame> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| error_frame(ErrorCode::BadRequest, &format!("malformed JSON: {e}"), None))?;
    let id = value.get("id").and_then(|v| v.as_str()).map(str::to_string);
    let kind = match value.get("type") {
        Some(serde_json::Value::String(kind)) => kind.clone(),
        Some(_) => return Err(error_frame(ErrorCode::BadRequest, "\"type\" must be a string", id)),
        None if value.is_object() => return Err(error_frame(ErrorCode::BadRequest, "the frame has no \"type\"", id)),
        None => return Err(error_frame(ErrorCode::BadRequest, "a frame is a JSON object", None)),
    };
    if !ClientFrame::TYPES.contains(&kind.as_str()) {
        let known = ClientFrame::TYPES.join(", ");
        return Err(error_frame(ErrorCode::BadRequest, &format!("unknown frame type {kind:?}; expected one of {known}"), id));
    }
    serde_json::from_value(value).map_err(|e| error_frame(ErrorCode::BadRequest, &format!("bad {kind} frame: {e}"), id))
}

/// The error frame for a failed turn.
fn session_error(error: &SessionError, in_reply_to: Option<String>) -> ServerFrame {
    let (code, message, retry_after_ms) = session_failure(error);
    ServerFrame::Error(ErrorFrame { code, message, in_reply_to, retry_after_ms })
}

/// Why a message text is refused, if it is (over WebSocket and HTTP alike).
pub(super) fn refuse_text(text: &str) -> Option<(ErrorCode, String)> {
    if text.trim().is_empty() {
        return Some((ErrorCode::BadRequest, "the message text is empty".into()));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Some((ErrorCode::TooLarge, format!("messages are limited to {MAX_TEXT_CHARS} characters")));
    }
    None
}

pub fn error_frame(code: ErrorCode, message: &str, in_reply_to: Option<String>) -> ServerFrame {
    ServerFrame::Error(ErrorFrame { code, message: message.to_string(), in_reply_to, retry_after_ms: None })
}

fn to_text(frame: &ServerFrame) -> String {
    serde_json::to_string(frame).expect("frames serialize")
}

/// Whether a read failed because the client sent a frame over the limit (else the connection
/// broke, and there is no one to tell).
fn too_big(error: axum::Error) -> bool {
    let error = error.into_inner();
    let too_big = matches!(error.downcast_ref::<tungstenite::Error>(), Some(tungstenite::Error::Capacity(_)));
    if !too_big {
        tracing::debug!(%error, "websocket read failed");
    }
    too_big
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

/// A token bucket: [`RATE_BURST`] messages at once, refilled at [`RATE_PER_SECOND`].
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new() -> Bucket {
        Bucket { tokens: RATE_BURST, at: Instant::now() }
    }

    /// Takes a token, or says how long until one is available.
    fn take(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * RATE_PER_SECOND).min(RATE_BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / RATE_PER_SECOND))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(frame: ServerFrame) -> ErrorCode {
        match frame {
            ServerFrame::Error(e) => e.code,
            other => panic!("not an error: {other:?}"),
        }
    }

    #[test]
    fn bad_frames_are_named() {
        assert_eq!(code(parse("{not json").unwrap_err()), ErrorCode::BadRequest);
        assert_eq!(code(parse("[1,2]").unwrap_err()), ErrorCode::BadRequest);
        assert_eq!(code(parse(r#"{"type":"launch"}"#).unwrap_err()), ErrorCode::BadRequest);
        assert_eq!(code(parse(r#"{"type":"message","text":5}"#).unwrap_err()), ErrorCode::BadRequest);
        assert!(matches!(parse(r#"{"type":"message","text":"hi","extra":1}"#), Ok(ClientFrame::Message(_))));
        assert!(matches!(parse(r#"{"type":"ping"}"#), Ok(ClientFrame::Ping)));
    }

    #[test]
    fn the_bucket_refuses_a_burst_over_its_size() {
        let mut bucket = Bucket::new();
        for _ in 0..RATE_BURST as usize {
            assert!(bucket.take().is_ok());
        }
        assert!(bucket.take().is_err());
    }
}
