//! `aisle chat` and `aisle loadtest` against a real server (the real model, the demo catalog,
//! a real SQLite file), driven through their library APIs: the chat's session logic with
//! scripted lines and a captured transcript across server restarts, and load test reports with
//! exact counts. Restarts reuse one held listening socket, so a client reconnecting meanwhile
//! waits for the next server instead of racing for the port.

mod common;

use std::io::Write;
use std::time::Duration;

use aisle::client::chat::{self, ChatArgs, ChatError, Terminal, render_reply};
use aisle::client::clock::Clock;
use aisle::client::loadtest::{self, LoadtestArgs, Plan};
use aisle::client::{ClientError, Connection};
use aisle::protocol::{Channel, Reply, ServerFrame};
use common::{HeldListener, TestServer, demo_products, repo_path};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What `aisle chat` prints, delivered to the test as it is written.
struct Transcript {
    chunks: mpsc::UnboundedReceiver<String>,
    text: String,
}

struct TranscriptWriter(mpsc::UnboundedSender<String>);

impl Write for TranscriptWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(String::from_utf8_lossy(buf).into_owned());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Transcript {
    /// Reads until the transcript holds `needle` at least `times` times; panics (showing the
    /// transcript) if the chat ends first.
    async fn until(&mut self, needle: &str, times: usize) {
        while self.text.matches(needle).count() < times {
            match self.chunks.recv().await {
                Some(chunk) => self.text.push_str(&chunk),
                None => panic!("the chat ended before printing {needle:?} {times} times:\n{}", self.text),
            }
        }
    }

    /// The whole transcript, once the chat has ended.
    async fn rest(mut self) -> String {
        while let Some(chunk) = self.chunks.recv().await {
            self.text.push_str(&chunk);
        }
        self.text
    }

    /// The session id in the `(connected: session …)` line.
    fn session(&self) -> String {
        let start = self.text.find("(connected: session ").expect("a welcome line") + "(connected: session ".len();
        self.text[start..].split(')').next().unwrap().to_string()
    }
}

/// The prompt `aisle chat` prints whenever it waits for a line: after the welcome, after each
/// reply, after a resume. Counting prompts tells the test a line has been answered.
const PROMPT: &str = "> ";

/// Starts `aisle chat` on `url` (prompting, as on a terminal); returns the sender of its lines,
/// its transcript and its task.
fn start_chat(url: &str, reconnect_attempts: u32, clock: Clock) -> (mpsc::Sender<String>, Transcript, JoinHandle<anyhow::Result<()>>) {
    let args = ChatArgs { url: url.to_string(), channel: Channel::Web, session: None, token: None, reconnect_attempts };
    let (lines_tx, lines) = mpsc::channel(4);
    let (out_tx, chunks) = mpsc::unbounded_channel();
    let terminal = Terminal { lines, out: TranscriptWriter(out_tx), prompt: true };
    let task = tokio::spawn(async move { chat::chat(&args, terminal, clock).await });
    (lines_tx, Transcript { chunks, text: String::new() }, task)
}

/// Every reply of `session` as stored by the server, read by resuming it from seq 0.
async fn stored_replies(server: &TestServer, session: &str) -> Vec<Reply> {
    let mut conn = Connection::connect(&server.ws_url()).await.unwrap();
    let welcome = conn.hello(Channel::Web, Some(session.to_string()), 0).await.unwrap();
    assert!(welcome.resumed, "{welcome:?}");
    let mut replies = Vec::new();
    // `welcome` is followed by the replay; a ping's pong marks its end.
    conn.send(&aisle::protocol::ClientFrame::Ping).await.unwrap();
    loop {
        match conn.recv().await.unwrap() {
            ServerFrame::Reply(reply) => replies.push(reply),
            ServerFrame::Pong => break,
            other => panic!("unexpected frame in the replay: {other:?}"),
        }
    }
    conn.close().await;
    replies
}

/// Where `needle` occurs in `text`, asserting it occurs exactly once.
fn once(text: &str, needle: &str) -> usize {
    assert_eq!(text.matches(needle).count(), 1, "{needle:?} is not printed exactly once in:\n{text}");
    text.find(needle).unwrap()
}

