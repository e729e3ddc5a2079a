//! Product embeddings kept beside an index generation: one vector per product (its title,
//! brand, category path and salient attributes) and one per description sentence, computed
//! when the generation is built and memory-mapped when it is served. Search, product
//! questions and content recommendations share them, and nothing is embedded on a shopper's
//! turn.
//!
//! The vectors come from an [`Embedder`] (the NLU's sentence encoder implements it; the
//! catalog never names the model). They are stored as int8 with a scale per row (`x ≈ scale ·
//! q`): a quarter of f32's size, and similarities computed in integers; ranking by them agrees
//! with f32 to within the rounding of the last digits.
//!
//! File `vectors.bin` of a generation (little-endian):
//!
//! ```text
//! "AISLEVEC" · version u32 · dims u32 · rows u32 · products u32 · model name (u32 length + UTF-8)
//! text hash u64 × rows · scale f32 × rows · first sentence row u32 × (products + 1)
//! matrix i8 × rows × dims · SHA-256 of everything before it
//! ```
//!
//! Rows `0..products` are the products in build order (each document's `row` fast field);
//! product `i`'s sentences are rows `starts[i]..starts[i + 1]`, in the order of
//! [`description_sentences`]; the rows after the last sentence are the category paths of the
//! index's metadata, in its order (to read what kind of product a query means). A row's hash covers the model's name and the text, so a build
//! takes every row it can from the previous generation (and from an optional cache file) and
//! encodes only texts it has not seen: re-indexing a catalog where 1 % changed encodes that 1 %.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use super::CatalogError;
use super::product::Product;

/// The file of a generation's vectors.
pub const FILE: &str = "vectors.bin";
const MAGIC: &[u8; 8] = b"AISLEVEC";
/// Bumped whenever the texts embedded or the layout change: an older file is rebuilt.
const VERSION: u32 = 2;
/// Texts encoded per call to the embedder (progress and cancellation are checked between).
const ENCODE_CHUNK: usize = 1024;
/// Description sentences embedded per product, and words kept of each.
pub const MAX_SENTENCES: usize = 16;
pub const MAX_SENTENCE_WORDS: usize = 40;
/// Attribute values a product's text carries, besides its named fields.
const SALIENT_ATTRIBUTES: usize = 4;
/// Name of the cache of vectors shared by every build that uses it (kept beside the model).
pub const CACHE_FILE: &str = "vectors.cache";

/// Turns texts into unit-length vectors. Implemented by the NLU's encoder.
pub trait Embedder: Send + Sync {
    /// Names the model and its weights: vectors of different models are never mixed.
    fn model(&self) -> String;
    fn dims(&self) -> usize;
    /// One unit-length vector per text, in order.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String>;
}

/// The text a product's vector is computed from: title, brand, category path, audience,
/// colour, material and the first few attribute values.
pub fn product_text(product: &Product) -> String {
    let mut parts = vec![product.title.clone()];
    if let Some(brand) = product.brand.as_deref().filter(|b| !product.title.to_lowercase().contains(&b.to_lowercase())) {
        parts.push(format!("by {brand}"));
    }
    let path = product.category_path();
    if !path.is_empty() {
        parts.push(path.join(" > "));
    }
    for value in [&product.gender, &product.color, &product.material].into_iter().flatten() {
        parts.push(value.clone());
    }
    parts.extend(
        product
            .attributes
            .iter()
            .filter(|(_, v)| v.len() <= 40 && !v.chars().all(|c| c.is_ascii_digit() || c.is_ascii_punctuation()))
            .take(SALIENT_ATTRIBUTES)
            .map(|(k, v)| format!("{k} {v}")),
    );
    parts.join(". ")
}

/// A product's description cut into sentences worth answering from: at least four words,
/// at most [`MAX_SENTENCE_WORDS`] of each, the first [`MAX_SENTENCES`].
pub fn description_sentences(product: &Product) -> Vec<String> {
    product
        .description
        .split(['.', '!', '?', '\n', ';'])
        .map(|s| s.split_whitespace().take(MAX_SENTENCE_WORDS).collect::<Vec<_>>().join(" "))
        .filter(|s| s.split(' ').count() >= 4)
        .take(MAX_SENTENCES)
        .collect()
}

fn text_hash(model: &str, text: &str) -> u64 {
    let digest = Sha256::new().chain_update(model.as_bytes()).chain_update([0u8]).chain_update(text.as_bytes()).finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// One quantized vector.
#[derive(Clone)]
struct Row {
    hash: u64,
    scale: f32,
    values: Vec<i8>,
}

fn quantize(vector: &[f32]) -> (f32, Vec<i8>) {
    let max = vector.iter().fold(0f32, |m, v| m.max(v.abs()));
    if max == 0.0 {
        return (0.0, vec![0; vector.len()]);
    }
    let scale = max / 127.0;
    (scale, vector.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8).collect())
}

