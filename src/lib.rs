//! aisle: a conversational shopping assistant server.
//!
//! ```text
//! client ──HTTP / ws──▶ server ──▶ catalog (tantivy index + product vectors: hybrid search, suggest, similar)
//!                         │
//!                         ├──────▶ nlu (encoder workers, intent head, slots)
//!                         ├──────▶ session (state, transcript store: SQLite via sqlx)
//!                         │           └──▶ dialogue (policy, skills, replies) ──▶ nlu, catalog, orders
//!                         ├──────▶ orders (store, import, identity tokens, access rules)
//!                         ├──────▶ events (shopper events, consent-gated; SQLite)
//!                         └──────▶ recommend (models from interactions; offline evaluation)
//! ```
//!
//! - [`config`]: one [`Config`](config::Config), from TOML < environment < command line.
//! - [`catalog`]: product model, importers, the index (built offline, swapped atomically) with
//!   its product vectors, hybrid search (words with typo tolerance and synonyms, fused with the
//!   nearest products in meaning), filters, facets, suggested filters, autocomplete, similar
//!   items, relevance evaluation. The vectors come from an `Embedder` that `nlu` implements.
//! - [`nlu`]: the local language model: model install, the candle encoder on worker threads of its own,
//!   the trained intent head with an out-of-scope threshold, slot extraction, evaluation.
//! - [`session`]: conversations: state, follow-up context, the transcript store (SQLite, sqlx).
//! - [`dialogue`]: from intent to action to reply: the policy, the skills (search, questions,
//!   comparisons, cart, policies), the reply templates (`prompts/responses.yaml`) and the shop's
//!   policies (`prompts/faq.yaml`), both checked when loaded.
//! - [`orders`]: customers, orders, status history, shipments, returns and refunds (SQLite,
//!   sqlx); imports; identity tokens; the access rules that show a shopper only their orders.
//! - [`protocol`]: the wire types that clients rely on (a contract), serde only.
//! - [`server`]: the axum router; the only module that knows HTTP status codes.
//! - [`cli`]: the `aisle` subcommands; [`bench`]: the whole-program benchmarks.
//! - [`client`]: protocol v1 clients: `aisle chat` (terminal) and `aisle loadtest`.
//! - [`events`]: shopper events (views, clicks, cart changes, purchases, searches, cards
//!   shown), checked and stored once per id; [`recommend`]: the recommendation core (pure:
//!   popularity, trending, item-kNN, EASE, buy-again; shopper profiles) and its offline
//!   evaluation.
//! - [`wheel`]: registry packages fetched at run time with `pip download --no-deps`.
//! - [`telemetry`]: the Prometheus metrics' names, recorder and text (`GET /metrics`).
//! - [`giftshop`]: `aisle demo giftshop`, a second demo shop built from real invoices.

pub mod bench;
pub mod catalog;
pub mod cli;
pub mod client;
pub mod config;
pub mod dialogue;
pub mod english;
pub mod events;
pub mod giftshop;
pub mod nlu;
pub mod orders;
pub mod protocol;
pub mod recommend;
pub mod redact;
pub mod rng;
pub mod server;
pub mod session;
pub mod telemetry;
pub mod wheel;
