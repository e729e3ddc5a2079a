//! Approximate nearest neighbours for large catalogs: an HNSW graph (the `hnsw_rs` crate) over
//! the product vectors, built with the generation and loaded beside them.
//!
//! Below [`ANN_MIN_PRODUCTS`] products, the semantic side of search scans every admitted
//! product's int8 vector (exact; BENCHMARKS.md measured the scan's p50 crossing 5 ms at ~60k
//! products and its p99 crossing 15 ms at ~100k, where the graph starts to pay). From there a build also
//! writes the graph, and search walks it instead; the products it finds are then scored
//! exactly on the generation's own vectors, so a graph only decides *which* products are
//! candidates, never their scores. A missing or damaged graph is logged and the scan is used:
//! slower, never wrong.
//!
//! The graph holds its own copy of the vectors, requantized to one scale for the whole
//! catalog (the generation's rows each have their own), so that its distance is one integer
//! dot product. Building inserts on every core, so two builds of the same catalog may differ in
//! a few links: recall, not correctness, is what they share.

use std::fs;
use std::path::Path;

use hnsw_rs::prelude::{AnnT, Distance, FilterT, Hnsw, HnswIo};
use sha2::{Digest, Sha256};

use super::vectors::{self, Vectors};
use super::CatalogError;

/// Catalogs with at least this many products get a graph (see the module docs).
pub const ANN_MIN_PRODUCTS: usize = 100_000;
/// The graph's files in a generation: `ann.hnsw.graph` and `ann.hnsw.data`, and `ann.sha256`
/// with their checksum (the crate's reader trusts its input: damage must not reach it).
const BASENAME: &str = "ann";
const FILES: [&str; 2] = ["ann.hnsw.graph", "ann.hnsw.data"];
const CHECKSUM: &str = "ann.sha256";
/// With a graph, when fewer products than this pass a search's filters, they are scanned
/// instead (exact, and about as fast as walking the graph).
pub const SCAN_BELOW: usize = 20_000;
/// Links per node (twice this on the bottom layer), the breadth of the search for each node's
/// links while building, and of a query's search (never below the number asked for): recall@50
/// 0.95–0.97 on the 120k benchmark catalog, against 0.92 with breadths 100/200 (BENCHMARKS.md).
const LINKS: usize = 16;
const BUILD_BREADTH: usize = 200;
const SEARCH_BREADTH: usize = 256;
const MAX_LAYERS: usize = 16;
const UNUSABLE: &str = "the nearest-neighbour graph is unusable: scanning every product vector instead (slower; rebuild the index to mend it)";

/// The graph's distance, 1 − the cosine of two vectors quantized on one scale.
#[derive(Debug, Clone, Copy)]
pub struct CosineDistance {
    /// The square of the scale the values are on.
    squared_scale: f32,
}

impl Distance<i8> for CosineDistance {
    fn eval(&self, a: &[i8], b: &[i8]) -> f32 {
        (1.0 - vectors::dot_i8(a, b) as f32 * self.squared_scale).max(0.0)
    }
}

type Graph<'io> = Hnsw<'io, i8, CosineDistance>;

self_cell::self_cell!(
    /// A graph loaded from its files (the crate's loaded graph borrows its reader).
    struct Loaded {
        owner: HnswIo,
        #[not_covariant]
        dependent: Graph,
    }
);

/// A generation's graph, ready to search.
pub struct Ann {
    loaded: Loaded,
    /// The scale of the graph's vectors (a query is put on it too).
    scale: f32,
}

/// Quantizes a vector to ±127 on `scale` (a larger value is clamped).
fn to_i8(vector: &[f32], scale: f32) -> Vec<i8> {
    if scale == 0.0 {
        return vec![0; vector.len()];
    }
    vector.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8).collect()
}

/// Whether a generation has graph files.
pub fn present(generation: &Path) -> bool {
    generation.join(CHECKSUM).is_file() || FILES.iter().any(|f| generation.join(f).is_file())
}

/// The SHA-256 of the graph's files, in hex.
fn checksum(generation: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    for file in FILES {
        std::io::copy(&mut fs::File::open(generation.join(file))?, &mut hasher)?;
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The one scale of the graph's vectors: the largest of the products' own scales (so that
/// every value fits in ±127).
fn scale(vectors: &Vectors) -> f32 {
    (0..vectors.products()).map(|row| vectors.scale(row)).fold(0f32, f32::max)
}

/// Builds the graph of the product vectors in `vectors` into `generation` (on every core).
pub(super) fn build(generation: &Path, vectors: &Vectors) -> Result<(), CatalogError> {
    let products = vectors.products();
    let scale = scale(vectors);
    let points: Vec<Vec<i8>> = (0..products).map(|row| to_i8(&vectors.vector(row), scale)).collect();
    let graph: Graph = Hnsw::new(LINKS, products, MAX_LAYERS, BUILD_BREADTH, CosineDistance { squared_scale: scale * scale });
    let batch: Vec<(&[i8], usize)> = points.iter().enumerate().map(|(row, point)| (point.as_slice(), row)).collect();
    graph.parallel_insert_slice(&batch);
    graph.file_dump(generation, BASENAME).map_err(|e| CatalogError::Vectors { path: generation.join(BASENAME), message: format!("writing the graph: {e}") })?;
    let path = generation.join(CHECKSUM);
    let io = |source| CatalogError::Io { path: path.clone(), source };
    fs::write(&path, checksum(generation).map_err(io)?).map_err(io)
}

impl Ann {
    /// Loads the graph of `generation` for `vectors`; `None`, with a warning, when it is
    /// damaged or of other vectors (search then scans).
    pub fn open(generation: &Path, vectors: &Vectors) -> Option<Ann> {
        let stored = fs::read_to_string(generation.join(CHECKSUM)).unwrap_or_default();
        let problem = match checksum(generation) {
            Ok(sum) if sum == stored.trim() => None,
            Ok(_) => Some("checksum mismatch (the files are damaged)".to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(problem) = problem {
            tracing::warn!(generation = %generation.display(), problem, "{UNUSABLE}");
            return None;
        }
        let io = HnswIo::new(generation, BASENAME);
        let scale = scale(vectors);
        let distance = CosineDistance { squared_scale: scale * scale };
        // The crate asserts where it could return an error (a dump of another version).
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Loaded::try_new(io, |io| io.load_hnsw_with_dist(distance))));
        let problem = match loaded {
            Ok(Ok(loaded)) => {
                let (points, dims) = loaded.with_dependent(|_, graph| (graph.get_nb_point(), graph.get_point_indexation().get_data_dimension()));
                if points == vectors.products() && dims == vectors.dims() {
                    return Some(Ann { loaded, scale });
                }
                format!("{points} points of {dims} dimensions, for {} products of {}", vectors.products(), vectors.dims())
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => "the reader panicked".to_string(),
        };
        tracing::warn!(generation = %generation.display(), problem, "{UNUSABLE}");
        None
    }

    /// The rows of (about) the `k` products nearest `query`, among those `admit` accepts.
    pub fn search(&self, query: &[f32], k: usize, admit: Option<&dyn Fn(usize) -> bool>) -> Vec<usize> {
        let point = to_i8(query, self.scale);
        let filter = admit.map(|admit| move |row: &usize| admit(*row));
        let filter = filter.as_ref().map(|f| f as &dyn FilterT);
        self.loaded.with_dependent(|_, graph| graph.search_filter(&point, k, SEARCH_BREADTH.max(k), filter)).into_iter().map(|n| n.d_id).collect()
    }
}
