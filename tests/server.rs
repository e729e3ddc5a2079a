//! What README.md and docs/protocol.md promise about the server, against a real server on port 0
//! (the real model, the demo index, a real SQLite file): the per-connection rate limit,
//! `overloaded` (503 over HTTP) when the model's queue is full, one turn at a time per session
//! across sockets and HTTP, the verification lockout over time and across a restart, index
//! builds one at a time and interrupted, and the close on shutdown with a turn in flight.
//! Time is a manual clock and the model's workers are held, so nothing races the wall clock.

mod common;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use aisle::catalog::index::{self, BuildOptions, IndexSource};
use aisle::catalog::synonyms::Synonyms;
use aisle::catalog::{Catalog, CatalogError, Product};
use aisle::client::{ClientError, Connection};
use aisle::nlu::encoder::BatchOptions;
use aisle::protocol::{Channel, ChatResponse, ErrorCode, ErrorFrame, Reply, ServerFrame};
use aisle::session::Clock;
use aisle::session::store::{Role, Store};
use common::{RawSocket, ServerOptions, TestServer, demo_products, next_frame, raw_socket, repo_path};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

async fn send(socket: &mut RawSocket, frame: serde_json::Value) {
    socket.send(Message::text(frame.to_string())).await.unwrap();
}

/// Opens a session (a new one, or resumes `session` after `last_seq`) and returns its id and
/// the welcome's seq.
async fn hello(socket: &mut RawSocket, session: Option<&str>, last_seq: u64) -> (String, u64) {
    send(socket, serde_json::json!({"type": "hello", "session_id": session, "last_seq": last_seq})).await;
    match next_frame(socket).await {
        ServerFrame::Welcome { session_id, seq, .. } => (session_id, seq),
        other => panic!("expected a welcome, got {other:?}"),
    }
}

fn reply(frame: ServerFrame) -> Reply {
    match frame {
        ServerFrame::Reply(reply) => reply,
        other => panic!("expected a reply, got {other:?}"),
    }
}

fn error(frame: ServerFrame) -> ErrorFrame {
    match frame {
        ServerFrame::Error(error) => error,
        other => panic!("expected an error frame, got {other:?}"),
    }
}

/// The answer to one message or action sent on a raw socket: `typing`, then its frame.
async fn answer(socket: &mut RawSocket, frame: serde_json::Value) -> ServerFrame {
    send(socket, frame).await;
    match next_frame(socket).await {
        ServerFrame::Typing { .. } => next_frame(socket).await,
        refused => refused,
    }
}

fn message(id: &str, text: &str) -> serde_json::Value {
    serde_json::json!({"type": "message", "id": id, "text": text})
}

fn view_cart(id: &str) -> serde_json::Value {
    serde_json::json!({"type": "action", "id": id, "action": "view_cart"})
}

/// Every stored frame of a session, as a new connection resuming from seq 0 gets it replayed:
/// the welcome's seq, then the replies.
async fn replayed(server: &TestServer, session: &str) -> (u64, Vec<Reply>) {
    let mut socket = raw_socket(server).await;
    let (_, seq) = hello(&mut socket, Some(session), 0).await;
    let mut replies = Vec::new();
    for _ in 0..seq {
        replies.push(reply(next_frame(&mut socket).await));
    }
    (seq, replies)
}

/// The shopper messages stored for a session, read from the SQLite file.
async fn stored_shopper_messages(server: &TestServer, session: &str) -> usize {
    let store = Store::open(&server.database).await.unwrap();
    store.transcript(session, 10_000).await.unwrap().iter().filter(|e| e.role == Role::Shopper).count()
}

