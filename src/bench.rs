//! Whole-program benchmarks, run as `aisle bench …` and recorded in BENCHMARKS.md.
//!
//! - `bench search`: reads a catalog, builds an index aside, and measures the build and the
//!   in-process latency of every query in a query file (with facets, as the HTTP API runs it),
//!   and of autocomplete.
//! - `bench console`: how soon the agent console sees a shopper's message (`client::console`).
//! - `bench serve`: starts `aisle serve` on a built index as a child process and measures the
//!   time until `/healthz` answers, HTTP search latency, and the server's memory.
//!
//! Query files hold one query a line, optionally followed by ` | ` and `key=value` filters
//! (`brand`, `category`, `min_price`, `max_price`, `in_stock`, `color`, `size`, `gender`,
//! `sort`); `#` starts a comment.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::catalog::import::{self, ImportOptions};
use crate::catalog::index::{self, BuildOptions, IndexSource, SourceFile};
use crate::catalog::synonyms::Synonyms;
use crate::catalog::{Catalog, SearchRequest, Sort};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Build an index from a catalog; measure the build and in-process search latency
    Search(SearchBench),
    /// Start `aisle serve` on the configured index; measure start-up, HTTP latency and memory
    Serve(ServeBench),
    /// Train the recommendation snapshot on Online Retail's purchases; measure the training
    /// and the in-process latency of `for_you` and `bought_together` lists
    Recs(RecsBench),
    /// How soon the agent console sees a shopper's message (a running server with an agent key)
    Console(crate::client::console::ConsoleBench),
}

#[derive(Debug, Args)]
pub struct RecsBench {
    /// The Online Retail invoice lines (CSV, or CSV.gz)
    #[arg(long, default_value = "../shared/data/interactions/online_retail_2010-2011.csv.gz")]
    pub online_retail: PathBuf,
    /// Lists timed, of each kind
    #[arg(long, default_value_t = 2000)]
    pub lists: usize,
}

