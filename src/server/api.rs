//! The REST handlers: health, search, suggest, product, similar.
//!
//! Query strings are parsed here, strictly: an unknown parameter, a repeated single-valued one
//! or a value of the wrong type is a 400 that names it.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use serde_json::json;

use super::{ApiError, AppState};
use crate::catalog::schema::fold;
use crate::catalog::search::{MAX_LIMIT, MAX_OFFSET};
use crate::catalog::suggest::complete;
use crate::catalog::{Filters, Retrieval, SearchRequest, Sort, Suggestion, SuggestionKind};
use crate::protocol::{ProductCard, ProductsResponse, SearchResponse, SuggestResponse};

const MAX_SUGGESTIONS: usize = 20;
/// Longest accepted query text, in bytes.
const MAX_QUERY_BYTES: usize = 1_000;

/// Query parameters by name, each with its values in order.
pub(super) struct Params {
    values: HashMap<String, Vec<String>>,
}

impl Params {
    pub(super) fn parse(raw: Option<String>, known: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
            .map_err(|e| ApiError::BadRequest(format!("malformed query string: {e}")))?;
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in pairs {
            if !known.contains(&key.as_str()) {
                return Err(ApiError::BadRequest(format!("unknown parameter '{key}'; known: {}", known.join(", "))));
            }
            values.entry(key).or_default().push(value);
        }
        Ok(Params { values })
    }

    /// A single-valued parameter; empty counts as absent.
    pub(super) fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.values.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(one.as_str()).filter(|v| !v.trim().is_empty())),
            Some(_) => Err(ApiError::BadRequest(format!("'{name}' is given more than once"))),
        }
    }

    fn parsed<T: FromStr>(&self, name: &str, what: &str) -> Result<Option<T>, ApiError> {
        self.one(name)?
            .map(|v| v.trim().parse::<T>().map_err(|_| ApiError::BadRequest(format!("'{name}' must be {what}, got '{v}'"))))
            .transpose()
    }

    pub(super) fn number_in(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        let what = format!("a whole number from 0 to {max}");
        let n = self.parsed::<usize>(name, &what)?.unwrap_or(default);
        if n > max {
            return Err(ApiError::BadRequest(format!("'{name}' must be {what}, got {n}")));
        }
        Ok(n)
    }

    fn price(&self, name: &str) -> Result<Option<f64>, ApiError> {
        let price = self.parsed::<f64>(name, "a number")?;
        match price {
            Some(p) if !p.is_finite() || p < 0.0 => Err(ApiError::BadRequest(format!("'{name}' must be a non-negative number, got {p}"))),
            _ => Ok(price),
        }
    }

    fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.one(name)?
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(ApiError::BadRequest(format!("'{name}' must be true or false, got '{v}'"))),
            })
            .transpose()
    }

    /// Every value of a repeatable parameter, blank ones dropped.
    fn all(&self, name: &str) -> Vec<String> {
        self.values.get(name).into_iter().flatten().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect()
    }

    fn text(&self, name: &str) -> Result<String, ApiError> {
        let text = self.one(name)?.unwrap_or("").to_string();
        if text.len() > MAX_QUERY_BYTES {
            return Err(ApiError::BadRequest(format!("'{name}' is {} bytes long; the limit is {MAX_QUERY_BYTES}", text.len())));
        }
        Ok(text)
    }
}

pub(super) async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "products": state.catalog.len()}))
}

pub(super) async fn search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<SearchResponse>, ApiError> {
    const KNOWN: &[&str] = &[
        "q", "limit", "offset", "brand", "category", "min_price", "max_price", "in_stock", "color", "size", "gender", "attribute",
        "sort", "semantic",
    ];
    let params = Params::parse(raw, KNOWN)?;
    let sort = match params.one("sort")? {
        None => Sort::Relevance,
        Some(s) => Sort::parse(s)
            .ok_or_else(|| ApiError::BadRequest(format!("'sort' must be relevance, price_asc, price_desc or rating, got '{s}'")))?,
    };
    let request = SearchRequest {
        text: params.text("q")?,
        kind_words: Vec::new(),
        filters: Filters {
            min_price: params.price("min_price")?,
            max_price: params.price("max_price")?,
            brands: params.all("brand"),
            categories: params.all("category"),
            in_stock: params.bool("in_stock")?,
            colors: params.all("color"),
            sizes: params.all("size"),
            genders: params.all("gender"),
            attributes: params.all("attribute"),
            ..Filters::default()
        },
        sort,
        limit: params.number_in("limit", 10, MAX_LIMIT)?,
        offset: params.number_in("offset", 0, MAX_OFFSET)?,
        facets: true,
        vector: None,
        retrieval: if params.bool("semantic")?.unwrap_or(true) { Retrieval::Hybrid } else { Retrieval::Lexical },
    };
    let vector = if request.retrieval != Retrieval::Lexical && state.catalog.vectors().is_some() && !request.text.trim().is_empty() {
        query_vector(&state, &request.text).await
    } else {
        None
    };
    let results = state.catalog.search(&SearchRequest { vector, ..request })?;
    Ok(Json(SearchResponse {
        total: results.total,
        took_ms: (results.took_ms * 1000.0).round() / 1000.0,
        products: results.hits.iter().map(|h| ProductCard::from(&h.product)).collect(),
        facets: results.facets,
        dropped_words: results.dropped_words,
        retrievers: results.retrievers,
        suggested_filters: results.suggested_filters,
    }))
}

