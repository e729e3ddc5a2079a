//! `/ws/agent`: the support-agent console's protocol (`docs/protocol.md` "Agent console").
//! An agent signs in with the configured key (compared in constant time) and a name, then gets
//! the inbox, kept live from the sessions' notices; subscribes to conversations (transcript
//! after an entry id, context, then live entries), takes them over, writes, notes, hands back.
//! What changed is always read from the store, so a console that falls behind or reconnects
//! resumes without gaps.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, close_code};
use axum::response::{IntoResponse, Response};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::broadcast;

use crate::catalog::SearchRequest;
use crate::orders::identity::same_secret;
use crate::protocol::agent::{AgentClientFrame, AgentServerFrame};
use crate::protocol::{ErrorCode, ProductCard, ServerFrame};
use crate::session::SessionError;
use crate::session::live::{AgentNotice, Online};

use super::AppState;
use super::frames;
use super::ws::{MAX_FRAME_BYTES, close};

/// The inbox lists conversations updated within this long…
const INBOX_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// …at most this many.
const INBOX_LIMIT: usize = 200;
/// Longest agent name, in characters.
const MAX_NAME_CHARS: usize = 40;
/// Products a console search returns.
const SEARCH_LIMIT: usize = 10;

pub async fn upgrade(State(state): State<AppState>, headers: axum::http::HeaderMap, ws: WebSocketUpgrade) -> Response {
    if state.agent_key.is_none() {
        return super::ApiError::NotFound("the agent console is off: configure agent_key".into()).into_response();
    }
    if !state.origins.admits(&headers) {
        return super::ApiError::Forbidden("this origin may not open the agent console".into()).into_response();
    }
    ws.max_message_size(MAX_FRAME_BYTES).max_frame_size(MAX_FRAME_BYTES).on_upgrade(move |socket: WebSocket| {
        let tracker = state.connections.tracker.clone();
        tracker.track_future(async move {
            let (sink, stream) = socket.split();
            serve(state, sink, stream).await;
        })
    })
}

/// Serves one console connection until it leaves, is refused, or the server shuts down.
pub async fn serve<W, R>(state: AppState, mut sink: W, mut stream: R)
where
    W: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let shutdown = state.connections.shutdown.clone();
    let mut console: Option<Console> = None;
    loop {
        let text = tokio::select! {
            biased;
            () = shutdown.cancelled() => {
                let _ = sink.send(close(close_code::AWAY, "server shutting down")).await;
                return;
            }
            next = stream.next() => match next {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => continue,
            },
            notice = next_notice(&mut console) => {
                let Some(console) = console.as_mut() else { continue };
                let frames = match notice {
                    Ok(notice) => console.noticed(&state, &notice).await,
                    // Fell behind: everything the console shows is read again.
                    Err(broadcast::error::RecvError::Lagged(_)) => console.refresh(&state).await,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if send_all(&mut sink, frames).await.is_err() {
                    return;
                }
                continue;
            }
        };
        let frames = match frames::parse::<AgentClientFrame>(text.as_str(), &AgentClientFrame::TYPES).map_err(AgentServerFrame::Error) {
            Err(error) => vec![error],
            Ok(AgentClientFrame::Hello { key, name }) if console.is_none() => match sign_in(&state, &key, &name) {
                Ok(signed_in) => {
                    let welcome = AgentServerFrame::Welcome { agent: signed_in.name.clone(), now: state.sessions.clock().now_ms() };
                    let inbox = signed_in.inbox(&state).await;
                    console = Some(signed_in);
                    vec![welcome, inbox]
                }
                Err(error) => {
                    let _ = send_all(&mut sink, vec![error]).await;
                    let _ = sink.send(close(close_code::POLICY, "agent key refused")).await;
                    return;
                }
            },
            Ok(frame) => match console.as_mut() {
                Some(console) => console.frame(&state, frame).await,
                None => {
                    let _ = send_all(&mut sink, vec![error(ErrorCode::Unauthorized, "sign in first: hello with the agent key and your name", None)]).await;
                    let _ = sink.send(close(close_code::POLICY, "sign in first")).await;
                    return;
                }
            },
        };
        if send_all(&mut sink, frames).await.is_err() {
            return;
        }
    }
}

/// A signed-in console.
struct Console {
    name: String,
    notices: broadcast::Receiver<AgentNotice>,
    _online: Online,
    /// Conversations subscribed to, with the last entry id sent.
    subscribed: HashMap<String, i64>,
}

fn sign_in(state: &AppState, key: &str, name: &str) -> Result<Console, AgentServerFrame> {
    let expected = state.agent_key.as_deref().unwrap_or_default();
    if !same_secret(key, expected) {
        return Err(error(ErrorCode::Unauthorized, "the agent key was refused", None));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(error(ErrorCode::BadRequest, &format!("an agent's name is 1 to {MAX_NAME_CHARS} characters"), None));
    }
    let (notices, online) = state.sessions.live().agent();
    Ok(Console { name: name.to_string(), notices, _online: online, subscribed: HashMap::new() })
}

impl Console {
    async fn inbox(&self, state: &AppState) -> AgentServerFrame {
        let since = state.sessions.clock().now_ms() - INBOX_WINDOW.as_millis() as i64;
        match state.sessions.summaries(since, INBOX_LIMIT).await {
            Ok(sessions) => AgentServerFrame::Inbox { sessions },
            Err(e) => failure(&e, None),
        }
    }

