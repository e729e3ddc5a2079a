//! Building the index offline and opening it for serving.
//!
//! Layout of the index directory:
//!
//! ```text
//! index/
//!   CURRENT            name of the generation being served (replaced atomically)
//!   gen-<time>-<pid>/  a complete tantivy index + meta.json + suggest.json
//!   .tmp-…/            a build in progress (removed by the next build if abandoned)
//!   .lock              held by the one build that may run at a time
//! ```
//!
//! A build writes a whole new generation aside and only then points `CURRENT` at it, so a
//! failed or interrupted build never damages the index that is being served.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::CatalogError;
use super::ann;
use super::product::Product;
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::suggest::{SuggestData, Suggester};
use super::synonyms::Synonyms;
use super::vectors::{self, Embedder, VectorJob, VectorReport, Vectors};

const CURRENT: &str = "CURRENT";
const META: &str = "aisle-meta.json";
const SUGGEST: &str = "suggest.json";

/// Where an index's products came from, to tell whether it is stale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IndexSource {
    /// Built from the configured catalog files; stale when any of them changes.
    Catalog { files: Vec<SourceFile> },
    /// Built by `aisle import products`; only a schema change makes it stale.
    Import { files: Vec<SourceFile> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceFile {
    pub path: PathBuf,
    pub sha256: String,
}

impl SourceFile {
    pub fn hash(path: &Path) -> Result<SourceFile, CatalogError> {
        let bytes = fs::read(path).map_err(|source| CatalogError::Io { path: path.to_path_buf(), source })?;
        Ok(SourceFile { path: path.to_path_buf(), sha256: format!("{:x}", Sha256::digest(&bytes)) })
    }
}

/// What a generation records about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexMeta {
    pub schema_version: u32,
    /// Seconds since the Unix epoch.
    pub built_at: u64,
    pub products: usize,
    pub source: IndexSource,
    /// Canonical brand names with product counts, most products first.
    pub brands: Vec<(String, u64)>,
    /// Every category path (`"A > B"`) with product counts.
    pub categories: Vec<(String, u64)>,
    /// The attribute values a query's meaning may imply as a filter (`"Occasion: Party"`),
    /// with product counts: see [`implied_attribute_labels`].
    #[serde(default)]
    pub attributes: Vec<(String, u64)>,
}

/// Whether the index in a directory can be served as it is.
#[derive(Debug, PartialEq)]
pub enum IndexState {
    Missing,
    Stale(String),
    Fresh,
}

/// Knobs for a build.
#[derive(Clone, Default)]
pub struct BuildOptions {
    /// Indexing memory budget in bytes (at least 15 MB per thread); 0 means 100 MB.
    pub heap_bytes: usize,
    /// Indexing threads; 0 means one, which keeps documents in the catalog's order (equal
    /// scores then always rank the same way, build after build). More threads spread the
    /// documents over segments in whatever order the threads take them.
    pub threads: usize,
    /// Set to stop a build early; the served index is left as it was.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called with (done, total) as products are added.
    pub progress: Option<Arc<dyn Fn(usize, usize) + Send + Sync>>,
    /// Computes the products' vectors with the generation; without one the generation has
    /// none and search is lexical only.
    pub embedder: Option<Arc<dyn Embedder>>,
    /// Called with (done, total) as texts are embedded.
    pub embed_progress: Option<Arc<dyn Fn(usize, usize) + Send + Sync>>,
    /// A vectors file shared across builds in different directories (see [`vectors`]).
    pub vector_cache: Option<PathBuf>,
    /// From how many products the generation also gets a nearest-neighbour graph (`None`:
    /// [`ann::ANN_MIN_PRODUCTS`]).
    pub ann_min_products: Option<usize>,
}

/// What a build did.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub products: usize,
    pub generation: PathBuf,
    pub elapsed: Duration,
    /// What embedding the products did, when there was an embedder.
    pub vectors: Option<VectorReport>,
}

