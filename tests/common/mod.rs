//! Shared test setup: the demo catalog indexed once per test binary, a real server on port 0
//! (with a manual clock, an assistant or a catalog of its own when a test needs one), raw
//! WebSocket frames for what the typed client cannot show, and the check that a test's phrases
//! are not verbatim training data.
#![allow(dead_code)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use aisle::catalog::import::{self, ImportOptions};
use aisle::catalog::index::{self, BuildOptions, IndexSource};
use aisle::catalog::synonyms::Synonyms;
use aisle::catalog::{Catalog, Product};
use aisle::dialogue::faq::Faq;
use aisle::nlu::data;
use aisle::recommend::profile::Rebuyable;
use aisle::nlu::encoder::BatchOptions;
use aisle::nlu::slots::Lexicon;
use aisle::dialogue::{Assistant, ShopSettings};
use aisle::nlu::{Nlu, NluPaths};
use aisle::protocol::ServerFrame;
use aisle::server::{self, AppState, Connections};
use aisle::orders::{OrderStore, Orders};
use aisle::session::{Clock, Sessions};
use aisle::session::store::Store;
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The demo catalog's products, read straight from the committed file.
pub fn demo_products() -> &'static [Product] {
    static PRODUCTS: OnceLock<Vec<Product>> = OnceLock::new();
    PRODUCTS.get_or_init(|| {
        let report = import::read_path(&repo_path("data/demo/products.jsonl"), None, &ImportOptions::default()).unwrap();
        assert!(report.errors.is_empty(), "the demo catalog has bad rows: {:?}", report.errors);
        report.products
    })
}

/// Builds an index of `products`, with their vectors, in a new temporary directory.
pub fn build_index(products: &[Product]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    index::build(dir.path(), products, IndexSource::Import { files: vec![] }, &vector_options()).unwrap();
    dir
}

/// Build options that compute product vectors with the real encoder, reusing those of every
/// earlier build through the cache beside the model (as `aisle index` does).
pub fn vector_options() -> BuildOptions {
    BuildOptions {
        embedder: Some(encoder()),
        vector_cache: Some(nlu_paths().model_dir.join(aisle::catalog::vectors::CACHE_FILE)),
        ..BuildOptions::default()
    }
}

/// The sentence encoder alone (fetched if missing), loaded once, off any async runtime.
pub fn encoder() -> Arc<dyn aisle::catalog::Embedder> {
    static ENCODER: OnceLock<Arc<aisle::nlu::encoder::Encoder>> = OnceLock::new();
    ENCODER
        .get_or_init(|| {
            let dir = nlu_paths().model_dir;
            std::thread::spawn(move || {
                aisle::nlu::fetch::ensure(&dir).unwrap();
                Arc::new(aisle::nlu::encoder::Encoder::load(&dir, None).unwrap())
            })
            .join()
            .unwrap()
        })
        .clone()
}

/// The demo catalog, indexed once, with the shipped synonyms.
pub fn demo_catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<(tempfile::TempDir, Arc<Catalog>)> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let dir = build_index(demo_products());
            let synonyms = Synonyms::load(&repo_path("data/synonyms.txt")).unwrap();
            let catalog = Catalog::open(dir.path(), synonyms).unwrap();
            (dir, Arc::new(catalog))
        })
        .1
        .clone()
}

/// The NLU with the repository's model and training data, loaded once (trained if needed).
pub fn nlu() -> Arc<Nlu> {
    static NLU: OnceLock<Arc<Nlu>> = OnceLock::new();
    NLU.get_or_init(|| load_nlu(BatchOptions::default())).clone()
}

/// An NLU with encoder workers of its own, which a test may hold (`EncoderHandle::hold`)
/// without stalling the other tests of its binary.
pub fn nlu_with(batch: BatchOptions) -> Arc<Nlu> {
    nlu(); // trains the head first when needed, once
    load_nlu(batch)
}

/// Loads the NLU on a thread of its own: it may fetch the model and train the head, which
/// block, and tests call it from inside their runtimes.
fn load_nlu(batch: BatchOptions) -> Arc<Nlu> {
    std::thread::spawn(move || {
        let catalog = demo_catalog();
        let meta = catalog.meta();
        let lexicon = Lexicon::new(&meta.brands, &meta.categories, catalog.product_titles());
        Arc::new(Nlu::load(&nlu_paths(), batch, lexicon, &|_, _, _| {}).unwrap())
    })
    .join()
    .unwrap()
}