#[derive(Debug, Args)]
pub struct SearchBench {
    /// Catalog file(s) to index [default: the configured catalog]
    #[arg(long = "from")]
    pub from: Vec<PathBuf>,
    /// Query file
    #[arg(long, default_value = "data/bench/queries.txt")]
    pub queries: PathBuf,
    /// Timed passes over the query file (after one warm-up pass)
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Also compute the product vectors (reusing the cache beside the model), time hybrid
    /// search with the queries' embeddings, and rebuild after changing 1 % of the products
    #[arg(long)]
    pub vectors: bool,
    /// Print one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeBench {
    /// Query file
    #[arg(long, default_value = "data/bench/queries.txt")]
    pub queries: PathBuf,
    /// Timed passes over the query file
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Print one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Latency {
    pub fn from_durations(mut samples: Vec<Duration>) -> Latency {
        samples.sort();
        let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
        let at = |q: f64| samples.get(((samples.len() as f64 * q).ceil() as usize).saturating_sub(1)).copied().map(ms).unwrap_or(0.0);
        let total: Duration = samples.iter().sum();
        Latency {
            samples: samples.len(),
            p50: at(0.50),
            p90: at(0.90),
            p95: at(0.95),
            p99: at(0.99),
            max: samples.last().copied().map(ms).unwrap_or(0.0),
            mean: if samples.is_empty() { 0.0 } else { ms(total / samples.len() as u32) },
        }
    }
}

#[derive(Debug, Serialize)]
struct SearchReport {
    products: usize,
    rows_skipped: usize,
    read_s: f64,
    build_s: f64,
    open_ms: f64,
    index_bytes: u64,
    queries: usize,
    zero_result_queries: usize,
    search_ms: Latency,
    suggest_ms: Latency,
    /// With `--vectors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    vectors: Option<VectorBench>,
}

#[derive(Debug, Serialize)]
struct VectorBench {
    /// Texts embedded by the first build (products and description sentences), rows it
    /// reused from the cache beside the model, and its time.
    texts: usize,
    reused: usize,
    embed_s: f64,
    vectors_bytes: u64,
    hybrid_search_ms: Latency,
    /// With a nearest-neighbour graph (large catalogs): the mean share of each query's exact
    /// nearest products the graph finds.
    #[serde(skip_serializing_if = "Option::is_none")]
    graph_recall: Option<f64>,
    /// The rebuild after changing 1 % of the products' titles.
    changed_products: usize,
    rebuild_encoded: usize,
    rebuild_s: f64,
}

#[derive(Debug, Serialize)]
struct ServeReport {
    products: usize,
    ready_ms: f64,
    http_search_ms: Latency,
    rss_mb: f64,
    peak_rss_mb: f64,
}

pub fn run(command: BenchCommand, config: &Config) -> anyhow::Result<()> {
    match command {
        BenchCommand::Search(args) => search(args, config),
        BenchCommand::Serve(args) => serve(args, config),
        BenchCommand::Recs(args) => recs(&args),
        BenchCommand::Console(args) => crate::client::console::run(args),
    }
}

/// `aisle bench recs`.
fn recs(args: &RecsBench) -> anyhow::Result<()> {
    use crate::recommend::engine::{Ask, Context, Interaction, Signal, Snapshot};
    let rows = crate::recommend::eval::online_retail(&args.online_retail).map_err(anyhow::Error::msg)?;
    let now = rows.iter().map(|r| r.at).max().unwrap_or(0);
    let events: Vec<Interaction> = rows.into_iter().map(|r| Interaction { shopper: r.user, item: r.item, signal: Signal::Purchase, at: r.at }).collect();
    let started = Instant::now();
    let snapshot = Snapshot::train(&events, now);
    let trained = started.elapsed();
    let mut shoppers: Vec<&str> = events.iter().map(|e| e.shopper.as_str()).collect();
    shoppers.sort_unstable();
    shoppers.dedup();
    let mut items: Vec<&str> = events.iter().map(|e| e.item.as_str()).collect();
    items.sort_unstable();
    items.dedup();
    let time = |f: &dyn Fn(usize)| Latency::from_durations((0..args.lists).map(|i| {
        let t = Instant::now();
        f(i);
        t.elapsed()
    }).collect());
    let for_you = time(&|i| {
        let history = snapshot.history(shoppers[i % shoppers.len()]);
        std::hint::black_box(snapshot.recommend(&Ask { context: Context::ForYou, history: &history, anchors: &[], now, limit: 10, allowed: &|_| true, again: &|_| false }));
    });
    let together = time(&|i| {
        std::hint::black_box(snapshot.recommend(&Ask { context: Context::BoughtTogether, history: &[], anchors: &[items[i * 7 % items.len()].to_string()], now, limit: 10, allowed: &|_| true, again: &|_| false }));
    });
    println!("trained on {} purchases ({} customers, {} items) in {:.2} s", events.len(), shoppers.len(), items.len(), trained.as_secs_f64());
    for (name, l) in [("for_you", for_you), ("bought_together", together)] {
        println!("{name:<16} p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} lists)", l.p50, l.p99, l.max, l.samples);
    }
    Ok(())
}

/// One line of a query file as a request.
pub fn parse_query_line(line: &str) -> anyhow::Result<Option<SearchRequest>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (text, filters) = line.split_once(" | ").unwrap_or((line, ""));
    let mut request = SearchRequest::new(text.trim());
    for pair in filters.split_whitespace() {
        let (key, value) = pair.split_once('=').with_context(|| format!("'{pair}' is not key=value"))?;
        let number = || value.parse::<f64>().with_context(|| format!("{key}={value} is not a number"));
        let f = &mut request.filters;
        match key {
            "brand" => f.brands.push(value.into()),
            "category" => f.categories.push(value.into()),
            "color" => f.colors.push(value.into()),
            "size" => f.sizes.push(value.into()),
            "gender" => f.genders.push(value.into()),
            "min_price" => f.min_price = Some(number()?),
            "max_price" => f.max_price = Some(number()?),
            "in_stock" => f.in_stock = Some(value.parse().with_context(|| format!("in_stock={value}"))?),
            "sort" => request.sort = Sort::parse(value).with_context(|| format!("unknown sort {value}"))?,
            _ => bail!("unknown filter '{key}'"),
        }
    }
    Ok(Some(request))
}