/// The state of the index in `dir` against the configured catalog files.
pub fn state(dir: &Path, catalog: &[PathBuf]) -> Result<IndexState, CatalogError> {
    let Some(generation) = current_generation(dir)? else {
        return Ok(IndexState::Missing);
    };
    let meta = read_meta(&generation)?;
    if meta.schema_version != SCHEMA_VERSION {
        return Ok(IndexState::Stale(format!("schema version {} (now {SCHEMA_VERSION})", meta.schema_version)));
    }
    match &meta.source {
        IndexSource::Import { .. } => Ok(IndexState::Fresh),
        IndexSource::Catalog { files } => {
            let now = catalog.iter().map(|p| SourceFile::hash(p)).collect::<Result<Vec<_>, _>>()?;
            if &now == files {
                Ok(IndexState::Fresh)
            } else {
                Ok(IndexState::Stale("the catalog files changed".into()))
            }
        }
    }
}

/// The directory of the generation `CURRENT` names, if any.
pub fn current_generation(dir: &Path) -> Result<Option<PathBuf>, CatalogError> {
    let pointer = dir.join(CURRENT);
    match fs::read_to_string(&pointer) {
        Ok(name) => {
            let generation = dir.join(name.trim());
            if generation.join(META).is_file() { Ok(Some(generation)) } else { Ok(None) }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CatalogError::Io { path: pointer, source }),
    }
}

fn read_meta(generation: &Path) -> Result<IndexMeta, CatalogError> {
    let path = generation.join(META);
    let text = fs::read_to_string(&path).map_err(|source| CatalogError::Io { path: path.clone(), source })?;
    serde_json::from_str(&text).map_err(|e| CatalogError::Meta { path, message: e.to_string() })
}

/// Builds a new generation from `products` and makes it current.
pub fn build(dir: &Path, products: &[Product], source: IndexSource, options: &BuildOptions) -> Result<BuildReport, CatalogError> {
    if products.is_empty() {
        return Err(CatalogError::Empty);
    }
    let started = Instant::now();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CatalogError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let lock_path = dir.join(".lock");
    let lock = fs::File::create(&lock_path).map_err(io(&lock_path))?;
    if lock.try_lock().is_err() {
        return Err(CatalogError::Locked { path: dir.to_path_buf() });
    }
    remove_matching(dir, |name| name.starts_with(".tmp-"));

    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let name = format!("gen-{}-{:09}-{}", stamp.as_secs(), stamp.subsec_nanos(), std::process::id());
    let tmp = dir.join(format!(".tmp-{name}"));
    fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let previous = current_generation(dir)?;
    let result = write_generation(&tmp, products, source, options).and_then(|()| match &options.embedder {
        Some(embedder) => {
            let reuse = previous.iter().map(|p| p.join(vectors::FILE)).collect();
            write_vectors(&tmp, products, embedder.as_ref(), reuse, options).map(Some)
        }
        None => Ok(None),
    });
    let vectors = match result {
        Ok(vectors) => vectors,
        Err(err) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(err);
        }
    };
    let generation = dir.join(&name);
    fs::rename(&tmp, &generation).map_err(io(&generation))?;
    let pointer_tmp = dir.join(".CURRENT.tmp");
    fs::write(&pointer_tmp, &name).map_err(io(&pointer_tmp))?;
    fs::File::open(&pointer_tmp).and_then(|f| f.sync_all()).map_err(io(&pointer_tmp))?;
    fs::rename(&pointer_tmp, dir.join(CURRENT)).map_err(io(dir))?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    // Keep the new generation and the one before it (a server may still be reading it).
    let keep: Vec<String> = std::iter::once(name.clone())
        .chain(previous.and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())))
        .collect();
    remove_matching(dir, |n| n.starts_with("gen-") && !keep.iter().any(|k| k == n));
    drop(lock);
    Ok(BuildReport { products: products.len(), generation, elapsed: started.elapsed(), vectors })
}

fn write_vectors(
    generation: &Path,
    products: &[Product],
    embedder: &dyn Embedder,
    reuse: Vec<PathBuf>,
    options: &BuildOptions,
) -> Result<VectorReport, CatalogError> {
    let job = VectorJob {
        embedder,
        reuse,
        cache: options.vector_cache.clone(),
        cancel: options.cancel.as_deref(),
        progress: options.embed_progress.as_deref(),
    };
    let meta = read_meta(generation)?;
    let labels: Vec<String> = meta.categories.into_iter().chain(meta.attributes).map(|(label, _)| label).collect();
    let path = generation.join(vectors::FILE);
    let report = vectors::build(&path, products, &labels, &job)?;
    if products.len() >= options.ann_min_products.unwrap_or(ann::ANN_MIN_PRODUCTS) {
        let started = Instant::now();
        ann::build(generation, &Vectors::open(&path)?)?;
        tracing::info!(products = products.len(), seconds = started.elapsed().as_secs_f32(), "built the nearest-neighbour graph");
    }
    Ok(report)
}

