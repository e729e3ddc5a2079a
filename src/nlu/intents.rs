//! The intent head: a small network over sentence embeddings (one hidden ReLU layer of 256,
//! or plain multinomial logistic regression), trained with candle (full batch, AdamW,
//! class-balanced, L2-regularized; deterministic from a fixed start), calibrated by temperature
//! scaling, with an out-of-scope threshold on the top probability; both tuned on validation
//! data.

use std::path::Path;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use serde::{Deserialize, Serialize};

use super::NluError;

/// The intent taxonomy (a contract; DESIGN.md).
pub const INTENTS: [&str; 27] = [
    "search", "refine", "product_question", "compare", "recommend", "add_to_cart", "remove_from_cart", "view_cart",
    "checkout", "order_status", "cancel_order", "change_order", "return_refund", "invoice", "policy_question",
    "payment_issue", "account_help", "human_handoff", "complaint", "feedback", "greet", "goodbye", "thanks", "help",
    "affirm", "deny", "out_of_scope",
];

pub const OUT_OF_SCOPE: &str = "out_of_scope";

/// Most false rejections of in-scope validation examples the threshold may cause.
const MAX_FALSE_REJECTION: f32 = 0.025;

/// One intent with its probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentScore {
    pub name: String,
    pub confidence: f32,
}

/// What the head says of one embedding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub intent: String,
    pub confidence: f32,
    /// The three most likely intents by the model, before the threshold.
    pub top: Vec<IntentScore>,
}

/// A trained head, saved as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntentHead {
    pub labels: Vec<String>,
    pub dims: usize,
    /// Dense layers, ReLU between them; the last gives one logit per label.
    layers: Vec<Layer>,
    /// Logits are divided by this before the softmax (calibration).
    pub temperature: f32,
    /// Below this top probability the answer is `out_of_scope`.
    pub threshold: f32,
    /// Hash of the training data and procedure this head came from.
    pub data_hash: String,
    /// SHA-256 of the fine-tuned intent layers this head reads (see [`super::tuned`]); none
    /// when it reads the base model's embeddings.
    #[serde(default)]
    pub tuned_sha256: Option<String>,
    /// Figures measured when it was trained.
    pub report: serde_json::Value,
}

/// A dense layer: `outputs` rows of `inputs` weights, and a bias per output.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Layer {
    inputs: usize,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl Layer {
    fn forward(&self, x: &[f32]) -> Vec<f32> {
        self.weights
            .chunks_exact(self.inputs)
            .zip(&self.bias)
            .map(|(row, b)| row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + b)
            .collect()
    }
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Hidden units of a one-hidden-layer network; 0 trains a plain logistic regression.
    pub hidden: usize,
    pub steps: usize,
    pub learning_rate: f64,
    pub l2: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self { hidden: 256, steps: 300, learning_rate: 0.01, l2: 1e-4 }
    }
}

impl IntentHead {
    pub fn load(path: &Path) -> Result<IntentHead, NluError> {
        let text = std::fs::read_to_string(path).map_err(|e| NluError::io(path, e))?;
        serde_json::from_str(&text).map_err(|e| NluError::Data(format!("{}: {e}", path.display())))
    }

    pub fn save(&self, path: &Path) -> Result<(), NluError> {
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_string(self).map_err(|e| NluError::Data(e.to_string()))?;
        std::fs::write(&tmp, text).map_err(|e| NluError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| NluError::io(path, e))
    }

    /// Trains on `(embedding, label index)` pairs. Classes are weighted by inverse frequency.
    pub fn fit(labels: Vec<String>, x: &[Vec<f32>], y: &[usize], options: TrainOptions) -> Result<IntentHead, NluError> {
        let dims = x.first().map(Vec::len).ok_or_else(|| NluError::Data("no training examples".into()))?;
        let classes = labels.len();
        let layers = fit_network(x, y, classes, dims, options).map_err(|e| NluError::Model(format!("training: {e}")))?;
        Ok(IntentHead {
            labels,
            dims,
            layers,
            temperature: 1.0,
            threshold: 0.0,
            data_hash: String::new(),
            tuned_sha256: None,
            report: serde_json::Value::Null,
        })
    }