#[tokio::test]
async fn a_burst_over_twenty_is_refused_until_the_time_it_names_and_nothing_is_stored_for_it() {
    let clock = Clock::manual();
    let server = TestServer::start_with(ServerOptions { clock: clock.clone(), ..ServerOptions::default() }).await;
    let mut socket = raw_socket(&server).await;
    let (session, _) = hello(&mut socket, None, 0).await;
    for i in 1..=20 {
        let answered = reply(answer(&mut socket, view_cart(&format!("b{i}"))).await);
        assert_eq!((answered.seq, answered.in_reply_to), (i, Some(format!("b{i}"))));
    }
    // 5 a second sustained: the 21st, a message or a button, waits 200 ms for its token.
    for over in [message("over", "got any steel flasks?"), view_cart("over-2")] {
        let refused = error(answer(&mut socket, over.clone()).await);
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert_eq!(refused.in_reply_to.as_deref(), over["id"].as_str());
        assert_eq!(refused.retry_after_ms, Some(200));
    }
    // Nothing of the refused frames is numbered, replayed or stored.
    let (seq, replies) = replayed(&server, &session).await;
    assert_eq!(seq, 20);
    assert!(replies.iter().all(|r| r.in_reply_to.as_deref().is_some_and(|id| id.starts_with('b'))), "{replies:?}");
    assert_eq!(stored_shopper_messages(&server, &session).await, 20);

    clock.advance(Duration::from_millis(199));
    let early = error(answer(&mut socket, message("over", "got any steel flasks?")).await);
    assert_eq!((early.code, early.retry_after_ms), (ErrorCode::RateLimited, Some(1)));
    clock.advance(Duration::from_millis(1));
    // The same id is answered as new: the refusal left no trace of it.
    let answered = reply(answer(&mut socket, message("over", "got any steel flasks?")).await);
    assert_eq!((answered.seq, answered.in_reply_to.as_deref()), (21, Some("over")));
    assert!(answered.intent.is_some());
    assert_eq!(stored_shopper_messages(&server, &session).await, 21);
    // A second of quiet is five more, not six.
    clock.advance(Duration::from_secs(1));
    for i in 1..=5 {
        assert_eq!(reply(answer(&mut socket, view_cart(&format!("c{i}"))).await).seq, 21 + i);
    }
    assert_eq!(error(answer(&mut socket, view_cart("c6")).await).code, ErrorCode::RateLimited);
}

#[tokio::test]
async fn a_full_model_queue_is_overloaded_over_websocket_and_503_over_http_and_nothing_is_stored() {
    let nlu = common::nlu_with(BatchOptions { queue: 2, workers: 1, ..BatchOptions::default() });
    let server = TestServer::start_with(ServerOptions { assistant: Some(common::assistant_over(nlu.clone())), ..ServerOptions::default() }).await;
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    chat.hello(Channel::Web, None, 0).await.unwrap();
    let session = chat.session_id().unwrap().to_string();
    assert_eq!(chat.turn("any wall clocks?").await.unwrap().seq, 1);

    // The worker parked and the queue's two places taken: the model can take nothing more.
    let hold = nlu.encoder().hold().await.unwrap();
    let queued: Vec<_> = ["first in line", "second in line"].iter().map(|t| nlu.encoder().embed(vec![t.to_string()])).collect();
    match chat.turn("and desk lamps?").await {
        Err(ClientError::Server(e)) => {
            assert_eq!(e.code, ErrorCode::Overloaded);
            assert!(e.retry_after_ms.is_some_and(|ms| ms > 0), "{e:?}");
        }
        other => panic!("expected overloaded, got {other:?}"),
    }
    let http = reqwest::Client::new();
    for body in [serde_json::json!({"session_id": session, "text": "and desk lamps?"}), serde_json::json!({"text": "and desk lamps?"})] {
        let refused = http.post(server.url("/v1/chat")).json(&body).send().await.unwrap();
        assert_eq!(refused.status(), 503, "{body}");
        let refused: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(refused["error"]["code"], "overloaded");
    }

    drop(hold);
    for request in queued {
        assert_eq!(request.await.unwrap().len(), 1);
    }
    assert_eq!(chat.turn("and desk lamps?").await.unwrap().seq, 2);
    let (seq, replies) = replayed(&server, &session).await;
    assert_eq!((seq, replies.len()), (2, 2));
    assert_eq!(stored_shopper_messages(&server, &session).await, 2);
}