/// Whether the served generation's vectors are usable and of `model` (an [`Embedder::model`]
/// name): `Err` says why not (missing, damaged, another model).
pub fn check_vectors(generation: &Path, model: &str) -> Result<(), String> {
    let path = generation.join(vectors::FILE);
    if !path.is_file() {
        return Err("the index has no product vectors".into());
    }
    let vectors = Vectors::open(&path).map_err(|e| e.to_string())?;
    if vectors.model() != model {
        return Err(format!("the product vectors are of model {}, not {model}", vectors.model()));
    }
    let meta = read_meta(generation).map_err(|e| e.to_string())?;
    if vectors.products() != meta.products || vectors.label_rows().len() != meta.labels() {
        return Err(format!("{} product vectors for {} products", vectors.products(), meta.products));
    }
    Ok(())
}

/// Computes the vectors of the generation being served, in place (the file is replaced
/// atomically; the products come from the index itself, in their build order).
pub fn repair_vectors(dir: &Path, options: &BuildOptions) -> Result<VectorReport, CatalogError> {
    let generation = current_generation(dir)?.ok_or_else(|| CatalogError::NoIndex { path: dir.to_path_buf() })?;
    let embedder = options.embedder.as_deref().ok_or_else(|| CatalogError::Embed("no embedder configured".into()))?;
    let catalog = Catalog::open(dir, Synonyms::default())?;
    let products = catalog.products_by_row()?;
    write_vectors(&generation, &products, embedder, Vec::new(), options)
}

fn remove_matching(dir: &Path, matches: impl Fn(&str) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if matches(&entry.file_name().to_string_lossy()) {
            if let Err(e) = fs::remove_dir_all(entry.path()) {
                tracing::warn!(path = %entry.path().display(), "cannot remove an old index generation: {e}");
            }
        }
    }
}

fn write_generation(path: &Path, products: &[Product], source: IndexSource, options: &BuildOptions) -> Result<(), CatalogError> {
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(path, schema)?;
    schema::register_analyzers(&index);
    let threads = options.threads.max(1);
    let heap = if options.heap_bytes == 0 { 100_000_000 } else { options.heap_bytes }.max(15_000_000 * threads);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, heap)?;
    let brands = canonical_brands(products);
    let mut categories: HashMap<String, u64> = HashMap::new();
    let total = products.len();
    for (done, product) in products.iter().enumerate() {
        if options.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(CatalogError::Interrupted);
        }
        let brand = product.brand.as_deref().map(|b| brands.get(&schema::fold(b)).map(|(name, _)| name.as_str()).unwrap_or(b));
        let path = product.category_path();
        for depth in 1..=path.len() {
            *categories.entry(path[..depth].join(" > ")).or_default() += 1;
        }
        writer.add_document(document(&fields, product, brand, done as u64)?)?;
        if let Some(progress) = &options.progress {
            if (done + 1) % 500 == 0 || done + 1 == total {
                progress(done + 1, total);
            }
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;

    let mut brand_counts: Vec<(String, u64)> = brands.into_values().collect();
    brand_counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut category_counts: Vec<(String, u64)> = categories.into_iter().collect();
    category_counts.sort();
    let suggest = SuggestData::build(products, &brand_counts, &category_counts);
    let built_at = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let attributes = implied_attribute_labels(products);
    let meta = IndexMeta { schema_version: SCHEMA_VERSION, built_at, products: total, source, brands: brand_counts, categories: category_counts, attributes };
    write_json(&path.join(SUGGEST), &suggest)?;
    write_json(&path.join(META), &meta)?;
    Ok(())
}

impl IndexMeta {
    /// The labels embedded after the products: the category paths, then the attribute values.
    pub fn labels(&self) -> usize {
        self.categories.len() + self.attributes.len()
    }
}

