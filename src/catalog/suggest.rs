//! Autocomplete: completions from brands, category names and product titles for what a
//! shopper has typed so far.
//!
//! The candidates and a sorted list of every word-start suffix of their folded text are built
//! with the index (`suggest.json`), so opening costs a file read and a lookup is a binary search
//! plus a scan of the matching range.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::product::Product;
use super::schema;

/// What a suggestion completes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Brand,
    Category,
    Product,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Candidate {
    text: String,
    /// The product id, for product titles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    folded: String,
    kind: SuggestionKind,
    /// Popularity: product count for brands and categories, rating-based for titles.
    weight: f32,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SuggestData {
    candidates: Vec<Candidate>,
    /// (candidate, byte offset of a word start in its folded text), sorted by the suffix.
    suffixes: Vec<(u32, u32)>,
}

impl SuggestData {
    pub(crate) fn build(products: &[Product], brands: &[(String, u64)], categories: &[(String, u64)]) -> SuggestData {
        let mut candidates = Vec::new();
        let mut seen = HashSet::new();
        let mut push = |text: &str, id: Option<&str>, kind, weight: f32| {
            let folded = schema::fold(text);
            if !folded.is_empty() && seen.insert((folded.clone(), kind)) {
                candidates.push(Candidate { text: text.to_string(), id: id.map(str::to_string), folded, kind, weight });
            }
        };
        for (brand, count) in brands {
            push(brand, None, SuggestionKind::Brand, 3.0 + (*count as f32).ln_1p());
        }
        for (path, count) in categories {
            let leaf = path.rsplit(" > ").next().unwrap_or(path);
            push(leaf, None, SuggestionKind::Category, 2.0 + (*count as f32).ln_1p());
        }
        for p in products {
            let rating = p.rating.unwrap_or(3.0) / 5.0;
            let reviews = p.review_count.map(|n| (n as f32).ln_1p() / 10.0).unwrap_or(0.0);
            push(&p.title, Some(&p.id), SuggestionKind::Product, 1.0 + rating + reviews.min(1.0));
        }
        let mut suffixes: Vec<(u32, u32)> = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            let mut start = 0;
            for (at, ch) in c.folded.char_indices() {
                if at == start {
                    suffixes.push((i as u32, at as u32));
                }
                if ch == ' ' {
                    start = at + 1;
                }
            }
        }
        suffixes.sort_unstable_by(|a, b| suffix(&candidates, *a).cmp(suffix(&candidates, *b)));
        SuggestData { candidates, suffixes }
    }
}

fn suffix(candidates: &[Candidate], (c, at): (u32, u32)) -> &str {
    &candidates[c as usize].folded[at as usize..]
}

/// A completion offered to the shopper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
}

pub(crate) struct Suggester {
    data: SuggestData,
}

impl Suggester {
    pub(crate) fn new(data: SuggestData) -> Self {
        Self { data }
    }

    /// (id, title) of every product with a distinct title.
    pub(crate) fn product_titles(&self) -> impl Iterator<Item = (&str, &str)> {
        self.data.candidates.iter().filter_map(|c| c.id.as_deref().map(|id| (id, c.text.as_str())))
    }

    /// Up to `limit` completions for `typed`: candidates in which a word starts with what was
    /// typed (the last word may be partial), most popular first, matches at the start first.
    pub(crate) fn suggest(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        let mut query = schema::fold(typed);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        if typed.ends_with(char::is_whitespace) {
            query.push(' ');
        }
        let candidates = &self.data.candidates;
        let from = self.data.suffixes.partition_point(|&s| suffix(candidates, s) < query.as_str());
        let mut best: Vec<(f32, u32)> = Vec::new();
        let mut seen = HashSet::new();
        for &(c, at) in self.data.suffixes[from..].iter().take_while(|&&s| suffix(candidates, s).starts_with(query.as_str())) {
            if !seen.insert(c) {
                continue;
            }
            let candidate = &candidates[c as usize];
            let score = candidate.weight * if at == 0 { 2.0 } else { 1.0 };
            best.push((score, c));
        }
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut texts = HashSet::new();
        best.into_iter()
            .map(|(_, c)| &candidates[c as usize])
            .filter(|c| texts.insert(c.folded.clone()))
            .take(limit)
            .map(|c| Suggestion { text: c.text.clone(), kind: c.kind })
            .collect()
    }
}