/// A query vector, quantized to be scored against rows.
pub struct QueryVector {
    scale: f32,
    values: Vec<i8>,
    /// The integer dot product, in the widest instructions this CPU has.
    dot: fn(&[i8], &[i8]) -> i32,
}

impl QueryVector {
    pub fn new(vector: &[f32]) -> QueryVector {
        let (scale, values) = quantize(vector);
        QueryVector { scale, values, dot: dot_fn() }
    }
}

fn dot(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum()
}

/// The dot product in AVX2, 32 pairs at a time: `maddubs` multiplies unsigned by signed bytes
/// and adds neighbours into 16 bits, so `a` goes in as |a| and `b` takes a's sign (the pair
/// sums stay within ±2·127², clear of saturation: values are quantized to ±127, never −128);
/// `madd` against ones widens them to 32 bits. A 40k-product scan takes a third of the time of
/// the auto-vectorized loop compiled for AVX2, and a ninth of the portable one.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_avx2(a: &[i8], b: &[i8]) -> i32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let body = n - n % 32;
    let ones = _mm256_set1_epi16(1);
    let mut sum = _mm256_setzero_si256();
    let mut i = 0;
    while i < body {
        // SAFETY: i + 32 <= body <= both lengths; the loads are unaligned loads.
        let (va, vb) = unsafe { (_mm256_loadu_si256(a.as_ptr().add(i).cast()), _mm256_loadu_si256(b.as_ptr().add(i).cast())) };
        let pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(va, va), _mm256_sign_epi8(vb, va));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(pairs, ones));
        i += 32;
    }
    let half = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    let quarter = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0b01_00_11_10));
    let total = _mm_add_epi32(quarter, _mm_shuffle_epi32(quarter, 0b10_11_00_01));
    _mm_cvtsi128_si32(total) + dot(&a[body..n], &b[body..n])
}

fn dot_fn() -> fn(&[i8], &[i8]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just found to have AVX2.
        return |a, b| unsafe { dot_avx2(a, b) };
    }
    dot
}

/// The integer dot product of two int8 vectors, in the widest instructions this CPU has.
pub(super) fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    static DOT: std::sync::OnceLock<fn(&[i8], &[i8]) -> i32> = std::sync::OnceLock::new();
    DOT.get_or_init(dot_fn)(a, b)
}

/// A generation's vectors, memory-mapped.
pub struct Vectors {
    map: memmap2::Mmap,
    matrix: usize,
    dims: usize,
    products: usize,
    model: String,
    hashes: Vec<u64>,
    scales: Vec<f32>,
    starts: Vec<u32>,
}

/// What a vectors build did.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct VectorReport {
    /// Texts run through the model.
    pub encoded: usize,
    /// Rows taken from an earlier build.
    pub reused: usize,
    pub rows: usize,
}

