//! Training and evaluation data: intent examples from `prompts/intents/*.yaml` and labelled
//! JSON Lines (`{"text","intent","accept"?}`), a deterministic split by text hash, the hash of
//! everything the head is trained on, and a cache of embeddings keyed by text hash.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::NluError;
use super::context::Context;
use super::intents::INTENTS;

/// One labelled utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub intent: String,
    /// Other intents that also count as right for this text.
    pub accept: Vec<String>,
    /// The conversation it is said in.
    pub context: Context,
}

impl Example {
    /// Whether `predicted` counts as right.
    pub fn accepts(&self, predicted: &str) -> bool {
        predicted == self.intent || self.accept.iter().any(|a| a == predicted)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentFile {
    intent: String,
    examples: Vec<String>,
}

/// Reads every `*.yaml` in `dir` (sorted by name).
pub fn load_intent_files(dir: &Path) -> Result<Vec<Example>, NluError> {
    let mut out = Vec::new();
    for path in yaml_files(dir)? {
        let text = fs::read_to_string(&path).map_err(|e| NluError::io(&path, e))?;
        let file: IntentFile =
            serde_norway::from_str(&text).map_err(|e| NluError::Data(format!("{}: {e}", path.display())))?;
        check_intent(&file.intent).map_err(|e| NluError::Data(format!("{}: {e}", path.display())))?;
        for example in file.examples {
            let example = example.trim().to_string();
            if !example.is_empty() {
                out.push(Example { text: example, intent: file.intent.clone(), accept: Vec::new(), context: Context::default() });
            }
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    intent: String,
    templates: Vec<String>,
}

/// Names that fill templates: `{product}`/`{product2}` from `products.txt` and
/// `{brand}`/`{brand2}` from `brands.txt` beside the templates (one a line, `#` comments).
#[derive(Debug, Clone, Default)]
pub struct TemplateNames {
    pub products: Vec<String>,
    pub brands: Vec<String>,
}

impl TemplateNames {
    /// The names files of a template directory (they are part of the training data).
    pub fn files(dir: &Path) -> [PathBuf; 2] {
        [dir.join("products.txt"), dir.join("brands.txt")]
    }

    pub fn load(dir: &Path) -> Result<TemplateNames, NluError> {
        let [products, brands] = Self::files(dir);
        let read = |path: &Path| -> Result<Vec<String>, NluError> {
            let text = fs::read_to_string(path).map_err(|e| NluError::io(path, e))?;
            Ok(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect())
        };
        Ok(TemplateNames { products: read(&products)?, brands: read(&brands)? })
    }
}

/// Fills with names per template.
const FILLS_PER_TEMPLATE: usize = 6;

/// Expands every `*.yaml` template file in `dir` with the names beside them: each template
/// is filled [`FILLS_PER_TEMPLATE`] times, with names picked by a hash of the template (the
/// same every run). A missing directory gives no examples.
pub fn expand_templates(dir: &Path) -> Result<Vec<Example>, NluError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let names = TemplateNames::load(dir)?;
    if names.products.len() < 2 || names.brands.len() < 2 {
        return Err(NluError::Data(format!("{}: products.txt and brands.txt need at least two names each", dir.display())));
    }
    let mut out = Vec::new();
    for path in yaml_files(dir)? {
        let text = fs::read_to_string(&path).map_err(|e| NluError::io(&path, e))?;
        let file: TemplateFile = serde_norway::from_str(&text).map_err(|e| NluError::Data(format!("{}: {e}", path.display())))?;
        check_intent(&file.intent).map_err(|e| NluError::Data(format!("{}: {e}", path.display())))?;
        for template in &file.templates {
            for fill in 0..FILLS_PER_TEMPLATE {
                let pick = |list: &[String], salt: &str| -> String {
                    let digest = Sha256::digest(format!("{template}#{fill}#{salt}").as_bytes());
                    let n = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
                    list[(n % list.len() as u64) as usize].clone()
                };
                let text = template
                    .replace("{product2}", &pick(&names.products, "p2"))
                    .replace("{product}", &pick(&names.products, "p"))
                    .replace("{brand2}", &pick(&names.brands, "b2"))
                    .replace("{brand}", &pick(&names.brands, "b"));
                out.push(Example { text, intent: file.intent.clone(), accept: Vec::new(), context: Context::default() });
            }
        }
    }
    Ok(out)
}

/// The `*.yaml` files of a directory, sorted.
pub(crate) fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, NluError> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| NluError::io(dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    Ok(paths)
}

#[derive(Deserialize)]
struct Line {
    text: String,
    intent: String,
    #[serde(default)]
    accept: Vec<String>,
    /// `shown`: said right after a list of products.
    #[serde(default)]
    context: Option<String>,
}

/// Reads labelled JSON Lines; a bad line is an error naming it.
pub fn load_jsonl(path: &Path) -> Result<Vec<Example>, NluError> {
    let text = fs::read_to_string(path).map_err(|e| NluError::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: String| NluError::Data(format!("{}:{}: {m}", path.display(), i + 1));
        let parsed: Line = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        check_intent(&parsed.intent).map_err(bad)?;
        for a in &parsed.accept {
            check_intent(a).map_err(bad)?;
        }
        let context = match parsed.context.as_deref() {
            None => Context::default(),
            Some("shown") => Context { shown: true },
            Some(other) => return Err(bad(format!("unknown context '{other}' (known: shown)"))),
        };
        out.push(Example { text: parsed.text, intent: parsed.intent, accept: parsed.accept, context });
    }
    Ok(out)
}

fn check_intent(name: &str) -> Result<(), String> {
    if INTENTS.contains(&name) { Ok(()) } else { Err(format!("unknown intent '{name}'")) }
}

/// Which part of the data an example belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    /// Tunes the temperature and the out-of-scope threshold.
    Validation,
    /// Held out: only reported on.
    Test,
}

/// A stable split by text hash: `train` and `validation` percent, the rest test.
pub fn split_of(text: &str, train: u8, validation: u8) -> Split {
    let bucket = Sha256::digest(text.trim().to_lowercase().as_bytes())[0] as u32 * 100 / 256;
    if bucket < train as u32 {
        Split::Train
    } else if bucket < (train + validation) as u32 {
        Split::Validation
    } else {
        Split::Test
    }
}

/// Hash of the files a head is trained on plus a version of the training procedure.
pub fn data_hash(files: &[PathBuf], version: &str) -> Result<String, NluError> {
    let mut hasher = Sha256::new();
    hasher.update(version.as_bytes());
    for path in files {
        let bytes = fs::read(path).map_err(|e| NluError::io(path, e))?;
        hasher.update(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// Embeddings by text hash, kept in a file so that retraining does not re-encode.
pub struct EmbeddingCache {
    path: PathBuf,
    dims: usize,
    vectors: HashMap<[u8; 16], Vec<f32>>,
    dirty: bool,
}

const CACHE_MAGIC: &[u8; 8] = b"AISLEEMB";

impl EmbeddingCache {
    /// Opens the cache file (an unreadable or mismatched one is started afresh).
    pub fn open(path: &Path, dims: usize) -> EmbeddingCache {
        let mut cache = EmbeddingCache { path: path.to_path_buf(), dims, vectors: HashMap::new(), dirty: false };
        if let Ok(mut file) = fs::File::open(path) {
            let mut bytes = Vec::new();
            if file.read_to_end(&mut bytes).is_ok() && bytes.len() >= 12 && &bytes[..8] == CACHE_MAGIC {
                let stored_dims = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
                let record = 16 + 4 * stored_dims;
                if stored_dims == dims && (bytes.len() - 12) % record == 0 {
                    for chunk in bytes[12..].chunks_exact(record) {
                        let key: [u8; 16] = chunk[..16].try_into().expect("16 bytes");
                        let vector = chunk[16..].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
                        cache.vectors.insert(key, vector);
                    }
                }
            }
        }
        cache
    }

    fn key(text: &str) -> [u8; 16] {
        Sha256::digest(text.as_bytes())[..16].try_into().expect("16 bytes")
    }

    /// The cached embedding of a text.
    pub fn get(&self, text: &str) -> Option<&Vec<f32>> {
        self.vectors.get(&Self::key(text))
    }

    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// Embeddings of `texts`, encoding (in chunks, reporting progress) only those not cached.
    pub fn embed(
        &mut self,
        texts: &[&str],
        mut encode: impl FnMut(&[&str]) -> Result<Vec<Vec<f32>>, NluError>,
        progress: &dyn Fn(usize, usize),
    ) -> Result<Vec<Vec<f32>>, NluError> {
        let mut todo: Vec<&str> = texts.iter().copied().filter(|t| !self.vectors.contains_key(&Self::key(t))).collect();
        todo.sort_unstable();
        todo.dedup();
        for (done, chunk) in todo.chunks(256).enumerate() {
            let vectors = encode(chunk)?;
            for (text, vector) in chunk.iter().zip(vectors) {
                self.vectors.insert(Self::key(text), vector);
            }
            self.dirty = true;
            progress(((done + 1) * 256).min(todo.len()), todo.len());
        }
        Ok(texts.iter().map(|t| self.vectors[&Self::key(t)].clone()).collect())
    }

    /// Writes the cache if it changed (atomically).
    pub fn save(&mut self) -> Result<(), NluError> {
        if !self.dirty {
            return Ok(());
        }
        let tmp = self.path.with_extension("tmp");
        let mut bytes = Vec::with_capacity(12 + self.vectors.len() * (16 + 4 * self.dims));
        bytes.extend_from_slice(CACHE_MAGIC);
        bytes.extend_from_slice(&(self.dims as u32).to_le_bytes());
        for (key, vector) in &self.vectors {
            bytes.extend_from_slice(key);
            for v in vector {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        let mut file = fs::File::create(&tmp).map_err(|e| NluError::io(&tmp, e))?;
        file.write_all(&bytes).map_err(|e| NluError::io(&tmp, e))?;
        fs::rename(&tmp, &self.path).map_err(|e| NluError::io(&self.path, e))?;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_lines_carry_their_context_and_a_wrong_one_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("set.jsonl");
        fs::write(&path, "{\"text\":\"wide fit\",\"intent\":\"refine\",\"context\":\"shown\"}\n{\"text\":\"hi\",\"intent\":\"greet\",\"source\":\"x\"}\n").unwrap();
        let examples = load_jsonl(&path).unwrap();
        assert_eq!(examples[0].context, Context { shown: true });
        assert_eq!(examples[1].context, Context::default());
        fs::write(&path, "{\"text\":\"hi\",\"intent\":\"greet\"}\n{\"text\":\"wide\",\"intent\":\"refine\",\"context\":\"cart\"}\n").unwrap();
        let error = load_jsonl(&path).unwrap_err().to_string();
        assert!(error.contains("set.jsonl:2") && error.contains("unknown context 'cart'"), "{error}");
    }
}
