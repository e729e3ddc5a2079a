//! The semantic half of hybrid search: the products nearest a query's vector among those that
//! pass the request's filters, and their fusion with the lexical (BM25) ranking.
//!
//! Nearest neighbours are found by exact brute force over the generation's int8 matrix,
//! inside a tantivy collector so that exactly the documents the filters admit are scored
//! (a price cap or a brand never lets a near but excluded product in, and never starves the
//! semantic side). A large catalog's generation also has a graph ([`super::ann`]): its walk,
//! restricted to the products the filters admit, replaces the scan. Fusion is reciprocal-rank
//! fusion: each side contributes `w / (k + rank)`, which needs no calibration between BM25
//! scores and cosines.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use super::ann::Ann;
use super::index::Catalog;
use super::schema;
use super::search::{self, Facets, Hit, LEXICAL, SEMANTIC, SearchRequest, SearchResults, Sort};
use super::smart_filters::{self, SuggestedFilter};
use super::vectors::{QueryVector, Vectors};
use super::CatalogError;

/// Least cosine for a product to be a semantic candidate.
pub(super) const SEMANTIC_FLOOR: f32 = 0.30;
/// The same when no word of the query matches any product: meaning alone must be close to
/// count (MiniLM gives made-up words ~0.35 with some product or other; a need said in words the
/// catalog does not use, 0.45 and more with what meets it).
pub(super) const SEMANTIC_ALONE_FLOOR: f32 = 0.45;
/// Semantic candidates taken into the fusion.
pub const SEMANTIC_CANDIDATES: usize = 50;
/// Lexical candidates taken into the fusion (at least; a deep page takes more).
pub(super) const LEXICAL_CANDIDATES: usize = 100;
/// Least cosine between a query and a category path for the query to imply that kind of
/// product. (The implied kind is suggested as a filter; ranking the nearest products of that
/// kind as a fourth list lowered nDCG@10 on every query type: 0.870 → 0.861 at weight 0.5.)
pub(super) const IMPLIED_KIND_FLOOR: f32 = 0.45;
/// The same for a top-level category: a one-word department ("Clothing", "Gaming") is near
/// many a vague query ("something" 0.48, "music" → Gaming 0.49), its own words 0.6 and more.
pub(super) const IMPLIED_DEPARTMENT_FLOOR: f32 = 0.50;
/// Other categories as near as the best, within this, are implied too ("painting": paint
/// brushes 0.58, paints 0.55); at most [`MAX_IMPLIED_KINDS`].
pub(super) const IMPLIED_KIND_MARGIN: f32 = 0.05;
pub(super) const MAX_IMPLIED_KINDS: usize = 3;
/// Categories read to pick the implied kinds.
const KIND_CANDIDATES: usize = 12;
/// Least cosine between a query and an attribute value (`"Occasion: Party"`) for the query
/// to imply it as a filter, and how many of the nearest are tried (the first that splits the
/// results is suggested). On the demo catalog the right ones scored 0.55–0.68 ("a dress for a
/// wedding" → Occasion: Wedding 0.68) and loose ones up to 0.50 ("a watch I can swim with" →
/// Strap Type: Wrist Band).
pub(super) const IMPLIED_ATTRIBUTE_FLOOR: f32 = 0.52;
const ATTRIBUTE_CANDIDATES: usize = 5;
/// Products taken from the graph's walk, to keep the [`SEMANTIC_CANDIDATES`] best by their
/// exact scores: the graph ranks by vectors on one coarser scale, which reorders near-ties at
/// the edge of the list (recall@50 on the 120k benchmark catalog: 0.92 taking 50, 0.97 taking 100).
const GRAPH_CANDIDATES: usize = 2 * SEMANTIC_CANDIDATES;
/// Candidates of the loose lexical ranking (any of the words, by BM25).
pub(super) const LOOSE_CANDIDATES: usize = 50;
/// Reciprocal-rank fusion's constant, and each ranking's weight.
const RRF_K: f32 = 60.0;
pub(super) const LEXICAL_WEIGHT: f32 = 1.0;
pub(super) const LOOSE_WEIGHT: f32 = 0.25;
/// The semantic ranking's weight when every word of the query matched, and when some had to
/// be left out (the words are then a weaker guide: a need said in other words, a long query).
pub(super) const SEMANTIC_WEIGHT: f32 = 0.7;
pub(super) const SEMANTIC_WEIGHT_RELAXED: f32 = 1.2;

