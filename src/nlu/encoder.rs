//! The sentence encoder: all-MiniLM-L6-v2 (BERT, 384 dimensions) run with candle on the CPU.
//! Mean pooling over the tokens, then L2 normalization, as sentence-transformers does.
//!
//! [`Encoder`] is the model itself (synchronous). [`EncoderHandle`] runs it on worker threads
//! of its own behind a bounded queue: requests that are waiting when a worker is free are
//! encoded together in one batch, and a full queue refuses at once with
//! [`NluError::Overloaded`].
//!
//! Each worker runs the model single-threaded (inside a one-thread rayon pool of its own), and
//! there is one worker per core: a short utterance costs dozens of small matrix products, and
//! spreading each of them over the cores costs more in thread wake-ups than it saves (measured:
//! one utterance between pauses took ~20 ms spread over 2 cores, ~13 ms on one). Under load the
//! workers encode different requests at once; a bigger job (a product description's sentences,
//! training data) still uses every core.
//!
//! [`EncoderHandle::hold`] parks the workers and [`EncoderHandle::waiting`] watches the queue:
//! hooks for tests of a full queue and of turns in flight, which must not race the model.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use candle_core::{Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};
use tokio::sync::watch;

use super::NluError;
use super::tuned::{self, Layer, TUNED_LAYERS, TunedLayers, mean_pool};
use crate::catalog::Embedder;

/// Tokens kept per text (the model's training length); longer text is truncated.
const MAX_TOKENS: usize = 256;
/// Texts encoded in one forward pass when many are given at once (16 encoded a catalog ~10 %
/// faster than 32: the smaller products stay in the cache).
const CHUNK: usize = 16;
/// Most texts a worker encodes on its own core; bigger batches use every core.
const ONE_CORE_BATCH: usize = 8;

/// The encoder model, and the intent encoder beside it.
///
/// The base model runs up to its last [`TUNED_LAYERS`] layers once per text; from there its
/// own last layers give the sentence embedding (for meaning: product vectors, FAQ, search) and,
/// when loaded, the fine-tuned copies give the intent embedding (for the intent head).
///
/// It is the catalog's [`Embedder`]: product vectors are computed with it at index builds.
pub struct Encoder {
    /// The token embeddings (candle's BERT with no layers).
    embeddings: BertModel,
    /// The base model's layers.
    layers: Vec<Layer>,
    /// How many of them run below the tuned ones.
    split: usize,
    tuned: Option<TunedLayers>,
    config: Config,
    tokenizer: Tokenizer,
    device: Device,
    dims: usize,
}

/// One text's embeddings.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// The base model's sentence embedding (unit length).
    pub semantic: Vec<f32>,
    /// The intent encoder's (unit length); the semantic one when no tuned layers are loaded.
    pub intent: Vec<f32>,
}

/// A batch of tokenized texts, padded to the longest.
pub(super) struct Tokens {
    pub ids: Tensor,
    pub mask: Tensor,
}

