//! One configuration, resolved once: built-in defaults < TOML file < environment (`AISLE_*`)
//! < command line. clap reads the environment and the command line; the TOML file fills what
//! neither set.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// File read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "aisle.toml";

/// Shortest admin key accepted.
const MIN_ADMIN_KEY_BYTES: usize = 16;

/// Settings as given on the command line, in the environment, or in the TOML file.
#[derive(Debug, Clone, Default, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// TOML configuration file [default: aisle.toml when it exists]
    #[arg(long, env = "AISLE_CONFIG", global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Address the server listens on [default: 127.0.0.1:8080]
    #[arg(long, env = "AISLE_ADDR", global = true)]
    pub addr: Option<SocketAddr>,

    /// Directory of the product index [default: index]
    #[arg(long, env = "AISLE_INDEX_DIR", global = true)]
    pub index_dir: Option<PathBuf>,

    /// Catalog files the index is built from, comma-separated [default: data/demo/products.jsonl]
    #[arg(long, env = "AISLE_CATALOG", global = true, value_delimiter = ',')]
    pub catalog: Option<Vec<PathBuf>>,

    /// Query-time synonyms file [default: data/synonyms.txt]
    #[arg(long, env = "AISLE_SYNONYMS", global = true)]
    pub synonyms: Option<PathBuf>,

    /// Currency of catalog prices written as bare numbers, ISO 4217 [default: USD]
    #[arg(long, env = "AISLE_CURRENCY", global = true)]
    pub currency: Option<String>,

    /// Memory for building the index, in MB [default: 200]
    #[arg(long, env = "AISLE_INDEX_HEAP_MB", global = true)]
    pub index_heap_mb: Option<usize>,

    /// Encoder model directory (Hugging Face layout); fetched there when missing [default: models/all-MiniLM-L6-v2]
    #[arg(long, env = "AISLE_MODEL_DIR", global = true)]
    pub model_dir: Option<PathBuf>,

    /// Trained intent head file [default: models/intent-head.json]
    #[arg(long, env = "AISLE_INTENT_HEAD", global = true)]
    pub intent_head: Option<PathBuf>,

    /// Directory of intent examples (*.yaml) [default: prompts/intents]
    #[arg(long, env = "AISLE_INTENTS_DIR", global = true)]
    pub intents_dir: Option<PathBuf>,

    /// Labelled JSON Lines the intent head also trains on, comma-separated; missing files are skipped [default: ../shared/data/nlu/dev.jsonl]
    #[arg(long, env = "AISLE_NLU_DATA", global = true, value_delimiter = ',')]
    pub nlu_data: Option<Vec<PathBuf>>,

    /// Utterances that may wait for the encoder before new ones are refused [default: 256]
    #[arg(long, env = "AISLE_ENCODER_QUEUE", global = true)]
    pub encoder_queue: Option<usize>,

    /// Most utterances encoded in one batch [default: 32]
    #[arg(long, env = "AISLE_ENCODER_MAX_BATCH", global = true)]
    pub encoder_max_batch: Option<usize>,

    /// How long the encoder waits for more utterances to batch, in ms [default: 0: only those already waiting]
    #[arg(long, env = "AISLE_ENCODER_MAX_WAIT_MS", global = true)]
    pub encoder_max_wait_ms: Option<u64>,

    /// Encoder worker threads, each running the model on one core [default: the number of cores, at most 8]
    #[arg(long, env = "AISLE_ENCODER_WORKERS", global = true)]
    pub encoder_workers: Option<usize>,

    /// SQLite database file of sessions (and orders) [default: aisle.db]
    #[arg(long, env = "AISLE_DATABASE", global = true)]
    pub database: Option<PathBuf>,

    /// Directory of responses.yaml and faq.yaml [default: prompts]
    #[arg(long, env = "AISLE_PROMPTS_DIR", global = true)]
    pub prompts_dir: Option<PathBuf>,

    /// Where "checkout" sends the shopper [default: https://shop.example/checkout]
    #[arg(long, env = "AISLE_CHECKOUT_URL", global = true)]
    pub checkout_url: Option<String>,

    /// Secret that signs customer identity tokens and links, at least 32 bytes [default: one generated and kept in the database]
    #[arg(long, env = "AISLE_TOKEN_SECRET", global = true, hide_env_values = true)]
    pub token_secret: Option<String>,

    /// Bearer key of the admin API (order and customer upserts); the admin API is off without one
    #[arg(long, env = "AISLE_ADMIN_KEY", global = true, hide_env_values = true)]
    pub admin_key: Option<String>,

    /// Key support agents sign in to the console (/console, /ws/agent) with, at least 16 bytes; the console is off without one
    #[arg(long, env = "AISLE_AGENT_KEY", global = true, hide_env_values = true)]
    pub agent_key: Option<String>,

    /// Base URL of this server as shoppers reach it, for the links it gives (invoices) [default: http://<addr>]
    #[arg(long, env = "AISLE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Load the demo customers and orders (data/demo) into a database that has no orders yet [default: true]
    #[arg(long, env = "AISLE_DEMO_ORDERS", global = true)]
    pub demo_orders: Option<bool>,

    /// Compute product vectors with the index, and search and answer by meaning with them [default: true]
    #[arg(long, env = "AISLE_VECTORS", global = true)]
    pub vectors: Option<bool>,

    /// Fine-tune the encoder's last layers for intents when training (false: train the head alone, faster) [default: true]
    #[arg(long, env = "AISLE_FINE_TUNE", global = true)]
    pub fine_tune: Option<bool>,

    /// Delete conversations (sessions and transcripts) idle for this many days; checked hourly [default: keep them]
    #[arg(long, env = "AISLE_TRANSCRIPT_RETENTION_DAYS", global = true)]
    pub transcript_retention_days: Option<u32>,

    /// Categories whose products are offered again after a purchase (consumables), comma-separated names or paths ("Coffee", "Beauty > Skin Care") [default: none]
    #[arg(long, env = "AISLE_REBUYABLE", global = true, value_delimiter = ',')]
    pub rebuyable: Option<Vec<String>>,

    /// Web origins whose pages may use the chat and the API from a browser, comma-separated ("https://shop.example"; "*" for any); the server's own pages always may [default: none]
    #[arg(long, env = "AISLE_ALLOWED_ORIGINS", global = true, value_delimiter = ',')]
    pub allowed_origins: Option<Vec<String>>,

    /// Folder of the web pages: the demo shop at /, every file at /web/<path> [default: web]
    #[arg(long, env = "AISLE_WEB_DIR", global = true)]
    pub web_dir: Option<PathBuf>,

    /// Log format: text or json [default: text]
    #[arg(long, env = "AISLE_LOG_FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The resolved, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub index_dir: PathBuf,
    pub catalog: Vec<PathBuf>,
    pub synonyms: PathBuf,
    pub currency: String,
    pub index_heap_mb: usize,
    pub model_dir: PathBuf,
    pub intent_head: PathBuf,
    pub intents_dir: PathBuf,
    pub nlu_data: Vec<PathBuf>,
    pub encoder: crate::nlu::encoder::BatchOptions,
    pub database: PathBuf,
    pub prompts_dir: PathBuf,
    pub checkout_url: String,
    pub token_secret: Option<String>,
    pub admin_key: Option<String>,
    pub agent_key: Option<String>,
    pub public_url: String,
    pub demo_orders: bool,
    pub vectors: bool,
    pub fine_tune: bool,
    pub rebuyable: Vec<String>,
    pub transcript_retention_days: Option<u32>,
    pub allowed_origins: Vec<String>,
    pub web_dir: PathBuf,
    pub log_format: LogFormat,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            index_dir: PathBuf::from("index"),
            catalog: vec![PathBuf::from("data/demo/products.jsonl")],
            synonyms: PathBuf::from("data/synonyms.txt"),
            currency: "USD".into(),
            index_heap_mb: 200,
            model_dir: PathBuf::from("models/all-MiniLM-L6-v2"),
            intent_head: PathBuf::from("models/intent-head.json"),
            intents_dir: PathBuf::from("prompts/intents"),
            nlu_data: vec![PathBuf::from("../shared/data/nlu/dev.jsonl")],
            encoder: crate::nlu::encoder::BatchOptions::default(),
            database: PathBuf::from("aisle.db"),
            prompts_dir: PathBuf::from("prompts"),
            checkout_url: "https://shop.example/checkout".into(),
            token_secret: None,
            admin_key: None,
            agent_key: None,
            public_url: "http://127.0.0.1:8080".into(),
            demo_orders: true,
            vectors: true,
            fine_tune: true,
            rebuyable: Vec::new(),
            transcript_retention_days: None,
            allowed_origins: Vec::new(),
            web_dir: PathBuf::from("web"),
            log_format: LogFormat::Text,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {name}: {message}")]
    Invalid { name: &'static str, message: String },
}

