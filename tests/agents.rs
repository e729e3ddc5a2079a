//! The support-agent console's protocol (`/ws/agent`) against a real server on port 0 with
//! real shopper WebSockets: signing in, the live inbox, an atomic take-over between two agents,
//! the assistant's silence while a person owns the conversation, private notes, hand-back with
//! the agent's products as the ones in view, the honest answer when nobody is online, and the
//! same conversation on every tab.

mod common;

use aisle::protocol::agent::{AgentServerFrame, SessionSummary};
use aisle::protocol::{ErrorCode, ServerFrame, SessionStatus};
use common::{AGENT_KEY, RawSocket, TestServer, next_frame, raw_socket};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

async fn console(server: &TestServer) -> RawSocket {
    tokio_tungstenite::connect_async(format!("ws://{}/ws/agent", server.addr)).await.unwrap().0
}

async fn send(socket: &mut RawSocket, frame: serde_json::Value) {
    socket.send(Message::Text(frame.to_string().into())).await.unwrap();
}

/// A failure bound on any one wait, so a missing frame fails the test instead of hanging it.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// The next console frame; `None` when the server closed the connection.
async fn next_agent_frame(socket: &mut RawSocket) -> Option<AgentServerFrame> {
    loop {
        let next = tokio::time::timeout(PATIENCE, socket.next()).await.expect("a console frame in time");
        match next? {
            Ok(Message::Text(text)) => return Some(serde_json::from_str(text.as_str()).unwrap()),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

/// The console's frames until one matches.
async fn until(socket: &mut RawSocket, wanted: impl Fn(&AgentServerFrame) -> bool) -> AgentServerFrame {
    loop {
        let frame = next_agent_frame(socket).await.expect("the console stays connected");
        if wanted(&frame) {
            return frame;
        }
    }
}

/// A signed-in console, past its welcome and inbox.
async fn signed_in(server: &TestServer, name: &str) -> (RawSocket, Vec<SessionSummary>) {
    let mut socket = console(server).await;
    send(&mut socket, json!({"type": "hello", "key": AGENT_KEY, "name": name})).await;
    assert!(matches!(next_agent_frame(&mut socket).await, Some(AgentServerFrame::Welcome { agent, .. }) if agent == name));
    match next_agent_frame(&mut socket).await {
        Some(AgentServerFrame::Inbox { sessions }) => (socket, sessions),
        other => panic!("expected the inbox, got {other:?}"),
    }
}

/// A shopper's socket with a new session; its id.
async fn shopper(server: &TestServer) -> (RawSocket, String) {
    let mut socket = raw_socket(server).await;
    send(&mut socket, json!({"type": "hello"})).await;
    match next_frame(&mut socket).await {
        ServerFrame::Welcome { session_id, .. } => (socket, session_id),
        other => panic!("expected welcome, got {other:?}"),
    }
}

/// The shopper's next frame that is not a typing indicator.
async fn next_shown(socket: &mut RawSocket) -> ServerFrame {
    loop {
        match tokio::time::timeout(PATIENCE, next_frame(socket)).await.expect("a shopper frame in time") {
            ServerFrame::Typing { .. } => continue,
            frame => return frame,
        }
    }
}

async fn ask(socket: &mut RawSocket, id: &str, text: &str) {
    send(socket, json!({"type": "message", "id": id, "text": text})).await;
}

fn waiting_for(session_id: &str) -> impl Fn(&AgentServerFrame) -> bool + '_ {
    move |f| matches!(f, AgentServerFrame::Session { session } if session.session_id == session_id && session.status == SessionStatus::WaitingForAgent)
}

#[tokio::test]
async fn only_the_agent_key_signs_in() {
    let server = TestServer::start().await;
    let mut wrong = console(&server).await;
    send(&mut wrong, json!({"type": "hello", "key": "test-agent-key-012345678X", "name": "Mallory"})).await;
    match next_agent_frame(&mut wrong).await {
        Some(AgentServerFrame::Error(e)) => assert_eq!(e.code, ErrorCode::Unauthorized),
        other => panic!("{other:?}"),
    }
    assert!(next_agent_frame(&mut wrong).await.is_none(), "the connection is closed");

    let mut early = console(&server).await;
    send(&mut early, json!({"type": "take_over", "session_id": "s_0"})).await;
    assert!(matches!(next_agent_frame(&mut early).await, Some(AgentServerFrame::Error(e)) if e.code == ErrorCode::Unauthorized));
    assert!(next_agent_frame(&mut early).await.is_none());

    let (mut good, _) = signed_in(&server, "Dana").await;
    send(&mut good, json!({"type": "ping"})).await;
    assert_eq!(next_agent_frame(&mut good).await, Some(AgentServerFrame::Pong));
    send(&mut good, json!({"type": "steal"})).await;
    assert!(matches!(next_agent_frame(&mut good).await, Some(AgentServerFrame::Error(e)) if e.code == ErrorCode::BadRequest && e.message.contains("steal")));
}

#[tokio::test]
async fn one_agent_takes_over_the_assistant_stays_silent_and_hands_back_with_the_products_sent() {
    let server = TestServer::start().await;
    let (mut dana, _) = signed_in(&server, "Dana").await;
    let (mut sam, _) = signed_in(&server, "Sam").await;
    let (mut shop, session) = shopper(&server).await;

    ask(&mut shop, "m1", "show me steel water bottles").await;
    let ServerFrame::Reply(found) = next_shown(&mut shop).await else { panic!("a reply") };
    assert!(!found.products.is_empty());
    ask(&mut shop, "m2", "I'd rather chat with one of your human staff").await;
    let ServerFrame::Reply(_) = next_shown(&mut shop).await else { panic!("a reply") };
    assert!(matches!(next_shown(&mut shop).await, ServerFrame::Status { status: SessionStatus::WaitingForAgent, .. }));

    // The inbox shows it waiting, with why and since when.
    let AgentServerFrame::Session { session: summary } = until(&mut dana, waiting_for(&session)).await else { unreachable!() };
    assert_eq!(summary.reason.as_deref(), Some("asked"));
    assert!(summary.waiting_since.is_some());

    // The transcript as the shopper saw it, bot turns with their intent; the context.
    send(&mut dana, json!({"type": "subscribe", "session_id": session, "after": 0})).await;
    let AgentServerFrame::Transcript { entries, context, .. } = until(&mut dana, |f| matches!(f, AgentServerFrame::Transcript { .. })).await else { unreachable!() };
    let roles: Vec<&str> = entries.iter().map(|e| e.role.as_str()).collect();
    assert_eq!(roles, ["shopper", "assistant", "shopper", "assistant", "system"]);
    assert_eq!(entries[1].frame["intent"]["name"], "search");
    assert_eq!(context.status, SessionStatus::WaitingForAgent);
    assert_eq!(context.shown.len(), found.products.len());

    // Both take over at once: exactly one owns it, the other is told who.
    send(&mut dana, json!({"type": "take_over", "session_id": session, "id": "t1"})).await;
    send(&mut sam, json!({"type": "take_over", "session_id": session, "id": "t2"})).await;
    let joined = next_shown(&mut shop).await;
    let ServerFrame::Status { status: SessionStatus::AgentJoined, agent: Some(owner), .. } = joined else { panic!("{joined:?}") };
    let (loser, winner_name) = if owner == "Dana" { (&mut sam, "Dana") } else { (&mut dana, "Sam") };
    let AgentServerFrame::Error(refused) = until(loser, |f| matches!(f, AgentServerFrame::Error(_))).await else { unreachable!() };
    assert_eq!((refused.code, refused.in_reply_to.is_some()), (ErrorCode::Conflict, true));
    assert!(refused.message.contains(winner_name), "{}", refused.message);
    let winner = if owner == "Dana" { &mut dana } else { &mut sam };

    // The shopper writes: the owner sees it; the assistant does not answer. The agent's note
    // and message follow; the shopper's next frame is the agent's message, so no reply and no
    // note came before it.
    ask(&mut shop, "m3", "is somebody reading this now").await;
    if owner == "Sam" {
        send(winner, json!({"type": "subscribe", "session_id": session, "after": 0})).await;
    }
    until(winner, |f| matches!(f, AgentServerFrame::Entry { entry, .. } if entry.role == "shopper" && entry.frame["text"] == "is somebody reading this now")
        || matches!(f, AgentServerFrame::Transcript { entries, .. } if entries.iter().any(|e| e.frame["text"] == "is somebody reading this now")))
    .await;
    send(winner, json!({"type": "note", "session_id": session, "text": "private: offer the larger one"})).await;
    let pick = found.products[1].id.clone();
    send(winner, json!({"type": "send", "session_id": session, "text": "This one keeps drinks cold longest.", "product_ids": [pick]})).await;
    match next_shown(&mut shop).await {
        ServerFrame::AgentMessage { agent, text, products, .. } => {
            assert_eq!(agent, owner);
            assert!(text.contains("cold"));
            assert_eq!(products.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [pick.as_str()]);
        }
        other => panic!("expected the agent's message, got {other:?}"),
    }
    // Only the owner writes.
    let other_agent = if owner == "Dana" { &mut sam } else { &mut dana };
    send(other_agent, json!({"type": "send", "session_id": session, "text": "me too", "id": "x"})).await;
    assert!(matches!(until(other_agent, |f| matches!(f, AgentServerFrame::Error(_))).await, AgentServerFrame::Error(e) if e.code == ErrorCode::Conflict));

    let winner = if owner == "Dana" { &mut dana } else { &mut sam };
    send(winner, json!({"type": "hand_back", "session_id": session})).await;
    assert!(matches!(next_shown(&mut shop).await, ServerFrame::Status { status: SessionStatus::AgentLeft, .. }));

    // The assistant is back, and "it" is what the agent suggested.
    ask(&mut shop, "m4", "put it in my basket please").await;
    let ServerFrame::Reply(added) = next_shown(&mut shop).await else { panic!("a reply") };
    let cart = added.cart.expect("a cart");
    assert_eq!(cart.items.iter().map(|i| i.product_id.as_str()).collect::<Vec<_>>(), [pick.as_str()]);

    // The note is in the agents' transcript and never in the shopper's.
    send(winner, json!({"type": "subscribe", "session_id": session, "after": 0})).await;
    let AgentServerFrame::Transcript { entries, .. } = until(winner, |f| matches!(f, AgentServerFrame::Transcript { .. })).await else { unreachable!() };
    assert!(entries.iter().any(|e| e.role == "note" && e.frame["text"].as_str().unwrap().contains("larger")));
    let mut again = raw_socket(&server).await;
    send(&mut again, json!({"type": "hello", "session_id": session, "last_seq": 0})).await;
    let mut replayed = Vec::new();
    let ServerFrame::Welcome { seq, .. } = next_frame(&mut again).await else { panic!() };
    for _ in 0..seq {
        replayed.push(serde_json::to_string(&next_frame(&mut again).await).unwrap());
    }
    assert!(replayed.iter().all(|f| !f.contains("larger")), "{replayed:?}");
}

#[tokio::test]
async fn with_nobody_online_the_shopper_is_told_so_and_leaves_an_email() {
    let server = TestServer::start().await;
    let (mut shop, session) = shopper(&server).await;
    ask(&mut shop, "m1", "please put me through to customer service staff").await;
    let ServerFrame::Reply(reply) = next_shown(&mut shop).await else { panic!("a reply") };
    assert!(reply.text.to_lowercase().contains("online") && reply.text.contains("email"), "{}", reply.text);
    assert!(matches!(next_shown(&mut shop).await, ServerFrame::Status { status: SessionStatus::WaitingForAgent, .. }));
    ask(&mut shop, "m2", "sure, it's rohan.k@example.org").await;
    let ServerFrame::Reply(saved) = next_shown(&mut shop).await else { panic!("a reply") };
    assert!(saved.text.contains("rohan.k@example.org"), "{}", saved.text);

    let (mut dana, inbox) = signed_in(&server, "Dana").await;
    let line = inbox.iter().find(|s| s.session_id == session).expect("the conversation is in the inbox");
    assert_eq!((line.status, line.email.as_deref()), (SessionStatus::WaitingForAgent, Some("rohan.k@example.org")));
    // The address is kept where the team needs it, and redacted in the stored transcript.
    send(&mut dana, json!({"type": "subscribe", "session_id": session})).await;
    let AgentServerFrame::Transcript { entries, context, .. } = until(&mut dana, |f| matches!(f, AgentServerFrame::Transcript { .. })).await else { unreachable!() };
    assert_eq!(context.email.as_deref(), Some("rohan.k@example.org"));
    let stored = serde_json::to_string(&entries).unwrap();
    assert!(stored.contains("sure, it's [email]") && !stored.contains("rohan.k@"), "{stored}");
}

#[tokio::test]
async fn every_tab_of_a_session_sees_the_whole_conversation() {
    let server = TestServer::start().await;
    let (mut first, session) = shopper(&server).await;
    let mut second = raw_socket(&server).await;
    send(&mut second, json!({"type": "hello", "session_id": session, "last_seq": 0})).await;
    assert!(matches!(next_frame(&mut second).await, ServerFrame::Welcome { resumed: true, .. }));

    ask(&mut first, "m1", "I'm after a leather wallet").await;
    let ServerFrame::Reply(reply) = next_shown(&mut first).await else { panic!("a reply") };
    match next_frame(&mut second).await {
        ServerFrame::ShopperMessage { text, id } => assert_eq!((text.as_str(), id.as_deref()), ("I'm after a leather wallet", Some("m1"))),
        other => panic!("expected the shopper's message, got {other:?}"),
    }
    match next_frame(&mut second).await {
        ServerFrame::Reply(same) => assert_eq!(same, reply),
        other => panic!("expected the reply, got {other:?}"),
    }
    // The tab that asked got the reply once: its next frame answers its next message.
    send(&mut first, json!({"type": "ping"})).await;
    assert_eq!(next_frame(&mut first).await, ServerFrame::Pong);
}

#[tokio::test]
async fn the_demo_shop_signs_in_as_demo_customers_only() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let list: serde_json::Value = client.get(server.url("/v1/demo/customers")).send().await.unwrap().json().await.unwrap();
    let first = list["customers"][0]["id"].as_str().expect("a demo customer").to_string();
    let minted: serde_json::Value = client.post(server.url("/v1/demo/token")).json(&json!({"customer_id": first})).send().await.unwrap().json().await.unwrap();
    let token = minted["token"].as_str().unwrap();
    assert_eq!(server.orders.authenticate(token, aisle::orders::now()).unwrap().customer_id, first);
    let refused = client.post(server.url("/v1/demo/token")).json(&json!({"customer_id": "C-not-demo"})).send().await.unwrap();
    assert_eq!(refused.status(), 404);
}

#[test]
fn the_shoppers_words_here_are_not_training_examples() {
    common::assert_source_unseen(include_str!("agents.rs"));
}