impl Vectors {
    /// Opens and checks `path` (its checksum is read through once, without mapping it).
    pub fn open(path: &Path) -> Result<Vectors, CatalogError> {
        let bad = |message: String| CatalogError::Vectors { path: path.to_path_buf(), message };
        let io = |source| CatalogError::Io { path: path.to_path_buf(), source };
        let mut file = fs::File::open(path).map_err(io)?;
        let length = file.metadata().map_err(io)?.len() as usize;
        if length < 32 + 28 {
            return Err(bad(format!("{length} bytes is too short")));
        }
        let mut hasher = Sha256::new();
        let mut left = length - 32;
        let mut buffer = vec![0u8; 1 << 20];
        while left > 0 {
            let n = file.read(&mut buffer[..left.min(1 << 20)]).map_err(io)?;
            if n == 0 {
                return Err(bad("ends early".into()));
            }
            hasher.update(&buffer[..n]);
            left -= n;
        }
        let mut stored = [0u8; 32];
        file.read_exact(&mut stored).map_err(io)?;
        if hasher.finalize().as_slice() != stored {
            return Err(bad("checksum mismatch (the file is damaged)".into()));
        }
        // SAFETY: the file is mapped read-only and never written in place: builds write a new
        // file and rename it over the old one, which leaves a mapped file intact.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        let mut at = 0usize;
        let mut take = |n: usize| {
            let slice = &map[at..at + n];
            at += n;
            slice
        };
        if take(8) != MAGIC {
            return Err(bad("not a vectors file".into()));
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize;
        let version = u32_at(take(4));
        if version != VERSION as usize {
            return Err(bad(format!("format version {version} (now {VERSION})")));
        }
        let dims = u32_at(take(4));
        let rows = u32_at(take(4));
        let products = u32_at(take(4));
        let model_len = u32_at(take(4));
        let expected = 28 + model_len + rows * (12 + dims) + (products + 1) * 4 + 32;
        if expected != length || products > rows || dims == 0 {
            return Err(bad(format!("{length} bytes where its header implies {expected}")));
        }
        let model = String::from_utf8(take(model_len).to_vec()).map_err(|_| bad("model name is not UTF-8".into()))?;
        let hashes = take(rows * 8).chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
        let scales = take(rows * 4).chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
        let starts: Vec<u32> = take((products + 1) * 4).chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
        // (A cache file has no products: its one "start" is the end of its rows.)
        if starts.first().is_none_or(|&s| (s as usize) < products) || starts.last().is_none_or(|&s| s as usize > rows) || starts.windows(2).any(|w| w[0] > w[1]) {
            return Err(bad("sentence ranges are inconsistent".into()));
        }
        let matrix = at;
        Ok(Vectors { map, matrix, dims, products, model, hashes, scales, starts })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// How many products have a vector.
    pub fn products(&self) -> usize {
        self.products
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    fn values(&self, row: usize) -> &[i8] {
        let start = self.matrix + row * self.dims;
        let bytes = &self.map[start..start + self.dims];
        // SAFETY: i8 and u8 have the same size and alignment.
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<i8>(), bytes.len()) }
    }

    /// Cosine similarity of a query with a row (both unit-length before quantizing).
    pub fn score(&self, query: &QueryVector, row: usize) -> f32 {
        (query.dot)(&query.values, self.values(row)) as f32 * query.scale * self.scales[row]
    }

    /// The rows of product `row`'s description sentences.
    pub fn sentence_rows(&self, row: usize) -> Range<usize> {
        self.starts[row] as usize..self.starts[row + 1] as usize
    }

    /// The rows of the labels (after the sentences): the category paths, then the attribute
    /// values ([`super::index::IndexMeta::labels`]).
    pub fn label_rows(&self) -> Range<usize> {
        self.starts[self.products] as usize..self.hashes.len()
    }

    /// The scale of a row's values.
    pub fn scale(&self, row: usize) -> f32 {
        self.scales[row]
    }

    /// A row's vector, dequantized.
    pub fn vector(&self, row: usize) -> Vec<f32> {
        let scale = self.scales[row];
        self.values(row).iter().map(|&v| f32::from(v) * scale).collect()
    }

    fn row(&self, row: usize) -> Row {
        Row { hash: self.hashes[row], scale: self.scales[row], values: self.values(row).to_vec() }
    }
}

/// Knobs of a vectors build.
pub(crate) struct VectorJob<'a> {
    pub embedder: &'a dyn Embedder,
    /// Files whose rows may be reused (missing, damaged or other-model files are skipped).
    pub reuse: Vec<PathBuf>,
    /// A file to reuse rows from and to keep every row in, across builds (tests and tools
    /// that build many indexes of the same products).
    pub cache: Option<PathBuf>,
    pub cancel: Option<&'a AtomicBool>,
    pub progress: Option<&'a (dyn Fn(usize, usize) + Send + Sync)>,
}