    fn logits(&self, embedding: &[f32]) -> Vec<f32> {
        let mut x = embedding.to_vec();
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(&x);
            if i + 1 < self.layers.len() {
                x.iter_mut().for_each(|v| *v = v.max(0.0));
            }
        }
        x
    }

    /// Calibrated probabilities of every label.
    pub fn probabilities(&self, embedding: &[f32]) -> Vec<f32> {
        softmax(&self.logits(embedding), self.temperature)
    }

    /// The intent for an embedding: the most likely label, or `out_of_scope` when it is less
    /// likely than the threshold.
    pub fn predict(&self, embedding: &[f32]) -> Prediction {
        let probabilities = self.probabilities(embedding);
        self.decide(&probabilities, self.threshold)
    }

    fn decide(&self, probabilities: &[f32], threshold: f32) -> Prediction {
        let mut order: Vec<usize> = (0..probabilities.len()).collect();
        order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
        let top: Vec<IntentScore> = order
            .iter()
            .take(3)
            .map(|&i| IntentScore { name: self.labels[i].clone(), confidence: probabilities[i] })
            .collect();
        let best = order[0];
        let (intent, confidence) = if probabilities[best] < threshold && self.labels[best] != OUT_OF_SCOPE {
            (OUT_OF_SCOPE.to_string(), 1.0 - probabilities[best])
        } else {
            (self.labels[best].clone(), probabilities[best])
        };
        Prediction { intent, confidence, top }
    }

    /// Fits the temperature to the validation data (least negative log-likelihood).
    pub fn calibrate(&mut self, x: &[Vec<f32>], y: &[usize]) {
        let logits: Vec<Vec<f32>> = x.iter().map(|e| self.logits(e)).collect();
        let nll = |t: f32| -> f32 {
            logits.iter().zip(y).map(|(l, &c)| -softmax(l, t)[c].max(1e-9).ln()).sum::<f32>() / y.len().max(1) as f32
        };
        let mut best = (f32::MAX, 1.0);
        for step in 0..=60 {
            let t = 0.25 + step as f32 * 0.05;
            let loss = nll(t);
            if loss < best.0 {
                best = (loss, t);
            }
        }
        self.temperature = best.1;
    }

    /// Picks the out-of-scope threshold on validation data: the one that catches the most
    /// out-of-scope examples while rejecting at most 2.5% of in-scope ones.
    pub fn tune_threshold(&mut self, x: &[Vec<f32>], gold: &[&str]) {
        let probabilities: Vec<Vec<f32>> = x.iter().map(|e| self.probabilities(e)).collect();
        let in_scope = gold.iter().filter(|g| **g != OUT_OF_SCOPE).count().max(1) as f32;
        let oos = gold.iter().filter(|g| **g == OUT_OF_SCOPE).count().max(1) as f32;
        let mut best = (f32::MIN, 0.0);
        for step in 0..=90 {
            let threshold = step as f32 * 0.01;
            let (mut rejected_in, mut caught_oos) = (0.0, 0.0);
            for (p, g) in probabilities.iter().zip(gold) {
                let predicted = self.decide(p, threshold).intent;
                if predicted == OUT_OF_SCOPE {
                    if *g == OUT_OF_SCOPE { caught_oos += 1.0 } else { rejected_in += 1.0 }
                }
            }
            if rejected_in / in_scope > MAX_FALSE_REJECTION {
                continue;
            }
            // Most out-of-scope caught; among equals, fewest in-scope rejected.
            let score = caught_oos / oos - 0.01 * rejected_in / in_scope;
            if score > best.0 + 1e-6 {
                best = (score, threshold);
            }
        }
        self.threshold = best.1;
    }
}

fn softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let exps: Vec<f32> = logits.iter().map(|l| ((l - max) / temperature).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Full-batch training of softmax regression (or a one-hidden-layer ReLU network) with class
/// weights. Deterministic: zero or fixed pseudo-random initial weights.
fn fit_network(x: &[Vec<f32>], y: &[usize], classes: usize, dims: usize, o: TrainOptions) -> candle_core::Result<Vec<Layer>> {
    let device = Device::Cpu;
    let n = x.len();
    let flat: Vec<f32> = x.iter().flat_map(|v| v.iter().copied()).collect();
    let xs = Tensor::from_vec(flat, (n, dims), &device)?;
    let ys = Tensor::from_vec(y.iter().map(|&c| c as u32).collect::<Vec<_>>(), (n, 1), &device)?;
    let sw = Tensor::from_vec(class_weights(y, classes), n, &device)?;
    // (weights as inputs × outputs, bias) per layer.
    let mut shapes = vec![];
    if o.hidden > 0 {
        shapes.push((dims, o.hidden));
        shapes.push((o.hidden, classes));
    } else {
        shapes.push((dims, classes));
    }
    let mut vars = Vec::new();
    for (i, &(inputs, outputs)) in shapes.iter().enumerate() {
        let w = if i + 1 < shapes.len() {
            // Xavier-uniform from a fixed linear congruential sequence.
            let limit = (6.0 / (inputs + outputs) as f64).sqrt() as f32;
            let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
            let values: Vec<f32> = (0..inputs * outputs)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * limit
                })
                .collect();
            Var::from_tensor(&Tensor::from_vec(values, (inputs, outputs), &device)?)?
        } else {
            Var::zeros((inputs, outputs), DType::F32, &device)?
        };
        vars.push((w, Var::zeros(outputs, DType::F32, &device)?));
    }
    let params = ParamsAdamW { lr: o.learning_rate, weight_decay: 0.0, ..ParamsAdamW::default() };
    let mut optimizer = AdamW::new(all_vars(&vars), params)?;
    for _ in 0..o.steps {
        let data_loss = weighted_nll(&forward(&xs, &vars)?, &ys, &sw)?;
        let mut penalty = Tensor::zeros((), DType::F32, &device)?;
        for (w, _) in &vars {
            penalty = (penalty + w.as_tensor().sqr()?.sum_all()?)?;
        }
        let loss = (data_loss + (penalty * o.l2)?)?;
        optimizer.backward_step(&loss)?;
    }
    from_vars(&vars)
}

