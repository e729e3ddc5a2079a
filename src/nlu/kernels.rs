//! Element-wise kernels of the encoder's layers that candle runs one element at a time with
//! libm's scalar `erff` and `expf`: the feed-forward block's GELU and the attention's softmax.
//! Profiled on a catalog build, those two took ~23 % of the time (the matrix products ~55 %).
//!
//! Here they are written branch-free over slices, so that the compiler vectorizes them, and
//! compiled twice: for the baseline and for AVX2 with FMA, chosen at run time. `erf` is the
//! rational approximation Eigen and XLA use for `f32` and `exp` the Cephes one; both are
//! within a few units in the last place of libm's (tests below), far below what the int8
//! product vectors or a change of batch keep. Inference only: neither has a backward pass,
//! and training uses candle's differentiable operations.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

/// GELU with the exact (erf) form, as BERT's `hidden_act = "gelu"`.
pub fn gelu(x: &Tensor) -> candle_core::Result<Tensor> {
    x.apply_op1_no_bwd(&Gelu)
}

/// Softmax over the last dimension.
pub fn softmax_last_dim(x: &Tensor) -> candle_core::Result<Tensor> {
    x.apply_op1_no_bwd(&Softmax)
}

struct Gelu;
struct Softmax;

/// The contiguous `f32` values of `storage`, or an error naming the kernel.
fn values<'a>(name: &str, storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(all) = storage else { candle_core::bail!("{name}: f32 only, got {:?}", candle_core::backend::BackendStorage::dtype(storage)) };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&all[start..end]),
        None => candle_core::bail!("{name}: the input must be contiguous"),
    }
}

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "aisle-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = values(self.name(), storage, layout)?;
        let mut dst = vec![0f32; src.len()];
        if has_avx2() {
            // SAFETY: the processor has AVX2 and FMA.
            unsafe { gelu_avx2(src, &mut dst) }
        } else {
            gelu_slice(src, &mut dst)
        }
        Ok((CpuStorage::F32(dst), layout.shape().clone()))
    }
}

impl CustomOp1 for Softmax {
    fn name(&self) -> &'static str {
        "aisle-softmax"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = values(self.name(), storage, layout)?;
        let width = *layout.dims().last().unwrap_or(&1);
        let mut dst = vec![0f32; src.len()];
        if width > 0 && has_avx2() {
            // SAFETY: the processor has AVX2 and FMA.
            unsafe { softmax_avx2(src, &mut dst, width) }
        } else if width > 0 {
            softmax_rows(src, &mut dst, width)
        }
        Ok((CpuStorage::F32(dst), layout.shape().clone()))
    }
}

/// Whether the AVX2 build of the kernels can run here.
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gelu_avx2(src: &[f32], dst: &mut [f32]) {
    gelu_slice(src, dst)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_avx2(src: &[f32], dst: &mut [f32], width: usize) {
    softmax_rows(src, dst, width)
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn gelu_avx2(src: &[f32], dst: &mut [f32]) {
    gelu_slice(src, dst)
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn softmax_avx2(src: &[f32], dst: &mut [f32], width: usize) {
    softmax_rows(src, dst, width)
}

#[inline(always)]
fn gelu_slice(src: &[f32], dst: &mut [f32]) {
    for (y, &x) in dst.iter_mut().zip(src) {
        *y = 0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
    }
}

#[inline(always)]
fn softmax_rows(src: &[f32], dst: &mut [f32], width: usize) {
    for (row, out) in src.chunks_exact(width).zip(dst.chunks_exact_mut(width)) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        for (y, &x) in out.iter_mut().zip(row) {
            *y = exp(x - max);
        }
        let scale = 1.0 / out.iter().sum::<f32>();
        for y in out.iter_mut() {
            *y *= scale;
        }
    }
}

/// erf(x) for `f32`: x·P(x²)/Q(x²) on [-4, 4] (beyond, erf is ±1 to `f32` precision).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_600_1e-3;
    p = x2 * p + -1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329_2e-3;
    q = x2 * q + -1.426_474e-2;
    x * p / q
}

/// e^x for `f32`: x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-5 polynomial for e^r, and 2^n
/// put in the exponent bits. Inputs below -87 (a masked attention score) give ~1e-38, not 0.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5 · 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_2e-4 * r + 1.398_2e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> impl Iterator<Item = f32> {
        (-12_000..=12_000).map(|i| i as f32 / 1000.0)
    }

    #[test]
    fn erf_matches_libm() {
        let worst = samples().map(|x| (erf(x) - libm::erff(x)).abs()).fold(0f32, f32::max);
        assert!(worst < 5e-7, "largest difference from erff: {worst}");
    }

    #[test]
    fn exp_matches_libm_relatively() {
        let worst = (-87_000..=88_000).map(|i| i as f32 / 1000.0).map(|x| ((exp(x) - x.exp()) / x.exp()).abs()).fold(0f32, f32::max);
        assert!(worst < 5e-7, "largest relative difference from expf: {worst}");
        assert!(exp(f32::MIN) < 1e-37 && exp(f32::MIN) >= 0.0);
    }

    #[test]
    fn the_kernels_agree_with_candles_own_operations() {
        let device = candle_core::Device::Cpu;
        let x = Tensor::new(samples().step_by(7).collect::<Vec<f32>>(), &device).unwrap().reshape((3, 1143)).unwrap();
        // Differences relative to the value (GELU reaches 12 here), or absolute below 1. GELU
        // multiplies erf's error by x/2: up to ~1.2e-6 near x = -5.
        let close = |what: &str, a: Tensor, b: Tensor, tolerance: f32| {
            let scale = (b.abs().unwrap() + 1.0).unwrap();
            let diff = ((a - b).unwrap().abs().unwrap() / scale).unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap();
            assert!(diff < tolerance, "{what}: largest difference {diff}");
        };
        close("gelu", gelu(&x).unwrap(), x.gelu_erf().unwrap(), 3e-6);
        let scores = (&x / 3.0).unwrap();
        close("softmax", softmax_last_dim(&scores).unwrap(), candle_nn::ops::softmax_last_dim(&scores).unwrap(), 1e-6);
        let masked = Tensor::new(&[[0.5f32, f32::MIN, 1.5]], &device).unwrap();
        let p = softmax_last_dim(&masked).unwrap().to_vec2::<f32>().unwrap();
        assert!(p[0][1] < 1e-30 && (p[0].iter().sum::<f32>() - 1.0).abs() < 1e-6, "{p:?}");
    }
}
