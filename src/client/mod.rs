//! Clients of the chat protocol v1 (DESIGN.md "Protocol v1"), over a plain `ws://` WebSocket.
//!
//! - [`Connection`]: one typed connection: send a [`ClientFrame`], receive a [`ServerFrame`],
//!   and run a whole turn (message out, `typing` skipped, the matching `reply` back). It keeps
//!   the session id and the highest `seq` seen, so that a dropped connection can be resumed
//!   with `hello {session_id, last_seq}`.
//! - [`chat`]: `aisle chat`, an interactive terminal client.
//! - [`loadtest`]: `aisle loadtest`, many scripted conversations at once against a local server.
//! - [`clock`]: the time both go by (tokio's, or a manual one in tests).

pub mod chat;
pub mod console;
pub mod clock;
pub mod loadtest;

use std::collections::VecDeque;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::protocol::{Channel, ClientFrame, ErrorFrame, Hello, MessageFrame, PROTOCOL_VERSION, Reply, ServerFrame};

/// Largest server frame accepted: a reply with a page of product cards is a few KB.
const MAX_FRAME_BYTES: usize = 4 << 20;
/// Read buffer of a connection. tungstenite allocates it eagerly (128 KiB by default), which
/// would cost gigabytes over the thousands of connections a load test holds; it grows as needed.
const READ_BUFFER_BYTES: usize = 8 << 10;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("'{url}' is not a usable chat URL: {reason}")]
    BadUrl { url: String, reason: &'static str },
    #[error("'{host}' is not a loopback host: the load test only connects to 127.0.0.1, localhost or ::1")]
    NotLoopback { host: String },
    #[error("cannot connect to {url}")]
    Connect { url: String, source: Box<tungstenite::Error> },
    #[error("the server closed the connection")]
    Closed,
    #[error("the connection failed: {0}")]
    Transport(Box<tungstenite::Error>),
    #[error("the server sent a frame that is not protocol v1 ({error}): {text}")]
    Malformed { text: String, error: serde_json::Error },
    #[error("the server answered with an error: {}", describe_error(.0))]
    Server(ErrorFrame),
    #[error("expected a welcome frame, got {0}")]
    NoWelcome(String),
}

impl ClientError {
    /// Whether the connection is gone (closed or broken) rather than the request refused.
    pub fn is_disconnect(&self) -> bool {
        matches!(self, ClientError::Closed | ClientError::Transport(_))
    }

    /// Whether connecting failed because this process ran out of file descriptors (EMFILE);
    /// `ulimit -n` raises the limit.
    pub fn is_too_many_open_files(&self) -> bool {
        match self {
            ClientError::Connect { source, .. } => match source.as_ref() {
                tungstenite::Error::Io(e) => e.raw_os_error() == Some(EMFILE),
                _ => false,
            },
            _ => false,
        }
    }
}

/// "Too many open files" on Linux and the BSDs.
const EMFILE: i32 = 24;

/// `code: message (retry after N ms)` of an error frame.
pub fn describe_error(e: &ErrorFrame) -> String {
    let retry = e.retry_after_ms.map(|ms| format!(" (retry after {ms} ms)")).unwrap_or_default();
    format!("{}: {}{retry}", error_code_name(e), e.message)
}

/// The wire name of an error frame's code (`rate_limited`, …).
pub fn error_code_name(e: &ErrorFrame) -> String {
    match serde_json::to_value(e.code) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{:?}", e.code),
    }
}

/// A short reason a connection could not be set up.
pub fn connect_failure(e: &ClientError) -> String {
    if e.is_too_many_open_files() {
        return "too many open files (raise ulimit -n)".into();
    }
    match e {
        ClientError::Connect { source, .. } => match source.as_ref() {
            tungstenite::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
                std::io::ErrorKind::AddrNotAvailable => "no local port free".into(),
                kind => format!("io: {kind}"),
            },
            tungstenite::Error::Http(response) => format!("http {}", response.status()),
            other => other.to_string(),
        },
        ClientError::Server(frame) => format!("error frame {}", error_code_name(frame)),
        e if e.is_disconnect() => "closed before welcome".into(),
        e => e.to_string(),
    }
}