#[tokio::test]
async fn one_sessions_turns_from_two_sockets_and_http_at_once_are_numbered_once_each_in_order() {
    let server = TestServer::start().await;
    let mut a = Connection::connect(&server.ws_url()).await.unwrap();
    a.hello(Channel::Web, None, 0).await.unwrap();
    let session = a.session_id().unwrap().to_string();
    let mut b = Connection::connect(&server.ws_url()).await.unwrap();
    assert!(b.hello(Channel::Web, Some(session.clone()), 0).await.unwrap().resumed);

    // Every message goes out before any answer is read, so the turns overlap.
    let texts = ["any wall clocks?", "got steel flasks", "mugs for coffee", "show me sunglasses", "cheap watches please"];
    let mut sent: HashMap<&str, Vec<String>> = HashMap::new();
    for (name, chat) in [("a", &mut a), ("b", &mut b)] {
        for text in texts {
            let id = chat.next_message_id();
            chat.send_message(&id, text).await.unwrap();
            sent.entry(name).or_default().push(id);
        }
    }
    let http = reqwest::Client::new();
    let posts = texts[..4].iter().map(|text| {
        let request = http.post(server.url("/v1/chat")).json(&serde_json::json!({"session_id": session, "text": text}));
        async move { request.send().await.unwrap().json::<ChatResponse>().await.unwrap().reply.expect("the assistant answers") }
    });
    let (by_http, by_a, by_b) = tokio::join!(futures_util::future::join_all(posts), replies(&mut a, &sent["a"]), replies(&mut b, &sent["b"]));

    // A socket's messages are answered in the order sent.
    for replies in [&by_a, &by_b] {
        assert!(replies.windows(2).all(|w| w[0].seq < w[1].seq), "{:?}", replies.iter().map(|r| r.seq).collect::<Vec<_>>());
    }
    let mut all: Vec<Reply> = by_a.into_iter().chain(by_b).chain(by_http).collect();
    all.sort_by_key(|r| r.seq);
    let seqs: Vec<u64> = all.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=14).collect::<Vec<u64>>(), "seqs not unique and contiguous");
    // The transcript holds exactly what was sent, in seq order.
    let (seq, stored) = replayed(&server, &session).await;
    assert_eq!(seq, 14);
    assert_eq!(stored, all);
}

/// The replies to `ids` on one connection, each exactly once: a ping after them comes back with
/// no other reply to them before it (the other connections' messages and replies reach this one
/// too: one conversation on every tab).
async fn replies(chat: &mut Connection, ids: &[String]) -> Vec<Reply> {
    let mut replies = Vec::new();
    for id in ids {
        replies.push(chat.reply_to(id).await.unwrap());
    }
    chat.send(&aisle::protocol::ClientFrame::Ping).await.unwrap();
    loop {
        match chat.recv().await.unwrap() {
            ServerFrame::Pong => break,
            ServerFrame::Typing { .. } | ServerFrame::ShopperMessage { .. } => {}
            ServerFrame::Reply(other) if other.in_reply_to.as_ref().is_none_or(|to| !ids.contains(to)) => {}
            other => panic!("a frame after the last reply: {other:?}"),
        }
    }
    replies
}