impl Config {
    /// Resolves `options` (command line and environment) over the TOML file over defaults.
    pub fn load(options: &Options) -> Result<Config, ConfigError> {
        let file = match &options.config {
            Some(path) => Some(read_file(path)?),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => Some(read_file(Path::new(DEFAULT_CONFIG_FILE))?),
            None => None,
        }
        .unwrap_or_default();
        let d = Config::default();
        let addr = options.addr.or(file.addr).unwrap_or(d.addr);
        let config = Config {
            addr,
            index_dir: options.index_dir.clone().or(file.index_dir).unwrap_or(d.index_dir),
            catalog: options.catalog.clone().or(file.catalog).unwrap_or(d.catalog),
            synonyms: options.synonyms.clone().or(file.synonyms).unwrap_or(d.synonyms),
            currency: options.currency.clone().or(file.currency).unwrap_or(d.currency).to_ascii_uppercase(),
            index_heap_mb: options.index_heap_mb.or(file.index_heap_mb).unwrap_or(d.index_heap_mb),
            model_dir: options.model_dir.clone().or(file.model_dir).unwrap_or(d.model_dir),
            intent_head: options.intent_head.clone().or(file.intent_head).unwrap_or(d.intent_head),
            intents_dir: options.intents_dir.clone().or(file.intents_dir).unwrap_or(d.intents_dir),
            nlu_data: options.nlu_data.clone().or(file.nlu_data).unwrap_or(d.nlu_data),
            encoder: crate::nlu::encoder::BatchOptions {
                queue: options.encoder_queue.or(file.encoder_queue).unwrap_or(d.encoder.queue),
                max_batch: options.encoder_max_batch.or(file.encoder_max_batch).unwrap_or(d.encoder.max_batch),
                max_wait: options
                    .encoder_max_wait_ms
                    .or(file.encoder_max_wait_ms)
                    .map(std::time::Duration::from_millis)
                    .unwrap_or(d.encoder.max_wait),
                workers: options.encoder_workers.or(file.encoder_workers).unwrap_or(d.encoder.workers),
            },
            database: options.database.clone().or(file.database).unwrap_or(d.database),
            prompts_dir: options.prompts_dir.clone().or(file.prompts_dir).unwrap_or(d.prompts_dir),
            checkout_url: options.checkout_url.clone().or(file.checkout_url).unwrap_or(d.checkout_url),
            token_secret: options.token_secret.clone().or(file.token_secret),
            admin_key: options.admin_key.clone().or(file.admin_key),
            agent_key: options.agent_key.clone().or(file.agent_key),
            public_url: options.public_url.clone().or(file.public_url).unwrap_or_else(|| format!("http://{addr}")),
            demo_orders: options.demo_orders.or(file.demo_orders).unwrap_or(d.demo_orders),
            vectors: options.vectors.or(file.vectors).unwrap_or(d.vectors),
            fine_tune: options.fine_tune.or(file.fine_tune).unwrap_or(d.fine_tune),
            rebuyable: options.rebuyable.clone().or(file.rebuyable).unwrap_or(d.rebuyable),
            transcript_retention_days: options.transcript_retention_days.or(file.transcript_retention_days),
            allowed_origins: options.allowed_origins.clone().or(file.allowed_origins).unwrap_or(d.allowed_origins),
            web_dir: options.web_dir.clone().or(file.web_dir).unwrap_or(d.web_dir),
            log_format: options.log_format.or(file.log_format).unwrap_or(d.log_format),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |name, message: String| Err(ConfigError::Invalid { name, message });
        if self.currency.len() != 3 || !self.currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return invalid("currency", format!("'{}' is not a three-letter ISO 4217 code", self.currency));
        }
        if self.catalog.is_empty() {
            return invalid("catalog", "names no file".into());
        }
        if !(16..=4096).contains(&self.index_heap_mb) {
            return invalid("index_heap_mb", format!("{} is outside 16 to 4096", self.index_heap_mb));
        }
        if !(1..=100_000).contains(&self.encoder.queue) {
            return invalid("encoder_queue", format!("{} is outside 1 to 100000", self.encoder.queue));
        }
        if !(1..=1024).contains(&self.encoder.max_batch) {
            return invalid("encoder_max_batch", format!("{} is outside 1 to 1024", self.encoder.max_batch));
        }
        if let Some(bad) = self.allowed_origins.iter().find(|o| !crate::server::origins::valid(o)) {
            return invalid("allowed_origins", format!("'{bad}' is not an origin: scheme://host[:port], or *"));
        }
        if !(1..=64).contains(&self.encoder.workers) {
            return invalid("encoder_workers", format!("{} is outside 1 to 64", self.encoder.workers));
        }
        if self.encoder.max_wait > std::time::Duration::from_millis(1000) {
            return invalid("encoder_max_wait_ms", "is over 1000 ms".into());
        }
        if !(self.checkout_url.starts_with("https://") || self.checkout_url.starts_with("http://") || self.checkout_url.starts_with('/')) {
            return invalid("checkout_url", format!("'{}' is not an http(s) URL or a path", self.checkout_url));
        }
        if self.token_secret.as_ref().is_some_and(|s| s.len() < crate::orders::identity::MIN_SECRET_BYTES) {
            return invalid("token_secret", format!("is shorter than {} bytes", crate::orders::identity::MIN_SECRET_BYTES));
        }
        if self.admin_key.as_ref().is_some_and(|k| k.len() < MIN_ADMIN_KEY_BYTES) {
            return invalid("admin_key", format!("is shorter than {MIN_ADMIN_KEY_BYTES} bytes"));
        }
        if self.agent_key.as_ref().is_some_and(|k| k.len() < MIN_ADMIN_KEY_BYTES) {
            return invalid("agent_key", format!("is shorter than {MIN_ADMIN_KEY_BYTES} bytes"));
        }
        if !(self.public_url.starts_with("https://") || self.public_url.starts_with("http://")) {
            return invalid("public_url", format!("'{}' is not an http(s) URL", self.public_url));
        }
        Ok(())
    }