/// 48 random bits in hex: message ids of different connections to one session never collide.
fn random_prefix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the server said when a `hello` was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    pub session_id: String,
    /// Whether an existing session was resumed (false: a new one started).
    pub resumed: bool,
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One chat connection. Not cancel-safe halfway through [`send`](Self::send); [`recv`](Self::recv)
/// and the waiting part of [`turn`](Self::turn) are (a frame is either returned or left unread).
pub struct Connection {
    socket: Socket,
    url: String,
    channel: Channel,
    session_id: Option<String>,
    last_seq: u64,
    /// Message ids are `<prefix>-1`, `<prefix>-2`, … with a random prefix per connection
    /// object, kept across reconnects: the server answers an id the session has seen from the
    /// transcript, so ids must never repeat within a session.
    id_prefix: String,
    next_id: u64,
    /// Customer identity token sent with every `hello`.
    token: Option<String>,
    /// Personalization allowed, sent with every `hello` when set.
    consent: Option<bool>,
    /// Frames read while a turn waited for its reply, handed out by `recv` before new ones.
    stashed: VecDeque<ServerFrame>,
}

impl Connection {
    /// Opens a WebSocket to a `ws://` URL. No frame is sent; a `hello` is optional in v1.
    pub async fn connect(url: &str) -> Result<Connection, ClientError> {
        check_url(url)?;
        let socket = open(url).await?;
        Ok(Connection {
            socket,
            url: url.to_string(),
            channel: Channel::default(),
            session_id: None,
            last_seq: 0,
            id_prefix: random_prefix(),
            next_id: 1,
            token: None,
            consent: None,
            stashed: VecDeque::new(),
        })
    }

    /// Sends `token` (a customer identity token) with every `hello` from now on. A refused
    /// token is answered with an `unauthorized` error frame after the `welcome`.
    /// Whether the next `hello` allows personalization (`None`: says nothing).
    pub fn set_consent(&mut self, consent: Option<bool>) {
        self.consent = consent;
    }

    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
    }

    /// The URL this connection (and every reconnection) goes to.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// The highest `seq` received: what a resuming `hello` asks to be replayed after.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Sends `hello` on `channel`, resuming `session_id` from `last_seq` when given, and waits
    /// for the `welcome`. Frames before it are kept for [`recv`](Self::recv).
    pub async fn hello(&mut self, channel: Channel, session_id: Option<String>, last_seq: u64) -> Result<Welcome, ClientError> {
        self.channel = channel;
        let hello = Hello { protocol: PROTOCOL_VERSION, channel, session_id, last_seq, token: self.token.clone(), locale: None, consent: self.consent };
        self.send(&ClientFrame::Hello(hello)).await?;
        loop {
            match self.read().await? {
                ServerFrame::Welcome { session_id, resumed, .. } => {
                    if !resumed {
                        // A new session numbers its frames from 1: what was seen before is
                        // another session's.
                        self.last_seq = 0;
                    }
                    self.session_id = Some(session_id.clone());
                    return Ok(Welcome { session_id, resumed });
                }
                ServerFrame::Error(e) => return Err(ClientError::Server(e)),
                ServerFrame::Typing { .. } | ServerFrame::Pong => {}
                other if other.seq().is_some() => self.stashed.push_back(other),
                other => return Err(ClientError::NoWelcome(format!("{other:?}"))),
            }
        }
    }

    /// Opens a new socket to the same URL and resumes the session: `hello` with the session id
    /// and the last `seq` seen. The server then replays what was missed; [`recv`](Self::recv)
    /// returns it.
    pub async fn reconnect(&mut self) -> Result<Welcome, ClientError> {
        self.socket = open(&self.url).await?;
        self.stashed.clear();
        self.hello(self.channel, self.session_id.clone(), self.last_seq).await
    }

    pub async fn send(&mut self, frame: &ClientFrame) -> Result<(), ClientError> {
        let text = serde_json::to_string(frame).expect("client frames always serialize");
        self.socket.send(Message::text(text)).await.map_err(transport)
    }

    /// The next frame from the server: first those a turn set aside, then from the socket.
    /// Every protocol frame is returned (WebSocket pings are answered by the transport).
    pub async fn recv(&mut self) -> Result<ServerFrame, ClientError> {
        match self.stashed.pop_front() {
            Some(frame) => Ok(frame),
            None => self.read().await,
        }
    }

    /// Takes the frames a turn set aside (replies to other ids, agent messages, status).
    pub fn take_stashed(&mut self) -> Vec<ServerFrame> {
        self.stashed.drain(..).collect()
    }

    /// A fresh message id.
    pub fn next_message_id(&mut self) -> String {
        let id = format!("{}-{}", self.id_prefix, self.next_id);
        self.next_id += 1;
        id
    }

    /// Sends a message with a fresh id and waits for its reply (see [`reply_to`](Self::reply_to)).
    pub async fn turn(&mut self, text: &str) -> Result<Reply, ClientError> {
        let id = self.next_message_id();
        self.send_message(&id, text).await?;
        self.reply_to(&id).await
    }

    pub async fn send_message(&mut self, id: &str, text: &str) -> Result<(), ClientError> {
        self.send(&ClientFrame::Message(MessageFrame { id: Some(id.to_string()), text: text.to_string(), personalize: None })).await
    }

    /// Reads until the reply to message `id`. An error frame for `id`, or one for no message
    /// in particular (the server could not tell which), is returned as
    /// [`ClientError::Server`]. `typing` and `pong` are dropped; every other frame is kept for
    /// [`recv`](Self::recv) / [`take_stashed`](Self::take_stashed).
    pub async fn reply_to(&mut self, id: &str) -> Result<Reply, ClientError> {
        // Frames set aside earlier may hold the answer (e.g. replayed after a reconnect).
        if let Some(i) = self.stashed.iter().position(|f| answers(f, id)) {
            return finish(self.stashed.remove(i).expect("index from position"));
        }
        loop {
            let frame = self.read().await?;
            if answers(&frame, id) {
                return finish(frame);
            }
            if !matches!(frame, ServerFrame::Typing { .. } | ServerFrame::Pong) {
                self.stashed.push_back(frame);
            }
        }
    }

    /// Acknowledges everything up to the last `seq` seen.
    pub async fn ack(&mut self) -> Result<(), ClientError> {
        let seq = self.last_seq;
        self.send(&ClientFrame::Ack { seq }).await
    }

    /// Closes the WebSocket politely (a close frame; the answer is not awaited).
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    /// One protocol frame from the socket, recording its `seq`.
    async fn read(&mut self) -> Result<ServerFrame, ClientError> {
        loop {
            let message = match self.socket.next().await {
                None => return Err(ClientError::Closed),
                Some(Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed)) => {
                    return Err(ClientError::Closed);
                }
                Some(Err(e)) => return Err(transport(e)),
                Some(Ok(message)) => message,
            };
            let frame = match message {
                Message::Text(text) => parse_frame(text.as_str())?,
                Message::Binary(_) => {
                    return Err(ClientError::Malformed {
                        text: "(a binary frame)".into(),
                        error: serde::de::Error::custom("protocol v1 frames are JSON text"),
                    });
                }
                Message::Close(_) => return Err(ClientError::Closed),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            };
            if let Some(seq) = frame.seq() {
                self.last_seq = self.last_seq.max(seq);
            }
            return Ok(frame);
        }
    }
}