#[tokio::test]
async fn aisle_chat_searches_and_carries_on_across_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("aisle.db");
    let held = HeldListener::new();
    let server = held.start(database.clone()).await;
    let (lines, mut transcript, chat) = start_chat(&held.ws_url(), 3, Clock::default());
    transcript.until(PROMPT, 1).await;
    let session = transcript.session();

    lines.send("i'm after an analog wrist watch".into()).await.unwrap();
    transcript.until(PROMPT, 2).await;
    server.stop().await.unwrap();

    // While the chat is away, the shopper's session gets a turn over HTTP from another server
    // on the same database: the resumed chat must print it, once, as part of the transcript.
    let interim = TestServer::start_on(database.clone()).await;
    let missed = interim.http_turn(serde_json::json!({"session_id": session, "text": "which of those costs the least?"})).await;
    assert_eq!(missed["reply"]["seq"], 2, "{missed}");
    interim.stop().await.unwrap();

    let server = held.start(database).await;
    transcript.until(&format!("(resumed session {session})"), 1).await;
    lines.send("put the first one in my cart".into()).await.unwrap();
    drop(lines);
    chat.await.unwrap().unwrap();
    let text = transcript.rest().await;

    let replies = stored_replies(&server, &session).await;
    assert_eq!(replies.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3], "{replies:?}");
    let watches: Vec<&str> = demo_products().iter().filter(|p| p.title.to_lowercase().contains("watch")).map(|p| p.id.as_str()).collect();
    assert!(!replies[0].products.is_empty(), "the search showed no products: {:?}", replies[0]);
    assert!(replies[0].products.iter().all(|card| watches.contains(&card.id.as_str())), "{:?}", replies[0].products);
    // "The first one" is the first card of the last list shown, whichever server showed it.
    let shown = replies[..2].iter().rev().find(|r| !r.products.is_empty()).unwrap();
    let cart = replies[2].cart.as_ref().unwrap_or_else(|| panic!("the last reply shows no cart: {:?}", replies[2]));
    assert_eq!(cart.items.iter().map(|i| i.product_id.as_str()).collect::<Vec<_>>(), [shown.products[0].id.as_str()]);
    let (first, last) = (replies[0].in_reply_to.as_deref().unwrap(), replies[2].in_reply_to.as_deref().unwrap());
    assert_eq!(first.rsplit_once('-').unwrap().0, last.rsplit_once('-').unwrap().0, "one chat sent both lines");

    // The transcript: the search, the drop, the resume, the missed reply, the answer; each
    // reply exactly once, in order, and no failed attempts (the new server took the waiting
    // connection).
    let positions = [
        once(&text, &format!("(connected: session {session})")),
        once(&text, &render_reply(&replies[0])),
        once(&text, &format!("reconnecting to resume session {session} from seq 1)")),
        once(&text, &format!("(resumed session {session})")),
        once(&text, &render_reply(&replies[1])),
        once(&text, &render_reply(&replies[2])),
    ];
    assert!(positions.is_sorted(), "out of order ({positions:?}):\n{text}");
    assert!(!text.contains("(attempt "), "{text}");
}

#[tokio::test]
async fn aisle_chat_shows_a_new_session_when_the_restarted_server_lost_the_old_one() {
    let held = HeldListener::new();
    let (old, new) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = held.start(old.path().join("aisle.db")).await;
    let (lines, mut transcript, chat) = start_chat(&held.ws_url(), 3, Clock::default());
    transcript.until(PROMPT, 1).await;
    let session = transcript.session();
    lines.send("show me some analog wrist watches".into()).await.unwrap();
    transcript.until(PROMPT, 2).await;
    server.stop().await.unwrap();

    let server = held.start(new.path().join("aisle.db")).await;
    transcript.until("(the session could not be resumed; new session ", 1).await;
    lines.send("got any wrist watches?".into()).await.unwrap();
    drop(lines);
    chat.await.unwrap().unwrap();
    let text = transcript.rest().await;
    let start = text.find("new session ").unwrap() + "new session ".len();
    let fresh = text[start..].split(')').next().unwrap().to_string();
    assert_ne!(fresh, session);

    // The new session's first reply has seq 1, as the old session's search had: it is printed
    // all the same.
    let replies = stored_replies(&server, &fresh).await;
    assert_eq!(replies.iter().map(|r| r.seq).collect::<Vec<_>>(), [1], "{replies:?}");
    assert!(once(&text, &render_reply(&replies[0])) > start, "{text}");
}

#[tokio::test]
async fn a_connection_resumed_into_a_new_session_counts_seq_afresh() {
    let held = HeldListener::new();
    let (old, new) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = held.start(old.path().join("aisle.db")).await;
    let mut conn = Connection::connect(&held.ws_url()).await.unwrap();
    let first = conn.hello(Channel::Web, None, 0).await.unwrap();
    conn.turn("morning! anyone around to help?").await.unwrap();
    conn.turn("got any wrist watches?").await.unwrap();
    assert_eq!(conn.last_seq(), 2);
    server.stop().await.unwrap();

    let _server = held.start(new.path().join("aisle.db")).await;
    let welcome = conn.reconnect().await.unwrap();
    assert!(!welcome.resumed && welcome.session_id != first.session_id, "{welcome:?}");
    assert_eq!(conn.last_seq(), 0, "the old session's seq would hide the new session's frames on the next resume");
    assert_eq!(conn.turn("got any wrist watches?").await.unwrap().seq, 1);
    assert_eq!(conn.last_seq(), 1);
}

