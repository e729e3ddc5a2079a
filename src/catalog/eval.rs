//! Relevance evaluation: graded queries run through each retriever of the catalog (words,
//! meaning, both) and through a plain BM25 baseline over the same products, scored with
//! nDCG@10, MRR and recall@50 (`aisle eval search`).
//!
//! Judgments are JSON Lines, one query a line: `{"query", "type", "filters"?, "judgments":
//! {"<product id>": grade}}`, grades 1–3 (unlisted products are 0). The baseline is what a
//! database's full-text search gives with no tuning: every field in one text, the default
//! tokenizer with English stemming, the query's words OR-ed and ranked by BM25 (SQLite FTS5's
//! `bm25()` is the same), filters applied to its ranking.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{STORED, STRING, Schema, TEXT, Value};
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Index, TantivyDocument};

use super::product::Product;
use super::search::{Filters, Retrieval, SearchRequest};
use super::{Catalog, CatalogError};

/// Results each system returns per query (recall is counted over them).
const DEPTH: usize = 50;

/// One graded query.
#[derive(Debug, Clone, Deserialize)]
pub struct Judged {
    pub query: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub filters: JudgedFilters,
    pub judgments: HashMap<String, u8>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgedFilters {
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    #[serde(default)]
    pub brands: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

impl JudgedFilters {
    fn filters(&self) -> Filters {
        Filters {
            min_price: self.min_price,
            max_price: self.max_price,
            brands: self.brands.clone(),
            categories: self.categories.clone(),
            ..Filters::default()
        }
    }

    fn admits(&self, product: &Product) -> bool {
        let price = product.effective_price().amount;
        let fold = |s: &str| s.trim().to_lowercase();
        self.min_price.is_none_or(|m| price >= m)
            && self.max_price.is_none_or(|m| price <= m)
            && (self.brands.is_empty() || product.brand.as_deref().is_some_and(|b| self.brands.iter().any(|x| fold(x) == fold(b))))
            && (self.categories.is_empty()
                || self.categories.iter().any(|c| product.category_path().iter().any(|segment| fold(segment) == fold(c))))
    }
}

/// Reads a judgments file; a bad line is an error naming it.
pub fn load(path: &Path) -> Result<Vec<Judged>, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io { path: path.to_path_buf(), source })?;
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let judged: Judged = serde_json::from_str(line)
            .map_err(|e| CatalogError::Meta { path: path.to_path_buf(), message: format!("line {}: {e}", n + 1) })?;
        if let Some((id, grade)) = judged.judgments.iter().find(|(_, g)| !(1..=3).contains(*g)) {
            return Err(CatalogError::Meta { path: path.to_path_buf(), message: format!("line {}: grade {grade} of {id} is not 1–3", n + 1) });
        }
        queries.push(judged);
    }
    Ok(queries)
}

/// The three figures of one ranking, or means of many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub ndcg_10: f64,
    /// Reciprocal rank of the first result graded 2 or 3.
    pub mrr: f64,
    /// Share of the products graded 1–3 found in the first 50.
    pub recall_50: f64,
}

impl Metrics {
    /// The figures of `ranked` (product ids, best first) against `judgments`.
    pub fn of(ranked: &[String], judgments: &HashMap<String, u8>) -> Metrics {
        let gain = |g: u8| f64::from((1u32 << g) - 1);
        let discount = |i: usize| (i as f64 + 2.0).log2();
        let dcg: f64 = ranked.iter().take(10).enumerate().map(|(i, id)| gain(judgments.get(id).copied().unwrap_or(0)) / discount(i)).sum();
        let mut ideal: Vec<u8> = judgments.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal.iter().take(10).enumerate().map(|(i, g)| gain(*g) / discount(i)).sum();
        let first = ranked.iter().position(|id| judgments.get(id).is_some_and(|g| *g >= 2));
        let relevant = judgments.len().max(1) as f64;
        let found = ranked.iter().take(DEPTH).filter(|id| judgments.contains_key(*id)).count() as f64;
        Metrics {
            // (An empty sum is -0.0.)
            ndcg_10: if idcg > 0.0 { dcg / idcg + 0.0 } else { 0.0 },
            mrr: first.map_or(0.0, |i| 1.0 / (i as f64 + 1.0)),
            recall_50: found / relevant,
        }
    }

    fn mean(all: &[Metrics]) -> Metrics {
        let n = all.len().max(1) as f64;
        Metrics {
            ndcg_10: all.iter().map(|m| m.ndcg_10).sum::<f64>() / n,
            mrr: all.iter().map(|m| m.mrr).sum::<f64>() / n,
            recall_50: all.iter().map(|m| m.recall_50).sum::<f64>() / n,
        }
    }
}

/// Plain BM25 over the same products: the baseline.
pub struct Baseline {
    index: Index,
    reader: tantivy::IndexReader,
    text: tantivy::schema::Field,
    id: tantivy::schema::Field,
    products: HashMap<String, Product>,
}