    /// The answer to one frame of a signed-in console.
    async fn frame(&mut self, state: &AppState, frame: AgentClientFrame) -> Vec<AgentServerFrame> {
        let id = frame.id().map(str::to_string);
        let done = |result: Result<(), SessionError>| match result {
            Ok(()) => Vec::new(),
            Err(e) => vec![failure(&e, id.clone())],
        };
        let sessions = &state.sessions;
        match frame {
            AgentClientFrame::Hello { .. } => vec![error(ErrorCode::BadRequest, "hello was already sent on this connection", None)],
            AgentClientFrame::Ping => vec![AgentServerFrame::Pong],
            AgentClientFrame::Subscribe { session_id, after } => self.subscribe(state, session_id, after).await,
            AgentClientFrame::Unsubscribe { session_id } => {
                self.subscribed.remove(&session_id);
                Vec::new()
            }
            AgentClientFrame::TakeOver { session_id, .. } => done(sessions.take_over(&session_id, &self.name).await),
            AgentClientFrame::Send { session_id, text, product_ids, .. } => done(sessions.agent_message(&session_id, &self.name, &text, &product_ids).await),
            AgentClientFrame::Note { session_id, text, .. } => done(sessions.agent_note(&session_id, &self.name, &text).await),
            AgentClientFrame::HandBack { session_id, .. } => done(sessions.hand_back(&session_id, &self.name).await),
            AgentClientFrame::Typing { session_id } => {
                sessions.live().frame(&session_id, ServerFrame::Typing { agent: Some(self.name.clone()) }, None);
                sessions.live().typing(&session_id, &self.name);
                Vec::new()
            }
            AgentClientFrame::Search { q, id } => {
                let request = SearchRequest { text: q, limit: SEARCH_LIMIT, ..SearchRequest::default() };
                match state.catalog.search(&request) {
                    Ok(results) => vec![AgentServerFrame::SearchResults { id, products: results.hits.iter().map(|h| ProductCard::from(&h.product)).collect() }],
                    Err(e) => vec![error(ErrorCode::BadRequest, &e.to_string(), id)],
                }
            }
        }
    }

    async fn subscribe(&mut self, state: &AppState, session_id: String, after: i64) -> Vec<AgentServerFrame> {
        let read = async {
            let entries = state.sessions.entries(&session_id, after).await?;
            let context = state.sessions.console_context(&session_id).await?;
            Ok::<_, SessionError>((entries, context))
        };
        match read.await {
            Ok((entries, context)) => {
                let last = entries.last().map_or(after, |e| e.id);
                self.subscribed.insert(session_id.clone(), last);
                vec![AgentServerFrame::Transcript { session_id, entries, context }]
            }
            Err(e) => vec![failure(&e, None)],
        }
    }

    /// What a session's notice changes on this console: its inbox line, and for a subscribed
    /// conversation the new entries and the context.
    async fn noticed(&mut self, state: &AppState, notice: &AgentNotice) -> Vec<AgentServerFrame> {
        let session_id = notice.session_id.to_string();
        if let Some(who) = &notice.typing {
            let shown = self.subscribed.contains_key(&session_id) && **who != *self.name;
            return if shown { vec![AgentServerFrame::Typing { session_id, who: who.to_string() }] } else { Vec::new() };
        }
        let mut frames = Vec::new();
        match state.sessions.summary(&session_id).await {
            Ok(Some(session)) => frames.push(AgentServerFrame::Session { session }),
            Ok(None) => {}
            Err(e) => frames.push(failure(&e, None)),
        }
        if let Some(&after) = self.subscribed.get(&session_id) {
            frames.extend(self.updates(state, &session_id, after).await);
        }
        frames
    }

    /// New entries of a subscribed conversation after `after`, and its context.
    async fn updates(&mut self, state: &AppState, session_id: &str, after: i64) -> Vec<AgentServerFrame> {
        let mut frames = Vec::new();
        match state.sessions.entries(session_id, after).await {
            Ok(entries) => {
                if let Some(last) = entries.last() {
                    self.subscribed.insert(session_id.to_string(), last.id);
                }
                frames.extend(entries.into_iter().map(|entry| AgentServerFrame::Entry { session_id: session_id.to_string(), entry }));
            }
            Err(e) => frames.push(failure(&e, None)),
        }
        match state.sessions.console_context(session_id).await {
            Ok(context) => frames.push(AgentServerFrame::Context { session_id: session_id.to_string(), context }),
            Err(e) => frames.push(failure(&e, None)),
        }
        frames
    }

    /// Everything again, after notices were missed: the inbox and each subscription's news.
    async fn refresh(&mut self, state: &AppState) -> Vec<AgentServerFrame> {
        let mut frames = vec![self.inbox(state).await];
        let subscribed: Vec<(String, i64)> = self.subscribed.iter().map(|(s, a)| (s.clone(), *a)).collect();
        for (session_id, after) in subscribed {
            frames.extend(self.updates(state, &session_id, after).await);
        }
        frames
    }
}

async fn next_notice(console: &mut Option<Console>) -> Result<AgentNotice, broadcast::error::RecvError> {
    match console {
        Some(console) => console.notices.recv().await,
        None => std::future::pending().await,
    }
}

fn error(code: ErrorCode, message: &str, in_reply_to: Option<String>) -> AgentServerFrame {
    AgentServerFrame::Error(frames::error(code, message, in_reply_to, None))
}

fn failure(e: &SessionError, in_reply_to: Option<String>) -> AgentServerFrame {
    AgentServerFrame::Error(frames::failure(e, in_reply_to))
}

async fn send_all<W: Sink<Message> + Unpin>(sink: &mut W, frames: Vec<AgentServerFrame>) -> Result<(), W::Error> {
    for frame in frames {
        sink.send(Message::Text(serde_json::to_string(&frame).expect("frames serialize").into())).await?;
    }
    Ok(())
}