fn read_queries(path: &Path) -> anyhow::Result<Vec<(String, SearchRequest)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(request) = parse_query_line(line).with_context(|| format!("{}:{}", path.display(), i + 1))? {
            out.push((line.trim().to_string(), request));
        }
    }
    if out.is_empty() {
        bail!("{} holds no queries", path.display());
    }
    Ok(out)
}

fn search(args: SearchBench, config: &Config) -> anyhow::Result<()> {
    let queries = read_queries(&args.queries)?;
    let files = if args.from.is_empty() { config.catalog.clone() } else { args.from.clone() };
    let started = Instant::now();
    let mut report = import::ImportReport::default();
    for path in &files {
        report.merge(import::read_path(path, None, &ImportOptions { default_currency: config.currency.clone() })?);
    }
    let read_s = started.elapsed().as_secs_f64();
    let dir = std::env::temp_dir().join(format!("aisle-bench-{}", std::process::id()));
    let _cleanup = RemoveOnDrop(dir.clone());
    let source = IndexSource::Import { files: files.iter().map(|p| SourceFile::hash(p)).collect::<Result<_, _>>()? };
    let options = BuildOptions { heap_bytes: config.index_heap_mb * 1_000_000, ..BuildOptions::default() };
    let built = index::build(&dir, &report.products, source, &options)?;
    let opened = Instant::now();
    let synonyms = if config.synonyms.exists() { Synonyms::load(&config.synonyms)? } else { Synonyms::default() };
    let catalog = Catalog::open(&dir, synonyms)?;
    let open_ms = opened.elapsed().as_secs_f64() * 1e3;

    let mut zero = 0;
    for (_, request) in &queries {
        if catalog.search(request)?.total == 0 {
            zero += 1;
        }
    }
    let mut search_times = Vec::with_capacity(queries.len() * args.rounds);
    let mut suggest_times = Vec::new();
    for _ in 0..args.rounds {
        for (_, request) in &queries {
            let t = Instant::now();
            std::hint::black_box(catalog.search(request)?);
            search_times.push(t.elapsed());
            let prefix: String = request.text.chars().take(4).collect();
            let t = Instant::now();
            std::hint::black_box(catalog.suggest(&prefix, 8));
            suggest_times.push(t.elapsed());
        }
    }
    let vectors = if args.vectors { Some(vector_bench(&dir, &report.products, &queries, &args, config)?) } else { None };
    let result = SearchReport {
        vectors,
        products: catalog.len(),
        rows_skipped: report.errors.len(),
        read_s,
        build_s: built.elapsed.as_secs_f64(),
        open_ms,
        index_bytes: dir_size(&built.generation),
        queries: queries.len(),
        zero_result_queries: zero,
        search_ms: Latency::from_durations(search_times),
        suggest_ms: Latency::from_durations(suggest_times),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!("catalog      {} products ({} rows skipped), read in {:.2} s", result.products, result.rows_skipped, result.read_s);
        println!("index build  {:.2} s, {:.1} MB on disk; open {:.1} ms", result.build_s, result.index_bytes as f64 / 1e6, result.open_ms);
        println!("queries      {} ({} with no result), {} timed passes", result.queries, result.zero_result_queries, args.rounds);
        print_latency("search", &result.search_ms);
        print_latency("suggest", &result.suggest_ms);
        if let Some(v) = &result.vectors {
            println!("vectors      {} texts embedded, {} reused, in {:.1} s; {:.1} MB", v.texts, v.reused, v.embed_s, v.vectors_bytes as f64 / 1e6);
            print_latency("hybrid", &v.hybrid_search_ms);
            if let Some(recall) = v.graph_recall {
                println!("graph        recall@{} {recall:.3} against the exact scan", crate::catalog::SEMANTIC_CANDIDATES);
            }
            println!("rebuild      {} products changed: {} texts encoded, {:.2} s in all", v.changed_products, v.rebuild_encoded, v.rebuild_s);
        }
    }
    Ok(())
}

