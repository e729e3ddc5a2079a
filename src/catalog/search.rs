//! Search: a query plan turned into tantivy queries, with filters, facet counts, sorting and
//! paging; similar items; suggestions.
//!
//! Ranking: BM25 over title, brand, category, attributes and description with field boosts;
//! a word with a typo still matches (through the unstemmed title/brand/category terms) but
//! scores a small constant, so exact matches rank above fuzzy ones; a word the catalog has is
//! never read as a typo. All words must match; when
//! nothing does, the fewest words are dropped that give results, and the results say so. With
//! the query's vector, the products nearest in meaning are fused in ([`hybrid`]).

use std::ops::Bound;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Collector, Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, MoreLikeThisQuery, Occur,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, OwnedValue};
use tantivy::{DocAddress, Order, Searcher, Term};

use super::hybrid;
use super::smart_filters::{self, SuggestedFilter};
use super::index::Catalog;
use super::product::Product;
use super::query::{self, Alternative};
use super::schema::{self, Fields};
use super::suggest::Suggestion;
use super::CatalogError;

/// How many products each of more-like-this and the nearest in meaning offer to a list of
/// similar products.
const SIMILAR_CANDIDATES: usize = 40;
/// Score boost of each BM25 field.
const FIELD_BOOSTS: [(FieldName, f32); 5] = [
    (FieldName::Title, 3.0),
    (FieldName::Brand, 2.5),
    (FieldName::Category, 1.5),
    (FieldName::Attributes, 1.0),
    (FieldName::Description, 0.4),
];
/// The fields a word naming the kind of product must match in.
const KIND_FIELDS: [(FieldName, f32); 3] = [(FieldName::Title, 3.0), (FieldName::Brand, 2.5), (FieldName::Category, 1.5)];

/// Whether a planned word group is one of the request's kind words (compared folded, a
/// plural's "s" aside).
fn names_kind(group: &query::Group, kind_words: &[String]) -> bool {
    let key = |w: &str| {
        let w = schema::fold(w);
        w.strip_suffix('s').filter(|s| s.len() > 2).map(str::to_string).unwrap_or(w)
    };
    let words = key(&group.words);
    kind_words.iter().any(|k| key(k) == words)
}

/// Constant scores of a word matched with a typo in the title, and in the brand or category:
/// below any exact title match.
const FUZZY_TITLE_SCORE: f32 = 0.3;
const FUZZY_OTHER_SCORE: f32 = 0.15;
/// Most results one page may hold.
pub const MAX_LIMIT: usize = 100;
/// Deepest result that paging may reach.
pub const MAX_OFFSET: usize = 10_000;
/// Facet values returned per facet.
const FACET_VALUES: usize = 20;

#[derive(Clone, Copy)]
enum FieldName {
    Title,
    Brand,
    Category,
    Attributes,
    Description,
}

impl Fields {
    fn text(&self, name: FieldName) -> tantivy::schema::Field {
        match name {
            FieldName::Title => self.title,
            FieldName::Brand => self.brand_text,
            FieldName::Category => self.category_text,
            FieldName::Attributes => self.attributes_text,
            FieldName::Description => self.description,
        }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Rating,
}

impl Sort {
    pub fn parse(text: &str) -> Option<Sort> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "" | "relevance" => Some(Sort::Relevance),
            "price_asc" | "price" | "cheapest" => Some(Sort::PriceAsc),
            "price_desc" => Some(Sort::PriceDesc),
            "rating" | "rating_desc" | "top_rated" => Some(Sort::Rating),
            _ => None,
        }
    }
}

/// Constraints on which products match. Empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Lowest effective price, inclusive.
    pub min_price: Option<f64>,
    /// Highest effective price, inclusive.
    pub max_price: Option<f64>,
    /// Any of these brands (case-insensitive).
    pub brands: Vec<String>,
    /// None of these brands ("but not nike").
    pub exclude_brands: Vec<String>,
    /// Any of these categories: a path `"A > B"` or the name of any node.
    pub categories: Vec<String>,
    pub in_stock: Option<bool>,
    pub colors: Vec<String>,
    pub sizes: Vec<String>,
    /// `male`/`men`, `female`/`women`, `unisex`…; unisex products match men and women too.
    pub genders: Vec<String>,
    /// Attribute values, each `"Name: value"` (`"Occasion: Party"`, case-insensitive): a
    /// product must have every one.
    pub attributes: Vec<String>,
    /// Products never to return (e.g. the one similar items are for).
    pub exclude_ids: Vec<String>,
}

