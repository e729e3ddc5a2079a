//! The `aisle` binary: parse the command line, resolve the configuration, set up logging,
//! and hand over to [`aisle::cli::run`].

use clap::Parser;
use tracing_subscriber::EnvFilter;

use aisle::cli::Cli;
use aisle::config::{Config, LogFormat};

fn main() -> anyhow::Result<()> {
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