pub fn nlu_paths() -> NluPaths {
    NluPaths {
        model_dir: repo_path("models/all-MiniLM-L6-v2"),
        head: repo_path("models/intent-head.json"),
        tuned: repo_path("models/intent-encoder.safetensors"),
        fine_tune: true,
        intents_dir: repo_path("prompts/intents"),
        templates_dir: repo_path("prompts/templates"),
        data: vec![repo_path("../shared/data/nlu/dev.jsonl")],
        cache: repo_path("models/embeddings.cache"),
    }
}

/// The checkout link the test servers give.
pub const CHECKOUT_URL: &str = "https://shop.test/checkout";
/// The base of the links test servers give (invoices).
pub const PUBLIC_URL: &str = "https://aisle.test";
/// The secret that signs the test servers' identity tokens.
pub const TOKEN_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The test servers' admin key.
pub const ADMIN_KEY: &str = "test-admin-key-0123456789";
/// The key of the test servers' agent console.
pub const AGENT_KEY: &str = "test-agent-key-0123456789";

/// The assistant over the demo catalog and the shipped prompts, loaded once per test binary
/// (on its own thread: it embeds the FAQ, and tests each run their own runtime).
pub fn assistant() -> Arc<Assistant> {
    static ASSISTANT: OnceLock<Arc<Assistant>> = OnceLock::new();
    ASSISTANT.get_or_init(|| assistant_over(nlu())).clone()
}

/// The assistant over the demo catalog and the shipped prompts with `nlu`.
pub fn assistant_over(nlu: Arc<Nlu>) -> Arc<Assistant> {
    assistant_for(demo_catalog(), nlu)
}

/// The assistant over `catalog` and the shipped prompts with `nlu`.
pub fn assistant_for(catalog: Arc<Catalog>, nlu: Arc<Nlu>) -> Arc<Assistant> {
    assistant_with_prompts(catalog, nlu, repo_path("prompts"))
}

/// The assistant over `catalog` with `nlu` and the prompts (responses.yaml, faq.yaml) in `dir`.
pub fn assistant_with_prompts(catalog: Arc<Catalog>, nlu: Arc<Nlu>, dir: PathBuf) -> Arc<Assistant> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let currency = catalog.main_currency().unwrap().unwrap();
        let shop = ShopSettings { checkout_url: CHECKOUT_URL.into(), currency, public_url: PUBLIC_URL.into() };
        Arc::new(runtime.block_on(Assistant::load(catalog, nlu, &dir, shop)).unwrap())
    })
    .join()
    .unwrap()
}

/// What a test server runs on, beyond the defaults.
#[derive(Clone, Default)]
pub struct ServerOptions {
    /// The session database; a new one in a temporary directory when `None`.
    pub database: Option<PathBuf>,
    /// The clock of turns and rate limits (the system clock by default).
    pub clock: Clock,
    /// The assistant ([`assistant`] by default).
    pub assistant: Option<Arc<Assistant>>,
    /// The catalog the HTTP API serves (the demo catalog by default).
    pub catalog: Option<Arc<Catalog>>,
    /// Categories whose products are offered again after a purchase.
    pub rebuyable: Vec<String>,
    /// Web origins allowed besides the server's own.
    pub origins: Vec<String>,
    /// The folder of the web pages (`web/` when `None`).
    pub web_dir: Option<PathBuf>,
}

/// A server on 127.0.0.1:0 over the demo catalog; dropping the handle shuts it down.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The session database.
    pub database: PathBuf,
    /// The orders of that database, to seed and inspect.
    pub orders: Orders,
    /// The server's WebSocket connections: `shutdown` is cancelled when they are told to close.
    pub connections: Connections,
    /// The recommendation snapshot: `refresh` it to train on the events stored so far.
    pub recommender: Arc<aisle::session::recommender::Recommender>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Holds the database of servers started with [`TestServer::start`].
    _dir: Option<tempfile::TempDir>,
}

impl TestServer {
    /// A server with a new, empty database.
    pub async fn start() -> TestServer {
        TestServer::start_with(ServerOptions::default()).await
    }

