//! `/ws/chat`: protocol v1 over a WebSocket. Frames are parsed strictly (a bad one gets an
//! `error` frame and the connection stays open), each connection is rate limited, messages are
//! answered in order through the session layer, which stores every numbered frame before it is
//! sent here. The loop is generic over the socket's `Sink`/`Stream` so it is testable alone.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::{IntoResponse, Response};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio_tungstenite::tungstenite;

use crate::dialogue::Input;
use crate::protocol::{ClientFrame, ErrorCode, Hello, PROTOCOL_VERSION, ServerFrame};
use crate::session::live::{Listener, Notice};
use crate::session::{SessionError, TurnInput};

use super::AppState;
use super::frames;

/// Largest frame accepted; a bigger one closes the connection with 1009.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Messages and actions a connection may send per second, sustained…
const RATE_PER_SECOND: u64 = 5;
/// …and in a burst.
const RATE_BURST: u32 = 20;
/// Read buffer per connection: it is allocated up front, so the default 128 KiB would make
/// 10,000 idle connections cost over a gigabyte; frames bigger than this still arrive whole.
const READ_BUFFER_BYTES: usize = 4 * 1024;

pub async fn upgrade(State(state): State<AppState>, headers: axum::http::HeaderMap, ws: WebSocketUpgrade) -> Response {
    if !state.origins.admits(&headers) {
        let origin = headers.get(axum::http::header::ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("?");
        return super::ApiError::Forbidden(format!("pages of {origin} may not open a chat here: add it to allowed_origins")).into_response();
    }
    ws.max_message_size(MAX_FRAME_BYTES).max_frame_size(MAX_FRAME_BYTES).read_buffer_size(READ_BUFFER_BYTES).on_upgrade(move |socket: WebSocket| {
        let tracker = state.connections.tracker.clone();
        tracker.track_future(async move {
            let open = metrics::gauge!(crate::telemetry::WEBSOCKETS_OPEN);
            open.increment(1.0);
            let (sink, stream) = socket.split();
            serve(state, sink, stream).await;
            open.decrement(1.0);
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
    let mut connection = Connection::new(&state);
    loop {
        // Biased: once the server is shutting down, frames the client sent behind the turn in
        // flight are left unanswered (the client resends them on reconnect) rather than run.
        let next = tokio::select! {
            biased;
            () = shutdown.cancelled() => {
                let _ = sink.send(close(close_code::AWAY, "server shutting down")).await;
                return;
            }
            next = stream.next() => next,
            notice = next_notice(&mut connection.listener) => {
                let frames = connection.noticed(&state, notice).await;
                if connection.deliver(&state, &mut sink, frames).await.is_err() {
                    return;
                }
                continue;
            }
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
        if connection.deliver(&state, &mut sink, frames).await.is_err() {
            return;
        }
    }
}

/// The next notice of the connection's session; never, before it has one.
async fn next_notice(listener: &mut Option<Listener>) -> Notice {
    match listener {
        Some(listener) => listener.next().await,
        None => std::future::pending().await,
    }
}

/// Numbers connections, to keep a shopper's message from being echoed to its own tab.
static CONNECTION_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Shortest gap between two `typing` notices of one connection.
const TYPING_EVERY: Duration = Duration::from_secs(1);

struct Connection {
    id: u64,
    session: Option<String>,
    bucket: Bucket,
    /// The session's notices: frames stored by other connections, agents, typing.
    listener: Option<Listener>,
    /// The highest seq sent on this connection: stored frames above it are still to send.
    sent_seq: u64,
    last_typing: Option<Instant>,
}

impl Connection {
    fn new(state: &AppState) -> Connection {
        Connection {
            id: CONNECTION_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            session: None,
            bucket: Bucket::new(state.sessions.clock().instant()),
            listener: None,
            sent_seq: 0,
            last_typing: None,
        }
    }

    /// The frames a notice of the session brings: stored frames not sent yet (read from the
    /// store, the truth), or a live frame from elsewhere.
    async fn noticed(&mut self, state: &AppState, notice: Notice) -> Vec<ServerFrame> {
        match notice {
            Notice::Stored { last_seq } if last_seq > self.sent_seq => self.stored_since(state).await,
            Notice::Stored { .. } => Vec::new(),
            Notice::Frame { except, .. } if except == Some(self.id) => Vec::new(),
            Notice::Frame { frame, .. } => vec![(*frame).clone()],
        }
    }

    /// Sends frames in order. A stored frame that skips seqs (another connection's turn was
    /// stored in between) comes after the frames it skips, read from the store, so every
    /// connection sees the session's frames without gaps; a frame at or below the last seq sent
    /// (the answer to a resent message) is sent again as asked.
    async fn deliver<W: Sink<Message> + Unpin>(&mut self, state: &AppState, sink: &mut W, frames: Vec<ServerFrame>) -> Result<(), W::Error> {
        for frame in frames {
            if let Some(seq) = frame.seq() {
                if seq > self.sent_seq + 1 {
                    let missed: Vec<ServerFrame> = self.stored_since(state).await.into_iter().filter(|f| f.seq().is_some_and(|s| s < seq)).collect();
                    for earlier in missed {
                        self.sent_seq = self.sent_seq.max(earlier.seq().unwrap_or_default());
                        sink.send(Message::Text(to_text(&earlier).into())).await?;
                    }
                }
                self.sent_seq = self.sent_seq.max(seq);
            }
            sink.send(Message::Text(to_text(&frame).into())).await?;
        }
        Ok(())
    }

    /// The session's stored frames above the last seq sent.
    async fn stored_since(&self, state: &AppState) -> Vec<ServerFrame> {
        let Some(session) = &self.session else { return Vec::new() };
        match state.sessions.store().replay(session, self.sent_seq).await {
            Ok(bodies) => bodies.iter().filter_map(|body| serde_json::from_str(body).ok()).collect(),
            Err(error) => {
                tracing::warn!(%error, "cannot read the frames to send");
                Vec::new()
            }
        }
    }

    /// The frames that answer one text frame.
    async fn frame(&mut self, state: &AppState, text: &str) -> Vec<ServerFrame> {
        let frame = match frames::parse::<ClientFrame>(text, &ClientFrame::TYPES).map_err(ServerFrame::Error) {
            Ok(frame) => frame,
            Err(error) => return vec![error],
        };
        match frame {
            ClientFrame::Ping => vec![ServerFrame::Pong],
            ClientFrame::Ack { .. } => Vec::new(),
            ClientFrame::Typing => {
                let now = state.sessions.clock().instant();
                if let Some(session) = &self.session {
                    if self.last_typing.is_none_or(|at| now.duration_since(at) >= TYPING_EVERY) {
                        self.last_typing = Some(now);
                        state.sessions.live().typing(session, "shopper");
                    }
                }
                Vec::new()
            }
            ClientFrame::Hello(hello) => self.hello(state, hello).await,
            ClientFrame::Message(message) => {
                let id = message.id.clone();
                if let Some((code, why)) = refuse_text(&message.text) {
                    return vec![error_frame(code, &why, id)];
                }
                self.turn(state, id.as_deref(), Input::Text(&message.text), message.personalize.unwrap_or(true), text).await
            }
            ClientFrame::Action(action) => {
                let id = action.id.clone();
                self.turn(state, id.as_deref(), Input::Action(&action), true, text).await
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
                self.listener = Some(state.sessions.live().listen(&opened.session_id));
                // Frames stored between the replay's read and the listening are sent by the
                // first notice (anything above this seq).
                self.sent_seq = opened.seq;
                let mut frames = vec![ServerFrame::Welcome {
                    protocol: PROTOCOL_VERSION,
                    session_id: opened.session_id,
                    seq: opened.seq,
                    resumed: opened.resumed,
                }];
                frames.extend(opened.replay.iter().filter_map(|body| serde_json::from_str(body).ok()));
                if let (Some(consent), Some(session)) = (hello.consent, &self.session) {
                    if let Err(e) = state.sessions.set_consent(session, consent).await {
                        frames.push(session_error(&e, None));
                    }
                }
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

    async fn turn(&mut self, state: &AppState, id: Option<&str>, input: Input<'_>, personalize: bool, body: &str) -> Vec<ServerFrame> {
        if let Err(wait) = self.bucket.take(state.sessions.clock().instant()) {
            let mut frame = error_frame(ErrorCode::RateLimited, "too many messages; slow down", id.map(str::to_string));
            if let ServerFrame::Error(e) = &mut frame {
                // Rounded up: retrying after this many milliseconds succeeds.
                e.retry_after_ms = Some(wait.as_nanos().div_ceil(1_000_000) as u64);
            }
            return vec![frame];
        }
        let mut frames = Vec::new();
        let Some(session) = self.ensure_session(state, &mut frames).await else { return frames };
        if let Input::Text(text) = input {
            // The shopper's other tabs show the message at once.
            let echo = ServerFrame::ShopperMessage { text: text.to_string(), id: id.map(str::to_string) };
            state.sessions.live().frame(&session, echo, Some(self.id));
        }
        match state.sessions.turn(&session, TurnInput { client_id: id, input, body, personalize }).await {
            // Nothing to answer while a person has the conversation: no typing either.
            Ok(answer) if answer.is_empty() => {}
            Ok(mut answer) => {
                frames.push(ServerFrame::TYPING);
                frames.append(&mut answer);
            }
            Err(e) => {
                frames.push(ServerFrame::TYPING);
                frames.push(session_error(&e, id.map(str::to_string)));
            }
        }
        frames
    }
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

/// An error frame, counted.
fn error_frame(code: ErrorCode, message: &str, in_reply_to: Option<String>) -> ServerFrame {
    ServerFrame::Error(frames::error(code, message, in_reply_to, None))
}

/// The error frame for a failed turn.
fn session_error(error: &SessionError, in_reply_to: Option<String>) -> ServerFrame {
    ServerFrame::Error(frames::failure(error, in_reply_to))
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

pub(super) fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

/// A token bucket of [`RATE_BURST`] messages refilled at [`RATE_PER_SECOND`], kept as the
/// time at which the sustained rate would allow the next message (the generic cell rate
/// algorithm): refill is exact arithmetic on durations, read from the session clock.
pub(super) struct Bucket {
    due: Instant,
}

/// The spacing of messages at the sustained rate.
const SPACING: Duration = Duration::from_nanos(1_000_000_000 / RATE_PER_SECOND);

impl Bucket {
    /// Whether the bucket is full at `now` (a new one would be the same).
    pub(super) fn is_full(&self, now: Instant) -> bool {
        self.due <= now
    }

    /// A full bucket.
    pub(super) fn new(now: Instant) -> Bucket {
        Bucket { due: now }
    }

    /// Takes a token at `now`, or says how long until one is available.
    pub(super) fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let due = self.due.max(now);
        let ahead = due - now;
        let burst = SPACING * (RATE_BURST - 1);
        if ahead > burst {
            return Err(ahead - burst);
        }
        self.due = due + SPACING;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Clock;

    fn parse(text: &str) -> Result<ClientFrame, ServerFrame> {
        frames::parse(text, &ClientFrame::TYPES).map_err(ServerFrame::Error)
    }

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

    /// Takes `n` tokens at the clock's now, each of which must be granted.
    fn drain(bucket: &mut Bucket, clock: &Clock, n: u32) {
        for i in 0..n {
            assert_eq!(bucket.take(clock.instant()), Ok(()), "token {i} of {n}");
        }
    }

    #[test]
    fn the_bucket_refuses_a_burst_over_its_size_until_the_time_it_names() {
        let clock = Clock::manual();
        let mut bucket = Bucket::new(clock.instant());
        drain(&mut bucket, &clock, 20);
        // 5 a second sustained: the next token is 200 ms away.
        assert_eq!(bucket.take(clock.instant()), Err(Duration::from_millis(200)));
        clock.advance(Duration::from_millis(199));
        assert_eq!(bucket.take(clock.instant()), Err(Duration::from_millis(1)));
        clock.advance(Duration::from_millis(1));
        drain(&mut bucket, &clock, 1);
        assert!(bucket.take(clock.instant()).is_err());
    }

    #[test]
    fn the_bucket_refills_at_five_a_second_up_to_twenty() {
        let clock = Clock::manual();
        let mut bucket = Bucket::new(clock.instant());
        drain(&mut bucket, &clock, 20);
        clock.advance(Duration::from_secs(1));
        drain(&mut bucket, &clock, 5);
        assert!(bucket.take(clock.instant()).is_err());
        // A long pause refills the burst, not more.
        clock.advance(Duration::from_secs(3600));
        drain(&mut bucket, &clock, 20);
        assert!(bucket.take(clock.instant()).is_err());
    }
}
