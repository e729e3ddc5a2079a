//! `GET /v1/recommendations`: lists for a context (`for_you`, `similar`, `bought_together`,
//! `complete_the_look`, `cart`) with a reason per product, from the sessions' snapshot of the
//! recommendation core (`session::recommender`: trained on the stored events, swapped in
//! whole every minute; requests never wait for training).
//!
//! Who the list is for: a `session_id` (its cart and focus; with consent, also its customer's
//! and its own stored history) or, for the shop's backend with the admin key, a
//! `customer_id`. Out-of-stock products, what the shopper bought (unless its kind is
//! re-buyable: then "you bought this before") and the products the list is about are never in
//! it.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use serde::Serialize;

use super::api::Params;
use super::{ApiError, AppState};
use crate::catalog::Filters;
use crate::protocol::ProductCard;
use crate::recommend::engine::{Context, MODEL, Reason};
use crate::session::recommender::Shopper;
use crate::session::state::SessionState;

const MAX_LIMIT: usize = 50;

#[derive(Debug, Serialize)]
pub struct RecommendedCard {
    #[serde(flatten)]
    card: ProductCard,
    reason: String,
}

#[derive(Debug, Serialize)]
pub struct RecommendationsResponse {
    products: Vec<RecommendedCard>,
    model: &'static str,
    /// The experiment arm (none yet).
    arm: Option<String>,
}

/// Who a request for a list or for suggestions is for, from its `session_id` and
/// `customer_id` parameters.
pub(super) struct Asker {
    /// The session named, and its state.
    pub session: Option<(String, SessionState)>,
    /// The customer: one named by the shop's backend (admin key checked), else the session's
    /// when it consented.
    pub customer: Option<String>,
    /// Whether stored events may be used: the session consented, or the backend named a customer.
    pub remembered: bool,
}

impl Asker {
    /// Reads the parameters; an unknown session is a 404, a `customer_id` without the admin key a 401.
    pub(super) async fn read(state: &AppState, headers: &HeaderMap, params: &Params) -> Result<Asker, ApiError> {
        let named = match params.one("customer_id")? {
            Some(id) => {
                super::orders::admin(state, headers)?;
                Some(id.to_string())
            }
            None => None,
        };
        let session = match params.one("session_id")? {
            Some(id) => Some((id.to_string(), state.sessions.state(id).await.map_err(|e| session_error(e, id))?)),
            None => None,
        };
        let consented = session.as_ref().is_some_and(|(_, s)| s.consent);
        let remembered = consented || named.is_some();
        let customer = named.or_else(|| session.as_ref().filter(|_| consented).and_then(|(_, s)| s.customer_id.clone()));
        Ok(Asker { session, customer, remembered })
    }

    /// The shopper, with `here` (the cart and product in view) as what is in front of them.
    pub(super) fn shopper(&self, here: Vec<String>) -> Shopper<'_> {
        Shopper { session_id: self.session.as_ref().map(|(id, _)| id.as_str()), customer_id: self.customer.as_deref(), remembered: self.remembered, here }
    }
}

/// A session named in a request that cannot be read: an unknown one is a 404.
fn session_error(error: crate::session::SessionError, id: &str) -> ApiError {
    match error {
        crate::session::SessionError::UnknownSession(_) => ApiError::NotFound(format!("no session '{id}'")),
        other => other.into(),
    }
}

const CONTEXTS: [&str; 5] = ["for_you", "similar", "bought_together", "complete_the_look", "cart"];

pub async fn recommend(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Json<RecommendationsResponse>, ApiError> {
    let params = Params::parse(raw, &["context", "session_id", "customer_id", "product_id", "limit"])?;
    let context = params.one("context")?.ok_or_else(|| ApiError::BadRequest(format!("'context' is required: one of {}", CONTEXTS.join(", "))))?.to_string();
    if !CONTEXTS.contains(&context.as_str()) {
        return Err(ApiError::BadRequest(format!("'context' must be one of {}, got '{context}'", CONTEXTS.join(", "))));
    }
    let limit = params.number_in("limit", 8, MAX_LIMIT)?;
    let product = match params.one("product_id")? {
        Some(id) => Some(state.catalog.product(id)?.ok_or_else(|| ApiError::NotFound(format!("no product with id '{id}'")))?),
        None => None,
    };
    if product.is_none() && matches!(context.as_str(), "similar" | "bought_together" | "complete_the_look") {
        return Err(ApiError::BadRequest(format!("context '{context}' needs a product_id")));
    }
    let asker = Asker::read(&state, &headers, &params).await?;
    let session = &asker.session;

    if context == "similar" {
        let product = product.expect("checked above");
        let hits = state.catalog.similar(&product.id, limit, &Filters { in_stock: Some(true), ..Filters::default() })?;
        let reason = format!("similar to {}", product.title);
        let products = hits.iter().map(|h| RecommendedCard { card: ProductCard::from(&h.product), reason: reason.clone() }).collect();
        return Ok(Json(RecommendationsResponse { products, model: "content/1", arm: None }));
    }

    // The shopper: stored history with consent (or the backend naming a customer), and this
    // session's own cart and views.
    let shopper = asker.shopper(session.as_ref().map(|(_, s)| s.in_front()).unwrap_or_default());
    let (engine_context, anchors): (Context, Vec<String>) = match context.as_str() {
        "for_you" => (Context::ForYou, Vec::new()),
        "cart" => (Context::Cart, session.as_ref().map(|(_, s)| s.cart.iter().map(|l| l.product_id.clone()).collect()).unwrap_or_default()),
        "bought_together" => (Context::BoughtTogether, product.iter().map(|p| p.id.clone()).collect()),
        _ => (Context::CompleteTheLook, product.iter().map(|p| p.id.clone()).collect()),
    };
    let recommender = state.sessions.recommender();
    let started = std::time::Instant::now();
    let profile = recommender.profile(&state.catalog, &shopper).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let profiled = started.elapsed();
    let picks = recommender.list(&state.catalog, &shopper, &profile, engine_context, &anchors, limit);
    metrics::histogram!(crate::telemetry::RECOMMENDATION_SECONDS, "context" => engine_context.as_str()).record(started.elapsed().as_secs_f64());
    tracing::debug!(context, profile_ms = profiled.as_secs_f64() * 1e3, list_ms = (started.elapsed() - profiled).as_secs_f64() * 1e3, "recommendations");
    let catalog = &state.catalog;
    let mut products = Vec::with_capacity(picks.len());
    for (p, reason) in picks {
        let title = |id: &str| catalog.product(id).ok().flatten().map(|p| p.title).unwrap_or_else(|| id.to_string());
        let reason = match reason {
            Reason::BecauseOf(from) => format!("because of your interest in {}", title(&from)),
            Reason::BoughtWith(from) => format!("often bought with {}", title(&from)),
            Reason::Trending => "popular this week".to_string(),
            Reason::PopularIn(kind) => format!("popular in {kind} this week"),
            Reason::BuyAgain => "you bought this before".to_string(),
            Reason::GoesWith(from) => format!("goes with {}", title(&from)),
        };
        products.push(RecommendedCard { card: ProductCard::from(&p), reason });
    }
    Ok(Json(RecommendationsResponse { products, model: MODEL, arm: None }))
}
