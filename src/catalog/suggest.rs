//! Autocomplete: completions from brands, category names and product titles for what a
//! shopper has typed so far, and from the searches shoppers made ([`PopularQueries`]).
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
    /// A search many shoppers made that led them to a product.
    Popular,
    /// One of this shopper's own recent searches.
    Recent,
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

/// The shop's popular searches (from its search events), for completing what is typed.
#[derive(Debug, Clone, Default)]
pub struct PopularQueries {
    /// (folded text, text, sessions), most sessions first.
    entries: Vec<(String, String, u32)>,
}

impl PopularQueries {
    /// From (query, sessions) pairs, most sessions first.
    pub fn new(queries: Vec<(String, u32)>) -> PopularQueries {
        let mut seen = HashSet::new();
        let entries = queries.into_iter().map(|(q, n)| (schema::fold(&q), q, n)).filter(|(f, _, _)| !f.is_empty() && seen.insert(f.clone())).collect();
        PopularQueries { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Up to `limit` searches in which a word starts with what was typed, those that start
    /// with it first, then by how many searched them.
    pub fn complete(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        complete(self.entries.iter().map(|(f, q, _)| (f.as_str(), q.as_str())), typed, limit, SuggestionKind::Popular)
    }
}

/// Up to `limit` of `texts` (folded, as said), in order, in which a word starts with what was
/// typed; those that start with it first.
pub fn complete<'a>(texts: impl Iterator<Item = (&'a str, &'a str)>, typed: &str, limit: usize, kind: SuggestionKind) -> Vec<Suggestion> {
    let query = schema::fold(typed);
    if query.is_empty() || limit == 0 {
        return Vec::new();
    }
    let (mut first, mut then) = (Vec::new(), Vec::new());
    for (folded, text) in texts {
        if folded.starts_with(&query) {
            first.push(text);
        } else if folded.match_indices(&query).any(|(at, _)| folded[..at].ends_with(' ')) {
            then.push(text);
        }
        if first.len() >= limit {
            break;
        }
    }
    first.into_iter().chain(then).take(limit).map(|text| Suggestion { text: text.to_string(), kind }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popular_queries_complete_at_word_starts_those_starting_with_it_first() {
        let queries = PopularQueries::new(vec![("hiking boots".into(), 9), ("Boots for snow".into(), 4), ("bootcut jeans".into(), 3), ("reboot kit".into(), 2)]);
        let texts: Vec<String> = queries.complete("boot", 5).into_iter().map(|s| s.text).collect();
        assert_eq!(texts, vec!["Boots for snow", "bootcut jeans", "hiking boots"], "not inside a word ('reboot')");
        assert!(queries.complete("", 5).is_empty() && queries.complete("boot", 0).is_empty());
        assert_eq!(queries.complete("HIKING b", 5)[0], Suggestion { text: "hiking boots".into(), kind: SuggestionKind::Popular });
    }
}
