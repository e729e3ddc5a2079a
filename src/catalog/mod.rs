//! The product catalog: the product model, importers, the tantivy index (schema, offline
//! build with an atomic swap) and its product vectors ([`vectors`]), search with typo
//! tolerance, synonyms, filters and facets fused with the nearest products in meaning
//! ([`hybrid`]), suggested filters, autocomplete, similar items, and relevance evaluation
//! ([`eval`]).
//!
//! `catalog` owns tantivy: nothing outside it names a tantivy type. The index is built by
//! [`index::build`] (from `aisle index`, `aisle import products`, or `serve` when the index is
//! missing or stale) and served by one [`Catalog`] for the life of the process: one
//! `IndexReader`, a searcher per request.

pub mod ann;
pub mod eval;
mod hybrid;
pub mod import;
pub mod index;
pub mod product;
mod query;
pub mod schema;
pub mod smart_filters;
pub mod search;
pub mod suggest;
pub mod synonyms;
pub mod vectors;

use std::path::PathBuf;

pub use hybrid::SEMANTIC_CANDIDATES;
pub use index::{BuildOptions, BuildReport, Catalog, IndexSource};
pub use product::{Availability, Money, Product};
pub use search::{FacetCount, Facets, Filters, Hit, Retrieval, SearchRequest, SearchResults, Sort};
pub use suggest::{PopularQueries, Suggestion, SuggestionKind};
pub use vectors::{Embedder, Vectors};

/// Errors of the catalog layer.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot read the input: {0}")]
    Read(std::io::Error),
    #[error("{}: {source}", path.display())]
    InFile { path: PathBuf, source: Box<CatalogError> },
    #[error("CSV: {0}")]
    Csv(csv::Error),
    #[error("bad header: {0}")]
    BadHeader(String),
    #[error("cannot tell the format of {}: name it with --format", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("the catalog has no valid products; nothing was changed")]
    Empty,
    #[error("no index at {}: build one with `aisle index`", path.display())]
    NoIndex { path: PathBuf },
    #[error("another build holds the lock on {}", path.display())]
    Locked { path: PathBuf },
    #[error("index metadata at {}: {message}", path.display())]
    Meta { path: PathBuf, message: String },
    #[error("invalid search: {0}")]
    BadQuery(String),
    #[error("unknown product {0}")]
    UnknownProduct(String),
    #[error("synonyms file {}, line {line}: {message}", path.display())]
    Synonyms { path: PathBuf, line: usize, message: String },
    #[error("the build was interrupted; the served index is unchanged")]
    Interrupted,
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("product vectors at {}: {message}", path.display())]
    Vectors { path: PathBuf, message: String },
    #[error("embedding products: {0}")]
    Embed(String),
    #[error("stored product is unreadable: {0}")]
    Stored(serde_json::Error),
}

impl CatalogError {
    /// Names the file an error came from, once.
    pub(crate) fn in_file(self, path: &std::path::Path) -> CatalogError {
        match self {
            e @ (CatalogError::Io { .. } | CatalogError::InFile { .. }) => e,
            other => CatalogError::InFile { path: path.to_path_buf(), source: Box::new(other) },
        }
    }

    /// Whether the caller (not the server) is at fault.
    pub fn is_user_error(&self) -> bool {
        matches!(self, CatalogError::BadQuery(_) | CatalogError::UnknownProduct(_))
    }
}
