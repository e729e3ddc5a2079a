//! aisle: a conversational shopping assistant server.
//!
//! ```text
//! client ──HTTP / ws──▶ server ──▶ catalog (tantivy index: search, suggest, similar)
//!                         │
//!                         └──────▶ (later) session, nlu, dialogue, recommend, orders
//! ```
//!
//! - [`config`]: one [`Config`](config::Config), from TOML < environment < command line.
//! - [`catalog`]: product model, importers, the index (built offline, swapped atomically),
//!   search with typo tolerance and synonyms, filters, facets, autocomplete, similar items.
//! - [`protocol`]: the wire types that clients rely on (a contract), serde only.
//! - [`server`]: the axum router; the only module that knows HTTP status codes.
//! - [`cli`]: the `aisle` subcommands; [`bench`]: the whole-program benchmarks.

pub mod bench;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod protocol;
pub mod server;