/// A candidate: similarity, where it is, and its row in the vectors.
#[derive(Debug, Clone, Copy)]
pub(super) struct Near {
    pub score: f32,
    pub address: DocAddress,
    pub row: u64,
}

impl PartialEq for Near {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Near {}
impl PartialOrd for Near {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
/// Ordered so that a `BinaryHeap` keeps the worst on top: lower score first, then the later
/// document (ties resolve to index order, deterministically).
impl Ord for Near {
    fn cmp(&self, other: &Self) -> Ordering {
        other.score.total_cmp(&self.score).then_with(|| self.address.cmp(&other.address))
    }
}

/// Collects the `k` documents nearest `query` scoring at least `floor`.
pub(super) struct Nearest {
    pub vectors: Arc<Vectors>,
    pub query: Arc<QueryVector>,
    pub k: usize,
    pub floor: f32,
}

pub(super) struct SegmentNearest {
    vectors: Arc<Vectors>,
    query: Arc<QueryVector>,
    k: usize,
    floor: f32,
    segment: SegmentOrdinal,
    rows: Column<u64>,
    heap: BinaryHeap<Near>,
}

impl Collector for Nearest {
    type Fruit = Vec<Near>;
    type Child = SegmentNearest;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentNearest> {
        let rows = reader.fast_fields().u64("row")?;
        Ok(SegmentNearest { vectors: Arc::clone(&self.vectors), query: Arc::clone(&self.query), k: self.k, floor: self.floor, segment, rows, heap: BinaryHeap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Near>>) -> tantivy::Result<Vec<Near>> {
        let mut all: Vec<Near> = fruits.into_iter().flatten().collect();
        all.sort();
        all.truncate(self.k);
        Ok(all)
    }
}

impl SegmentCollector for SegmentNearest {
    type Fruit = Vec<Near>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(row) = self.rows.first(doc) else { return };
        if row as usize >= self.vectors.products() {
            return;
        }
        let score = self.vectors.score(&self.query, row as usize);
        if score < self.floor {
            return;
        }
        let near = Near { score, address: DocAddress::new(self.segment, doc), row };
        if self.heap.len() < self.k {
            self.heap.push(near);
        } else if self.heap.peek().is_some_and(|worst| near < *worst) {
            self.heap.pop();
            self.heap.push(near);
        }
    }

    fn harvest(self) -> Vec<Near> {
        self.heap.into_sorted_vec()
    }
}

/// Collects the row of every matching document, with its address.
struct Rows;

struct SegmentRows {
    segment: SegmentOrdinal,
    rows: Column<u64>,
    found: Vec<(u64, DocAddress)>,
}

impl Collector for Rows {
    type Fruit = Vec<(u64, DocAddress)>;
    type Child = SegmentRows;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentRows> {
        Ok(SegmentRows { segment, rows: reader.fast_fields().u64("row")?, found: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, DocAddress)>>) -> tantivy::Result<Vec<(u64, DocAddress)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentRows {
    type Fruit = Vec<(u64, DocAddress)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(row) = self.rows.first(doc) {
            self.found.push((row, DocAddress::new(self.segment, doc)));
        }
    }

    fn harvest(self) -> Vec<(u64, DocAddress)> {
        self.found
    }
}

/// What joins the word matches in a fusion.
pub(super) struct Candidates {
    /// The best matches of any word.
    pub loose: Vec<DocAddress>,
    /// The nearest products.
    pub nearest: Vec<Near>,
}

/// Which retriever put a fused result in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct From {
    pub lexical: bool,
    pub semantic: bool,
}

/// One ranking to fuse: documents best first, its weight, and whether it ranks by meaning.
pub(super) struct Ranking<'a> {
    pub order: &'a [DocAddress],
    pub weight: f32,
    pub semantic: bool,
}

/// Reciprocal-rank fusion of rankings: every document once, best fused score first, ties to
/// the first ranking that has it (then its rank there).
pub(super) fn fuse(rankings: &[Ranking]) -> Vec<(f32, DocAddress, From)> {
    let mut fused: HashMap<DocAddress, (f32, (usize, usize), From)> = HashMap::new();
    for (list, ranking) in rankings.iter().enumerate() {
        for (rank, address) in ranking.order.iter().enumerate() {
            let entry = fused.entry(*address).or_insert((0.0, (list, rank), From { lexical: false, semantic: false }));
            entry.0 += ranking.weight / (RRF_K + rank as f32 + 1.0);
            if ranking.semantic {
                entry.2.semantic = true;
            } else {
                entry.2.lexical = true;
            }
        }
    }
    let mut list: Vec<(f32, (usize, usize), DocAddress, From)> = fused.into_iter().map(|(a, (s, order, from))| (s, order, a, from)).collect();
    list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    list.into_iter().map(|(s, _, a, from)| (s, a, from)).collect()
}

/// The kinds of product implied by categories scored against a query, best first (see
/// [`Catalog::implied_kinds`]): the best when close enough, and those nearly as close that
/// neither contain nor lie inside one already taken.
pub(super) fn pick_kinds(scored: &[(&str, f32)]) -> Vec<String> {
    let close = |(path, score): &(&str, f32)| *score >= if path.contains('>') { IMPLIED_KIND_FLOOR } else { IMPLIED_DEPARTMENT_FLOOR };
    let Some(best) = scored.iter().find(|c| close(c)).map(|(_, s)| *s) else { return Vec::new() };
    let nested = |a: &str, b: &str| a.strip_prefix(b).is_some_and(|rest| rest.trim_start().starts_with('>'));
    let mut kinds: Vec<String> = Vec::new();
    for candidate in scored.iter().filter(|c| close(c) && c.1 >= best - IMPLIED_KIND_MARGIN) {
        let path = candidate.0;
        if kinds.len() < MAX_IMPLIED_KINDS && !kinds.iter().any(|k| nested(k, path) || nested(path, k)) {
            kinds.push(path.to_string());
        }
    }
    kinds
}

impl Catalog {
    /// The kinds of product (category paths, best first) a query's meaning implies, when it
    /// is close to some: "painting" → paint brushes and paints, "cooking" → cookware, and
    /// nothing for "something" or "tea tree". At most [`MAX_IMPLIED_KINDS`].
    pub fn implied_kinds(&self, vector: &[f32]) -> Vec<String> {
        pick_kinds(&self.nearest_categories(vector, KIND_CANDIDATES))
    }