/// One search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub text: String,
    /// Words of `text` that name the kind of product ("boots" in "waterproof hiking boots"):
    /// they must match a title, brand or category (a sunglasses search does not bring a cap
    /// whose description mentions sunglasses) and are never left out to find something.
    pub kind_words: Vec<String>,
    pub filters: Filters,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    /// Count brand and category facets over all matches.
    pub facets: bool,
    /// The query's embedding (unit length, the index's model): with it, the products
    /// nearest in meaning join the lexical matches.
    pub vector: Option<Vec<f32>>,
    /// Which retrievers may be used (the vector is needed for the semantic one).
    pub retrieval: Retrieval,
}

/// The retrievers a search uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Retrieval {
    /// Words, and meaning when the request has the query's vector.
    #[default]
    Hybrid,
    /// Words only (`semantic=false`).
    Lexical,
    /// Meaning only: the nearest products that pass the filters (for evaluation).
    Semantic,
    /// Words; meaning joins only when not every word matched and no word names the kind of
    /// product (a conversation, where the shopper's words are constraints to keep, and its pages
    /// must not shift: "black heels for the office" lists black heels, or says there are none,
    /// while "something to keep my tea warm" is a need that meaning serves).
    Backfill,
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self {
            text: String::new(),
            kind_words: Vec::new(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            facets: true,
            vector: None,
            retrieval: Retrieval::Hybrid,
        }
    }
}

impl SearchRequest {
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Self::default() }
    }
}

/// A matching product.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub product: Product,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facets {
    pub brand: Vec<FacetCount>,
    /// Children of the filtered category (top-level categories when there is no filter).
    pub category: Vec<FacetCount>,
}

/// What a search found.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// How many products match in all.
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The few filters that would narrow the results most usefully (with the facets).
    pub suggested_filters: Vec<SuggestedFilter>,
    /// Query words left out to find anything (empty when every word matched).
    pub dropped_words: Vec<String>,
    /// The retrievers whose candidates are among the hits: `lexical`, `semantic`.
    pub retrievers: Vec<&'static str>,
    pub took_ms: f64,
}

/// Names of the retrievers, as [`SearchResults::retrievers`] lists them.
pub const LEXICAL: &str = "lexical";
pub const SEMANTIC: &str = "semantic";

impl Catalog {
    /// The currency most products are priced in (looked at over a sample), if there are any.
    pub fn main_currency(&self) -> Result<Option<String>, CatalogError> {
        let sample = self.search(&SearchRequest { limit: MAX_LIMIT, facets: false, ..SearchRequest::default() })?;
        let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for hit in &sample.hits {
            *counts.entry(hit.product.effective_price().currency.as_str()).or_default() += 1;
        }
        Ok(counts.into_iter().max_by_key(|(_, n)| *n).map(|(c, _)| c.to_string()))
    }