/// Parses one server frame; anything that is not a v1 frame is an error, never skipped.
pub fn parse_frame(text: &str) -> Result<ServerFrame, ClientError> {
    serde_json::from_str(text).map_err(|error| ClientError::Malformed { text: text.chars().take(200).collect(), error })
}

/// Whether `frame` is the reply to message `id`, or an error for it (or for no id).
fn answers(frame: &ServerFrame, id: &str) -> bool {
    match frame {
        ServerFrame::Reply(r) => r.in_reply_to.as_deref() == Some(id),
        ServerFrame::Error(e) => e.in_reply_to.as_deref().is_none_or(|to| to == id),
        _ => false,
    }
}

fn finish(frame: ServerFrame) -> Result<Reply, ClientError> {
    match frame {
        ServerFrame::Reply(reply) => Ok(reply),
        ServerFrame::Error(e) => Err(ClientError::Server(e)),
        other => unreachable!("answers() only matches replies and errors, not {other:?}"),
    }
}

fn transport(e: tungstenite::Error) -> ClientError {
    match e {
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => ClientError::Closed,
        e => ClientError::Transport(Box::new(e)),
    }
}

async fn open(url: &str) -> Result<Socket, ClientError> {
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES).max_message_size(Some(MAX_FRAME_BYTES));
    // Nagle off: a turn is one small frame each way, and waiting to coalesce only adds latency.
    let (socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .map_err(|e| ClientError::Connect { url: url.to_string(), source: Box::new(e) })?;
    Ok(socket)
}

