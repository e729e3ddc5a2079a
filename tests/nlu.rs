//! The language model for real: the encoder fetched from its registry package, the intent head
//! trained on the project's data, slots linked against the demo catalog.

mod common;

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use aisle::nlu::context::Context;
use aisle::nlu::encoder::BatchOptions;
use aisle::nlu::{Nlu, NluError, NluPaths, fetch};
use common::repo_path;
use sha2::{Digest, Sha256};

fn paths() -> NluPaths {
    common::nlu_paths()
}

fn nlu() -> &'static Nlu {
    static NLU: OnceLock<std::sync::Arc<Nlu>> = OnceLock::new();
    NLU.get_or_init(common::nlu)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The SHA-256 of a file, as lowercase hex.
fn sha256_of(path: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn the_model_files_are_the_verified_ones() {
    fetch::ensure(&paths().model_dir).unwrap();
    assert_eq!(fetch::FILES.len(), 3);
    for (name, size, sha256) in fetch::FILES {
        let path = paths().model_dir.join(name);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), size, "{name}");
        assert_eq!(sha256_of(&path), sha256, "{name}");
    }
}

#[test]
fn a_damaged_model_file_is_refused_naming_the_file_and_its_checksum() {
    fetch::ensure(&paths().model_dir).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, _, _) in fetch::FILES {
        std::fs::copy(paths().model_dir.join(name), dir.path().join(name)).unwrap();
    }
    let damaged = dir.path().join("model.safetensors");
    let original = std::fs::read(&damaged).unwrap();
    let mut bytes = original.clone();
    // Weights, past the header: the file still parses, only its numbers are wrong.
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 16] {
        *b = !*b;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let copy = NluPaths { model_dir: dir.path().to_path_buf(), ..paths() };
    let err = aisle::nlu::start_encoder(&copy, BatchOptions::default(), false).map(|_| ()).unwrap_err();
    assert!(matches!(&err, NluError::Checksum { file, .. } if file.ends_with("model.safetensors")), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&damaged.display().to_string()) && message.contains("checksum"), "{message}");
    assert!(message.contains(&sha256_of(&damaged)) && message.contains(fetch::FILES[0].2), "{message}");
    // The same bytes put back load again.
    std::fs::write(&damaged, &original).unwrap();
    assert_eq!(aisle::nlu::start_encoder(&copy, BatchOptions::default(), false).unwrap().dims(), 384);
}

#[test]
fn embeddings_are_unit_length_and_meaningful() {
    let encoder = nlu().encoder();
    let texts = ["where has my parcel got to", "when is my delivery going to turn up", "boots for walking in the rain", ""];
    let v = encoder.embed_blocking(texts.iter().map(|t| t.to_string()).collect()).unwrap();
    assert_eq!(v.len(), 4);
    for e in &v {
        assert_eq!(e.len(), 384);
        let norm: f32 = e.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{norm}");
    }
    assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]) + 0.2, "related sentences are closer");
}

#[test]
fn batching_does_not_change_an_embedding() {
    let encoder = nlu().encoder();
    let short = "mug".to_string();
    let long = "a very long sentence about ceramic coffee mugs that will need a lot of padding on the short one".to_string();
    let alone = encoder.embed_blocking(vec![short.clone()]).unwrap().remove(0);
    let batched = encoder.embed_blocking(vec![long, short]).unwrap().remove(1);
    let diff = alone.iter().zip(&batched).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(diff < 1e-4, "padding leaks into the embedding: {diff}");
}

/// The intent encoder's own layer code, given the base model's weights, computes what the base
/// model computes: fine-tuning starts from the model itself, and the tuned file is read right.
#[test]
fn untrained_intent_layers_reproduce_the_base_model() {
    use aisle::nlu::encoder::Encoder;
    use aisle::nlu::tuned::TunedLayers;
    let model_dir = paths().model_dir;
    fetch::ensure(&model_dir).unwrap();
    let config: candle_transformers::models::bert::Config =
        serde_json::from_str(&std::fs::read_to_string(model_dir.join("config.json")).unwrap()).unwrap();
    let (_, varmap) = TunedLayers::trainable(&model_dir.join("model.safetensors"), &config, aisle::nlu::tuned::TUNED_LAYERS, &candle_core::Device::Cpu).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.safetensors");
    varmap.save(&copy).unwrap();
    let encoder = Encoder::load(&model_dir, Some(&copy)).unwrap();
    assert!(encoder.is_tuned());
    let texts = ["mug", "can i return a jacket i bought on sale last month", "wide fit"];
    for encoded in encoder.encode(&texts).unwrap() {
        let cos = cosine(&encoded.semantic, &encoded.intent);
        assert!(cos > 0.9999, "the copy differs from the base model: cosine {cos}");
    }
    assert_eq!(Encoder::load(&model_dir, None).unwrap().embed(&texts).unwrap()[0], encoder.encode(&texts).unwrap()[0].semantic);
}