    /// A server on an existing (or new) database file, as after a restart.
    pub async fn start_on(database: PathBuf) -> TestServer {
        TestServer::start_with(ServerOptions { database: Some(database), ..ServerOptions::default() }).await
    }

    /// A server with a new, empty database over another catalog (the assistant still reads the
    /// demo one): for HTTP properties the demo catalog cannot show.
    pub async fn start_over(catalog: Arc<Catalog>) -> TestServer {
        TestServer::start_with(ServerOptions { catalog: Some(catalog), ..ServerOptions::default() }).await
    }

    /// A server over `products` for both the HTTP API and the assistant, with a new database;
    /// the index lives as long as the returned directory. The NLU's lexicon stays the demo
    /// catalog's, so use the demo products with some fields changed.
    pub async fn start_with_products(products: &[Product]) -> (TestServer, tempfile::TempDir) {
        TestServer::start_with_products_and(products, ServerOptions::default()).await
    }

    /// [`TestServer::start_with_products`] with other `options` (its catalog and assistant
    /// are replaced).
    pub async fn start_with_products_and(products: &[Product], options: ServerOptions) -> (TestServer, tempfile::TempDir) {
        let index = build_index(products);
        let synonyms = Synonyms::load(&repo_path("data/synonyms.txt")).unwrap();
        let catalog = Arc::new(Catalog::open(index.path(), synonyms).unwrap());
        let assistant = assistant_for(catalog.clone(), nlu());
        let options = ServerOptions { catalog: Some(catalog), assistant: Some(assistant), ..options };
        (TestServer::start_with(options).await, index)
    }