/// Fewest products an attribute value must describe to be implied by a query.
const LEAST_ATTRIBUTE_PRODUCTS: u64 = 3;
/// Attributes that are filters of their own (colour, size, audience), the kind of product
/// ("Type: Heels", which the categories say) or not a property.
const NOT_IMPLIED: &[&str] = &["color", "colour", "size", "gender", "ideal for", "brand", "type", "model name", "model number", "style code"];

/// The attribute values a query's meaning may imply, as filter labels (`"Occasion: Party"`)
/// with their product counts, sorted: values held by at least [`LEAST_ATTRIBUTE_PRODUCTS`]
/// products, in words of up to four (no figures: "Pack of 1", "5 cm" and "VVS1" are not),
/// leaving out negations ("Compass: No").
pub fn implied_attribute_labels(products: &[Product]) -> Vec<(String, u64)> {
    let mut counts: HashMap<String, (String, u64)> = HashMap::new();
    for product in products {
        let mut seen = std::collections::HashSet::new();
        for (name, value) in &product.attributes {
            if NOT_IMPLIED.contains(&schema::fold(name).as_str()) {
                continue;
            }
            for label in schema::attribute_labels(name, value) {
                let value = label.split_once(": ").map_or("", |(_, v)| v);
                let letters = value.chars().filter(|c| c.is_alphabetic()).count();
                let words = value.split_whitespace().count();
                let is_word = letters >= 2 && words <= 4 && !value.contains(|c: char| c.is_ascii_digit());
                if is_word && !matches!(schema::fold(value).as_str(), "na" | "n a" | "no" | "none" | "not applicable" | "other" | "others") {
                    let key = schema::attribute_term(&label);
                    if seen.insert(key.clone()) {
                        counts.entry(key).or_insert((label, 0)).1 += 1;
                    }
                }
            }
        }
    }
    let mut labels: Vec<(String, u64)> = counts.into_values().filter(|(_, n)| *n >= LEAST_ATTRIBUTE_PRODUCTS).collect();
    labels.sort();
    labels
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), CatalogError> {
    let bytes = serde_json::to_vec(value).map_err(CatalogError::Stored)?;
    fs::write(path, bytes)
        .and_then(|_| fs::File::open(path).and_then(|f| f.sync_all()))
        .map_err(|source| CatalogError::Io { path: path.to_path_buf(), source })
}

/// For each brand (folded), its most frequent spelling and its product count.
fn canonical_brands(products: &[Product]) -> HashMap<String, (String, u64)> {
    let mut spellings: HashMap<String, HashMap<&str, u64>> = HashMap::new();
    for brand in products.iter().filter_map(|p| p.brand.as_deref()) {
        *spellings.entry(schema::fold(brand)).or_default().entry(brand).or_default() += 1;
    }
    spellings
        .into_iter()
        .filter(|(key, _)| !key.is_empty())
        .map(|(key, forms)| {
            let count = forms.values().sum();
            let best = forms.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0))).map(|(s, _)| s.to_string()).unwrap_or_default();
            (key, (best, count))
        })
        .collect()
}