/// Builds the products' vectors in `dir` from scratch, times hybrid search (the queries'
/// embeddings computed beforehand, as the chat has its parse's), then rebuilds with 1 % of
/// the titles changed.
fn vector_bench(dir: &Path, products: &[crate::catalog::Product], queries: &[(String, SearchRequest)], args: &SearchBench, config: &Config) -> anyhow::Result<VectorBench> {
    use crate::catalog::{Embedder, Retrieval};
    crate::nlu::fetch::ensure(&config.model_dir)?;
    let embedder: std::sync::Arc<dyn Embedder> = std::sync::Arc::new(crate::nlu::encoder::Encoder::load(&config.model_dir, None)?);
    let options = BuildOptions {
        heap_bytes: config.index_heap_mb * 1_000_000,
        embedder: Some(embedder.clone()),
        vector_cache: Some(config.vector_cache()),
        ..BuildOptions::default()
    };
    let source = || IndexSource::Import { files: Vec::new() };
    let built = index::build(dir, products, source(), &options)?;
    let (texts, reused) = built.vectors.map_or((0, 0), |v| (v.encoded, v.reused));
    let vectors_bytes = std::fs::metadata(built.generation.join(crate::catalog::vectors::FILE)).map(|m| m.len()).unwrap_or(0);
    let synonyms = if config.synonyms.exists() { Synonyms::load(&config.synonyms)? } else { Synonyms::default() };
    let catalog = Catalog::open(dir, synonyms)?;
    let texts_of: Vec<&str> = queries.iter().map(|(_, r)| r.text.as_str()).collect();
    let embeddings = embedder.embed(&texts_of).map_err(anyhow::Error::msg)?;
    let requests: Vec<SearchRequest> = queries
        .iter()
        .zip(embeddings)
        .map(|((_, r), v)| SearchRequest { vector: Some(v), retrieval: Retrieval::Hybrid, ..r.clone() })
        .collect();
    for request in &requests {
        catalog.search(request)?;
    }
    let mut times = Vec::with_capacity(requests.len() * args.rounds);
    for _ in 0..args.rounds {
        for request in &requests {
            let t = Instant::now();
            std::hint::black_box(catalog.search(request)?);
            times.push(t.elapsed());
        }
    }
    let mut recalls = Vec::new();
    for request in &requests {
        recalls.extend(catalog.graph_recall(request.vector.as_deref().unwrap_or_default())?);
    }
    let graph_recall = (!recalls.is_empty()).then(|| recalls.iter().map(|&r| f64::from(r)).sum::<f64>() / recalls.len() as f64);
    drop(catalog);
    let mut changed = products.to_vec();
    let mut changed_products = 0;
    for product in changed.iter_mut().step_by(100) {
        product.title.push_str(" (new edition)");
        changed_products += 1;
    }
    let rebuilt = index::build(dir, &changed, source(), &options)?;
    Ok(VectorBench {
        texts,
        reused,
        embed_s: built.elapsed.as_secs_f64(),
        vectors_bytes,
        hybrid_search_ms: Latency::from_durations(times),
        graph_recall,
        changed_products,
        rebuild_encoded: rebuilt.vectors.map_or(0, |v| v.encoded),
        rebuild_s: rebuilt.elapsed.as_secs_f64(),
    })
}

fn print_latency(name: &str, l: &Latency) {
    println!(
        "{name:<12} p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms  mean {:.3} ms  ({} samples)",
        l.p50, l.p90, l.p99, l.max, l.mean, l.samples
    );
}

