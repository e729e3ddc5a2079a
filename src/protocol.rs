//! Wire types of the HTTP API (a contract with clients; see DESIGN.md "Protocol v1"). Serde
//! only, no I/O. Fields are only ever added.

use serde::Serialize;

use crate::catalog::{Facets, Hit, Product};

/// A product as shown in a result list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductCard {
    pub id: String,
    pub title: String,
    pub brand: Option<String>,
    /// What the shopper pays now: the sale price when there is one.
    pub price: f64,
    pub currency: String,
    /// The regular price when the product is on sale, else null.
    pub list_price: Option<f64>,
    pub rating: Option<f32>,
    pub in_stock: bool,
    pub image: Option<String>,
    pub url: Option<String>,
}

impl From<&Product> for ProductCard {
    fn from(p: &Product) -> Self {
        let price = p.effective_price();
        ProductCard {
            id: p.id.clone(),
            title: p.title.clone(),
            brand: p.brand.clone(),
            price: round_cents(price.amount),
            currency: price.currency.clone(),
            list_price: p.sale_price.as_ref().map(|_| round_cents(p.price.amount)),
            rating: p.rating,
            in_stock: p.in_stock(),
            image: p.image_link.clone(),
            url: p.link.clone(),
        }
    }
}

fn round_cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// `GET /v1/search`.
#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub total: usize,
    pub took_ms: f64,
    pub products: Vec<ProductCard>,
    pub facets: Facets,
    /// Query words that had to be left out to find anything (absent when all matched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped_words: Vec<String>,
}

/// `GET /v1/suggest`.
#[derive(Debug, Serialize)]
pub struct SuggestResponse {
    pub suggestions: Vec<String>,
    /// The same suggestions with what each is (`brand`, `category`, `product`).
    pub items: Vec<crate::catalog::Suggestion>,
}

/// `GET /v1/products/{id}/similar`.
#[derive(Debug, Serialize)]
pub struct ProductsResponse {
    pub products: Vec<ProductCard>,
}

impl ProductsResponse {
    pub fn from_hits(hits: &[Hit]) -> Self {
        Self { products: hits.iter().map(|h| ProductCard::from(&h.product)).collect() }
    }
}

/// The body of every HTTP error: `{"error":{"code","message"}}`.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
}
