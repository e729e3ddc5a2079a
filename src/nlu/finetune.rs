//! Fine-tuning the intent encoder: copies of the base model's last layers (as many as
//! [`TUNED_LAYERS`](super::tuned::TUNED_LAYERS)) are trained together with the intent head on the
//! labelled examples (classification fine-tuning, on the CPU).
//!
//! What lies below the tuned layers never changes, so each example's token states there are
//! computed once and kept for every epoch: an epoch costs only the tuned layers' forward and
//! backward passes. The batches are fixed from a seeded shuffle (examples of similar length
//! together, which wastes little on padding) and visited in a seeded order each epoch, so a
//! run is reproducible. After each epoch the validation examples are scored, and the best
//! epoch's weights are kept.

use std::path::Path;

use candle_core::{Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rayon::prelude::*;

use crate::rng::Rng;
use super::encoder::Encoder;
use super::intents::{self, IntentHead};
use super::tuned::{self, TunedLayers};
use super::{NluError, Progress};

/// Fine-tuning settings.
#[derive(Debug, Clone, Copy)]
pub struct FineTuneOptions {
    pub epochs: usize,
    pub batch: usize,
    /// Peak learning rate of the tuned layers (decays linearly to zero).
    pub layers_lr: f64,
    /// Peak learning rate of the head.
    pub head_lr: f64,
    pub seed: u64,
}

impl Default for FineTuneOptions {
    fn default() -> Self {
        Self { epochs: 3, batch: 32, layers_lr: 1e-4, head_lr: 1e-3, seed: 7 }
    }
}

/// Texts made ready for training: in fixed batches, with their token states below the tuned
/// layers.
pub struct Prepared {
    batches: Vec<Prepped>,
    len: usize,
}

struct Prepped {
    lower: Tensor,
    mask: Tensor,
    /// The attention mask in additive form.
    attention: Tensor,
    /// Which texts (by position in the prepared list) the rows are.
    rows: Vec<usize>,
}

fn model_error(e: candle_core::Error) -> NluError {
    NluError::Model(format!("fine-tuning: {e}"))
}

/// Shuffles the texts (seeded), groups similar lengths within runs of 16 batches (little is
/// wasted on padding), and computes each batch's token states below the tuned layers.
pub fn prepare(encoder: &Encoder, texts: &[&str], batch: usize, seed: u64, progress: &dyn Fn(usize, usize)) -> Result<Prepared, NluError> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    Rng(seed).shuffle(&mut order);
    let batch = batch.max(1);
    for run in order.chunks_mut(batch * 16) {
        run.sort_by_key(|&i| texts[i].len());
    }
    // Batches are read a few at a time, spread over the cores.
    let chunks: Vec<&[usize]> = order.chunks(batch).collect();
    let mut batches = Vec::with_capacity(chunks.len());
    for group in chunks.chunks(8) {
        let read = group
            .par_iter()
            .map(|chunk| -> Result<Prepped, NluError> {
                let tokens = encoder.tokenize(&chunk.iter().map(|&i| texts[i]).collect::<Vec<_>>())?;
                let lower = encoder.lower_states(&tokens).map_err(model_error)?;
                let attention = tuned::attention_mask(&tokens.mask).map_err(model_error)?;
                Ok(Prepped { lower, mask: tokens.mask, attention, rows: chunk.to_vec() })
            })
            .collect::<Result<Vec<_>, _>>()?;
        batches.extend(read);
        progress(batches.len(), chunks.len());
    }
    Ok(Prepared { batches, len: texts.len() })
}

impl Prepared {
    /// Each text's sentence embedding through `upper` (layers over the prepared states), in
    /// the order the texts were given.
    pub fn pooled(&self, upper: impl Fn(&Tensor, &Tensor) -> candle_core::Result<Tensor>) -> Result<Vec<Vec<f32>>, NluError> {
        let mut out = vec![Vec::new(); self.len];
        for batch in &self.batches {
            let states = upper(&batch.lower, &batch.attention).map_err(model_error)?;
            let pooled = tuned::mean_pool(&states, &batch.mask).and_then(|p| p.to_vec2::<f32>()).map_err(model_error)?;
            for (&row, vector) in batch.rows.iter().zip(pooled) {
                out[row] = vector;
            }
        }
        Ok(out)
    }
}