impl Encoder {
    /// Loads config.json, tokenizer.json and model.safetensors from `dir`, and the fine-tuned
    /// intent layers from `tuned` when given.
    pub fn load(dir: &Path, tuned: Option<&Path>) -> Result<Encoder, NluError> {
        let config_path = dir.join("config.json");
        let config_bytes = std::fs::read(&config_path).map_err(|e| NluError::io(&config_path, e))?;
        let config: Config = serde_json::from_slice(&config_bytes).map_err(|e| damaged("config.json", e))?;
        let dims = config.hidden_size;
        if config.num_hidden_layers <= TUNED_LAYERS {
            return Err(NluError::Model(format!("config.json: {} layers; at least {} needed", config.num_hidden_layers, TUNED_LAYERS + 1)));
        }
        let mut tokenizer =
            Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| damaged("tokenizer.json", e))?;
        // The shipped tokenizer pads every text to 128 tokens; pad to the longest in the batch.
        tokenizer.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..PaddingParams::default() }));
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..TruncationParams::default() }))
            .map_err(|e| NluError::Model(format!("tokenizer: {e}")))?;
        let device = Device::Cpu;
        let weights = dir.join("model.safetensors");
        // SAFETY: the file is memory-mapped read-only; it is not modified while the model lives
        // (installs replace files by rename, which leaves a mapped file intact).
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DTYPE, &device) }
            .map_err(|e| damaged("model.safetensors", e))?;
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") { vb.pp("bert") } else { vb };
        let tuned = match tuned {
            Some(path) => Some(
                TunedLayers::load(path, &config, &device)
                    .map_err(|e| NluError::Model(format!("{}: {e}; the file is damaged: delete it and run `aisle train`", path.display())))?,
            ),
            None => None,
        };
        // The base model runs once up to where the tuned layers take over.
        let split = config.num_hidden_layers - tuned.as_ref().map_or(TUNED_LAYERS, TunedLayers::len);
        let bert = |e: candle_core::Error| NluError::Model(format!("BERT: {e}"));
        let embeddings = BertModel::load(vb.clone(), &Config { num_hidden_layers: 0, ..config.clone() }).map_err(bert)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), &config))
            .collect::<candle_core::Result<_>>()
            .map_err(bert)?;
        Ok(Encoder { embeddings, layers, split, tuned, config, tokenizer, device, dims })
    }

    /// Embedding size.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The model's configuration.
    pub(super) fn config(&self) -> &Config {
        &self.config
    }

    /// How many layers the base model runs before its last ones (and the tuned ones) take over.
    pub(super) fn split(&self) -> usize {
        self.split
    }

    /// Whether fine-tuned intent layers are loaded.
    pub fn is_tuned(&self) -> bool {
        self.tuned.is_some()
    }

    /// Embeds texts: one unit-length vector each, in order. Large inputs are encoded in chunks
    /// of similar length, which wastes the least on padding.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, NluError> {
        self.chunked(texts, |batch| self.embed_batch(batch, false)).map(|all| all.into_iter().map(|e| e.semantic).collect())
    }

    /// Both embeddings of each text.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Encoded>, NluError> {
        self.chunked(texts, |batch| self.embed_batch(batch, true))
    }

    /// Runs `run` on chunks of similar length, the chunks spread over the current thread pool.
    fn chunked<T: Clone + Send>(&self, texts: &[&str], run: impl Fn(&[&str]) -> Result<Vec<T>, NluError> + Sync) -> Result<Vec<T>, NluError> {
        use rayon::prelude::*;
        if texts.len() <= CHUNK {
            return run(texts);
        }
        // Sorted by tokens, not characters: a batch is padded to its longest text, and
        // sorting by characters left 23 % of a catalog's batched tokens as padding.
        let tokens: Vec<usize> =
            texts.par_iter().map(|text| self.tokenizer.encode(*text, true).map_or(text.len(), |e| e.get_ids().len())).collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| tokens[i]);
        let done: Vec<Vec<T>> = order
            .par_chunks(CHUNK)
            .map(|chunk| run(&chunk.iter().map(|&i| texts[i]).collect::<Vec<_>>()))
            .collect::<Result<_, _>>()?;
        let mut out: Vec<Option<T>> = vec![None; texts.len()];
        for (chunk, vectors) in order.chunks(CHUNK).zip(done) {
            for (&i, vector) in chunk.iter().zip(vectors) {
                out[i] = Some(vector);
            }
        }
        Ok(out.into_iter().map(|v| v.expect("every text is in a chunk")).collect())
    }

    /// Tokenizes a batch, padded to its longest text.
    pub(super) fn tokenize(&self, texts: &[&str]) -> Result<Tokens, NluError> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| NluError::Model(format!("tokenize: {e}")))?;
        let rows = encodings.len();
        let width = encodings[0].get_ids().len();
        let mut ids = Vec::with_capacity(rows * width);
        let mut mask = Vec::with_capacity(rows * width);
        for encoding in &encodings {
            ids.extend_from_slice(encoding.get_ids());
            mask.extend_from_slice(encoding.get_attention_mask());
        }
        let model = |e: candle_core::Error| NluError::Model(format!("tokenize: {e}"));
        Ok(Tokens {
            ids: Tensor::from_vec(ids, (rows, width), &self.device).map_err(model)?,
            mask: Tensor::from_vec(mask, (rows, width), &self.device).map_err(model)?,
        })
    }

    /// The token states below the tuned layers, (batch, tokens, hidden).
    pub(super) fn lower_states(&self, tokens: &Tokens) -> candle_core::Result<Tensor> {
        let mut states = self.embeddings.forward(&tokens.ids, &tokens.ids.zeros_like()?, Some(&tokens.mask))?;
        let mask = tuned::attention_mask(&tokens.mask)?;
        for layer in &self.layers[..self.split] {
            states = layer.forward(&states, &mask)?;
        }
        Ok(states)
    }

    /// The base model's last layers over [`Self::lower_states`]; `mask` is the additive
    /// attention mask.
    pub(super) fn upper_states(&self, lower: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let mut states = lower.clone();
        for layer in &self.layers[self.split..] {
            states = layer.forward(&states, mask)?;
        }
        Ok(states)
    }

    fn embed_batch(&self, texts: &[&str], intent: bool) -> Result<Vec<Encoded>, NluError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let tokens = self.tokenize(texts)?;
        let run = || -> candle_core::Result<Vec<Encoded>> {
            let lower = self.lower_states(&tokens)?;
            let mask = tuned::attention_mask(&tokens.mask)?;
            let semantic = mean_pool(&self.upper_states(&lower, &mask)?, &tokens.mask)?.to_vec2::<f32>()?;
            let intents = match (&self.tuned, intent) {
                (Some(tuned), true) => Some(mean_pool(&tuned.forward(&lower, &mask)?, &tokens.mask)?.to_vec2::<f32>()?),
                _ => None,
            };
            Ok(match intents {
                Some(intents) => semantic.into_iter().zip(intents).map(|(semantic, intent)| Encoded { semantic, intent }).collect(),
                None => semantic.into_iter().map(|semantic| Encoded { intent: semantic.clone(), semantic }).collect(),
            })
        };
        run().map_err(|e| NluError::Model(format!("encode: {e}")))
    }
}

