//! Categories: a category node (last path segment) matches when all its words, singularized, are
//! in the text (or its words written as one); the most specific, then most populous, node wins
//! and its full path is returned (at most 3, nodes subsumed by a more specific match dropped).
//! Words other extractors took are not read, except comparatives and sizes.

use std::collections::{HashMap, HashSet};

use super::MAX_CATEGORIES;
use super::context::{Ctx, Used};
use super::tokens::{content_words, singular};

/// Words dropped from category node names before matching.
#[rustfmt::skip]
const CATEGORY_STOP: &[&str] = &["and", "of", "for", "the", "with", "other", "others", "more", "n", "&"];

#[derive(Debug, Clone)]
struct CatNode {
    path: String,
    /// Singularized words of the node (last path segment), stop words dropped.
    words: Vec<String>,
    /// Singularized words of the ancestors: break ties between same-named nodes.
    parent_words: Vec<String>,
    depth: usize,
    products: u64,
}

/// Category nodes by word.
#[derive(Debug, Clone, Default)]
pub(super) struct CategoryIndex {
    nodes: Vec<CatNode>,
    by_word: HashMap<String, Vec<u32>>,
    /// Node names as space-joined singular words: colour words that start one are not colours.
    pub(super) phrases: HashSet<String>,
}

fn category_words(segment: &str) -> Vec<String> {
    content_words(segment)
        .into_iter()
        .filter(|w| !CATEGORY_STOP.contains(&w.as_str()))
        .map(|w| singular(&w))
        .collect()
}

impl CategoryIndex {
    pub(super) fn new(categories: &[(String, u64)]) -> CategoryIndex {
        let mut idx = CategoryIndex::default();
        for (path, count) in categories {
            let segments: Vec<&str> = path
                .split('>')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let Some(last) = segments.last() else {
                continue;
            };
            let words = category_words(last);
            if words.is_empty() {
                continue;
            }
            let parent_words = segments[..segments.len() - 1]
                .iter()
                .flat_map(|s| category_words(s))
                .collect();
            let id = idx.nodes.len() as u32;
            let mut keys: Vec<&String> = words.iter().collect();
            keys.sort();
            keys.dedup();
            for w in keys {
                idx.by_word.entry(w.clone()).or_default().push(id);
            }
            if words.len() > 1 {
                idx.by_word.entry(words.concat()).or_default().push(id);
            }
            idx.phrases.insert(words.join(" "));
            idx.nodes.push(CatNode {
                path: segments.join(" > "),
                words,
                parent_words,
                depth: segments.len(),
                products: *count,
            });
        }
        idx
    }

    /// The best matching node paths for a set of singular text words.
    fn find(&self, text_words: &HashSet<String>) -> Vec<String> {
        let mut matched: Vec<(u32, HashSet<&str>)> = Vec::new();
        let mut seen = HashSet::new();
        for w in text_words {
            for &id in self.by_word.get(w).into_iter().flatten() {
                if !seen.insert(id) {
                    continue;
                }
                let node = &self.nodes[id as usize];
                let all = node.words.iter().all(|nw| text_words.contains(nw));
                let joined = node.words.len() > 1 && text_words.contains(&node.words.concat());
                if all || joined {
                    matched.push((id, node.words.iter().map(String::as_str).collect()));
                }
            }
        }
        let score = |id: u32| {
            let n = &self.nodes[id as usize];
            let parents = n
                .parent_words
                .iter()
                .filter(|w| text_words.contains(*w))
                .count();
            (n.words.len(), parents, n.depth, n.products)
        };
        matched.sort_by(|a, b| score(b.0).cmp(&score(a.0)).then(a.0.cmp(&b.0)));
        let mut kept: Vec<(u32, HashSet<&str>)> = Vec::new();
        for (id, words) in matched {
            // drop nodes whose words a better match already covers ("Footwear" under
            // "Womens Footwear"; the same node name under another parent)
            if kept.iter().any(|(_, k)| words.is_subset(k)) {
                continue;
            }
            kept.push((id, words));
            if kept.len() == MAX_CATEGORIES {
                break;
            }
        }
        kept.into_iter()
            .map(|(id, _)| self.nodes[id as usize].path.clone())
            .collect()
    }
}

impl Ctx<'_> {
    pub(super) fn categories(&mut self) {
        if self.lex.categories.nodes.is_empty() {
            return;
        }
        let words: HashSet<String> = (0..self.len())
            .filter(|&k| {
                self.is_word(k)
                    && matches!(self.used[k], Used::Free | Used::Comparative | Used::Size)
            })
            .map(|k| singular(self.key(k)))
            .collect();
        self.slots.categories = self.lex.categories.find(&words);
    }
}