/// Fine-tunes copies of the base model's last layers and `head` on the prepared `train` texts
/// with their label indexes `y_train`, keeps the epoch that scores best on `validation`, and
/// writes the layers to `out`. The head must already be trained on the base model's
/// embeddings (the tuned layers start as the base model's). Returns the tuned layers.
#[allow(clippy::too_many_arguments)]
pub fn fine_tune(
    encoder: &Encoder,
    base_weights: &Path,
    head: &mut IntentHead,
    (train, y_train): (&Prepared, &[usize]),
    (validation, y_validation): (&Prepared, &[usize]),
    out: &Path,
    options: FineTuneOptions,
    progress: Progress,
) -> Result<TunedLayers, NluError> {
    let device = Device::Cpu;
    let mut rng = Rng(options.seed);
    let weights = intents::class_weights(y_train, head.labels.len());
    let targets = train
        .batches
        .iter()
        .map(|b| -> candle_core::Result<(Tensor, Tensor)> {
            let labels: Vec<u32> = b.rows.iter().map(|&r| y_train[r] as u32).collect();
            let weights: Vec<f32> = b.rows.iter().map(|&r| weights[r]).collect();
            Ok((Tensor::from_vec(labels, (b.rows.len(), 1), &device)?, Tensor::from_vec(weights, b.rows.len(), &device)?))
        })
        .collect::<candle_core::Result<Vec<_>>>()
        .map_err(model_error)?;

    let count = encoder.config().num_hidden_layers - encoder.split();
    let (layers, varmap) = TunedLayers::trainable(base_weights, encoder.config(), count, &device).map_err(model_error)?;
    let head_vars = head.vars(&device).map_err(model_error)?;
    let layer_params = ParamsAdamW { lr: options.layers_lr, weight_decay: 0.01, ..ParamsAdamW::default() };
    let head_params = ParamsAdamW { lr: options.head_lr, weight_decay: 0.0, ..ParamsAdamW::default() };
    let mut layer_optimizer = AdamW::new(varmap.all_vars(), layer_params).map_err(model_error)?;
    let mut head_optimizer = AdamW::new(intents::all_vars(&head_vars), head_params).map_err(model_error)?;

    let score = |layers: &TunedLayers| -> candle_core::Result<f32> {
        let mut right = 0usize;
        for batch in &validation.batches {
            let predicted = logits(layers, &head_vars, batch)?.argmax(1)?.to_vec1::<u32>()?;
            right += predicted.iter().zip(&batch.rows).filter(|(p, r)| **p as usize == y_validation[**r]).count();
        }
        Ok(right as f32 / validation.len.max(1) as f32)
    };
    let all_vars: Vec<_> = varmap.all_vars().into_iter().chain(intents::all_vars(&head_vars)).collect();
    let snapshot = || -> candle_core::Result<Vec<Tensor>> { all_vars.iter().map(|v| v.as_tensor().copy()).collect() };
    let mut best = (score(&layers).map_err(model_error)?, snapshot().map_err(model_error)?);
    tracing::info!(accuracy = best.0, "fine-tuning: validation accuracy before");
    let steps = (options.epochs * train.batches.len()).max(1);
    let mut step = 0;
    let mut order: Vec<usize> = (0..train.batches.len()).collect();
    for epoch in 0..options.epochs {
        rng.shuffle(&mut order);
        for (done, &b) in order.iter().enumerate() {
            let decay = 1.0 - step as f64 / steps as f64;
            layer_optimizer.set_learning_rate(options.layers_lr * decay);
            head_optimizer.set_learning_rate(options.head_lr * decay);
            let (labels, weights) = &targets[b];
            let mut run = || -> candle_core::Result<()> {
                let loss = intents::weighted_nll(&logits(&layers, &head_vars, &train.batches[b])?, labels, weights)?;
                let grads = loss.backward()?;
                layer_optimizer.step(&grads)?;
                head_optimizer.step(&grads)
            };
            run().map_err(model_error)?;
            step += 1;
            progress(&format!("fine-tuning: epoch {} of {}", epoch + 1, options.epochs), done + 1, order.len());
        }
        let accuracy = score(&layers).map_err(model_error)?;
        tracing::info!(epoch = epoch + 1, accuracy, "fine-tuning: validation accuracy");
        if accuracy > best.0 {
            best = (accuracy, snapshot().map_err(model_error)?);
        }
    }
    for (var, kept) in all_vars.iter().zip(&best.1) {
        var.set(kept).map_err(model_error)?;
    }
    head.set_vars(&head_vars).map_err(model_error)?;
    let tmp = out.with_extension("tmp");
    varmap.save(&tmp).map_err(model_error)?;
    std::fs::rename(&tmp, out).map_err(|e| NluError::io(out, e))?;
    Ok(layers)
}

/// The head's logits for a batch through the tuned layers.
fn logits(layers: &TunedLayers, head: &intents::HeadVars, batch: &Prepped) -> candle_core::Result<Tensor> {
    let states = layers.forward(&batch.lower, &batch.attention)?;
    intents::forward(&tuned::mean_pool(&states, &batch.mask)?, head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffles_are_seeded_permutations() {
        let mut a: Vec<usize> = (0..100).collect();
        let mut b = a.clone();
        Rng(3).shuffle(&mut a);
        Rng(3).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
        a.sort();
        assert_eq!(a, (0..100).collect::<Vec<_>>());
    }
}