fn serve(args: ServeBench, config: &Config) -> anyhow::Result<()> {
    let queries = read_queries(&args.queries)?;
    crate::cli::open_catalog(config)?; // build now, so that start-up is measured on a built index
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let exe = std::env::current_exe()?;
    let catalog_arg = config.catalog.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(",");
    let started = Instant::now();
    let child = Command::new(exe)
        .args(["--addr", &addr.to_string(), "--index-dir"])
        .arg(&config.index_dir)
        .args(["--catalog", &catalog_arg, "--synonyms"])
        .arg(&config.synonyms)
        .arg("serve")
        .env("AISLE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start aisle serve")?;
    let child = KillOnDrop(child);
    let deadline = started + Duration::from_secs(60);
    let mut client = loop {
        if Instant::now() > deadline {
            bail!("the server did not become ready within 60 s");
        }
        if let Ok(mut client) = HttpClient::connect(addr) {
            if let Ok((200, body)) = client.get("/healthz") {
                if body.contains("\"ok\"") {
                    break client;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let ready_ms = started.elapsed().as_secs_f64() * 1e3;
    let (_, health) = client.get("/healthz")?;
    let products = serde_json::from_str::<serde_json::Value>(&health)?["products"].as_u64().unwrap_or(0) as usize;
    let paths: Vec<String> = queries.iter().map(|(_, r)| search_path(r)).collect();
    for path in &paths {
        client.get(path)?;
    }
    let mut times = Vec::new();
    for _ in 0..args.rounds {
        for path in &paths {
            let t = Instant::now();
            let (status, _) = client.get(path)?;
            times.push(t.elapsed());
            if status != 200 {
                bail!("{path} answered {status}");
            }
        }
    }
    let (rss_mb, peak_rss_mb) = memory_mb(child.0.id())?;
    let result = ServeReport { products, ready_ms, http_search_ms: Latency::from_durations(times), rss_mb, peak_rss_mb };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!("products     {}", result.products);
        println!("ready        {:.0} ms from spawn to /healthz ok", result.ready_ms);
        print_latency("http search", &result.http_search_ms);
        println!("memory       RSS {:.1} MB (peak {:.1} MB)", result.rss_mb, result.peak_rss_mb);
    }
    Ok(())
}

/// The `/v1/search` path for a request.
fn search_path(r: &SearchRequest) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("q", r.text.clone())];
    let f = &r.filters;
    pairs.extend(f.brands.iter().map(|v| ("brand", v.clone())));
    pairs.extend(f.categories.iter().map(|v| ("category", v.clone())));
    pairs.extend(f.colors.iter().map(|v| ("color", v.clone())));
    pairs.extend(f.sizes.iter().map(|v| ("size", v.clone())));
    pairs.extend(f.genders.iter().map(|v| ("gender", v.clone())));
    pairs.extend(f.min_price.map(|v| ("min_price", v.to_string())));
    pairs.extend(f.max_price.map(|v| ("max_price", v.to_string())));
    pairs.extend(f.in_stock.map(|v| ("in_stock", v.to_string())));
    let sort = match r.sort {
        Sort::Relevance => "relevance",
        Sort::PriceAsc => "price_asc",
        Sort::PriceDesc => "price_desc",
        Sort::Rating => "rating",
    };
    pairs.push(("sort", sort.into()));
    format!("/v1/search?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

/// Resident and peak resident memory of a process, from /proc.
fn memory_mb(pid: u32) -> anyhow::Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("cannot read the server's memory (Linux /proc)")?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    Ok((field("VmRSS:"), field("VmHWM:")))
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| entries.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A keep-alive HTTP/1.1 client for GETs with a Content-Length body: enough for a benchmark
/// without a client stack in the server's dependencies.
struct HttpClient {
    reader: BufReader<TcpStream>,
}

impl HttpClient {
    fn connect(addr: SocketAddr) -> std::io::Result<HttpClient> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(HttpClient { reader: BufReader::new(stream) })
    }

    fn get(&mut self, path: &str) -> anyhow::Result<(u16, String)> {
        write!(self.reader.get_mut(), "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line)?;
        let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("bad status line")?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse()?;
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}