    pub async fn start_with(options: ServerOptions) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        TestServer::serve(listener, options).await
    }

    async fn serve(listener: tokio::net::TcpListener, options: ServerOptions) -> TestServer {
        let (database, dir) = match options.database {
            Some(database) => (database, None),
            None => {
                let dir = tempfile::tempdir().unwrap();
                (dir.path().join("aisle.db"), Some(dir))
            }
        };
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let store = Store::open(&database).await.unwrap();
        let orders = Orders::open(OrderStore::new(store.pool().clone()), Some(TOKEN_SECRET)).await.unwrap();
        let assistant = options.assistant.unwrap_or_else(assistant);
        let sessions = Sessions::new(store, assistant, orders.clone()).with_clock(options.clock).with_rebuyable(Rebuyable::new(&options.rebuyable));
        let catalog = options.catalog.unwrap_or_else(demo_catalog);
        let state = AppState::new(catalog, Arc::new(sessions)).with_admin_key(Some(ADMIN_KEY.into())).with_agent_key(Some(AGENT_KEY.into())).with_demo(true).with_origins(&options.origins);
        let state = match options.web_dir {
            Some(dir) => state.with_web_dir(dir),
            None => state,
        };
        let connections = state.connections.clone();
        let recommender = state.sessions.recommender();
        let task = tokio::spawn(server::run(listener, state, async move {
            let _ = rx.await;
        }));
        TestServer { addr, database, orders, connections, recommender, shutdown: Some(tx), task: Some(task), _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws/chat", self.addr)
    }

    /// One turn over `POST /v1/chat` with this body; the answer's JSON.
    pub async fn http_turn(&self, body: serde_json::Value) -> serde_json::Value {
        let response = reqwest::Client::new().post(self.url("/v1/chat")).json(&body).send().await.unwrap();
        response.json().await.unwrap()
    }

    /// Signals shutdown and waits for the server to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        let _ = self.shutdown.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A raw WebSocket to a test server, for what the typed client cannot send or show.
pub type RawSocket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn raw_socket(server: &TestServer) -> RawSocket {
    tokio_tungstenite::connect_async(server.ws_url()).await.unwrap().0
}

/// The next protocol frame (transport pings skipped).
pub async fn next_frame(socket: &mut RawSocket) -> ServerFrame {
    loop {
        match socket.next().await.unwrap().unwrap() {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// A text as test phrases are compared with the training data: lower case, single spaces, no
/// closing punctuation.
pub fn normalized(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").to_lowercase().trim_end_matches(['?', '.', '!']).trim_end().to_string()
}

/// Every text the intent model and the FAQ matcher learn from, [`normalized`]: the intent
/// examples, the expanded templates, the labelled data sets and the FAQ questions.
pub fn training_texts() -> &'static HashSet<String> {
    static TEXTS: OnceLock<HashSet<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let paths = nlu_paths();
        let mut examples = data::load_intent_files(&paths.intents_dir).unwrap();
        examples.extend(data::expand_templates(&paths.templates_dir).unwrap());
        for file in paths.data.iter().filter(|p| p.is_file()) {
            examples.extend(data::load_jsonl(file).unwrap());
        }
        let faq = Faq::load(&repo_path("prompts/faq.yaml")).unwrap();
        let texts: HashSet<String> =
            examples.iter().map(|e| e.text.as_str()).chain(faq.texts().into_iter().map(|(_, q)| q)).map(normalized).collect();
        assert!(texts.len() > 1000, "the training data is read: {} texts", texts.len());
        texts
    })
}

/// Fails naming every phrase that is verbatim training data: a test of what the model
/// understands asks in words it has not learned.
pub fn assert_unseen(phrases: &[&str]) {
    let seen: Vec<&&str> = phrases.iter().filter(|p| training_texts().contains(&normalized(p))).collect();
    assert!(seen.is_empty(), "verbatim training data in a test (use a paraphrase): {seen:?}");
}

/// The string literals of a Rust source of two words or more (utterances, not single labels),
/// escapes left as written.
pub fn phrases_in(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find('"') {
        let body = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let literal = &body[..end];
        if literal.split_whitespace().nth(1).is_some() {
            out.push(literal);
        }
        rest = &body[end + 1..];
    }
    out
}

/// Fails naming every phrase of a test source (see [`phrases_in`]) that is verbatim training data.
pub fn assert_source_unseen(source: &str) {
    let phrases = phrases_in(source);
    assert!(phrases.len() > 5, "the source has phrases: {phrases:?}");
    assert_unseen(&phrases);
}

/// The demo products with the given ids marked out of stock.
pub fn demo_products_out_of_stock(ids: &[&str]) -> Vec<Product> {
    demo_products()
        .iter()
        .cloned()
        .map(|mut p| {
            if ids.contains(&p.id.as_str()) {
                p.availability = aisle::catalog::Availability::OutOfStock;
            }
            p
        })
        .collect()
}

// ---- Servers restarted on one address (tests/clients.rs) ----

/// A listening socket on 127.0.0.1:0 that the test holds, so that servers started on it one
/// after another share one address: while none runs, connections wait in its backlog (neither
/// refused nor able to reach another process that took the port) until the next one accepts.
pub struct HeldListener {
    socket: std::net::TcpListener,
}

impl HeldListener {
    pub fn new() -> HeldListener {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        HeldListener { socket }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws/chat", self.socket.local_addr().unwrap())
    }

    /// A server on this socket over `database` (a restart, when a server ran here before).
    pub async fn start(&self, database: PathBuf) -> TestServer {
        TestServer::start_on_listener(self.listener(), database).await
    }

    /// Answers every connection with HTTP 503 until the task is aborted: the address of a
    /// chat server that is gone for good, behind a proxy.
    pub fn answer_unavailable(&self) -> tokio::task::JoinHandle<()> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = self.listener();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                // Read the request head first: closing with it unread would reset the connection.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
            }
        })
    }

    fn listener(&self) -> tokio::net::TcpListener {
        tokio::net::TcpListener::from_std(self.socket.try_clone().unwrap()).unwrap()
    }
}

impl TestServer {
    /// A server on `listener` over `database` (as [`TestServer::start_on`], which binds its own).
    pub async fn start_on_listener(listener: tokio::net::TcpListener, database: PathBuf) -> TestServer {
        TestServer::serve(listener, ServerOptions { database: Some(database), ..ServerOptions::default() }).await
    }
}

/// An identity token for `customer` signed with [`TOKEN_SECRET`], expiring `ttl` seconds from now.
pub fn identity_token(customer: &str, ttl: i64) -> String {
    aisle::orders::identity::TokenKey::new(TOKEN_SECRET.as_bytes()).unwrap().issue(customer, aisle::orders::now() + ttl)
}