/// A head's layers as trainable variables: (weights as inputs × outputs, bias) per layer.
pub(super) type HeadVars = Vec<(Var, Var)>;

pub(super) fn all_vars(vars: &HeadVars) -> Vec<Var> {
    vars.iter().flat_map(|(w, b)| [w.clone(), b.clone()]).collect()
}

/// The logits of a batch of embeddings (rows) through the head's layers, ReLU between them.
pub(super) fn forward(x: &Tensor, vars: &HeadVars) -> candle_core::Result<Tensor> {
    let mut h = x.clone();
    for (i, (w, b)) in vars.iter().enumerate() {
        h = h.matmul(w.as_tensor())?.broadcast_add(b.as_tensor())?;
        if i + 1 < vars.len() {
            h = h.relu()?;
        }
    }
    Ok(h)
}

/// Mean negative log-likelihood of the labels `ys` (rows, 1), each row weighted by `sw`.
pub(super) fn weighted_nll(logits: &Tensor, ys: &Tensor, sw: &Tensor) -> candle_core::Result<Tensor> {
    let picked = candle_nn::ops::log_softmax(logits, 1)?.gather(ys, 1)?.squeeze(1)?;
    picked.mul(sw)?.sum_all()?.neg()? / sw.sum_all()?.to_scalar::<f32>()? as f64
}

/// Per-example weights that balance the classes: inverse class frequency, bounded.
pub(super) fn class_weights(y: &[usize], classes: usize) -> Vec<f32> {
    let mut counts = vec![0f32; classes];
    for &c in y {
        counts[c] += 1.0;
    }
    let n = y.len() as f32;
    y.iter().map(|&c| (n / (classes as f32 * counts[c])).clamp(0.05, 20.0)).collect()
}

fn from_vars(vars: &HeadVars) -> candle_core::Result<Vec<Layer>> {
    vars.iter()
        .map(|(w, b)| {
            let (inputs, _) = w.as_tensor().dims2()?;
            Ok(Layer {
                inputs,
                weights: w.as_tensor().t()?.contiguous()?.flatten_all()?.to_vec1::<f32>()?,
                bias: b.as_tensor().to_vec1::<f32>()?,
            })
        })
        .collect()
}

impl IntentHead {
    /// The head's layers as trainable variables, to train further (see [`Self::set_vars`]).
    pub(super) fn vars(&self, device: &Device) -> candle_core::Result<HeadVars> {
        self.layers
            .iter()
            .map(|layer| {
                let outputs = layer.bias.len();
                let w = Tensor::from_vec(layer.weights.clone(), (outputs, layer.inputs), device)?.t()?.contiguous()?;
                Ok((Var::from_tensor(&w)?, Var::from_tensor(&Tensor::from_vec(layer.bias.clone(), outputs, device)?)?))
            })
            .collect()
    }

    /// Takes the layers' weights from trained variables.
    pub(super) fn set_vars(&mut self, vars: &HeadVars) -> candle_core::Result<()> {
        self.layers = from_vars(vars)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_separable_data_and_rejects_the_unknown() {
        let labels = vec!["search".to_string(), "greet".to_string(), OUT_OF_SCOPE.to_string()];
        let x = vec![vec![1.0, 0.0, 0.0], vec![0.9, 0.1, 0.0], vec![0.0, 1.0, 0.0], vec![0.1, 0.9, 0.0], vec![0.0, 0.0, 1.0]];
        let y = vec![0, 0, 1, 1, 2];
        let mut head = IntentHead::fit(labels, &x, &y, TrainOptions::default()).unwrap();
        assert_eq!(head.predict(&[1.0, 0.0, 0.0]).intent, "search");
        assert_eq!(head.predict(&[0.0, 1.0, 0.0]).intent, "greet");
        assert_eq!(head.predict(&[0.0, 0.0, 1.0]).intent, OUT_OF_SCOPE);
        head.threshold = 0.99;
        let unsure = head.predict(&[0.5, 0.5, 0.0]);
        assert_eq!(unsure.intent, OUT_OF_SCOPE, "{unsure:?}");
        assert_eq!(unsure.top.len(), 3);
        let p = head.probabilities(&[0.3, 0.3, 0.3]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
