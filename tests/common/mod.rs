//! Shared test setup: the demo catalog indexed once per test binary, and a real server on
//! port 0.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use aisle::catalog::import::{self, ImportOptions};
use aisle::catalog::index::{self, BuildOptions, IndexSource};
use aisle::catalog::synonyms::Synonyms;
use aisle::catalog::{Catalog, Product};
use aisle::nlu::encoder::BatchOptions;
use aisle::nlu::slots::Lexicon;
use aisle::dialogue::{Assistant, ShopSettings};
use aisle::nlu::{Nlu, NluPaths};
use aisle::server::{self, AppState};
use aisle::orders::{OrderStore, Orders};
use aisle::session::Sessions;
use aisle::session::store::Store;

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

/// Builds an index of `products` in a new temporary directory.
pub fn build_index(products: &[Product]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    index::build(dir.path(), products, IndexSource::Import { files: vec![] }, &BuildOptions::default()).unwrap();
    dir
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
    NLU.get_or_init(|| {
        let catalog = demo_catalog();
        let meta = catalog.meta();
        let lexicon = Lexicon::new(&meta.brands, &meta.categories, catalog.product_titles());
        Arc::new(Nlu::load(&nlu_paths(), BatchOptions::default(), lexicon, &|_, _, _| {}).unwrap())
    })
    .clone()
}

pub fn nlu_paths() -> NluPaths {
    NluPaths {
        model_dir: repo_path("models/all-MiniLM-L6-v2"),
        head: repo_path("models/intent-head.json"),
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

/// The assistant over the demo catalog and the shipped prompts, loaded once per test binary
/// (on its own thread: it embeds the FAQ, and tests each run their own runtime).
pub fn assistant() -> Arc<Assistant> {
    static ASSISTANT: OnceLock<Arc<Assistant>> = OnceLock::new();
    ASSISTANT
        .get_or_init(|| {
            std::thread::spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                let catalog = demo_catalog();
                let currency = catalog.main_currency().unwrap().unwrap();
                let shop = ShopSettings { checkout_url: CHECKOUT_URL.into(), currency, public_url: PUBLIC_URL.into() };
                Arc::new(runtime.block_on(Assistant::load(catalog, nlu(), &repo_path("prompts"), shop)).unwrap())
            })
            .join()
            .unwrap()
        })
        .clone()
}

/// A server on 127.0.0.1:0 over the demo catalog; dropping the handle shuts it down.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The session database.
    pub database: PathBuf,
    /// The orders of that database, to seed and inspect.
    pub orders: Orders,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Holds the database of servers started with [`TestServer::start`].
    _dir: Option<tempfile::TempDir>,
}

impl TestServer {
    /// A server with a new, empty database.
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut server = TestServer::start_on(dir.path().join("aisle.db")).await;
        server._dir = Some(dir);
        server
    }

    /// A server on an existing (or new) database file, as after a restart.
    pub async fn start_on(database: PathBuf) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let store = Store::open(&database).await.unwrap();
        let orders = Orders::open(OrderStore::new(store.pool().clone()), Some(TOKEN_SECRET)).await.unwrap();
        let sessions = Sessions::new(store, assistant(), orders.clone());
        let state = AppState::new(demo_catalog(), Arc::new(sessions)).with_admin_key(Some(ADMIN_KEY.into()));
        let task = tokio::spawn(server::run(listener, state, async move {
            let _ = rx.await;
        }));
        TestServer { addr, database, orders, shutdown: Some(tx), task: Some(task), _dir: None }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws/chat", self.addr)
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

/// An identity token for `customer` signed with [`TOKEN_SECRET`], expiring `ttl` seconds from now.
pub fn identity_token(customer: &str, ttl: i64) -> String {
    aisle::orders::identity::TokenKey::new(TOKEN_SECRET.as_bytes()).unwrap().issue(customer, aisle::orders::now() + ttl)
}