fn document(f: &Fields, p: &Product, brand: Option<&str>, row: u64) -> Result<TantivyDocument, CatalogError> {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &p.id);
    doc.add_text(f.title, &p.title);
    let path = p.category_path();
    doc.add_text(f.fuzzy_title, &p.title);
    if let Some(brand) = brand {
        doc.add_text(f.brand_text, brand);
        doc.add_text(f.fuzzy_other, brand);
        doc.add_facet(f.brand, Facet::from_path([brand]));
    }
    if !path.is_empty() {
        let text = path.join(" ");
        doc.add_text(f.category_text, &text);
        doc.add_text(f.fuzzy_other, &text);
        doc.add_facet(f.category, Facet::from_path(&path));
    }
    let mut attrs = String::new();
    let named = [("color", &p.color), ("size", &p.size), ("gender", &p.gender), ("material", &p.material)];
    for (key, value) in named.iter().filter_map(|(k, v)| v.as_deref().map(|v| (*k, v))).chain(p.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        attrs.push_str(key);
        attrs.push_str(": ");
        attrs.push_str(value);
        attrs.push_str(". ");
    }
    doc.add_text(f.attributes_text, &attrs);
    for (name, value) in &p.attributes {
        for label in schema::attribute_labels(name, value) {
            doc.add_text(f.attribute, schema::attribute_term(&label));
        }
    }
    doc.add_text(f.description, &p.description);
    let option = |names: &[&str]| -> Vec<&str> {
        p.variants.iter().flat_map(|v| v.options.iter()).filter(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n))).map(|(_, v)| v.as_str()).collect()
    };
    let mut colors: Vec<String> = p.color.iter().map(String::as_str).chain(option(&["color", "colour"])).flat_map(schema::value_terms).collect();
    colors.sort();
    colors.dedup();
    for c in colors {
        doc.add_text(f.color, &c);
    }
    let mut sizes: Vec<String> = p.size.iter().map(String::as_str).chain(option(&["size"])).flat_map(schema::value_terms).collect();
    sizes.sort();
    sizes.dedup();
    for s in sizes {
        doc.add_text(f.size, &s);
    }
    let audience = schema::title_audience(&p.title).or(p.gender.as_deref());
    let terms = audience.map(schema::gender_terms).unwrap_or_default();
    for g in &terms {
        doc.add_text(f.gender, g);
    }
    if terms.is_empty() {
        doc.add_text(f.gender, schema::NO_AUDIENCE);
    }
    doc.add_f64(f.price, p.effective_price().amount);
    doc.add_bool(f.in_stock, p.in_stock());
    doc.add_f64(f.rating, p.rating.map(f64::from).unwrap_or(0.0));
    doc.add_u64(f.row, row);
    doc.add_text(f.stored, serde_json::to_string(p).map_err(CatalogError::Stored)?);
    Ok(doc)
}

/// The served catalog: one reader for the process, a searcher per request.
pub struct Catalog {
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) meta: IndexMeta,
    pub(crate) generation: PathBuf,
    /// Folded brand → canonical brand facet.
    pub(crate) brands: HashMap<String, Facet>,
    /// Folded full category path (`a/b/c`) → facet.
    pub(crate) category_paths: HashMap<String, Facet>,
    /// Folded category node name → every facet ending in it.
    pub(crate) category_names: HashMap<String, Vec<Facet>>,
    pub(crate) suggester: Suggester,
    /// Query-time synonyms; replaced whole by [`Catalog::set_synonyms`] (a reload).
    synonyms: std::sync::RwLock<Arc<Synonyms>>,
    /// The generation's product vectors; `None` when it has none (or they are damaged).
    pub(crate) vectors: Option<Arc<Vectors>>,
    /// Their nearest-neighbour graph, in a large catalog (see [`ann`]).
    pub(crate) ann: Option<ann::Ann>,
    /// Below how many products the filters admit the graph is passed over for a scan.
    pub(crate) graph_scan_below: usize,
    /// Products read by id (a generation never changes): lists and profiles look up hundreds
    /// at a time. Emptied when it reaches [`CACHED_PRODUCTS`].
    cache: std::sync::RwLock<HashMap<String, Product>>,
}

/// Most products kept in a catalog's cache of products read by id.
const CACHED_PRODUCTS: usize = 20_000;