impl Baseline {
    pub fn build(products: &[Product]) -> Result<Baseline, CatalogError> {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING | STORED);
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let analyzer = TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(Stemmer::new(Language::English)).build();
        index.tokenizers().register("default", analyzer);
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 30_000_000)?;
        // In id order, one thread: equal scores always rank the same way.
        let mut sorted: Vec<&Product> = products.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        for p in sorted {
            let mut doc = TantivyDocument::default();
            doc.add_text(id, &p.id);
            let attributes: Vec<String> = p.attributes.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let all = [p.title.as_str(), p.brand.as_deref().unwrap_or(""), p.product_type.as_deref().unwrap_or(""), &attributes.join(" "), &p.description];
            doc.add_text(text, all.join(" "));
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let products = products.iter().map(|p| (p.id.clone(), p.clone())).collect();
        Ok(Baseline { index, reader, text, id, products })
    }

    /// Product ids by BM25 (any word matching), those the filters admit, best first.
    pub fn search(&self, text: &str, filters: &JudgedFilters, limit: usize) -> Result<Vec<String>, CatalogError> {
        let parser = QueryParser::for_index(&self.index, vec![self.text]);
        let words: String = text.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        let (query, _) = parser.parse_query_lenient(&words);
        let searcher = self.reader.searcher();
        let mut ids = Vec::new();
        for (_, address) in searcher.search(&query, &TopDocs::with_limit(1000).order_by_score())? {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc.get_first(self.id).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            if self.products.get(&id).is_some_and(|p| filters.admits(p)) {
                ids.push(id);
            }
            if ids.len() == limit {
                break;
            }
        }
        Ok(ids)
    }
}

/// The systems compared, in report order.
pub const SYSTEMS: [&str; 4] = ["bm25 baseline", "lexical", "semantic", "hybrid"];

/// Mean figures per system, overall and per query type.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub queries: usize,
    pub overall: BTreeMap<&'static str, Metrics>,
    /// Query type → system → figures.
    pub by_type: BTreeMap<String, BTreeMap<&'static str, Metrics>>,
    /// Per query: (query, type, system → nDCG@10), for reading the misses.
    pub per_query: Vec<(String, String, BTreeMap<&'static str, f64>)>,
}

/// Runs every query through every system. `vectors[i]` is query `i`'s embedding.
pub fn evaluate(catalog: &Catalog, baseline: &Baseline, queries: &[Judged], vectors: &[Vec<f32>]) -> Result<Report, CatalogError> {
    let mut all: BTreeMap<&'static str, Vec<Metrics>> = BTreeMap::new();
    let mut typed: BTreeMap<String, BTreeMap<&'static str, Vec<Metrics>>> = BTreeMap::new();
    let mut per_query = Vec::new();
    for (judged, vector) in queries.iter().zip(vectors) {
        let mut row = BTreeMap::new();
        for system in SYSTEMS {
            let ranked = match system {
                "bm25 baseline" => baseline.search(&judged.query, &judged.filters, DEPTH)?,
                _ => {
                    let retrieval = match system {
                        "lexical" => Retrieval::Lexical,
                        "semantic" => Retrieval::Semantic,
                        _ => Retrieval::Hybrid,
                    };
                    let request = SearchRequest {
                        filters: judged.filters.filters(),
                        limit: DEPTH,
                        facets: false,
                        vector: Some(vector.clone()),
                        retrieval,
                        ..SearchRequest::new(judged.query.clone())
                    };
                    catalog.search(&request)?.hits.into_iter().map(|h| h.product.id).collect()
                }
            };
            let metrics = Metrics::of(&ranked, &judged.judgments);
            row.insert(system, metrics.ndcg_10);
            all.entry(system).or_default().push(metrics);
            typed.entry(judged.kind.clone()).or_default().entry(system).or_default().push(metrics);
        }
        per_query.push((judged.query.clone(), judged.kind.clone(), row));
    }
    let mean = |m: BTreeMap<&'static str, Vec<Metrics>>| m.into_iter().map(|(k, v)| (k, Metrics::mean(&v))).collect();
    Ok(Report {
        queries: queries.len(),
        overall: mean(all),
        by_type: typed.into_iter().map(|(k, v)| (k, mean(v))).collect(),
        per_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_of_judgments_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qrels.jsonl");
        let good = r#"{"query":"mug","type":"keyword","judgments":{"a":3}}"#;
        for (bad, says) in [
            (r#"{"query":"mug","type":"keyword","judgments":{"a":7}}"#, "line 2: grade 7 of a is not 1–3"),
            (r#"{"query":"mug","judgments":{"a":3}}"#, "line 2: missing field `type`"),
            (r#"{"query":"mug","type":"price","filters":{"max":5},"judgments":{"a":3}}"#, "line 2: unknown field `max`"),
        ] {
            std::fs::write(&path, format!("{good}\n{bad}\n")).unwrap();
            let error = load(&path).unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
        std::fs::write(&path, format!("{good}\n\n")).unwrap();
        assert_eq!(load(&path).unwrap().len(), 1);
    }

    #[test]
    fn metrics_of_a_ranking_worked_out_by_hand() {
        let judgments: HashMap<String, u8> = [("a".to_string(), 3), ("b".to_string(), 1)].into();
        let ranked: Vec<String> = ["x", "b", "a"].iter().map(|s| s.to_string()).collect();
        let m = Metrics::of(&ranked, &judgments);
        // DCG = 1/log2(3) + 7/log2(4) = 0.6309 + 3.5; IDCG = 7/1 + 1/log2(3) = 7.6309.
        assert!((m.ndcg_10 - 4.1309 / 7.6309).abs() < 1e-3, "{}", m.ndcg_10);
        assert!((m.mrr - 1.0 / 3.0).abs() < 1e-9, "the first result graded 2+ is third");
        assert_eq!(m.recall_50, 1.0);
        assert_eq!(Metrics::of(&[], &judgments), Metrics::default());
    }
}