    /// The category the query's meaning is nearest to, when close and not already filtered
    /// on, as a filter of the `results` (a query of `total`): the kind of product a need
    /// implies ("something for my dog's bath" → Pet Supplies).
    fn implied_kind(&self, searcher: &Searcher, request: &SearchRequest, results: &BooleanQuery, total: usize) -> Result<Option<SuggestedFilter>, CatalogError> {
        let Some(vector) = request.vector.as_deref().filter(|_| request.filters.categories.is_empty()) else { return Ok(None) };
        let Some(path) = self.implied_kinds(vector).into_iter().next() else {
            return Ok(None);
        };
        let facet = Facet::from_path(super::product::split_category_path(&path));
        let in_kind = TermQuery::new(Term::from_facet(self.fields.category, &facet), IndexRecordOption::Basic);
        let count = searcher.search(&BooleanQuery::intersection(vec![Box::new(results.clone()), Box::new(in_kind)]), &Count)?;
        Ok((count > 0 && count < total).then(|| SuggestedFilter::Category { value: path, count: count as u64 }))
    }

    /// The attribute value the query's meaning is nearest to, when close, not already filtered
    /// on and held by some but not all of the `results` (a query of `total`), as a filter:
    /// "something to wear to a party" → Occasion: Party.
    fn implied_attribute(&self, searcher: &Searcher, request: &SearchRequest, results: &BooleanQuery, total: usize) -> Result<Option<SuggestedFilter>, CatalogError> {
        let Some(vector) = request.vector.as_deref() else { return Ok(None) };
        let chosen: Vec<String> = request.filters.attributes.iter().map(|a| schema::attribute_term(a)).collect();
        for (label, score) in self.nearest_attributes(vector, ATTRIBUTE_CANDIDATES) {
            tracing::debug!(label, score, "attribute near the query");
            let term = schema::attribute_term(label);
            if score < IMPLIED_ATTRIBUTE_FLOOR {
                break;
            }
            if chosen.contains(&term) {
                continue;
            }
            let with = TermQuery::new(Term::from_field_text(self.fields.attribute, &term), IndexRecordOption::Basic);
            let count = searcher.search(&BooleanQuery::intersection(vec![Box::new(results.clone()), Box::new(with)]), &Count)?;
            if count > 0 && count < total {
                return Ok(Some(SuggestedFilter::Attribute { value: label.to_string(), count: count as u64 }));
            }
        }
        Ok(None)
    }