/// The host of a `ws://` URL (`[::1]` without brackets), or why the URL cannot be used: only
/// plain `ws://` is supported (no TLS in this build).
pub fn url_host(url: &str) -> Result<String, ClientError> {
    let bad = |reason| ClientError::BadUrl { url: url.to_string(), reason };
    let uri: tungstenite::http::Uri = url.parse().map_err(|_| bad("not a URL"))?;
    match uri.scheme_str() {
        Some("ws") => {}
        Some("wss") => return Err(bad("wss:// (TLS) is not supported; use ws://")),
        _ => return Err(bad("the scheme must be ws://")),
    }
    let host = uri.host().ok_or_else(|| bad("no host"))?;
    Ok(host.trim_start_matches('[').trim_end_matches(']').to_string())
}

fn check_url(url: &str) -> Result<(), ClientError> {
    url_host(url).map(|_| ())
}

#[cfg(test)]
pub(crate) mod fake {
    //! A fake chat server for tests: `welcome` to `hello`, `typing` + `reply` to a message,
    //! `pong` to `ping`. Message texts steer it: `fail` gets a `rate_limited` error frame,
    //! `ignore` gets nothing, `garbage` gets a non-v1 frame, and `drop` closes the connection
    //! the first time a session sends it under an id (sent again after a resume, it is
    //! answered, as the real server answers a repeated id from its transcript); `crash` closes
    //! it every time.
    //! [`start_signalling`] also tells the test each time a message is ignored, so that a test
    //! fires the client's timeout then (on a manual clock) instead of waiting for real time.

    use std::collections::{HashMap, HashSet};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use futures_util::{SinkExt, StreamExt};
    use tokio::net::{TcpListener, TcpSocket};
    use tokio::sync::mpsc;
    use tokio_tungstenite::tungstenite::Message;

    use crate::protocol::{ClientFrame, ErrorCode, ErrorFrame, Reply, ServerFrame};

    /// Starts the server on 127.0.0.1:0; returns its `ws://` URL.
    pub async fn start() -> String {
        serve_on(State::default()).await
    }

    /// Starts the server; returns its URL and the ids of the messages it ignores, each sent
    /// once the message has been read (so its sender is already waiting for the reply).
    pub async fn start_signalling() -> (String, mpsc::UnboundedReceiver<Option<String>>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (serve_on(State { ignored: Some(tx), ..State::default() }).await, rx)
    }

