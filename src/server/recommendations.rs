//! `GET /v1/recommendations`: lists for a context (`for_you`, `similar`, `bought_together`,
//! `complete_the_look`, `cart`) with a reason per product, from the sessions' snapshot of the
//! recommendation core (`session::recommender`: trained on the stored events, swapped in
//! whole every minute; requests never wait for training).
//!
//! Who the list is for: a `session_id` (its cart and focus; with consent, also its customer's
//! and its own stored history) or, for the shop's backend with the admin key, a
//! `customer_id`. Out-of-stock products, what the shopper bought and the products the list is
//! about are never in it.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use serde::Serialize;

use super::api::Params;
use super::{ApiError, AppState};
use crate::catalog::{Filters, Product};
use crate::events::Kind;
use crate::events::store::session_shopper;
use crate::protocol::ProductCard;
use crate::recommend::engine::{Context, MODEL, Reason};

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
    let customer = match params.one("customer_id")? {
        Some(id) => {
            super::orders::admin(&state, &headers)?;
            Some(id.to_string())
        }
        None => None,
    };
    let session = match params.one("session_id")? {
        Some(id) => Some((id.to_string(), state.sessions.state(id).await.map_err(|e| match e {
            crate::session::SessionError::UnknownSession(_) => ApiError::NotFound(format!("no session '{id}'")),
            other => other.into(),
        })?)),
        None => None,
    };

    if context == "similar" {
        let product = product.expect("checked above");
        let hits = state.catalog.similar(&product.id, limit, &Filters { in_stock: Some(true), ..Filters::default() })?;
        let reason = format!("similar to {}", product.title);
        let products = hits.iter().map(|h| RecommendedCard { card: ProductCard::from(&h.product), reason: reason.clone() }).collect();
        return Ok(Json(RecommendationsResponse { products, model: "content/1", arm: None }));
    }

    let snapshot = state.sessions.recommender().snapshot();
    let now = jiff::Timestamp::now().as_second();
    // The shopper's history: stored (with consent) and this session's own cart and focus.
    let consented = session.as_ref().is_some_and(|(_, s)| s.consent);
    let customer = customer.or_else(|| session.as_ref().filter(|_| consented).and_then(|(_, s)| s.customer_id.clone()));
    let mut shoppers: Vec<String> = customer.iter().cloned().collect();
    let mut here: Vec<String> = Vec::new();
    if let Some((id, s)) = &session {
        if consented {
            shoppers.push(session_shopper(id));
        }
        here.extend(s.cart.iter().map(|l| l.product_id.clone()));
        here.extend(s.focus.clone());
    }
    let history = snapshot.history_of(&shoppers, &here, now);
    let bought: HashSet<String> = match &customer {
        Some(c) => state.sessions.events().of_customer(c, 1000).await.map_err(|e| ApiError::Internal(e.to_string()))?.into_iter().filter(|e| e.kind == Kind::Purchase).filter_map(|e| e.product_id).collect(),
        None => HashSet::new(),
    };
    let (engine_context, anchors): (Context, Vec<String>) = match context.as_str() {
        "for_you" => (Context::ForYou, Vec::new()),
        "cart" => (Context::Cart, session.as_ref().map(|(_, s)| s.cart.iter().map(|l| l.product_id.clone()).collect()).unwrap_or_default()),
        "bought_together" => (Context::BoughtTogether, product.iter().map(|p| p.id.clone()).collect()),
        _ => (Context::CompleteTheLook, product.iter().map(|p| p.id.clone()).collect()),
    };
    let own_kind = product.as_ref().filter(|_| engine_context == Context::CompleteTheLook).map(Product::category_path);
    let catalog = &state.catalog;
    let allowed = |id: &str| {
        if bought.contains(id) || anchors.iter().any(|a| a == id) {
            return false;
        }
        match catalog.product(id) {
            Ok(Some(p)) => p.in_stock() && own_kind.as_ref().is_none_or(|kind| &p.category_path() != kind),
            _ => false,
        }
    };
    let picks = snapshot.recommend(engine_context, &history, &anchors, now, limit, &allowed);
    let mut products = Vec::with_capacity(picks.len());
    for (id, reason) in picks {
        let Some(p) = catalog.product(&id)? else { continue };
        let title = |id: &str| catalog.product(id).ok().flatten().map(|p| p.title).unwrap_or_else(|| id.to_string());
        let reason = match reason {
            Reason::BecauseOf(from) => format!("because of your interest in {}", title(&from)),
            Reason::BoughtWith(from) => format!("often bought with {}", title(&from)),
            Reason::Trending => "popular this week".to_string(),
        };
        products.push(RecommendedCard { card: ProductCard::from(&p), reason });
    }
    Ok(Json(RecommendationsResponse { products, model: MODEL, arm: None }))
}