/// Batching and queue limits of the encoder thread.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Requests that may wait; one more is refused at once.
    pub queue: usize,
    /// Most texts encoded in one batch.
    pub max_batch: usize,
    /// How long a worker waits for more requests to join a batch (0: only those waiting).
    pub max_wait: Duration,
    /// Worker threads, each running the model on one core.
    pub workers: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self { queue: 256, max_batch: 32, max_wait: Duration::ZERO, workers: cores.clamp(1, 8) }
    }
}

enum Job {
    Encode(Request),
    /// Parks the worker that takes it (see [`EncoderHandle::hold`]).
    Park(Park),
}

struct Request {
    texts: Vec<String>,
    /// Whether the intent embeddings are wanted too.
    intent: bool,
    reply: tokio::sync::oneshot::Sender<Result<Vec<Encoded>, NluError>>,
}

struct Park {
    /// Told once the worker has let go of the queue.
    parked: tokio::sync::oneshot::Sender<()>,
    /// Disconnected when the [`Hold`] is dropped.
    release: mpsc::Receiver<()>,
}

impl Park {
    fn wait(self) {
        let _ = self.parked.send(());
        let _ = self.release.recv();
    }
}

/// Keeps the encoder workers parked until dropped.
pub struct Hold {
    _release: Vec<mpsc::Sender<()>>,
}

/// An async handle to the encoder workers. Cloning shares them.
#[derive(Clone)]
pub struct EncoderHandle {
    sender: SyncSender<Job>,
    dims: usize,
    workers: usize,
    /// Jobs in the queue not yet taken by a worker. Changed under its lock together with the
    /// queue, so it never counts a job twice or goes below zero.
    waiting: Arc<watch::Sender<usize>>,
    /// Texts submitted since the start: what a turn costs the model, to count.
    submitted: Arc<std::sync::atomic::AtomicU64>,
}