/// The served model reads intents through its fine-tuned layers, and the meaning of a text
/// through the base model's, whose vectors the catalog's product vectors match.
#[test]
fn intents_are_read_through_the_fine_tuned_layers() {
    let head = nlu().head();
    let sha = head.tuned_sha256.as_deref().expect("the head reads fine-tuned layers");
    assert_eq!(sha256_of(&paths().tuned), sha);
    let encoded = nlu().encoder().encode_blocking(vec!["take the cat food out of my basket".into()]).unwrap().remove(0);
    let base = nlu().encoder().embed_blocking(vec!["take the cat food out of my basket".into()]).unwrap().remove(0);
    assert_eq!(encoded.semantic, base);
    let cos = cosine(&encoded.semantic, &encoded.intent);
    assert!(cos < 0.999, "fine-tuning changed nothing: cosine {cos}");
    let norm: f32 = encoded.intent.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3, "{norm}");
}

#[tokio::test]
async fn a_full_queue_refuses_at_once() {
    let encoder = aisle::nlu::start_encoder(&paths(), BatchOptions { queue: 1, max_batch: 8, max_wait: Duration::ZERO, workers: 1 }, false).unwrap();
    let many: Vec<String> = (0..1500).map(|i| format!("a sentence to keep the encoder busy for a while, number {i}")).collect();
    // Requests are queued or refused when made. The big one is either waiting in the queue of
    // one or keeps the thread busy for seconds, so of the next two at least one is refused.
    let big = encoder.embed(many);
    let first = encoder.embed(vec!["one more sentence".into()]);
    let second = encoder.embed(vec!["one more sentence".into()]);
    let answers = [first.await, second.await];
    assert!(answers.iter().any(|a| matches!(a, Err(NluError::Overloaded))), "{answers:?}");
    assert!(answers.iter().all(|a| a.is_ok() || matches!(a, Err(NluError::Overloaded))), "{answers:?}");
    assert_eq!(big.await.unwrap().len(), 1500);
}