    /// Runs a search: lexical, fused with the nearest products by meaning when the request
    /// carries the query's vector and the index has product vectors.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, CatalogError> {
        let started = Instant::now();
        let results = self.search_once(request);
        metrics::histogram!(crate::telemetry::SEARCH_SECONDS).record(started.elapsed().as_secs_f64());
        results
    }

    fn search_once(&self, request: &SearchRequest) -> Result<SearchResults, CatalogError> {
        let started = Instant::now();
        if request.limit > MAX_LIMIT {
            return Err(CatalogError::BadQuery(format!("limit {} is over the maximum of {MAX_LIMIT}", request.limit)));
        }
        if request.offset > MAX_OFFSET {
            return Err(CatalogError::BadQuery(format!("offset {} is over the maximum of {MAX_OFFSET}", request.offset)));
        }
        let base = self.filter_clauses(&request.filters)?;
        let searcher = self.reader.searcher();
        let mut plan = query::plan(&request.text, &self.synonyms());
        self.no_typos_for_known_words(&searcher, &mut plan)?;
        let (kinds, groups): (Vec<query::Group>, Vec<query::Group>) = plan.into_iter().partition(|g| names_kind(g, &request.kind_words));
        let group_queries: Vec<Box<dyn Query>> = groups.iter().map(|g| self.group_query(&g.alternatives)).collect();
        let sort = if groups.is_empty() && kinds.is_empty() && request.sort == Sort::Relevance { Sort::Rating } else { request.sort };

        // The most words that find something (down to one word; with a kind of product named,
        // or a brand or category to keep to, down to none). When the kinds named find nothing
        // together even so, the later ones are left out ("a wall shelf for the living room":
        // Wall Shelves, not Living Room furniture).
        let n = group_queries.len();
        let within = !request.filters.brands.is_empty() || !request.filters.categories.is_empty();
        let mut kinds_kept = kinds.len();
        let (filters, lexical, matched, kept) = loop {
            let mut filters: Vec<(Occur, Box<dyn Query>)> = base.iter().map(|(o, q)| (*o, q.box_clone())).collect();
            for kind in &kinds[..kinds_kept] {
                filters.push((Occur::Must, self.fields_query(&kind.alternatives, &KIND_FIELDS, false)));
                filters.push((Occur::Must, Box::new(ConstScoreQuery::new(self.as_a_word(&kind.alternatives), 0.0))));
            }
            let least = if kinds_kept == 0 && !within { 1 } else { 0 };
            let (lexical, matched, kept) = self.fewest_left_out(&searcher, &group_queries, &filters, least)?;
            let found = matched.is_some() || (kinds_kept > 1 && searcher.search(&lexical, &Count)? > 0);
            if found || kinds_kept <= 1 {
                break (filters, lexical, matched, kept);
            }
            kinds_kept -= 1;
        };
        let required = kept.len();
        let relaxed = required < n || kinds_kept < kinds.len();
        let nearest = match (&request.vector, request.retrieval) {
            (Some(vector), Retrieval::Semantic) => {
                let nearest = self.nearest(&searcher, vector, &filters, hybrid::SEMANTIC_FLOOR)?;
                let mut found = self.semantic_only(&searcher, &nearest, request)?;
                found.took_ms = started.elapsed().as_secs_f64() * 1000.0;
                return Ok(found);
            }
            // A sorted search lists what matches; meaning joins it only when the words fail.
            (Some(vector), Retrieval::Hybrid) if sort == Sort::Relevance || relaxed => self.nearest_to_query(&searcher, vector, (&lexical, matched), &filters)?,
            // A conversation shows a few cards, each of which must be worth showing: only close ones.
            (Some(vector), Retrieval::Backfill) if relaxed && kinds.is_empty() => self.nearest(&searcher, vector, &filters, hybrid::SEMANTIC_ALONE_FLOOR)?,
            _ => Vec::new(),
        };
        let mut found = if nearest.is_empty() {
            let mut found = self.collect(&searcher, &lexical, request, sort)?;
            if !found.hits.is_empty() {
                found.retrievers.push(LEXICAL);
            }
            found
        } else {
            let loose = if required > 1 { self.loose(&searcher, &group_queries, &filters)? } else { Vec::new() };
            self.fused(&searcher, &lexical, relaxed, &hybrid::Candidates { loose, nearest }, &filters, request, sort)?
        };
        if relaxed {
            let words_left_out = groups.iter().enumerate().filter(|(i, _)| !kept.contains(i)).map(|(_, g)| g.words.clone());
            found.dropped_words = words_left_out.chain(kinds[kinds_kept..].iter().map(|g| g.words.clone())).collect();
        }
        found.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(found)
    }

    /// The query of the most words that still find something, under `filters`: all of them,
    /// else leaving out a word at a time, down to `least` words. Every result then matches every
    /// word kept, so the words left out are the same for all. Left out first is a word that
    /// matches nothing by itself; then the word whose absence still finds something, and the
    /// least (the most specific of the words kept: "black heels for the office" keeps "black";
    /// "new puppy dogs" keeps "dogs"); when no single word's absence finds anything, the
    /// commonest word. Returns the query, how many it matches when that was counted, and the
    /// words kept (indexes into `group_queries`). The count is `None` when the words ran out
    /// before anything was found, or nothing was tried.
    fn fewest_left_out(
        &self,
        searcher: &Searcher,
        group_queries: &[Box<dyn Query>],
        filters: &[(Occur, Box<dyn Query>)],
        least: usize,
    ) -> Result<(BooleanQuery, Option<usize>, Vec<usize>), CatalogError> {
        let n = group_queries.len();
        let mut kept: Vec<usize> = (0..n).collect();
        let with_filters = |kept: &[usize]| {
            let text_query: Box<dyn Query> = if kept.is_empty() {
                Box::new(AllQuery)
            } else {
                Box::new(BooleanQuery::intersection(kept.iter().map(|&i| group_queries[i].box_clone()).collect()))
            };
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
            clauses.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
            BooleanQuery::new(clauses)
        };
        let mut alone: Vec<Option<usize>> = vec![None; n];
        // The query, and how many it matches when that was counted.
        let (lexical, matched) = loop {
            let query = with_filters(&kept);
            if kept.len() <= least {
                break (query, None);
            }
            let matched = searcher.search(&query, &Count)?;
            if matched > 0 {
                break (query, Some(matched));
            }
            for &i in &kept {
                if alone[i].is_none() {
                    alone[i] = Some(searcher.search(&with_filters(&[i]), &Count)?);
                }
            }
            let drop = match kept.iter().position(|&i| alone[i] == Some(0)) {
                Some(at) => at,
                None => {
                    let mut without = Vec::with_capacity(kept.len());
                    for at in 0..kept.len() {
                        let rest: Vec<usize> = kept.iter().enumerate().filter(|(k, _)| *k != at).map(|(_, &i)| i).collect();
                        // (One word left: its count alone is known.)
                        let count = match rest.as_slice() {
                            [one] => alone[*one].expect("counted above"),
                            _ => searcher.search(&with_filters(&rest), &Count)?,
                        };
                        without.push(count);
                    }
                    let fewest = (0..kept.len()).filter(|&at| without[at] > 0).min_by_key(|&at| (without[at], std::cmp::Reverse(at)));
                    fewest.unwrap_or_else(|| (0..kept.len()).max_by_key(|&at| (alone[kept[at]], std::cmp::Reverse(at))).expect("a word is kept"))
                }
            };
            kept.remove(drop);
        };
        Ok((lexical, matched, kept))
    }

    /// A word the catalog has (in any searched field) is taken as typed, not as a typo of
    /// another: "ring" finds rings, not a title with "Xing"; "shirt" finds no skirts.
    fn no_typos_for_known_words(&self, searcher: &Searcher, plan: &mut [query::Group]) -> Result<(), CatalogError> {
        for alternative in plan.iter_mut().flat_map(|g| g.alternatives.iter_mut()) {
            if let Alternative::Word { stemmed, typos, .. } = alternative {
                if *typos > 0 {
                    for (field, _) in FIELD_BOOSTS {
                        if searcher.doc_freq(&Term::from_field_text(self.fields.text(field), stemmed))? > 0 {
                            *typos = 0;
                            break;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Products like `id`: more-like-this over its title, category, brand and attributes
    /// (preferring its own category) fused with the products nearest its vector, when the
    /// catalog has vectors. Products of its department first (a watch box is like watches, not
    /// vanity boxes), then, to fill the list, any that are alike. The product itself is never
    /// returned.
    pub fn similar(&self, id: &str, limit: usize, filters: &Filters) -> Result<Vec<Hit>, CatalogError> {
        let product = self.product(id)?.ok_or_else(|| CatalogError::UnknownProduct(id.to_string()))?;
        let f = &self.fields;
        let text = |s: &str| vec![OwnedValue::Str(s.to_string())];
        let mut doc_fields = vec![(f.title, text(&product.title))];
        if product.product_type.is_some() {
            doc_fields.push((f.category_text, text(&product.category_path().join(" "))));
        }
        if let Some(brand) = &product.brand {
            doc_fields.push((f.brand_text, text(brand)));
        }
        let attrs: Vec<String> = product.attributes.values().cloned().collect();
        doc_fields.push((f.attributes_text, text(&attrs.join(". "))));
        let mlt = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency((self.len() as u64 / 2).max(2))
            .with_min_term_frequency(1)
            .with_min_word_length(2)
            .with_max_query_terms(24)
            .with_document_fields(doc_fields);
        let mut alike: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(mlt))];
        let path = product.category_path();
        if !path.is_empty() {
            let facet = Facet::from_path(&path);
            let same_category = TermQuery::new(Term::from_facet(f.category, &facet), IndexRecordOption::Basic);
            alike.push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(same_category), 2.0))));
        }
        let mut filters = filters.clone();
        filters.exclude_ids.push(product.id.clone());
        let filter_clauses = self.filter_clauses(&filters)?;
        let vector = match &self.vectors {
            Some(vectors) => self.row_of(&product.id)?.map(|row| vectors.vector(row)),
            None => None,
        };
        let searcher = self.reader.searcher();
        let department = path.first().map(|top| Box::new(TermQuery::new(Term::from_facet(f.category, &Facet::from_path([top])), IndexRecordOption::Basic)) as Box<dyn Query>);
        let mut hits: Vec<Hit> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for scope in [department, None] {
            if hits.len() >= limit {
                break;
            }
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = filter_clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect();
            clauses.extend(scope.map(|q| (Occur::Must, q)));
            let with = |extra: &[(Occur, Box<dyn Query>)]| BooleanQuery::new(extra.iter().chain(&clauses).map(|(o, q)| (*o, q.box_clone())).collect());
            let lexical: Vec<DocAddress> = searcher.search(&with(&alike), &TopDocs::with_limit(SIMILAR_CANDIDATES).order_by_score())?.into_iter().map(|(_, a)| a).collect();
            let nearest: Vec<DocAddress> = match &vector {
                Some(v) => self.nearest(&searcher, v, &clauses, hybrid::SEMANTIC_FLOOR)?.into_iter().take(SIMILAR_CANDIDATES).map(|n| n.address).collect(),
                None => Vec::new(),
            };
            let rankings = [hybrid::Ranking { order: &lexical, weight: 1.0, semantic: false }, hybrid::Ranking { order: &nearest, weight: 1.0, semantic: true }];
            for (score, address, _) in hybrid::fuse(&rankings) {
                if hits.len() >= limit {
                    break;
                }
                if seen.insert(address) {
                    hits.push(Hit { product: self.load(&searcher, address)?, score });
                }
            }
        }
        Ok(hits)
    }

    /// Completions for a partly typed query.
    pub fn suggest(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        self.suggester.suggest(typed, limit)
    }

    fn group_query(&self, alternatives: &[Alternative]) -> Box<dyn Query> {
        self.fields_query(alternatives, &FIELD_BOOSTS, true)
    }

    /// A word group matched in `fields`; with typos in the title, and in other fields when
    /// `typos_elsewhere`.
    fn fields_query(&self, alternatives: &[Alternative], fields: &[(FieldName, f32)], typos_elsewhere: bool) -> Box<dyn Query> {
        let f = &self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for alternative in alternatives {
            match alternative {
                Alternative::Word { stemmed, plain, typos } => {
                    for &(name, boost) in fields {
                        let term = Term::from_field_text(f.text(name), stemmed);
                        let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                        should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
                    }
                    if *typos > 0 {
                        let fuzzy_fields: &[_] = if typos_elsewhere {
                            &[(f.fuzzy_title, FUZZY_TITLE_SCORE), (f.fuzzy_other, FUZZY_OTHER_SCORE)]
                        } else {
                            &[(f.fuzzy_title, FUZZY_TITLE_SCORE)]
                        };
                        for &(field, score) in fuzzy_fields {
                            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, plain), *typos, true);
                            should.push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(fuzzy), score))));
                        }
                    }
                }
                Alternative::Phrase(words) => {
                    for &(name, boost) in fields {
                        let terms = words.iter().map(|w| Term::from_field_text(f.text(name), w)).collect();
                        should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), boost))));
                    }
                }
            }
        }
        Box::new(BooleanQuery::new(should))
    }

    /// A word naming the kind of product, as a word of the title, brand or category in its
    /// singular or plural, not by its stem: "bat" is no batting glove.
    fn as_a_word(&self, alternatives: &[Alternative]) -> Box<dyn Query> {
        let f = &self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for alternative in alternatives {
            match alternative {
                Alternative::Word { plain, .. } => {
                    for form in crate::english::word_forms(plain) {
                        for field in [f.fuzzy_title, f.fuzzy_other] {
                            should.push((Occur::Should, Box::new(TermQuery::new(Term::from_field_text(field, &form), IndexRecordOption::Basic))));
                        }
                    }
                }
                Alternative::Phrase(_) => should.push((Occur::Should, self.fields_query(std::slice::from_ref(alternative), &KIND_FIELDS, false))),
            }
        }
        Box::new(BooleanQuery::new(should))
    }

    /// Filter clauses, scoring nothing.
    fn filter_clauses(&self, filters: &Filters) -> Result<Vec<(Occur, Box<dyn Query>)>, CatalogError> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut must = |q: Box<dyn Query>| clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>));
        for (name, value) in [("min_price", filters.min_price), ("max_price", filters.max_price)] {
            if let Some(v) = value {
                if !v.is_finite() || v < 0.0 {
                    return Err(CatalogError::BadQuery(format!("{name} must be a non-negative number, got {v}")));
                }
            }
        }
        if let (Some(lo), Some(hi)) = (filters.min_price, filters.max_price) {
            if lo > hi {
                return Err(CatalogError::BadQuery(format!("min_price {lo} is above max_price {hi}")));
            }
        }
        if filters.min_price.is_some() || filters.max_price.is_some() {
            let bound = |v: Option<f64>| v.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_f64(f.price, v)));
            must(Box::new(RangeQuery::new(bound(filters.min_price), bound(filters.max_price))));
        }
        if !filters.brands.is_empty() {
            let facets = filters.brands.iter().filter_map(|b| self.brands.get(&schema::fold(b)).cloned()).collect();
            must(self.any_facet(f.brand, facets));
        }
        if !filters.categories.is_empty() {
            let facets = filters.categories.iter().flat_map(|c| self.resolve_category(c)).collect();
            must(self.any_facet(f.category, facets));
        }
        if let Some(in_stock) = filters.in_stock {
            must(Box::new(TermQuery::new(Term::from_field_bool(f.in_stock, in_stock), IndexRecordOption::Basic)));
        }
        let any_term = |field, values: Vec<String>| -> Box<dyn Query> {
            let terms: Vec<Term> = values.iter().map(|v| Term::from_field_text(field, v)).collect();
            Box::new(BooleanQuery::new_multiterms_query(terms))
        };
        if !filters.colors.is_empty() {
            must(any_term(f.color, filters.colors.iter().map(|c| schema::fold(c)).collect()));
        }
        if !filters.sizes.is_empty() {
            must(any_term(f.size, filters.sizes.iter().map(|s| schema::fold(s)).collect()));
        }
        if !filters.genders.is_empty() {
            let values: Vec<String> = filters.genders.iter().flat_map(|g| schema::gender_query_terms(g)).collect();
            must(any_term(f.gender, values));
        }
        for label in &filters.attributes {
            must(Box::new(TermQuery::new(Term::from_field_text(f.attribute, &schema::attribute_term(label)), IndexRecordOption::Basic)));
        }
        for brand in &filters.exclude_brands {
            if let Some(facet) = self.brands.get(&schema::fold(brand)) {
                clauses.push((Occur::MustNot, Box::new(TermQuery::new(Term::from_facet(f.brand, facet), IndexRecordOption::Basic))));
            }
        }
        for id in &filters.exclude_ids {
            let q = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
            clauses.push((Occur::MustNot, Box::new(q)));
        }
        Ok(clauses)
    }

    fn any_facet(&self, field: tantivy::schema::Field, facets: Vec<Facet>) -> Box<dyn Query> {
        if facets.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new_multiterms_query(facets.iter().map(|facet| Term::from_facet(field, facet)).collect()))
    }

    /// A category filter as facets: a full path (`A > B`, any case) or every node so named.
    fn resolve_category(&self, category: &str) -> Vec<Facet> {
        let key: Vec<String> = category.split(['>', '/']).map(schema::fold).filter(|s| !s.is_empty()).collect();
        if let Some(facet) = self.category_paths.get(&key.join("/")) {
            return vec![facet.clone()];
        }
        if key.len() == 1 {
            return self.category_names.get(&key[0]).cloned().unwrap_or_default();
        }
        Vec::new()
    }

    pub(super) fn collect(&self, searcher: &Searcher, query: &dyn Query, request: &SearchRequest, sort: Sort) -> Result<SearchResults, CatalogError> {
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let parent = request.facets.then(|| self.category_parent(&request.filters));
        let parent = parent.as_ref();
        let (scored, total, brand, category, prices) = match sort {
            Sort::Relevance => run(searcher, query, top.order_by_score(), parent)?,
            Sort::PriceAsc => keyless(run(searcher, query, top.order_by_fast_field::<f64>("price", Order::Asc), parent)?),
            Sort::PriceDesc => keyless(run(searcher, query, top.order_by_fast_field::<f64>("price", Order::Desc), parent)?),
            Sort::Rating => keyless(run(searcher, query, top.order_by_fast_field::<f64>("rating", Order::Desc), parent)?),
        };
        let facets = match parent {
            Some(parent) => facet_lists(brand, category, parent),
            None => Facets::default(),
        };
        let suggested_filters = prices.map(|p| smart_filters::suggest(total, &facets, &p, &request.filters)).unwrap_or_default();
        let hits = if request.limit == 0 {
            Vec::new()
        } else {
            scored
                .into_iter()
                .map(|(score, address)| Ok(Hit { product: self.load(searcher, address)?, score }))
                .collect::<Result<Vec<_>, CatalogError>>()?
        };
        Ok(SearchResults { total, hits, facets, suggested_filters, dropped_words: Vec::new(), retrievers: Vec::new(), took_ms: 0.0 })
    }

    /// The category facet whose children are counted: the filtered category when there is
    /// exactly one, else the root.
    pub(super) fn category_parent(&self, filters: &Filters) -> Facet {
        match filters.categories.as_slice() {
            [one] => match self.resolve_category(one).as_slice() {
                [facet] => facet.clone(),
                _ => Facet::root(),
            },
            _ => Facet::root(),
        }
    }
}