impl EncoderHandle {
    /// Moves `encoder` onto `options.workers` threads of its own, which share the model.
    pub fn spawn(encoder: Encoder, options: BatchOptions) -> EncoderHandle {
        let (sender, receiver) = mpsc::sync_channel(options.queue.max(1));
        let dims = encoder.dims();
        let workers = options.workers.max(1);
        let encoder = Arc::new(encoder);
        let receiver = Arc::new(Mutex::new(receiver));
        let waiting = Arc::new(watch::Sender::new(0));
        for n in 0..workers {
            let (encoder, receiver, waiting) = (encoder.clone(), receiver.clone(), waiting.clone());
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(move |_| format!("aisle-encoder-{n}"))
                .build()
                .expect("cannot start an encoder thread");
            std::thread::Builder::new()
                .name(format!("aisle-encoder-queue-{n}"))
                .spawn(move || serve(&encoder, &receiver, &pool, options, &waiting))
                .expect("cannot start an encoder thread");
        }
        EncoderHandle { sender, dims, workers, waiting, submitted: Arc::default() }
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// How many texts have been submitted to be embedded, in all.
    pub fn texts_submitted(&self) -> u64 {
        self.submitted.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn submit(&self, texts: Vec<String>, intent: bool) -> Result<tokio::sync::oneshot::Receiver<Result<Vec<Encoded>, NluError>>, NluError> {
        self.submitted.fetch_add(texts.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let (reply, receiver) = tokio::sync::oneshot::channel();
        self.enqueue(Job::Encode(Request { texts, intent, reply }))?;
        Ok(receiver)
    }

    /// Puts a job in the queue, or refuses it at once when the queue is full.
    fn enqueue(&self, job: Job) -> Result<(), NluError> {
        let mut result = Ok(());
        self.waiting.send_if_modified(|waiting| match self.sender.try_send(job) {
            Ok(()) => {
                *waiting += 1;
                metrics::gauge!(crate::telemetry::ENCODER_QUEUE_DEPTH).set(*waiting as f64);
                true
            }
            Err(TrySendError::Full(_)) => {
                metrics::counter!(crate::telemetry::ENCODER_REFUSALS).increment(1);
                result = Err(NluError::Overloaded);
                false
            }
            Err(TrySendError::Disconnected(_)) => {
                result = Err(stopped());
                false
            }
        });
        result
    }

    /// Parks every worker once it has finished what it is encoding, and returns when all of
    /// them are parked; they carry on when the [`Hold`] is dropped. Meanwhile requests wait in
    /// the queue, and one more than it holds is refused: a test hook for a full queue and for a
    /// turn in flight.
    pub async fn hold(&self) -> Result<Hold, NluError> {
        let mut release = Vec::with_capacity(self.workers);
        for _ in 0..self.workers {
            let (parked, is_parked) = tokio::sync::oneshot::channel();
            let (sender, receiver) = mpsc::channel();
            self.enqueue(Job::Park(Park { parked, release: receiver }))?;
            release.push(sender);
            // One at a time: a parked worker takes no more jobs, so each park reaches another.
            is_parked.await.map_err(|_| stopped())?;
        }
        Ok(Hold { _release: release })
    }

    /// The number of requests in the queue that no worker has taken yet, to watch.
    pub fn waiting(&self) -> watch::Receiver<usize> {
        self.waiting.subscribe()
    }

    /// Embeds texts on the encoder workers. The request takes its place in the queue (or is
    /// refused with [`NluError::Overloaded`]) when this is called, not when it is awaited.
    pub fn embed(&self, texts: Vec<String>) -> impl Future<Output = Result<Vec<Vec<f32>>, NluError>> + Send + 'static {
        let submitted = self.submit(texts, false);
        async move { Ok(semantic(submitted?.await.map_err(|_| stopped())??)) }
    }

    /// The same, for callers outside an async runtime.
    pub fn embed_blocking(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, NluError> {
        Ok(semantic(self.submit(texts, false)?.blocking_recv().map_err(|_| stopped())??))
    }

    /// Both embeddings of each text (see [`Encoded`]), queued like [`Self::embed`].
    pub fn encode(&self, texts: Vec<String>) -> impl Future<Output = Result<Vec<Encoded>, NluError>> + Send + 'static {
        let submitted = self.submit(texts, true);
        async move { submitted?.await.map_err(|_| stopped())? }
    }

    /// The same, for callers outside an async runtime.
    pub fn encode_blocking(&self, texts: Vec<String>) -> Result<Vec<Encoded>, NluError> {
        self.submit(texts, true)?.blocking_recv().map_err(|_| stopped())?
    }
}

fn semantic(encoded: Vec<Encoded>) -> Vec<Vec<f32>> {
    encoded.into_iter().map(|e| e.semantic).collect()
}

fn stopped() -> NluError {
    NluError::Model("the encoder workers have stopped".into())
}

/// One worker: takes what waits in the queue (up to a batch), encodes it in its pool, and parks
/// when told to.
fn serve(encoder: &Encoder, receiver: &Mutex<Receiver<Job>>, pool: &rayon::ThreadPool, options: BatchOptions, waiting: &watch::Sender<usize>) {
    while let Some((requests, park)) = take(receiver, options, waiting) {
        if !requests.is_empty() {
            encode(encoder, pool, requests);
        }
        if let Some(park) = park {
            park.wait();
        }
    }
}

/// The requests to encode together: the first in the queue and those waiting with it, up to a
/// batch, stopping at an order to park. `None` when the handle is gone.
fn take(receiver: &Mutex<Receiver<Job>>, options: BatchOptions, waiting: &watch::Sender<usize>) -> Option<(Vec<Request>, Option<Park>)> {
    let receiver = receiver.lock().unwrap_or_else(|e| e.into_inner());
    let taken = |job: Job| {
        waiting.send_modify(|n| {
            *n -= 1;
            metrics::gauge!(crate::telemetry::ENCODER_QUEUE_DEPTH).set(*n as f64);
        });
        job
    };
    let mut requests: Vec<Request> = Vec::new();
    let mut count = 0;
    let mut next = Some(taken(receiver.recv().ok()?));
    let deadline = Instant::now() + options.max_wait;
    loop {
        match next {
            Some(Job::Encode(request)) => {
                count += request.texts.len();
                requests.push(request);
            }
            Some(Job::Park(park)) => return Some((requests, Some(park))),
            None => return Some((requests, None)),
        }
        if count >= options.max_batch {
            return Some((requests, None));
        }
        let now = Instant::now();
        next = if now >= deadline { receiver.try_recv().ok() } else { receiver.recv_timeout(deadline - now).ok() }.map(taken);
    }
}

fn encode(encoder: &Encoder, pool: &rayon::ThreadPool, requests: Vec<Request>) {
    let texts: Vec<&str> = requests.iter().flat_map(|r| r.texts.iter().map(String::as_str)).collect();
    let intent = requests.iter().any(|r| r.intent);
    let run = || {
        if intent {
            encoder.encode(&texts)
        } else {
            encoder.embed(&texts).map(|all| all.into_iter().map(|semantic| Encoded { intent: Vec::new(), semantic }).collect())
        }
    };
    // A batch of a few utterances runs on this worker's core; more (a product's description
    // sentences, training data) is worth spreading over all of them.
    let embedded = if texts.len() > ONE_CORE_BATCH { run() } else { pool.install(run) };
    match embedded {
        Ok(vectors) => {
            let mut vectors = vectors.into_iter();
            for request in requests {
                let mine: Vec<Encoded> = vectors.by_ref().take(request.texts.len()).collect();
                let _ = request.reply.send(Ok(mine));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "encoding failed");
            for request in requests {
                let _ = request.reply.send(Err(NluError::Model(e.to_string())));
            }
        }
    }
}

/// The name the encoder's vectors carry: the model and its weights' pinned digest (the weights
/// are checked against it before every load, so it names them without loading them).
pub fn model_id() -> String {
    let digest = super::fetch::FILES.iter().find(|(name, _, _)| *name == "model.safetensors").map_or("", |(_, _, sha)| &sha[..12]);
    format!("all-MiniLM-L6-v2@{digest}")
}

impl Embedder for Encoder {
    /// The model's name and its weights' pinned digest (the weights are checked against it
    /// before every load).
    fn model(&self) -> String {
        model_id()
    }

    fn dims(&self) -> usize {
        self.dims
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        Encoder::embed(self, texts).map_err(|e| e.to_string())
    }
}


/// A model file that exists but cannot be read: damaged, or not the model's.
fn damaged(file: &str, error: impl std::fmt::Display) -> NluError {
    NluError::Model(format!("{file} cannot be read ({error}): the file is damaged; run `aisle models fetch --force` to install the model anew"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_model_file_says_how_to_install_it_anew() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), b"\x00\xffnot json").unwrap();
        let Err(error) = Encoder::load(dir.path(), None) else { panic!("a damaged config.json loads") };
        let message = error.to_string();
        assert!(message.contains("config.json") && message.contains("aisle models fetch --force"), "{message}");
    }
}