#[tokio::test]
async fn aisle_chat_ends_with_an_error_when_the_server_is_gone_for_good() {
    let held = HeldListener::new();
    let dir = tempfile::tempdir().unwrap();
    let server = held.start(dir.path().join("aisle.db")).await;
    let clock = Clock::manual();
    let (_lines, mut transcript, chat) = start_chat(&held.ws_url(), 3, clock.clone());
    transcript.until(PROMPT, 1).await;
    let session = transcript.session();
    server.stop().await.unwrap();
    let gone = held.answer_unavailable();

    // Each pause between attempts ends as soon as it starts.
    tokio::pin!(chat);
    let result = loop {
        tokio::select! {
            result = &mut chat => break result.unwrap(),
            () = clock.sleeping(1) => clock.advance(Duration::from_secs(60)),
        }
    };
    gone.abort();
    let err = result.unwrap_err();
    match err.downcast_ref::<ChatError>() {
        Some(ChatError::GaveUp { attempts: 3, session: s, last: ClientError::Connect { .. }, .. }) => assert_eq!(s, &session),
        _ => panic!("expected GaveUp after 3 failed connects, got {err:?}"),
    }
    let message = format!("{err:#}");
    assert!(message.contains(&format!("resume later with --session {session}")) && message.contains("503"), "{message}");
    let text = transcript.rest().await;
    once(&text, "(attempt 1 of 3 failed: http 503 Service Unavailable; retrying in 250 ms)");
    once(&text, "(attempt 2 of 3 failed: http 503 Service Unavailable; retrying in 500 ms)");
    assert!(!text.contains("attempt 3 of 3"), "{text}");
}

/// Load test arguments for a server at `url`: no think time, and timeouts and a duration limit
/// far beyond any run (the tests use a manual clock that nothing moves past them).
fn loadtest_args(url: &str, sessions: usize, turns: usize) -> LoadtestArgs {
    LoadtestArgs {
        url: url.to_string(),
        sessions,
        turns,
        duration_limit: Duration::from_secs(3600),
        turn_timeout: Duration::from_secs(3600),
        think: Duration::ZERO,
        script: None,
        idle: 0,
        connect_concurrency: 4,
        channel: Channel::Web,
        json: false,
    }
}

/// Conversations of `turns` queries each from the search benchmark's query file.
fn bench_scripts(sessions: usize, turns: usize) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo_path("data/bench/queries.txt")).unwrap();
    let queries: Vec<String> = loadtest::parse_scripts(&text).concat().iter().map(|q| q.split(" | ").next().unwrap().to_string()).collect();
    assert!(queries.len() >= sessions * turns);
    queries.chunks(turns).take(sessions).map(<[String]>::to_vec).collect()
}

#[tokio::test]
async fn aisle_loadtest_reports_exact_counts_against_the_real_server() {
    let server = TestServer::start().await;
    let plan = Plan::new(&loadtest_args(&server.ws_url(), 3, 4), Some(bench_scripts(3, 4))).unwrap();
    let report = loadtest::run_plan(plan, Clock::manual(), None).await;
    assert_eq!(report.errors.total, 0, "{:?}", report.errors);
    assert_eq!((report.sessions.planned, report.sessions.connected, report.sessions.completed), (3, 3, 3));
    assert_eq!((report.turns.planned, report.turns.sent, report.turns.replied), (12, 12, 12));
    assert_eq!(report.turn_ms.samples, 12);
    assert!(!report.stopped_by_time_limit);
}

#[tokio::test]
async fn aisle_loadtest_reports_the_disconnects_of_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("aisle.db");
    let held = HeldListener::new();
    let server = held.start(database.clone()).await;
    let mut args = loadtest_args(&held.ws_url(), 3, 4);
    args.think = Duration::from_secs(1);
    let plan = Plan::new(&args, Some(bench_scripts(3, 4))).unwrap();
    // Time stands still: a session whose first pause is zero sends its first query at once and
    // then pauses; the others pause before their first. All three pausing is the moment to
    // restart the server under them.
    let early = (0..3).filter(|&s| plan.pause(s, 0).is_zero()).count() as u64;
    let clock = Clock::manual();
    let run = tokio::spawn(loadtest::run_plan(plan, clock.clone(), None));
    clock.sleeping(3).await;
    server.stop().await.unwrap();
    let _server = held.start(database).await;
    clock.advance(args.think * 2);
    let report = run.await.unwrap();

    // Each session finds its connection gone at its next query, and stops there.
    let e = &report.errors;
    assert_eq!((e.disconnects, e.total), (3, 3), "{e:?}");
    assert_eq!((report.sessions.connected, report.sessions.completed), (3, 0));
    assert_eq!((report.turns.sent, report.turns.replied), (3 + early, early));
    assert!(!report.stopped_by_time_limit);
}