/// Computes the vectors of `products` (in this order) and of the labels (category paths and
/// attribute values), and writes them to `path`.
pub(crate) fn build(path: &Path, products: &[Product], labels: &[String], job: &VectorJob) -> Result<VectorReport, CatalogError> {
    let model = job.embedder.model();
    let dims = job.embedder.dims();
    let mut texts: Vec<String> = products.iter().map(product_text).collect();
    let mut starts = Vec::with_capacity(products.len() + 1);
    for product in products {
        starts.push(texts.len() as u32);
        texts.extend(description_sentences(product));
    }
    starts.push(texts.len() as u32);
    texts.extend(labels.iter().cloned());
    let hashes: Vec<u64> = texts.iter().map(|t| text_hash(&model, t)).collect();

    let wanted: std::collections::HashSet<u64> = hashes.iter().copied().collect();
    let mut known: HashMap<u64, Row> = HashMap::new();
    let sources = job.reuse.iter().chain(job.cache.as_ref());
    for source in sources.filter(|p| p.is_file()) {
        match Vectors::open(source) {
            Ok(old) if old.model == model && old.dims == dims => {
                for (row, hash) in old.hashes.iter().enumerate() {
                    if wanted.contains(hash) && !known.contains_key(hash) {
                        known.insert(*hash, old.row(row));
                    }
                }
            }
            Ok(_) => tracing::info!(path = %source.display(), "earlier vectors are of another model; not reused"),
            Err(error) => tracing::warn!(%error, "earlier vectors not reused"),
        }
    }
    let reused = hashes.iter().filter(|h| known.contains_key(h)).count();

    let mut todo: Vec<usize> = Vec::new();
    let mut queued = std::collections::HashSet::new();
    for (i, hash) in hashes.iter().enumerate() {
        if !known.contains_key(hash) && queued.insert(*hash) {
            todo.push(i);
        }
    }
    // Texts of similar length together: the embedder's batches are padded to their longest,
    // and its threads, given chunks of one length, finish together.
    todo.sort_by_key(|&i| texts[i].len());
    for (done, chunk) in todo.chunks(ENCODE_CHUNK).enumerate() {
        if job.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(CatalogError::Interrupted);
        }
        let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
        let vectors = job.embedder.embed(&batch).map_err(CatalogError::Embed)?;
        if vectors.len() != batch.len() || vectors.iter().any(|v| v.len() != dims) {
            return Err(CatalogError::Embed(format!("the model returned {} vectors for {} texts", vectors.len(), batch.len())));
        }
        for (&i, vector) in chunk.iter().zip(vectors) {
            let (scale, values) = quantize(&vector);
            known.insert(hashes[i], Row { hash: hashes[i], scale, values });
        }
        if let Some(progress) = job.progress {
            progress(((done + 1) * ENCODE_CHUNK).min(todo.len()), todo.len());
        }
    }
    let rows: Vec<&Row> = hashes.iter().map(|h| &known[h]).collect();
    write(path, &model, dims, products.len(), &starts, &rows)?;
    if let Some(cache) = &job.cache {
        if !todo.is_empty() {
            update_cache(cache, &model, dims, &known)?;
        }
    }
    Ok(VectorReport { encoded: todo.len(), reused, rows: rows.len() })
}

/// Adds `rows` to the cache file (keeping what it held), atomically.
fn update_cache(cache: &Path, model: &str, dims: usize, rows: &HashMap<u64, Row>) -> Result<(), CatalogError> {
    let mut all: HashMap<u64, Row> = match Vectors::open(cache) {
        Ok(old) if old.model == model && old.dims == dims => (0..old.hashes.len()).map(|r| (old.hashes[r], old.row(r))).collect(),
        _ => HashMap::new(),
    };
    all.extend(rows.iter().map(|(h, r)| (*h, r.clone())));
    let mut list: Vec<&Row> = all.values().collect();
    list.sort_by_key(|r| r.hash);
    if let Some(parent) = cache.parent() {
        fs::create_dir_all(parent).map_err(|source| CatalogError::Io { path: parent.to_path_buf(), source })?;
    }
    write(cache, model, dims, 0, &[list.len() as u32], &list)
}