/// The first order of the demo orders file: its number and the email on it.
fn demo_order() -> (String, String) {
    let text = std::fs::read_to_string(repo_path("data/demo/orders.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    (first["order_id"].as_str().unwrap().to_string(), first["email"].as_str().unwrap().to_string())
}

/// A new guest conversation asking about `order` and giving `email` when asked.
async fn verify(server: &TestServer, order: &str, email: &str) -> Reply {
    let mut chat = Connection::connect(&server.ws_url()).await.unwrap();
    chat.hello(Channel::Web, None, 0).await.unwrap();
    let asked = chat.turn(&format!("could you check on order {order} please")).await.unwrap();
    assert!(asked.order.is_none(), "shown before any email: {asked:?}");
    chat.turn(&format!("the address i used was {email}")).await.unwrap()
}

#[tokio::test]
async fn the_verification_lockout_survives_a_restart_and_lifts_after_fifteen_minutes() {
    let clock = Clock::manual();
    let dir = tempfile::tempdir().unwrap();
    let options = ServerOptions { database: Some(dir.path().join("aisle.db")), clock: clock.clone(), ..ServerOptions::default() };
    let server = TestServer::start_with(options.clone()).await;
    let loaded = aisle::orders::demo::load_once(server.orders.store(), &repo_path("data/demo"), clock.now()).await.unwrap();
    assert!(loaded.is_some_and(|l| l.orders > 0));
    let (order, email) = demo_order();
    assert_eq!(verify(&server, &order, &email).await.order.map(|o| o.order_id), Some(order.clone()), "the right email works at first");

    for i in 0..5 {
        let wrong = verify(&server, &order, &format!("not.{i}.{email}")).await;
        assert!(wrong.order.is_none(), "{wrong:?}");
    }
    let locked = verify(&server, &order, &email).await;
    assert!(locked.order.is_none() && locked.text.contains("minutes"), "{locked:?}");
    server.stop().await.unwrap();

    // Kept in the database: a restart does not lift it, nor does a minute short of the end.
    let server = TestServer::start_with(options).await;
    clock.advance(Duration::from_secs(15 * 60 - 1));
    let still = verify(&server, &order, &email).await;
    assert!(still.order.is_none() && still.text.contains("minutes"), "{still:?}");
    clock.advance(Duration::from_secs(1));
    let lifted = verify(&server, &order, &email).await;
    assert_eq!(lifted.order.map(|o| o.order_id), Some(order), "{}", lifted.text);
}

/// An index directory serving a generation of the first `n` demo products.
fn served_index(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let report = index::build(dir.path(), &demo_products()[..n], IndexSource::Import { files: vec![] }, &BuildOptions::default()).unwrap();
    (dir, report.generation)
}

fn build(dir: &Path, products: &[Product], options: &BuildOptions) -> Result<index::BuildReport, CatalogError> {
    index::build(dir, products, IndexSource::Import { files: vec![] }, options)
}

/// Products in the generation `CURRENT` names, as a server opening the directory sees it.
fn served_products(dir: &Path) -> usize {
    Catalog::open(dir, Synonyms::default()).unwrap().len()
}

/// Names in the index directory of builds in progress (or abandoned).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with(".tmp-")).collect()
}

/// Build options whose progress hook runs `at_first_report` on the first report before the end
/// (the demo catalog reports every 500 products).
fn hooked(at_first_report: impl Fn() + Send + Sync + 'static) -> BuildOptions {
    let once = AtomicBool::new(false);
    let progress = move |done: usize, total: usize| {
        if done < total && !once.swap(true, Ordering::SeqCst) {
            at_first_report();
        }
    };
    BuildOptions { threads: 1, progress: Some(Arc::new(progress)), ..BuildOptions::default() }
}

#[test]
fn a_second_build_while_one_runs_is_refused_and_the_served_generation_stays() {
    let products = demo_products();
    assert!(products.len() > 500, "the hook needs a progress report before the end");
    let (dir, served) = served_index(100);
    let (started, is_started) = mpsc::channel();
    let (resume, resumed) = mpsc::channel::<()>();
    let resumed = Mutex::new(resumed);
    let options = hooked(move || {
        started.send(()).unwrap();
        let _ = resumed.lock().unwrap().recv();
    });
    let path = dir.path().to_path_buf();
    let first = std::thread::spawn(move || build(&path, products, &options));
    is_started.recv().unwrap();

    // The first build is half-way: a second one is refused, and the old generation is served.
    assert!(matches!(build(dir.path(), &products[..50], &BuildOptions::default()), Err(CatalogError::Locked { .. })));
    assert_eq!(index::current_generation(dir.path()).unwrap(), Some(served.clone()));
    assert_eq!(served_products(dir.path()), 100);

    resume.send(()).unwrap();
    let report = first.join().unwrap().unwrap();
    assert_eq!(index::current_generation(dir.path()).unwrap(), Some(report.generation));
    assert_eq!(served_products(dir.path()), products.len());
    // Once it is done, building is possible again.
    assert_eq!(build(dir.path(), &products[..50], &BuildOptions::default()).unwrap().products, 50);
}

#[test]
fn a_build_killed_half_way_leaves_the_served_generation_and_the_next_build_clears_its_files() {
    let products = demo_products();
    let (dir, served) = served_index(100);
    let catalog = Catalog::open(dir.path(), Synonyms::default()).unwrap();
    // The process dies half-way (a panic in its progress hook): its files stay, as after a kill.
    let died = std::panic::catch_unwind(AssertUnwindSafe(|| build(dir.path(), products, &hooked(|| panic!("killed half-way")))));
    assert!(died.is_err());
    assert_eq!(leftovers(dir.path()).len(), 1);
    assert_eq!(index::current_generation(dir.path()).unwrap(), Some(served.clone()));
    assert_eq!(served_products(dir.path()), 100);
    assert_eq!(catalog.product(&products[0].id).unwrap().map(|p| p.id), Some(products[0].id.clone()), "the open catalog still reads");

    // A cancelled build fails cleanly, and clears what the dead one left.
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let options = BuildOptions { cancel: Some(cancel), ..hooked(move || flag.store(true, Ordering::SeqCst)) };
    assert!(matches!(build(dir.path(), products, &options), Err(CatalogError::Interrupted)));
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(index::current_generation(dir.path()).unwrap(), Some(served));

    // A build that dies again, then one that completes: it clears the leftovers and is served.
    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| build(dir.path(), products, &hooked(|| panic!("killed again")))));
    assert_eq!(leftovers(dir.path()).len(), 1);
    let report = build(dir.path(), &products[..200], &BuildOptions::default()).unwrap();
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(index::current_generation(dir.path()).unwrap(), Some(report.generation));
    assert_eq!(served_products(dir.path()), 200);
}