#[test]
fn clear_utterances_get_their_intent() {
    // Paraphrases: none of them is a training example (see `no_phrase_here_is_training_data`).
    let cases = [
        ("boots that keep water out, below $120", "search"),
        ("can you show me some less expensive ones", "refine"),
        ("just the nike ones please", "refine"),
        ("will it survive the rain?", "product_question"),
        ("how long does the kindle paperwhite battery last on one charge", "product_question"),
        ("sony xm5 versus bose qc45, which is better", "compare"),
        ("out of these which weighs less?", "compare"),
        ("a present for my father, he loves barbecues", "recommend"),
        ("put two of those in my basket", "add_to_cart"),
        ("take the blender out of my cart", "remove_from_cart"),
        ("show me everything in my basket", "view_cart"),
        ("I'd like to pay for my things now", "checkout"),
        ("what's happening with order 48213", "order_status"),
        ("please call off my order", "cancel_order"),
        ("the delivery address on my order needs changing", "change_order"),
        ("I'd like to send back the blender I got last week", "return_refund"),
        ("could you send me the invoice for my most recent purchase", "invoice"),
        ("can I get things shipped to canada", "policy_question"),
        ("the payment keeps getting refused by my bank", "payment_issue"),
        ("I can't remember my password", "account_help"),
        ("I'd rather speak to a real person", "human_handoff"),
        ("the parcel came with a broken box and a dented item", "complaint"),
        ("I'd like to write a review of what I bought", "feedback"),
        ("hi there, good afternoon", "greet"),
        ("ok that's all, bye for now", "goodbye"),
        ("thank you so much, that helped", "thanks"),
        ("what kinds of things are you able to do for me?", "help"),
        ("yes, go ahead", "affirm"),
        ("no, I don't want that one", "deny"),
        ("will it rain in paris tomorrow", "out_of_scope"),
    ];
    let mut wrong = Vec::new();
    for (text, intent) in cases {
        let parse = nlu().parse_blocking(text).unwrap();
        assert!(parse.confidence > 0.0 && parse.confidence <= 1.0);
        assert_eq!(parse.top.len(), 3);
        if parse.intent != intent {
            wrong.push(format!("'{text}': expected {intent}, got {} ({:.2})", parse.intent, parse.confidence));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn slots_come_with_the_parse() {
    let parse = nlu().parse_blocking("speedwav sun shade under ₹500").unwrap();
    assert_eq!(parse.intent, "search");
    assert_eq!(parse.slots.price_max, Some(500.0));
    assert_eq!(parse.slots.brands, vec!["Speedwav".to_string()]);
    let parse = nlu().parse_blocking("has order 48213 left the warehouse?").unwrap();
    assert_eq!(parse.slots.order_id.as_deref(), Some("48213"));
    assert_eq!(parse.slots.quantity, None);
}

/// The accuracy BENCHMARKS.md documents as the target on the product held-out set (all 250).
/// A shop whose brands are also places and words: naming one does not make a general question
/// a shopping request, while a request for the brand's products stays one.
#[test]
fn a_brand_that_is_also_a_place_does_not_let_general_questions_through() {
    nlu(); // trains first when needed, once
    let brands: Vec<(String, u64)> = ["Paris", "Everest", "Columbia", "Sunday"].iter().map(|b| (b.to_string(), 10)).collect();
    let categories = vec![("Perfumes".to_string(), 10), ("Jackets".to_string(), 10)];
    let lexicon = aisle::nlu::slots::Lexicon::new(&brands, &categories, std::iter::empty());
    let shop = Nlu::load(&paths(), BatchOptions::default(), lexicon, &|_, _, _| {}).unwrap();
    for general in ["what's the weather like in paris this weekend", "how far is everest base camp from kathmandu", "is columbia a country in south america", "what day is it, sunday?"] {
        let parse = shop.parse_blocking(general).unwrap();
        assert_eq!(parse.intent, "out_of_scope", "{general}: {:?}", parse.top);
    }
    for shopping in ["paris perfumes under 2000", "columbia rain jackets for men"] {
        let parse = shop.parse_blocking(shopping).unwrap();
        assert_eq!(parse.intent, "search", "{shopping}: {:?}", parse.top);
    }
}

const PRODUCT_HELD_OUT_TARGET: f64 = 0.94;
/// The least accuracy on the part of that set that is not also training data. 13 of the 250 are
/// verbatim training examples in `prompts/intents/` (listed when this test runs with
/// `--nocapture`); on the other 237 the fine-tuned model scored 93.67% when this was written.
/// Until the overlap is removed from one side, this keeps the honest figure from sliding.
const PRODUCT_HELD_OUT_UNSEEN_FLOOR: f64 = 0.93;

/// The share of `(text, intent, parsed intent)` that the model got right, with the misses.
fn accuracy<'a>(results: impl Iterator<Item = &'a (String, String, String)>) -> (f64, Vec<String>) {
    let (mut total, mut wrong) = (0, Vec::new());
    for (text, intent, parsed) in results {
        total += 1;
        if parsed != intent {
            wrong.push(format!("'{text}': {intent}, got {parsed}"));
        }
    }
    assert!(total > 0);
    (1.0 - wrong.len() as f64 / total as f64, wrong)
}

#[test]
fn the_product_held_out_set_meets_its_documented_accuracy() {
    let text = std::fs::read_to_string(repo_path("data/nlu/product_heldout.jsonl")).unwrap();
    let labelled: Vec<(String, String)> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (value["text"].as_str().unwrap().to_string(), value["intent"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(labelled.len(), 250, "the set README.md and BENCHMARKS.md describe");
    let texts: Vec<String> = labelled.iter().map(|(t, _)| t.clone()).collect();
    let parses = nlu().parse_many(&texts.iter().map(|t| (t.clone(), Default::default())).collect::<Vec<_>>()).unwrap();
    let results: Vec<(String, String, String)> =
        labelled.into_iter().zip(parses).map(|((text, intent), parse)| (text, intent, parse.intent)).collect();
    let (all, wrong) = accuracy(results.iter());
    assert!(all >= PRODUCT_HELD_OUT_TARGET, "{all:.4} < {PRODUCT_HELD_OUT_TARGET}:\n{}", wrong.join("\n"));
    // Held out means not trained on.
    let trained = |text: &str| common::training_texts().contains(&common::normalized(text));
    let overlap: Vec<&str> = results.iter().map(|(text, _, _)| text.as_str()).filter(|t| trained(t)).collect();
    eprintln!("training examples in the held-out set: {overlap:?}");
    assert!(overlap.len() <= 13, "{} more of the held-out set became training data", overlap.len() - 13);
    let (honest, wrong) = accuracy(results.iter().filter(|(text, _, _)| !trained(text)));
    eprintln!("accuracy {all:.4} on all, {honest:.4} on the {} not trained on", results.len() - overlap.len());
    assert!(honest >= PRODUCT_HELD_OUT_UNSEEN_FLOOR, "{honest:.4} < {PRODUCT_HELD_OUT_UNSEEN_FLOOR}:\n{}", wrong.join("\n"));
    let head = nlu().head();
    assert!(head.threshold >= 0.0 && head.threshold < 1.0);
    assert!(head.temperature > 0.0);
}

/// The least accuracy on the hand-written sets of `data/nlu/`: utterances across many kinds of
/// shop, labelled by helpers who never saw the training data (README.md). When these floors were
/// set the model scored 91.98% and 90.26%; set 1 guided the rule for other companies' orders and
/// accounts, set 2 was written after it and did not.
const HANDWRITTEN_FLOORS: [(&str, f64); 2] = [("data/nlu/handwritten_1.jsonl", 0.915), ("data/nlu/handwritten_2.jsonl", 0.895)];

#[test]
fn the_handwritten_sets_meet_their_documented_accuracy() {
    for (file, floor) in HANDWRITTEN_FLOORS {
        let text = std::fs::read_to_string(repo_path(file)).unwrap();
        let rows: Vec<(String, String, bool)> = text
            .lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).unwrap();
                let shown = value["context"] == "shown";
                (value["text"].as_str().unwrap().to_string(), value["intent"].as_str().unwrap().to_string(), shown)
            })
            .collect();
        let inputs: Vec<(String, Context)> = rows.iter().map(|(t, _, shown)| (t.clone(), Context { shown: *shown })).collect();
        let parses = nlu().parse_many(&inputs).unwrap();
        let results: Vec<(String, String, String)> = rows.into_iter().zip(parses).map(|((text, intent, _), parse)| (text, intent, parse.intent)).collect();
        let (all, wrong) = accuracy(results.iter());
        eprintln!("{file}: accuracy {all:.4}");
        assert!(all >= floor, "{file}: {all:.4} < {floor}:\n{}", wrong.join("\n"));
    }
}

#[test]
fn eval_nlu_reports_every_figure() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aisle"))
        .current_dir(repo_path(""))
        .args(["eval", "nlu", "--data", "tests/fixtures/nlu_small.jsonl", "--json"])
        .env("AISLE_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["accuracy", "in_scope_accuracy", "oos_recall", "false_rejection", "macro_f1", "per_intent", "latency_ms", "throughput_per_s"] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    assert_eq!(report["examples"], 24);
    assert!(report["accuracy"].as_f64().unwrap() >= 0.75, "{report}");
    assert!(report["latency_ms"]["p50"].as_f64().unwrap() > 0.0);
    assert!(report["per_intent"]["search"]["support"].as_u64().unwrap() == 3);
    // An accepted alternative counts as right: the line labelled greet accepts help.
    assert!(report["per_intent"].as_object().unwrap().len() >= 8);
}

#[test]
fn eval_nlu_rejects_a_bad_file_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"text\":\"hi\",\"intent\":\"greet\"}\n{\"text\":\"x\",\"intent\":\"teleport\"}\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aisle"))
        .current_dir(repo_path(""))
        .args(["eval", "nlu", "--data"])
        .arg(&bad)
        .env("AISLE_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.jsonl:2") && stderr.contains("teleport"), "{stderr}");
}

#[test]
fn no_phrase_here_is_training_data() {
    common::assert_source_unseen(include_str!("nlu.rs"));
}