impl Catalog {
    /// Opens the current generation in `dir`.
    pub fn open(dir: &Path, synonyms: Synonyms) -> Result<Catalog, CatalogError> {
        let generation = current_generation(dir)?.ok_or_else(|| CatalogError::NoIndex { path: dir.to_path_buf() })?;
        let meta = read_meta(&generation)?;
        let index = Index::open_in_dir(&generation)?;
        schema::register_analyzers(&index);
        let fields = Fields::from_schema(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let suggest_path = generation.join(SUGGEST);
        let suggest_text = fs::read(&suggest_path).map_err(|source| CatalogError::Io { path: suggest_path.clone(), source })?;
        let suggest: SuggestData =
            serde_json::from_slice(&suggest_text).map_err(|e| CatalogError::Meta { path: suggest_path, message: e.to_string() })?;
        let brands = meta.brands.iter().map(|(name, _)| (schema::fold(name), Facet::from_path([name]))).collect();
        let mut category_paths = HashMap::new();
        let mut category_names: HashMap<String, Vec<Facet>> = HashMap::new();
        for (path, _) in &meta.categories {
            let segments = super::product::split_category_path(path);
            let facet = Facet::from_path(&segments);
            let key = segments.iter().map(|s| schema::fold(s)).collect::<Vec<_>>().join("/");
            category_paths.insert(key, facet.clone());
            if let Some(last) = segments.last() {
                category_names.entry(schema::fold(last)).or_default().push(facet);
            }
        }
        let vectors_path = generation.join(vectors::FILE);
        let vectors = match Vectors::open(&vectors_path) {
            Ok(vectors) if vectors.products() == meta.products && vectors.label_rows().len() == meta.labels() => Some(Arc::new(vectors)),
            Ok(vectors) => {
                tracing::warn!(path = %vectors_path.display(), "{} product vectors for {} products: searching by words only", vectors.products(), meta.products);
                None
            }
            Err(CatalogError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => {
                tracing::warn!(%error, "product vectors unusable: searching by words only");
                None
            }
        };
        let ann = vectors.as_deref().filter(|_| ann::present(&generation)).and_then(|v| ann::Ann::open(&generation, v));
        Ok(Catalog {
            ann,
            graph_scan_below: ann::SCAN_BELOW,
            vectors,
            reader,
            fields,
            meta,
            generation,
            brands,
            category_paths,
            category_names,
            suggester: Suggester::new(suggest),
            synonyms: std::sync::RwLock::new(Arc::new(synonyms)),
            cache: Default::default(),
        })
    }

    /// Sets below how many products the filters admit a catalog with a graph scans them
    /// instead of walking the graph (tests use it to walk the graph of a small catalog).
    pub fn set_graph_scan_below(&mut self, products: usize) {
        self.graph_scan_below = products;
    }

    /// Whether search walks a nearest-neighbour graph (see [`ann`]).
    pub fn has_graph(&self) -> bool {
        self.ann.is_some()
    }

    /// The query-time synonyms in use.
    pub(crate) fn synonyms(&self) -> Arc<Synonyms> {
        Arc::clone(&self.synonyms.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Replaces the query-time synonyms (searches from now on use them).
    pub fn set_synonyms(&self, synonyms: Synonyms) {
        *self.synonyms.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(synonyms);
    }

    /// How many products the index holds.
    pub fn len(&self) -> usize {
        self.meta.products
    }

    pub fn is_empty(&self) -> bool {
        self.meta.products == 0
    }

    pub fn meta(&self) -> &IndexMeta {
        &self.meta
    }

    /// The generation directory being served.
    pub fn generation(&self) -> &Path {
        &self.generation
    }

    /// (id, title) of the catalog's products (one per distinct title), for linking mentions.
    pub fn product_titles(&self) -> impl Iterator<Item = (&str, &str)> {
        self.suggester.product_titles()
    }

    /// One product by id.
    pub fn product(&self, id: &str) -> Result<Option<Product>, CatalogError> {
        if let Some(p) = self.cache.read().unwrap_or_else(|e| e.into_inner()).get(id) {
            return Ok(Some(p.clone()));
        }
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else { return Ok(None) };
        let product = self.load(&searcher, *address)?;
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHED_PRODUCTS {
            cache.clear();
        }
        cache.insert(id.to_string(), product.clone());
        Ok(Some(product))
    }

    /// The product vectors, when the generation has them.
    pub fn vectors(&self) -> Option<&Vectors> {
        self.vectors.as_deref()
    }

    /// The category paths nearest a query's vector, best first, with their cosines.
    pub fn nearest_categories(&self, vector: &[f32], limit: usize) -> Vec<(&str, f32)> {
        self.nearest_labels(vector, &self.meta.categories, 0, limit)
    }

    /// The attribute values (`"Occasion: Party"`) nearest a query's vector, best first, with
    /// their cosines.
    pub fn nearest_attributes(&self, vector: &[f32], limit: usize) -> Vec<(&str, f32)> {
        self.nearest_labels(vector, &self.meta.attributes, self.meta.categories.len(), limit)
    }

    /// `labels`, embedded from label row `first` on, scored against a query's vector.
    fn nearest_labels<'a>(&self, vector: &[f32], labels: &'a [(String, u64)], first: usize, limit: usize) -> Vec<(&'a str, f32)> {
        let Some(vectors) = &self.vectors else { return Vec::new() };
        if vector.len() != vectors.dims() {
            return Vec::new();
        }
        let query = vectors::QueryVector::new(vector);
        let rows = vectors.label_rows().skip(first);
        let mut scored: Vec<(&str, f32)> = labels.iter().zip(rows).map(|((label, _), row)| (label.as_str(), vectors.score(&query, row))).collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(limit);
        scored
    }

    /// A product's description sentences (as [`vectors::description_sentences`] cuts them)
    /// with their vectors, read from the generation: `None` when it has no vectors.
    pub fn sentence_vectors(&self, product: &Product) -> Result<Option<Vec<(String, Vec<f32>)>>, CatalogError> {
        let Some(vectors) = &self.vectors else { return Ok(None) };
        let Some(row) = self.row_of(&product.id)? else { return Ok(None) };
        let sentences = vectors::description_sentences(product);
        let rows = vectors.sentence_rows(row);
        if rows.len() != sentences.len() {
            // The record changed since the build (an update not yet indexed).
            return Ok(None);
        }
        Ok(Some(sentences.into_iter().zip(rows.map(|r| vectors.vector(r))).collect()))
    }

    /// A product's row in the vectors.
    pub(super) fn row_of(&self, id: &str) -> Result<Option<usize>, CatalogError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let Some((_, address)) = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?.into_iter().next() else {
            return Ok(None);
        };
        let rows = searcher.segment_reader(address.segment_ord).fast_fields().u64("row")?;
        Ok(rows.first(address.doc_id).map(|r| r as usize))
    }

    /// Every product in build order (the order of the vectors' rows).
    pub fn products_by_row(&self) -> Result<Vec<Product>, CatalogError> {
        let searcher = self.reader.searcher();
        let mut rows = Vec::with_capacity(self.len());
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let column = segment.fast_fields().u64("row")?;
            for doc in segment.doc_ids_alive() {
                rows.push((column.first(doc).unwrap_or(u64::MAX), tantivy::DocAddress::new(ord as u32, doc)));
            }
        }
        rows.sort_unstable();
        rows.into_iter().map(|(_, address)| self.load(&searcher, address)).collect()
    }

    /// Every product in the index, in index order (used to rebuild after an import).
    pub fn all_products(&self) -> Result<Vec<Product>, CatalogError> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(self.len());
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..segment.max_doc() {
                if segment.is_deleted(doc) {
                    continue;
                }
                out.push(self.load(&searcher, tantivy::DocAddress::new(ord as u32, doc))?);
            }
        }
        Ok(out)
    }

    pub(crate) fn load(&self, searcher: &tantivy::Searcher, address: tantivy::DocAddress) -> Result<Product, CatalogError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc.get_first(self.fields.stored).and_then(|v| v.as_str()).unwrap_or("");
        serde_json::from_str(json).map_err(CatalogError::Stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, attributes: serde_json::Value) -> Product {
        serde_json::from_value(serde_json::json!({ "id": id, "title": "Thing", "price": "10 USD", "attributes": attributes })).unwrap()
    }

    #[test]
    fn implied_attribute_values_are_shared_words_not_measures_negations_or_kinds() {
        let products: Vec<Product> = (0..4)
            .map(|i| {
                product(
                    &i.to_string(),
                    serde_json::json!({
                        "Occasion": if i == 0 { "Party, Wedding" } else { "party" },
                        "Waterproof": "Yes", "Compass": "No", "Height": "5 cm", "Type": "Heels",
                        "Color": "Red", "Pack": "Pack of 1", "Model Number": "X-1",
                    }),
                )
            })
            .collect();
        // "Party" and "party" are one value, counted once per product; Wedding is on one
        // product only, fewer than LEAST_ATTRIBUTE_PRODUCTS.
        assert_eq!(
            implied_attribute_labels(&products),
            vec![("Occasion: Party".to_string(), 4), ("Waterproof: Yes".to_string(), 4)]
        );
        assert_eq!(schema::attribute_term("OCCASION:  Party "), schema::attribute_term("occasion: party"));
    }
}