    /// A `ws://` URL whose port is bound but not listening, for as long as the socket is held:
    /// connecting is refused, and no other process can take the port meanwhile.
    pub fn refusing() -> (String, TcpSocket) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        (format!("ws://{}/ws/chat", socket.local_addr().unwrap()), socket)
    }

    async fn serve_on(state: State) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/ws/chat", listener.local_addr().unwrap());
        let state = Arc::new(state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, state.clone()));
            }
        });
        url
    }

    #[derive(Default)]
    struct State {
        sessions: AtomicU64,
        /// (session, message id) of the `drop` messages that closed a connection.
        dropped: Mutex<HashSet<(String, Option<String>)>>,
        /// The last `seq` of each session.
        seqs: Mutex<HashMap<String, u64>>,
        /// Told the id of every message ignored.
        ignored: Option<mpsc::UnboundedSender<Option<String>>>,
    }

    async fn serve(stream: tokio::net::TcpStream, state: Arc<State>) {
        let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
        let mut session = String::new();
        while let Some(Ok(message)) = ws.next().await {
            let Message::Text(text) = message else { continue };
            let out: Vec<String> = match serde_json::from_str::<ClientFrame>(text.as_str()).unwrap() {
                ClientFrame::Hello(hello) => {
                    let resumed = hello.session_id.is_some();
                    let session_id =
                        hello.session_id.unwrap_or_else(|| format!("s_{}", state.sessions.fetch_add(1, Ordering::Relaxed)));
                    session = session_id.clone();
                    let seq = state.seqs.lock().unwrap().get(&session).copied().unwrap_or(0);
                    vec![frame(&ServerFrame::Welcome { protocol: 1, session_id, seq, resumed })]
                }
                ClientFrame::Ping => vec![frame(&ServerFrame::Pong)],
                ClientFrame::Message(m) => match m.text.as_str() {
                    "ignore" => {
                        if let Some(tx) = &state.ignored {
                            let _ = tx.send(m.id);
                        }
                        vec![]
                    }
                    "drop" if state.dropped.lock().unwrap().insert((session.clone(), m.id.clone())) => return,
                    "crash" => return,
                    "garbage" => vec![r#"{"type":"surprise"}"#.to_string()],
                    "fail" => vec![frame(&ServerFrame::Error(ErrorFrame {
                        code: ErrorCode::RateLimited,
                        message: "slow down".into(),
                        in_reply_to: m.id,
                        retry_after_ms: Some(500),
                    }))],
                    text => {
                        let seq = {
                            let mut seqs = state.seqs.lock().unwrap();
                            let seq = seqs.entry(session.clone()).or_default();
                            *seq += 1;
                            *seq
                        };
                        let reply = Reply { seq, in_reply_to: m.id, text: format!("you said: {text}"), ..Reply::default() };
                        vec![frame(&ServerFrame::TYPING), frame(&ServerFrame::Reply(reply))]
                    }
                },
                _ => vec![],
            };
            for text in out {
                if ws.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
        }
    }

    fn frame(f: &ServerFrame) -> String {
        serde_json::to_string(f).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_plain_ws() {
        assert_eq!(url_host("ws://127.0.0.1:8080/ws/chat").unwrap(), "127.0.0.1");
        assert_eq!(url_host("ws://[::1]:8080/ws/chat").unwrap(), "::1");
        assert!(matches!(url_host("wss://localhost/ws/chat"), Err(ClientError::BadUrl { .. })));
        assert!(matches!(url_host("http://localhost/ws/chat"), Err(ClientError::BadUrl { .. })));
        assert!(matches!(url_host("not a url"), Err(ClientError::BadUrl { .. })));
    }

    #[test]
    fn frames_that_are_not_v1_are_errors() {
        assert!(matches!(parse_frame(r#"{"type":"typing"}"#), Ok(ServerFrame::Typing { agent: None })));
        assert!(matches!(parse_frame(r#"{"type":"surprise"}"#), Err(ClientError::Malformed { .. })));
        assert!(matches!(parse_frame("not json"), Err(ClientError::Malformed { .. })));
    }

    #[tokio::test]
    async fn a_turn_skips_typing_and_returns_its_reply() {
        let url = fake::start().await;
        let mut conn = Connection::connect(&url).await.unwrap();
        let welcome = conn.hello(Channel::Web, None, 0).await.unwrap();
        assert!(!welcome.resumed);
        assert_eq!(conn.session_id(), Some(welcome.session_id.as_str()));

        let reply = conn.turn("running shoes").await.unwrap();
        let first = reply.in_reply_to.clone().unwrap();
        assert!(first.ends_with("-1"), "{first}");
        assert_eq!(reply.text, "you said: running shoes");
        let reply = conn.turn("in blue").await.unwrap();
        let second = reply.in_reply_to.clone().unwrap();
        assert!(second.ends_with("-2") && second[..second.len() - 2] == first[..first.len() - 2], "{second}");
        let other = Connection::connect(&url).await.unwrap().next_message_id();
        assert_ne!(other, first, "two connections share message ids");
        assert_eq!(conn.last_seq(), 2);
        assert!(conn.take_stashed().is_empty(), "typing frames are not kept");

        match conn.turn("fail").await {
            Err(ClientError::Server(e)) => {
                assert!(e.in_reply_to.as_deref().is_some_and(|id| id.ends_with("-3")), "{e:?}");
                assert_eq!(describe_error(&e), "rate_limited: slow down (retry after 500 ms)");
            }
            other => panic!("expected an error frame, got {other:?}"),
        }
        conn.send(&ClientFrame::Ping).await.unwrap();
        assert_eq!(conn.recv().await.unwrap(), ServerFrame::Pong);
        conn.ack().await.unwrap();

        assert!(matches!(conn.turn("garbage").await, Err(ClientError::Malformed { .. })));
        let dropped = conn.turn("drop").await.unwrap_err();
        assert!(dropped.is_disconnect(), "{dropped:?}");
    }

    #[tokio::test]
    async fn reconnect_resumes_the_session_and_keeps_counting_ids() {
        let url = fake::start().await;
        let mut conn = Connection::connect(&url).await.unwrap();
        let first = conn.hello(Channel::Voice, None, 0).await.unwrap();
        conn.turn("hello").await.unwrap();
        assert!(conn.turn("drop").await.unwrap_err().is_disconnect());
        let again = conn.reconnect().await.unwrap();
        assert!(again.resumed);
        assert_eq!(again.session_id, first.session_id);
        let reply = conn.turn("still there?").await.unwrap();
        assert!(reply.in_reply_to.as_deref().is_some_and(|id| id.ends_with("-3")), "ids restarted: {reply:?}");
    }

    #[tokio::test]
    async fn connecting_to_a_closed_port_is_a_connect_error() {
        let (url, _held) = fake::refusing();
        let err = Connection::connect(&url).await.err().unwrap();
        assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
        assert!(!err.is_too_many_open_files());
    }
}