/// Brand counts, and counts of the children of `parent` in the category tree.
pub(super) fn facet_lists(brand: Option<FacetCounts>, category: Option<FacetCounts>, parent: &Facet) -> Facets {
    let list = |counts: Option<FacetCounts>, parent: &Facet| {
        let Some(counts) = counts else { return Vec::new() };
        let mut values: Vec<FacetCount> = counts
            .get(parent.clone())
            .map(|(facet, count)| FacetCount { value: facet.to_path().join(" > "), count })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        values.truncate(FACET_VALUES);
        values
    };
    Facets { brand: list(brand, &Facet::root()), category: list(category, parent) }
}

/// Top documents, the count, brand and category facets, and every match's price (for the
/// suggested filters; with the facets only).
pub(super) type Collected<K> = (Vec<(K, DocAddress)>, usize, Option<FacetCounts>, Option<FacetCounts>, Option<Vec<f64>>);

/// Runs `top` with a count and, when `category_parent` is given, brand and category facets.
pub(super) fn run<C, K>(searcher: &Searcher, query: &dyn Query, top: C, category_parent: Option<&Facet>) -> Result<Collected<K>, CatalogError>
where
    C: Collector<Fruit = Vec<(K, DocAddress)>>,
{
    let facet = |field: &str, parent: &Facet| {
        let mut c = FacetCollector::for_field(field);
        c.add_facet(parent.clone());
        c
    };
    let brand = category_parent.map(|_| facet("brand", &Facet::root()));
    let category = category_parent.map(|parent| facet("category", parent));
    let prices = category_parent.map(|_| smart_filters::Prices);
    let (top, (total, prices), brand, category) = searcher.search(query, &(top, (Count, prices), brand, category))?;
    Ok((top, total, brand, category, prices))
}

fn keyless<K>((top, total, brand, category, prices): Collected<K>) -> Collected<f32> {
    (top.into_iter().map(|(_, a)| (0.0, a)).collect(), total, brand, category, prices)
}