    /// The products nearest a query's vector, among those the filter clauses admit; when not
    /// one word of the query matched (`lexical` finds nothing; its count when already known),
    /// only close ones.
    pub(super) fn nearest_to_query(
        &self,
        searcher: &Searcher,
        vector: &[f32],
        (lexical, matched): (&BooleanQuery, Option<usize>),
        filters: &[(Occur, Box<dyn Query>)],
    ) -> Result<Vec<Near>, CatalogError> {
        let matched = match matched {
            Some(n) => n,
            None => searcher.search(lexical, &Count)?,
        };
        let floor = if matched == 0 { SEMANTIC_ALONE_FLOOR } else { SEMANTIC_FLOOR };
        self.nearest(searcher, vector, filters, floor)
    }

    /// The products nearest `vector` among those the filter clauses admit.
    pub(super) fn nearest(&self, searcher: &Searcher, vector: &[f32], filters: &[(Occur, Box<dyn Query>)], floor: f32) -> Result<Vec<Near>, CatalogError> {
        let Some(vectors) = &self.vectors else { return Ok(Vec::new()) };
        let vectors = Arc::clone(vectors);
        if vector.len() != vectors.dims() {
            return Err(CatalogError::BadQuery(format!("a query vector of {} dimensions, where the index has {}", vector.len(), vectors.dims())));
        }
        let query = Arc::new(QueryVector::new(vector));
        if let Some(ann) = &self.ann
            && let Some(found) = self.nearest_in_graph(searcher, ann, (&vectors, &query, vector), filters, floor)?
        {
            return Ok(found);
        }
        let collector = Nearest { vectors, query, k: SEMANTIC_CANDIDATES, floor };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        clauses.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
        Ok(searcher.search(&BooleanQuery::new(clauses), &collector)?)
    }

    /// The products nearest `vector` found by walking the graph (see [`ann`]), scored exactly;
    /// `None` when so few products pass the filters that scanning them is cheaper.
    fn nearest_in_graph(
        &self,
        searcher: &Searcher,
        ann: &Ann,
        (vectors, query, vector): (&Vectors, &QueryVector, &[f32]),
        filters: &[(Occur, Box<dyn Query>)],
        floor: f32,
    ) -> Result<Option<Vec<Near>>, CatalogError> {
        let admitted = if filters.is_empty() {
            None
        } else {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
            clauses.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
            let rows = searcher.search(&BooleanQuery::new(clauses), &Rows)?;
            if rows.len() < self.graph_scan_below {
                return Ok(None);
            }
            let mut admitted = vec![false; vectors.products()];
            for (row, _) in rows {
                if let Some(slot) = admitted.get_mut(row as usize) {
                    *slot = true;
                }
            }
            Some(admitted)
        };
        let admit = admitted.as_ref().map(|admitted| move |row: usize| admitted.get(row).copied().unwrap_or(false));
        let scored: Vec<(f32, u64)> = ann
            .search(vector, GRAPH_CANDIDATES, admit.as_ref().map(|f| f as &dyn Fn(usize) -> bool))
            .into_iter()
            .filter(|&row| row < vectors.products())
            .map(|row| (vectors.score(query, row), row as u64))
            .filter(|&(score, _)| score >= floor)
            .collect();
        let terms = scored.iter().map(|&(_, row)| Term::from_field_u64(self.fields.row, row)).collect::<Vec<_>>();
        let addresses: HashMap<u64, DocAddress> = searcher.search(&TermSetQuery::new(terms), &Rows)?.into_iter().collect();
        let mut near: Vec<Near> = scored.into_iter().filter_map(|(score, row)| addresses.get(&row).map(|&address| Near { score, address, row })).collect();
        near.sort();
        near.truncate(SEMANTIC_CANDIDATES);
        Ok(Some(near))
    }