/// The query's embedding; when the encoder is busy or fails, none (the search is then by
/// words only, and the response's `retrievers` says so).
async fn query_vector(state: &AppState, text: &str) -> Option<Vec<f32>> {
    match state.sessions.assistant().nlu().encoder().embed(vec![text.to_string()]).await {
        Ok(mut vectors) => vectors.pop(),
        Err(error) => {
            tracing::warn!(%error, "searching by words only");
            None
        }
    }
}

/// `GET /metrics`: Prometheus text (`src/telemetry.rs` lists the metrics). The gauges read from
/// the database (active sessions, sessions waiting for a person) and the snapshot's age are
/// set when scraped.
pub(super) async fn metrics(State(state): State<AppState>) -> Result<([(axum::http::HeaderName, &'static str); 1], String), ApiError> {
    let since = jiff::Timestamp::now().as_millisecond() - ACTIVE_WINDOW_MS;
    let (active, waiting) = state.sessions.store().activity(since).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    metrics::gauge!(crate::telemetry::SESSIONS_ACTIVE).set(active as f64);
    metrics::gauge!(crate::telemetry::SESSIONS_WAITING).set(waiting as f64);
    let trained = state.sessions.recommender().snapshot().trained_at;
    metrics::gauge!(crate::telemetry::RECOMMENDATIONS_AGE).set((jiff::Timestamp::now().as_second() - trained).max(0) as f64);
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], crate::telemetry::render()))
}

/// A session is active for this long after its last turn.
const ACTIVE_WINDOW_MS: i64 = 30 * 60 * 1000;

/// Completions for what was typed: with a `session_id` that consented (or a `customer_id`
/// and the admin key), the shopper's own recent searches first and the brands they lean to
/// before other catalog completions; then the shop's popular searches; then brands, categories
/// and titles from the catalog.
pub(super) async fn suggest(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Json<SuggestResponse>, ApiError> {
    let params = Params::parse(raw, &["q", "limit", "session_id", "customer_id"])?;
    let limit = params.number_in("limit", 8, MAX_SUGGESTIONS)?;
    let typed = params.text("q")?;
    let asker = super::recommendations::Asker::read(&state, &headers, &params).await?;
    let profile = state.sessions.recommender().profile(&state.catalog, &asker.shopper(Vec::new())).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let searches: Vec<(String, &str)> = profile.searches.iter().map(|q| (fold(q), q.as_str())).collect();
    let own = complete(searches.iter().map(|(f, q)| (f.as_str(), *q)), &typed, limit, SuggestionKind::Recent);
    let popular = state.sessions.recommender().queries().complete(&typed, limit);
    let mut catalog = state.catalog.suggest(&typed, limit * 2);
    // Brands they lean to first among the catalog's completions (a stable sort keeps the rest).
    catalog.sort_by_key(|s| !(s.kind == SuggestionKind::Brand && profile.brands.iter().any(|b| b.name.eq_ignore_ascii_case(&s.text))));
    let mut seen = HashSet::new();
    let items: Vec<Suggestion> = own.into_iter().chain(popular).chain(catalog).filter(|s| seen.insert(s.text.to_lowercase())).take(limit).collect();
    Ok(Json(SuggestResponse { suggestions: items.iter().map(|s| s.text.clone()).collect(), items }))
}

pub(super) async fn product(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<crate::catalog::Product>, ApiError> {
    state.catalog.product(&id)?.map(Json).ok_or_else(|| ApiError::NotFound(format!("no product with id '{id}'")))
}

pub(super) async fn similar(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ProductsResponse>, ApiError> {
    let params = Params::parse(raw, &["limit", "in_stock"])?;
    let limit = params.number_in("limit", 8, MAX_LIMIT)?;
    let filters = Filters { in_stock: params.bool("in_stock")?, ..Filters::default() };
    match state.catalog.similar(&id, limit, &filters) {
        Ok(hits) => Ok(Json(ProductsResponse::from_hits(&hits))),
        Err(crate::catalog::CatalogError::UnknownProduct(_)) => Err(ApiError::NotFound(format!("no product with id '{id}'"))),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint".into())
}