/// Writes a vectors file atomically (a temporary file renamed over `path`).
fn write(path: &Path, model: &str, dims: usize, products: usize, starts: &[u32], rows: &[&Row]) -> Result<(), CatalogError> {
    let mut bytes = Vec::with_capacity(64 + model.len() + rows.len() * (12 + dims) + starts.len() * 4);
    bytes.extend_from_slice(MAGIC);
    for n in [VERSION, dims as u32, rows.len() as u32, products as u32, model.len() as u32] {
        bytes.extend_from_slice(&n.to_le_bytes());
    }
    bytes.extend_from_slice(model.as_bytes());
    for row in rows {
        bytes.extend_from_slice(&row.hash.to_le_bytes());
    }
    for row in rows {
        bytes.extend_from_slice(&row.scale.to_le_bytes());
    }
    for start in starts {
        bytes.extend_from_slice(&start.to_le_bytes());
    }
    for row in rows {
        bytes.extend(row.values.iter().map(|&v| v as u8));
    }
    let digest = Sha256::digest(&bytes);
    bytes.extend_from_slice(&digest);
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(FILE);
    let tmp = path.with_file_name(format!(".{name}.{}-{}.tmp", std::process::id(), WRITES.fetch_add(1, Ordering::Relaxed)));
    let io = |source| CatalogError::Io { path: tmp.clone(), source };
    let mut file = fs::File::create(&tmp).map_err(io)?;
    file.write_all(&bytes).and_then(|_| file.sync_all()).map_err(io)?;
    fs::rename(&tmp, path).map_err(|source| CatalogError::Io { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic embedder: a unit vector from the text's bytes, counting its calls.
    struct Fake(std::sync::atomic::AtomicUsize);

    impl Embedder for Fake {
        fn model(&self) -> String {
            "fake".into()
        }
        fn dims(&self) -> usize {
            8
        }
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
            self.0.fetch_add(texts.len(), Ordering::Relaxed);
            Ok(texts
                .iter()
                .map(|t| {
                    let mut v = vec![0f32; 8];
                    for (i, b) in t.bytes().enumerate() {
                        v[i % 8] += f32::from(b);
                    }
                    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                    v.iter().map(|x| x / norm).collect()
                })
                .collect())
        }
    }

    fn product(id: &str, title: &str, description: &str) -> Product {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": title, "description": description, "price": "10 USD"
        }))
        .unwrap()
    }

    #[test]
    fn rows_are_reused_by_text_and_a_damaged_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake(Default::default());
        let products = vec![
            product("a", "Red mug", "A sturdy mug for tea. Holds three hundred millilitres of tea."),
            product("b", "Blue bottle", "Keeps water cold for a whole day."),
        ];
        let job = VectorJob { embedder: &fake, reuse: vec![], cache: None, cancel: None, progress: None };
        let first = dir.path().join("one.bin");
        let categories = vec!["Kitchen".to_string(), "Kitchen > Mugs".to_string()];
        let report = build(&first, &products, &categories, &job).unwrap();
        assert_eq!((report.encoded, report.reused, report.rows), (7, 0, 7));
        let vectors = Vectors::open(&first).unwrap();
        assert_eq!(vectors.products(), 2);
        assert_eq!(vectors.sentence_rows(0), 2..4);
        assert_eq!(vectors.sentence_rows(1), 4..5);
        assert_eq!(vectors.label_rows(), 5..7);
        let query = QueryVector::new(&fake.embed(&[&product_text(&products[1])]).unwrap()[0]);
        assert!((vectors.score(&query, 1) - 1.0).abs() < 0.02, "a text is nearest itself: {}", vectors.score(&query, 1));

        let mut changed = products.clone();
        changed[1].title = "Green bottle".into();
        let job = VectorJob { reuse: vec![first.clone()], ..job };
        let report = build(&dir.path().join("two.bin"), &changed, &categories, &job).unwrap();
        assert_eq!((report.encoded, report.reused), (1, 6), "only the changed title is encoded again");

        let cache = dir.path().join("shared.cache");
        let job = VectorJob { reuse: vec![], cache: Some(cache.clone()), ..job };
        assert_eq!(build(&dir.path().join("three.bin"), &products, &categories, &job).unwrap().encoded, 7);
        let report = build(&dir.path().join("four.bin"), &changed, &categories, &job).unwrap();
        assert_eq!((report.encoded, report.reused), (1, 6), "a cache file serves builds in other places");
        assert_eq!(Vectors::open(&cache).unwrap().products(), 0);

        let mut bytes = fs::read(&first).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x55;
        fs::write(&first, bytes).unwrap();
        let error = Vectors::open(&first).err().expect("a damaged file is refused").to_string();
        assert!(error.contains("checksum"), "{error}");
    }

    #[test]
    fn quantized_scores_match_float_cosines() {
        let a = [0.6f32, -0.8, 0.0];
        let b = [0.0f32, 0.6, 0.8];
        let (scale, values) = quantize(&b);
        let q = QueryVector::new(&a);
        let score = (q.dot)(&q.values, &values) as f32 * q.scale * scale;
        assert!((score - (-0.48)).abs() < 0.01, "{score}");
        assert_eq!((q.dot)(&q.values, &values), dot(&q.values, &values), "the fast loop computes what the plain one does");
    }

    proptest::proptest! {
        #[test]
        fn the_fast_dot_product_is_the_plain_one(pairs in proptest::collection::vec((-127i8..=127, -127i8..=127), 0..200)) {
            let (a, b): (Vec<i8>, Vec<i8>) = pairs.into_iter().unzip();
            proptest::prop_assert_eq!(dot_i8(&a, &b), dot(&a, &b));
        }
    }

    #[test]
    fn the_fast_dot_product_holds_at_the_extremes() {
        for (x, y) in [(127i8, 127i8), (-127, 127), (-127, -127), (127, -127), (0, -127)] {
            let (a, b) = (vec![x; 384], vec![y; 384]);
            assert_eq!(dot_i8(&a, &b), dot(&a, &b), "{x} × {y}");
        }
    }
}