    /// For a catalog with a graph: the share of the [`SEMANTIC_CANDIDATES`] products nearest
    /// `vector` (by scanning them all) that the graph's walk finds, as many as score at least
    /// the last of them; only those close enough to be candidates count, and `None` when there
    /// are none (benchmarks report it).
    pub fn graph_recall(&self, vector: &[f32]) -> Result<Option<f32>, CatalogError> {
        let (Some(ann), Some(vectors)) = (&self.ann, &self.vectors) else { return Ok(None) };
        let searcher = self.reader.searcher();
        let query = Arc::new(QueryVector::new(vector));
        let collector = Nearest { vectors: Arc::clone(vectors), query: Arc::clone(&query), k: SEMANTIC_CANDIDATES, floor: SEMANTIC_FLOOR };
        let exact = searcher.search(&AllQuery, &collector)?;
        let Some(last) = exact.last() else { return Ok(None) };
        let walked = self.nearest_in_graph(&searcher, ann, (vectors, &query, vector), &[], SEMANTIC_FLOOR)?.unwrap_or_default();
        // By score, so that a product with the same vector as one of the exact list counts.
        let found = walked.iter().filter(|n| n.score >= last.score).count().min(exact.len());
        Ok(Some(found as f32 / exact.len() as f32))
    }

