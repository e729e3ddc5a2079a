//! `aisle eval`: intent accuracy, FAQ reach, search relevance and the recommendation models,
//! each on its labelled or public data, printed as a table (or JSON).

use std::path::Path;

use anyhow::{Context, bail};

use super::{RecsDataset, load_nlu, open_catalog, product_embedder};
use crate::config::Config;
use crate::nlu;

pub(super) fn eval_search(config: &Config, qrels: &Path, json: bool, worst: usize) -> anyhow::Result<()> {
    use crate::catalog::eval::{self, Baseline, SYSTEMS};
    let queries = eval::load(qrels)?;
    let catalog = open_catalog(config)?;
    let embedder = product_embedder(&Config { vectors: true, ..config.clone() })?.context("no encoder")?;
    let texts: Vec<&str> = queries.iter().map(|q| q.query.as_str()).collect();
    let vectors = embedder.embed(&texts).map_err(anyhow::Error::msg)?;
    let baseline = Baseline::build(&catalog.all_products()?)?;
    let report = eval::evaluate(&catalog, &baseline, &queries, &vectors)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("{} graded queries from {}, {} products", report.queries, qrels.display(), catalog.len());
    println!("{:<16} {:>8} {:>8} {:>10}", "system", "nDCG@10", "MRR", "recall@50");
    for system in SYSTEMS {
        let m = report.overall[system];
        println!("{system:<16} {:>8.3} {:>8.3} {:>10.3}", m.ndcg_10, m.mrr, m.recall_50);
    }
    println!("\nnDCG@10 by query type");
    print!("{:<12}", "type");
    for system in SYSTEMS {
        print!(" {system:>14}");
    }
    println!();
    for (kind, systems) in &report.by_type {
        print!("{kind:<12}");
        for system in SYSTEMS {
            print!(" {:>14.3}", systems[system].ndcg_10);
        }
        println!();
    }
    if worst > 0 {
        let mut rows = report.per_query.clone();
        rows.sort_by(|a, b| a.2["hybrid"].total_cmp(&b.2["hybrid"]));
        println!("\nlowest hybrid nDCG@10 (bm25 / lexical / semantic / hybrid)");
        for (query, kind, scores) in rows.iter().take(worst) {
            let figures: Vec<String> = SYSTEMS.iter().map(|s| format!("{:.2}", scores[s])).collect();
            println!("  {:<52} {kind:<10} {}", query, figures.join(" / "));
        }
    }
    Ok(())
}

pub(super) fn eval_faq(config: &Config, data: &Path) -> anyhow::Result<()> {
    use crate::dialogue::faq::{Faq, FaqIndex};
    let encoder = nlu::start_encoder(&config.nlu_paths(), config.encoder, false)?;
    let faq = Faq::load(&config.prompts_dir.join("faq.yaml"))?;
    let questions = faq.texts().into_iter().map(|(_, t)| t.to_string()).collect();
    let index = FaqIndex::new(&faq, encoder.embed_blocking(questions)?);
    let examples = nlu::data::load_jsonl(data)?;
    let group = |intent: &str| match intent {
        "policy_question" => "policy",
        "out_of_scope" => "out of scope",
        i if crate::dialogue::policy::ORDER_INTENTS.contains(&i) => "orders",
        _ => "other",
    };
    let mut scores: std::collections::BTreeMap<&str, Vec<f32>> = Default::default();
    for chunk in examples.chunks(256) {
        let embeddings = encoder.embed_blocking(chunk.iter().map(|e| e.text.clone()).collect())?;
        for (example, embedding) in chunk.iter().zip(embeddings) {
            let score = index.best(&embedding).map_or(0.0, |(_, s)| s);
            scores.entry(group(&example.intent)).or_default().push(score);
        }
    }
    println!("{} texts from {}; share reaching an FAQ question at each cosine threshold", examples.len(), data.display());
    print!("threshold");
    for (name, values) in &scores {
        print!("  {name} ({})", values.len());
    }
    println!();
    for step in 0..8 {
        let threshold = 0.50 + 0.05 * step as f32;
        print!("{threshold:>9.2}");
        for (name, values) in &scores {
            let share = values.iter().filter(|s| **s >= threshold).count() as f64 / values.len().max(1) as f64;
            print!("  {:>w$.1}%", share * 100.0, w = name.len() + 2 + values.len().to_string().len());
        }
        println!();
    }
    Ok(())
}

