//! The intent encoder's own top layers: the last [`TUNED_LAYERS`] BERT layers of the base model,
//! fine-tuned on the intent data (see [`super::finetune`]), run beside the base model's own.
//!
//! The layer is written here with differentiable tensor operations (candle's fused layer norm
//! and softmax have no backward pass) when it trains, and uses the fused ones when it serves. The weights are a
//! safetensors file of their own, named `layer.{i}.…` like the base model's
//! `encoder.layer.{i}.…`; the base model's files are never touched.

use std::path::Path;

use candle_core::{D, DType, Device, Module, Tensor};
use candle_nn::{Linear, VarBuilder, VarMap};
use candle_transformers::models::bert::Config;

use super::kernels;

/// How many of the base model's last layers training gives the intent encoder its own copy of
/// (a tuned file says how many it holds).
pub const TUNED_LAYERS: usize = 1;

/// One BERT layer: self-attention, then the feed-forward block, each with a residual
/// connection and a layer norm. The base model's layers are these too, for the faster
/// element-wise kernels ([`super::kernels`]).
pub struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
    heads: usize,
}

struct Norm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl Norm {
    fn load(vb: VarBuilder, size: usize, eps: f64) -> candle_core::Result<Norm> {
        Ok(Norm { weight: vb.get(size, "weight")?, bias: vb.get(size, "bias")?, eps })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        if !training(x) && !training(&self.weight) && x.is_contiguous() {
            return candle_nn::ops::layer_norm(x, &self.weight, &self.bias, self.eps as f32);
        }
        let centred = x.broadcast_sub(&x.mean_keepdim(D::Minus1)?)?;
        let variance = centred.sqr()?.mean_keepdim(D::Minus1)?;
        centred.broadcast_div(&(variance + self.eps)?.sqrt()?)?.broadcast_mul(&self.weight)?.broadcast_add(&self.bias)
    }
}

impl Layer {
    /// Loads one layer under `vb` (names as in a Hugging Face BERT layer).
    pub fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Layer> {
        let (h, i, eps) = (config.hidden_size, config.intermediate_size, config.layer_norm_eps);
        Ok(Layer {
            query: candle_nn::linear(h, h, vb.pp("attention.self.query"))?,
            key: candle_nn::linear(h, h, vb.pp("attention.self.key"))?,
            value: candle_nn::linear(h, h, vb.pp("attention.self.value"))?,
            attention_out: candle_nn::linear(h, h, vb.pp("attention.output.dense"))?,
            attention_norm: Norm::load(vb.pp("attention.output.LayerNorm"), h, eps)?,
            intermediate: candle_nn::linear(h, i, vb.pp("intermediate.dense"))?,
            output: candle_nn::linear(i, h, vb.pp("output.dense"))?,
            output_norm: Norm::load(vb.pp("output.LayerNorm"), h, eps)?,
            heads: config.num_attention_heads,
        })
    }

    /// `x` is (batch, tokens, hidden); `mask` the additive attention mask (batch, 1, 1, tokens).
    pub fn forward(&self, x: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let (batch, tokens, hidden) = x.dims3()?;
        let size = hidden / self.heads;
        let split = |t: Tensor| t.reshape((batch, tokens, self.heads, size))?.transpose(1, 2)?.contiguous();
        let q = split(self.query.forward(x)?)?;
        let k = split(self.key.forward(x)?)?;
        let v = split(self.value.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (size as f64).sqrt())?.broadcast_add(mask)?;
        let probabilities = if training(&scores) { candle_nn::ops::softmax(&scores, D::Minus1)? } else { kernels::softmax_last_dim(&scores)? };
        let context = probabilities.matmul(&v)?;
        let context = context.transpose(1, 2)?.contiguous()?.reshape((batch, tokens, hidden))?;
        let attended = self.attention_norm.forward(&(self.attention_out.forward(&context)? + x)?)?;
        let expanded = self.intermediate.forward(&attended)?;
        let expanded = if training(&expanded) { expanded.gelu_erf()? } else { kernels::gelu(&expanded)? };
        self.output_norm.forward(&(self.output.forward(&expanded)? + attended)?)
    }
}

/// Whether a tensor takes part in training (gradients flow through it): then only
/// differentiable operations may touch it; otherwise candle's fused ones are faster.
fn training(x: &Tensor) -> bool {
    x.track_op()
}

/// The tuned layers, in order.
pub struct TunedLayers {
    pub layers: Vec<Layer>,
}

impl TunedLayers {
    fn build(vb: VarBuilder, config: &Config, count: usize) -> candle_core::Result<TunedLayers> {
        let layers = (0..count).map(|i| Layer::load(vb.pp(format!("layer.{i}")), config)).collect::<candle_core::Result<_>>()?;
        Ok(TunedLayers { layers })
    }

    /// Loads the fine-tuned layers from their file: as many as it holds, fewer than the model
    /// has.
    pub fn load(path: &Path, config: &Config, device: &Device) -> candle_core::Result<TunedLayers> {
        // SAFETY: memory-mapped read-only; training replaces the file by rename, which leaves a
        // mapped file intact.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[path], DType::F32, device)? };
        let count = (0..config.num_hidden_layers).take_while(|i| vb.contains_tensor(&format!("layer.{i}.output.dense.weight"))).count();
        if count == 0 || count >= config.num_hidden_layers {
            candle_core::bail!("{count} layers; between 1 and {} expected", config.num_hidden_layers - 1);
        }
        Self::build(vb, config, count)
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Trainable copies of the base model's last `count` layers, from its weights file: the
    /// variables are in the returned map, named as the tuned file names them.
    pub fn trainable(base: &Path, config: &Config, count: usize, device: &Device) -> candle_core::Result<(TunedLayers, VarMap)> {
        let tensors = candle_core::safetensors::load(base, device)?;
        let first = config.num_hidden_layers - count;
        let varmap = VarMap::new();
        {
            let mut data = varmap.data().lock().expect("a fresh map");
            for (name, tensor) in tensors {
                let name = name.strip_prefix("bert.").unwrap_or(&name).to_string();
                let Some(rest) = name.strip_prefix("encoder.layer.") else { continue };
                let Some((index, suffix)) = rest.split_once('.') else { continue };
                let Ok(index) = index.parse::<usize>() else { continue };
                if index >= first {
                    data.insert(format!("layer.{}.{suffix}", index - first), candle_core::Var::from_tensor(&tensor)?);
                }
            }
        }
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, device);
        let layers = Self::build(vb, config, count)?;
        Ok((layers, varmap))
    }

    pub fn forward(&self, hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let mut x = hidden.clone();
        for layer in &self.layers {
            x = layer.forward(&x, mask)?;
        }
        Ok(x)
    }
}

/// The additive attention mask of a (batch, tokens) 0/1 mask: 0 where attended, a large
/// negative number where padding, shaped (batch, 1, 1, tokens).
pub fn attention_mask(mask: &Tensor) -> candle_core::Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(1)?.unsqueeze(1)?;
    (mask.ones_like()? - mask)?.affine(f32::MIN as f64, 0.0)
}

/// Mean of the attended tokens' states, scaled to unit length: (batch, hidden).
pub fn mean_pool(hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    let mean = summed.broadcast_div(&mask.sum(1)?)?;
    let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
    mean.broadcast_div(&norm)
}