    /// Besides every word (or the most that match), the best matches of any of them by BM25:
    /// a product that misses one word of a long query may still be the best.
    pub(super) fn loose(&self, searcher: &Searcher, groups: &[Box<dyn Query>], filters: &[(Occur, Box<dyn Query>)]) -> Result<Vec<DocAddress>, CatalogError> {
        let any_word = BooleanQuery::union_with_minimum_required_clauses(groups.iter().map(|q| q.box_clone()).collect(), 1);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(any_word))];
        clauses.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
        let top = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(LOOSE_CANDIDATES).order_by_score())?;
        Ok(top.into_iter().map(|(_, a)| a).collect())
    }

    /// The nearest products alone, best first.
    pub(super) fn semantic_only(&self, searcher: &Searcher, nearest: &[Near], request: &SearchRequest) -> Result<SearchResults, CatalogError> {
        let hits = nearest
            .iter()
            .skip(request.offset)
            .take(request.limit)
            .map(|n| Ok(Hit { product: self.load(searcher, n.address)?, score: n.score }))
            .collect::<Result<Vec<_>, CatalogError>>()?;
        let retrievers = if hits.is_empty() { Vec::new() } else { vec![SEMANTIC] };
        Ok(SearchResults {
            total: nearest.len(),
            hits,
            facets: Facets::default(),
            suggested_filters: Vec::new(),
            dropped_words: Vec::new(),
            retrievers,
            took_ms: 0.0,
        })
    }

    /// The lexical matches, the best of the loose ones and the nearest products as one list:
    /// counted and faceted as a set, ranked by reciprocal-rank fusion (or by `sort`).
    pub(super) fn fused(
        &self,
        searcher: &Searcher,
        lexical: &BooleanQuery,
        relaxed: bool,
        candidates: &Candidates,
        filters: &[(Occur, Box<dyn Query>)],
        request: &SearchRequest,
        sort: Sort,
    ) -> Result<SearchResults, CatalogError> {
        let Candidates { loose, nearest } = candidates;
        let mut rows: Vec<Term> = nearest.iter().map(|n| Term::from_field_u64(self.fields.row, n.row)).collect();
        for address in loose {
            let column = searcher.segment_reader(address.segment_ord).fast_fields().u64("row")?;
            rows.extend(column.first(address.doc_id).map(|row| Term::from_field_u64(self.fields.row, row)));
        }
        let mut near_clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(TermSetQuery::new(rows)))];
        near_clauses.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
        let union = BooleanQuery::new(vec![
            (Occur::Should, Box::new(lexical.clone())),
            (Occur::Should, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(near_clauses)), 0.0))),
        ]);
        if sort != Sort::Relevance {
            let mut found = self.collect(searcher, &union, request, sort)?;
            if !found.hits.is_empty() {
                found.retrievers = vec![LEXICAL, SEMANTIC];
            }
            return Ok(found);
        }
        // The union's count and facets; the lexical ranking deep enough for this page.
        let parent = request.facets.then(|| self.category_parent(&request.filters));
        let depth = (request.offset + request.limit).max(LEXICAL_CANDIDATES);
        let (_, total, brand, category, prices) = search::run(searcher, &union, TopDocs::with_limit(1).order_by_score(), parent.as_ref())?;
        let lexical_top = searcher.search(lexical, &TopDocs::with_limit(depth).order_by_score())?;
        let lexical_order: Vec<DocAddress> = lexical_top.into_iter().map(|(_, a)| a).collect();
        let semantic_order: Vec<DocAddress> = nearest.iter().map(|n| n.address).collect();
        let semantic_weight = if relaxed { SEMANTIC_WEIGHT_RELAXED } else { SEMANTIC_WEIGHT };
        let fused = fuse(&[
            Ranking { order: &lexical_order, weight: LEXICAL_WEIGHT, semantic: false },
            Ranking { order: loose, weight: LOOSE_WEIGHT, semantic: false },
            Ranking { order: &semantic_order, weight: semantic_weight, semantic: true },
        ]);
        let mut hits = Vec::new();
        let mut retrievers = Vec::new();
        for (score, address, from) in fused.into_iter().skip(request.offset).take(request.limit) {
            if from.lexical && !retrievers.contains(&LEXICAL) {
                retrievers.push(LEXICAL);
            }
            if from.semantic && !retrievers.contains(&SEMANTIC) {
                retrievers.push(SEMANTIC);
            }
            hits.push(Hit { product: self.load(searcher, address)?, score });
        }
        retrievers.sort_unstable();
        let facets = match &parent {
            Some(parent) => search::facet_lists(brand, category, parent),
            None => Facets::default(),
        };
        let mut suggested_filters = prices.map(|p| smart_filters::suggest(total, &facets, &p, &request.filters)).unwrap_or_default();
        if request.facets {
            // What the meaning implies comes first: the kind of product, then a property.
            let kind = self.implied_kind(searcher, request, &union, total)?;
            let attribute = self.implied_attribute(searcher, request, &union, total)?;
            for implied in attribute.into_iter().chain(kind) {
                suggested_filters.retain(|f| f != &implied);
                suggested_filters.insert(0, implied);
            }
            suggested_filters.truncate(smart_filters::MAX_SUGGESTED);
        }
        Ok(SearchResults { total, hits, facets, suggested_filters, dropped_words: Vec::new(), retrievers, took_ms: 0.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(doc: u32) -> DocAddress {
        DocAddress::new(0, doc)
    }

    #[test]
    fn fusion_rewards_agreement_and_keeps_each_document_once() {
        let (lexical, semantic) = ([at(1), at(2), at(3)], [at(3), at(4)]);
        let fused = fuse(&[
            Ranking { order: &lexical, weight: 1.0, semantic: false },
            Ranking { order: &semantic, weight: 1.0, semantic: true },
        ]);
        let order: Vec<u32> = fused.iter().map(|(_, a, _)| a.doc_id).collect();
        assert_eq!(order, vec![3, 1, 2, 4], "found by both sides first, then by rank, ties to the lexical side");
        assert_eq!(fused[0].2, From { lexical: true, semantic: true });
        assert_eq!(fused[3].2, From { lexical: false, semantic: true });
    }

    #[test]
    fn the_implied_kinds_are_the_close_ones_not_nested() {
        let scored = [
            ("Art > Paint Brushes", 0.58),
            ("Art", 0.57),
            ("Art > Paints", 0.55),
            ("Art > Paints > Bottle Sets", 0.54),
            ("Toys", 0.52),
            ("Stationery > Pens", 0.44),
        ];
        assert_eq!(pick_kinds(&scored), vec!["Art > Paint Brushes", "Art > Paints"], "siblings in; the department that holds them, a node inside one and the far ones out");
        let scored = [("Gaming", 0.49), ("Music > Toys", 0.46)];
        assert_eq!(pick_kinds(&scored), vec!["Music > Toys"], "a department needs more than a node");
        assert!(pick_kinds(&[("Clothing", 0.48), ("Shoes > Boots", 0.3)]).is_empty());
        let scored = [("A > B", 0.6), ("C > D", 0.59), ("E > F", 0.58), ("G > H", 0.57)];
        assert_eq!(pick_kinds(&scored).len(), MAX_IMPLIED_KINDS);
    }

    #[test]
    fn nearest_keeps_the_best_in_order() {
        let mut all = vec![
            Near { score: 0.4, address: at(1), row: 1 },
            Near { score: 0.9, address: at(2), row: 2 },
            Near { score: 0.4, address: at(0), row: 0 },
        ];
        all.sort();
        let order: Vec<u32> = all.iter().map(|n| n.address.doc_id).collect();
        assert_eq!(order, vec![2, 0, 1]);
    }
}
