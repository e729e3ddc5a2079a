//! Intent evaluation figures: accuracy, in-scope accuracy, out-of-scope recall, in-scope false
//! rejection, macro-F1, per-intent precision/recall/F1, and the most frequent confusions. A
//! prediction listed in an example's `accept` counts as right.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::data::Example;
use super::intents::OUT_OF_SCOPE;

#[derive(Debug, Clone, Default, Serialize)]
pub struct IntentFigures {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Confusion {
    pub expected: String,
    pub predicted: String,
    pub count: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
}

/// The figures of one evaluation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub examples: usize,
    pub accuracy: f64,
    pub in_scope_accuracy: f64,
    pub oos_recall: f64,
    pub false_rejection: f64,
    pub macro_f1: f64,
    pub per_intent: BTreeMap<String, IntentFigures>,
    pub confusions: Vec<Confusion>,
    pub latency_ms: Latency,
    pub throughput_per_s: f64,
}

/// Scores `predicted` (one intent per example, in order).
pub fn score(examples: &[Example], predicted: &[String]) -> EvalReport {
    assert_eq!(examples.len(), predicted.len());
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (mut correct, mut in_scope, mut in_scope_correct, mut oos, mut oos_caught, mut rejected) = (0, 0, 0, 0, 0, 0);
    let mut tp: HashMap<&str, usize> = HashMap::new();
    let mut fp: HashMap<&str, usize> = HashMap::new();
    let mut support: HashMap<&str, usize> = HashMap::new();
    let mut confusions: HashMap<(&str, &str), usize> = HashMap::new();
    for (example, predicted) in examples.iter().zip(predicted) {
        let right = example.accepts(predicted);
        // An accepted alternative counts as the gold label.
        let gold = if right { predicted.as_str() } else { example.intent.as_str() };
        *support.entry(example.intent.as_str()).or_default() += 1;
        if right {
            correct += 1;
            *tp.entry(gold).or_default() += 1;
        } else {
            *fp.entry(predicted.as_str()).or_default() += 1;
            *confusions.entry((example.intent.as_str(), predicted.as_str())).or_default() += 1;
        }
        if example.intent == OUT_OF_SCOPE {
            oos += 1;
            if predicted == OUT_OF_SCOPE {
                oos_caught += 1;
            }
        } else {
            in_scope += 1;
            if right {
                in_scope_correct += 1;
            }
            if predicted == OUT_OF_SCOPE && !right {
                rejected += 1;
            }
        }
    }
    let mut per_intent = BTreeMap::new();
    for (&intent, &n) in &support {
        let t = tp.get(intent).copied().unwrap_or(0);
        let precision = ratio(t, t + fp.get(intent).copied().unwrap_or(0));
        let recall = ratio(t, n);
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        per_intent.insert(intent.to_string(), IntentFigures { precision, recall, f1, support: n });
    }
    let macro_f1 = if per_intent.is_empty() { 0.0 } else { per_intent.values().map(|f| f.f1).sum::<f64>() / per_intent.len() as f64 };
    let mut confusions: Vec<Confusion> = confusions
        .into_iter()
        .map(|((e, p), count)| Confusion { expected: e.to_string(), predicted: p.to_string(), count })
        .collect();
    confusions.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.expected.cmp(&b.expected)).then_with(|| a.predicted.cmp(&b.predicted)));
    confusions.truncate(10);
    EvalReport {
        examples: examples.len(),
        accuracy: ratio(correct, examples.len()),
        in_scope_accuracy: ratio(in_scope_correct, in_scope),
        oos_recall: ratio(oos_caught, oos),
        false_rejection: ratio(rejected, in_scope),
        macro_f1,
        per_intent,
        confusions,
        ..EvalReport::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, intent: &str, accept: &[&str]) -> Example {
        Example { text: text.into(), intent: intent.into(), accept: accept.iter().map(|s| s.to_string()).collect(), context: Default::default() }
    }

    #[test]
    fn figures_follow_their_definitions() {
        let examples = vec![
            ex("a", "search", &[]),
            ex("b", "search", &[]),
            ex("c", "greet", &["help"]),
            ex("d", "out_of_scope", &[]),
            ex("e", "out_of_scope", &[]),
        ];
        let predicted: Vec<String> = ["search", "out_of_scope", "help", "out_of_scope", "greet"].iter().map(|s| s.to_string()).collect();
        let r = score(&examples, &predicted);
        assert_eq!(r.accuracy, 3.0 / 5.0);
        assert_eq!(r.in_scope_accuracy, 2.0 / 3.0);
        assert_eq!(r.oos_recall, 0.5);
        assert!((r.false_rejection - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.per_intent["search"].recall, 0.5);
        assert_eq!(r.per_intent["search"].precision, 1.0);
        assert_eq!(r.confusions.len(), 2);
    }
}