#[tokio::test]
async fn shutdown_finishes_the_turn_in_flight_sends_it_and_closes_with_1001() {
    let nlu = common::nlu_with(BatchOptions { workers: 1, ..BatchOptions::default() });
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("aisle.db");
    let options = ServerOptions { database: Some(database.clone()), assistant: Some(common::assistant_over(nlu.clone())), ..ServerOptions::default() };
    let server = TestServer::start_with(options).await;
    let mut socket = raw_socket(&server).await;
    let (session, _) = hello(&mut socket, None, 0).await;
    let mut idle = raw_socket(&server).await;
    hello(&mut idle, None, 0).await;

    // A turn in flight, its utterance waiting for the (held) model, and a message behind it.
    let hold = nlu.encoder().hold().await.unwrap();
    let mut waiting = nlu.encoder().waiting();
    send(&mut socket, message("late", "any leather wallets?")).await;
    send(&mut socket, message("later", "and belts to match")).await;
    waiting.wait_for(|&n| n == 1).await.unwrap();
    let connections = server.connections.clone();
    let stopping = tokio::spawn(server.stop());
    connections.shutdown.cancelled().await;
    drop(hold);

    assert_eq!(next_frame(&mut socket).await, ServerFrame::TYPING);
    let sent = reply(next_frame(&mut socket).await);
    assert_eq!((sent.seq, sent.in_reply_to.as_deref()), (1, Some("late")));
    assert_eq!(close_code(&mut socket).await, 1001);
    assert_eq!(close_code(&mut idle).await, 1001, "an idle connection is closed too");
    stopping.await.unwrap().unwrap();

    // What was stored is what was sent: a restarted server replays exactly that reply, and the
    // message behind it was neither run nor stored.
    let server = TestServer::start_on(database).await;
    assert_eq!(replayed(&server, &session).await, (1, vec![sent]));
    assert_eq!(stored_shopper_messages(&server, &session).await, 1);
}

/// The code of the close frame that comes next.
async fn close_code(socket: &mut RawSocket) -> u16 {
    loop {
        match futures_util::StreamExt::next(socket).await {
            Some(Ok(Message::Close(frame))) => return u16::from(frame.expect("a close code").code),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn post_chat_has_the_websockets_rate_per_session() {
    let clock = Clock::manual();
    let server = TestServer::start_with(ServerOptions { clock: clock.clone(), ..ServerOptions::default() }).await;
    let http = reqwest::Client::new();
    let first = server.http_turn(serde_json::json!({"text": "what's in my basket"})).await;
    let session = first["session_id"].as_str().unwrap().to_string();
    let post = |text: &str| http.post(server.url("/v1/chat")).json(&serde_json::json!({"session_id": session, "text": text})).send();
    for _ in 2..=20 {
        assert_eq!(post("view my basket please").await.unwrap().status(), 200);
    }
    let refused = post("view my basket please").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another session is not held up by this one.
    assert_eq!(http.post(server.url("/v1/chat")).json(&serde_json::json!({"text": "hello there"})).send().await.unwrap().status(), 200);
    clock.advance(Duration::from_millis(200));
    assert_eq!(post("view my basket please").await.unwrap().status(), 200);
    assert_eq!(stored_shopper_messages(&server, &session).await, 21, "the refused message was not stored");
}
