//! The `aisle` binary: parse the command line, resolve the configuration, set up logging,
//! and hand over to [`aisle::cli::run`].

use clap::Parser;
use tracing_subscriber::EnvFilter;

use aisle::cli::Cli;
use aisle::config::{Config, LogFormat};

fn main() -> anyhow::Result<()> {
    pin_thread_count();
    let cli = Cli::parse();
    let config = Config::load(&cli.options)?;
    let filter = EnvFilter::try_from_env("AISLE_LOG").unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    aisle::cli::run(cli.command, config)
}

/// Runs each matrix product on one thread and the work above them on every core, unless
/// `RAYON_NUM_THREADS` says otherwise. candle spreads a product over the threads that
/// `RAYON_NUM_THREADS` names, and without it asks for the number of physical cores on every
/// product, which on Linux reads `/proc/cpuinfo` each time (about 3 ms of a 14 ms parse;
/// BENCHMARKS.md, Understanding). The products of a short utterance are too small to be worth
/// spreading; batches are spread a chunk of texts per core instead (`nlu::encoder`).
fn pin_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let _ = rayon::ThreadPoolBuilder::new().num_threads(cores).build_global();
        // SAFETY: called first thing in `main`, before any other thread exists.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    }
}