pub(super) fn eval_nlu(config: &Config, data: &Path, json: bool, errors: usize, held_out: bool) -> anyhow::Result<()> {
    let nlu = load_nlu(config, &open_catalog(config)?)?;
    let mut examples = nlu::data::load_jsonl(data)?;
    if held_out {
        examples.retain(|e| nlu::is_held_out(&e.text));
    }
    if examples.is_empty() {
        bail!("{} holds no examples", data.display());
    }
    let texts: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
    let started = std::time::Instant::now();
    let predictions = nlu.parse_many(&examples.iter().map(|e| (e.text.clone(), e.context)).collect::<Vec<_>>())?;
    let throughput = texts.len() as f64 / started.elapsed().as_secs_f64();
    let predicted: Vec<String> = predictions.into_iter().map(|p| p.intent).collect();
    let mut report = nlu::eval::score(&examples, &predicted);
    // Single-utterance latency over an even sample of up to 300 texts.
    let step = (texts.len() / 300).max(1);
    let mut latencies = Vec::new();
    for text in texts.iter().step_by(step) {
        let t = std::time::Instant::now();
        nlu.parse_blocking(text)?;
        latencies.push(t.elapsed());
    }
    let latency = crate::bench::Latency::from_durations(latencies);
    report.latency_ms = nlu::eval::Latency { p50: latency.p50, p99: latency.p99 };
    report.throughput_per_s = (throughput * 10.0).round() / 10.0;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("{} examples from {}", report.examples, data.display());
    println!("accuracy          {:.2}%", report.accuracy * 100.0);
    println!("in-scope accuracy {:.2}%", report.in_scope_accuracy * 100.0);
    println!("oos recall        {:.2}%", report.oos_recall * 100.0);
    println!("false rejection   {:.2}%", report.false_rejection * 100.0);
    println!("macro-F1          {:.3}", report.macro_f1);
    println!("latency (single)  p50 {:.2} ms, p99 {:.2} ms", report.latency_ms.p50, report.latency_ms.p99);
    println!("throughput        {:.0} utterances/s batched", report.throughput_per_s);
    println!("\n{:<18} {:>9} {:>9} {:>9} {:>8}", "intent", "precision", "recall", "f1", "support");
    for (intent, f) in &report.per_intent {
        println!("{intent:<18} {:>9.3} {:>9.3} {:>9.3} {:>8}", f.precision, f.recall, f.f1, f.support);
    }
    println!("\nmost frequent confusions (expected -> predicted):");
    for c in &report.confusions {
        println!("  {:>5}  {} -> {}", c.count, c.expected, c.predicted);
    }
    let wrong: Vec<_> = examples.iter().zip(&predicted).filter(|(e, p)| !e.accepts(p)).take(errors).collect();
    if !wrong.is_empty() {
        println!("\nmisclassified:");
        for (example, predicted) in wrong {
            println!("  {} -> {}: {}", example.intent, predicted, example.text);
        }
    }
    Ok(())
}

/// `aisle eval recs`: the report of [`crate::recommend::report`], as a table or JSON Lines.
pub(super) fn eval_recs(dataset: RecsDataset, online_retail: &Path, downloads: &Path, json: bool) -> anyhow::Result<()> {
    use crate::recommend::{eval, report};
    let progress = |stage: &str| eprintln!("{stage}…");
    let started = std::time::Instant::now();
    let mut lines = Vec::new();
    if matches!(dataset, RecsDataset::All | RecsDataset::Movielens) {
        let rows = eval::fetch_movielens(downloads).map_err(anyhow::Error::msg).context("MovieLens-100k")?;
        lines.extend(report::movielens(&rows, &progress));
    }
    if matches!(dataset, RecsDataset::All | RecsDataset::OnlineRetail) {
        let rows = eval::online_retail(online_retail).map_err(anyhow::Error::msg).context("Online Retail")?;
        lines.extend(report::online_retail(&rows, &progress));
    }
    if json {
        for line in &lines {
            println!("{}", serde_json::to_string(line)?);
        }
        return Ok(());
    }
    println!("{:<16} {:<15} {:<26} {:>6} {:>7} {:>7} {:>7} {:>7} {:>6}  settings", "dataset", "target", "model", "users", "nDCG", "P", "R", "MAP", "HR");
    for l in &lines {
        let m = &l.metrics;
        println!("{:<16} {:<15} {:<26} {:>6} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>6.3}  {}", l.dataset, l.target, l.model, m.users, m.ndcg, m.precision, m.recall, m.map, m.hit_rate, l.settings);
    }
    eprintln!("({:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}