    /// The product vectors every index build on this machine shares, kept beside the model.
    pub fn vector_cache(&self) -> PathBuf {
        self.model_dir.join(crate::catalog::vectors::CACHE_FILE)
    }

    /// Where the NLU layer's files are.
    pub fn nlu_paths(&self) -> crate::nlu::NluPaths {
        crate::nlu::NluPaths {
            model_dir: self.model_dir.clone(),
            head: self.intent_head.clone(),
            tuned: self.intent_head.with_file_name("intent-encoder.safetensors"),
            fine_tune: self.fine_tune,
            intents_dir: self.intents_dir.clone(),
            templates_dir: self.intents_dir.with_file_name("templates"),
            data: self.nlu_data.clone(),
            cache: self.intent_head.with_file_name("embeddings.cache"),
        }
    }
}

fn read_file(path: &Path) -> Result<Options, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_beats_file_beats_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aisle.toml");
        std::fs::write(&path, "addr = \"127.0.0.1:9000\"\nindex_dir = \"from-file\"\ncurrency = \"inr\"\n").unwrap();
        let options = Options { config: Some(path), index_dir: Some("from-cli".into()), ..Options::default() };
        let config = Config::load(&options).unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.index_dir, PathBuf::from("from-cli"));
        assert_eq!(config.currency, "INR");
        assert_eq!(config.catalog, Config::default().catalog);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aisle.toml");
        std::fs::write(&path, "adress = \"x\"\n").unwrap();
        let err = Config::load(&Options { config: Some(path.clone()), ..Options::default() }).unwrap_err();
        assert!(err.to_string().contains("adress"), "{err}");
        std::fs::write(&path, "currency = \"rupees\"\n").unwrap();
        let err = Config::load(&Options { config: Some(path), ..Options::default() }).unwrap_err();
        assert!(err.to_string().contains("currency"), "{err}");
    }
}
