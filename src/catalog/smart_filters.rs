//! Smart filters: of the facets of a result set, the few that would narrow it most usefully,
//! suggested beside the facets (`suggested_filters`) and offered by the chat as quick replies.
//! A hybrid search puts first the category the query's meaning implies, when there is one
//! (`Catalog::search`).
//!
//! A category or brand is useful when it splits the results evenly (keeping half of them says
//! more than keeping one or all); a price cap is useful when prices spread widely, and is set
//! at a round figure near the lower third of the results' prices, where they cluster in most
//! catalogs. At most [`MAX_SUGGESTED`], the most even splits first.

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::search::{Facets, Filters};

/// Most filters suggested.
pub const MAX_SUGGESTED: usize = 5;
/// Fewest results worth narrowing.
const LEAST_RESULTS: usize = 6;
/// Category and brand values considered of each facet.
const PER_FACET: usize = 2;

/// A filter worth applying to a result set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum SuggestedFilter {
    Category { value: String, count: u64 },
    Brand { value: String, count: u64 },
    /// Products priced at most `max_price`.
    Price { max_price: f64, count: u64 },
    /// Products with an attribute value, `"Name: value"`: one a query's meaning implies.
    Attribute { value: String, count: u64 },
}

impl SuggestedFilter {
    /// How many results the filter keeps.
    pub fn count(&self) -> u64 {
        match self {
            SuggestedFilter::Category { count, .. }
            | SuggestedFilter::Brand { count, .. }
            | SuggestedFilter::Price { count, .. }
            | SuggestedFilter::Attribute { count, .. } => *count,
        }
    }
}

/// The filters that split `total` results best, given their facets and prices, leaving out
/// what `filters` already constrain.
pub fn suggest(total: usize, facets: &Facets, prices: &[f64], filters: &Filters) -> Vec<SuggestedFilter> {
    if total < LEAST_RESULTS {
        return Vec::new();
    }
    let total = total as u64;
    let splits = |values: &[super::search::FacetCount]| -> Vec<(String, u64)> {
        values.iter().filter(|v| v.count >= 2 && v.count < total).take(PER_FACET).map(|v| (v.value.clone(), v.count)).collect()
    };
    let mut found: Vec<SuggestedFilter> = Vec::new();
    found.extend(splits(&facets.category).into_iter().map(|(value, count)| SuggestedFilter::Category { value, count }));
    if filters.brands.is_empty() {
        found.extend(splits(&facets.brand).into_iter().map(|(value, count)| SuggestedFilter::Brand { value, count }));
    }
    if filters.max_price.is_none() {
        found.extend(price_cap(prices));
    }
    // The most even split first: the share kept closest to a half.
    let evenness = |f: &SuggestedFilter| (f.count() as f64 / total as f64 - 0.5).abs();
    found.sort_by(|a, b| evenness(a).total_cmp(&evenness(b)));
    found.truncate(MAX_SUGGESTED);
    found
}

/// A cap at a round price near the lower third of `prices`, when they spread at least
/// threefold and the cap keeps some but not all.
fn price_cap(prices: &[f64]) -> Option<SuggestedFilter> {
    if prices.len() < LEAST_RESULTS {
        return None;
    }
    let mut sorted = prices.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (low, high) = (sorted[0], sorted[sorted.len() - 1]);
    if low <= 0.0 || high < 3.0 * low {
        return None;
    }
    let cap = round_price(sorted[sorted.len() / 3]);
    let count = sorted.iter().filter(|&&p| p <= cap).count();
    (count >= 2 && count < sorted.len()).then_some(SuggestedFilter::Price { max_price: cap, count: count as u64 })
}

/// A price rounded up to a figure a shop would say: 1, 2 or 5 times a power of ten, or the
/// next multiple of a tenth of its order of magnitude ("under 500", "under 1,200").
fn round_price(price: f64) -> f64 {
    let magnitude = 10f64.powf(price.log10().floor());
    let step = (magnitude / 10.0).max(1.0);
    let nice = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&n| n >= price && n <= price * 1.25);
    nice.unwrap_or_else(|| (price / step).ceil() * step)
}

/// Collects the effective price of every matching product.
pub(super) struct Prices;

pub(super) struct SegmentPrices {
    prices: Column<f64>,
    found: Vec<f64>,
}

impl Collector for Prices {
    type Fruit = Vec<f64>;
    type Child = SegmentPrices;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentPrices> {
        Ok(SegmentPrices { prices: reader.fast_fields().f64("price")?, found: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<f64>>) -> tantivy::Result<Vec<f64>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentPrices {
    type Fruit = Vec<f64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.found.extend(self.prices.first(doc));
    }

    fn harvest(self) -> Vec<f64> {
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::search::FacetCount;

    fn counts(values: &[(&str, u64)]) -> Vec<FacetCount> {
        values.iter().map(|(v, c)| FacetCount { value: v.to_string(), count: *c }).collect()
    }

    #[test]
    fn even_splits_come_first_and_constrained_fields_are_left_out() {
        let facets = Facets { category: counts(&[("Watches", 16), ("Jewellery", 2)]), brand: counts(&[("Titan", 10), ("Sonata", 1)]) };
        let prices: Vec<f64> = (1..=20).map(|i| f64::from(i) * 100.0).collect();
        let found = suggest(20, &facets, &prices, &Filters::default());
        assert_eq!(
            found,
            vec![
                SuggestedFilter::Brand { value: "Titan".into(), count: 10 },
                SuggestedFilter::Price { max_price: 700.0, count: 7 },
                SuggestedFilter::Category { value: "Watches".into(), count: 16 },
                SuggestedFilter::Category { value: "Jewellery".into(), count: 2 },
            ],
            "a value every result has, or only one, is no filter; the price cap is round"
        );
        let with_brand = Filters { brands: vec!["Titan".into()], max_price: Some(900.0), ..Filters::default() };
        assert!(suggest(20, &facets, &prices, &with_brand).iter().all(|f| matches!(f, SuggestedFilter::Category { .. })));
        assert!(suggest(5, &facets, &prices, &Filters::default()).is_empty(), "too few results to narrow");
    }

    #[test]
    fn prices_round_to_what_a_shop_would_say() {
        assert_eq!(round_price(470.0), 500.0);
        assert_eq!(round_price(1130.0), 1200.0);
        assert_eq!(round_price(86.0), 100.0);
        assert_eq!(round_price(7.2), 8.0);
        assert_eq!(price_cap(&[100.0, 110.0, 120.0, 130.0, 140.0, 150.0]), None, "prices that do not spread need no cap");
    }
}
