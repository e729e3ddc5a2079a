//! The models: each turns a user's history (their cells, and a weight per cell) into a score
//! per item. Trained from [`Interactions`], deterministic (no randomness; ties broken by id).
//!
//! - [`Popularity`]: how many users have the item.
//! - [`Trending`]: the same, each user's last interaction decayed with its age.
//! - [`ItemKnn`]: the `k` items most like each item (cosine between the items' users, shrunk
//!   when they share few), summed over the history.
//! - [`Ease`]: B = argmin ‖X − XB‖² + λ‖B‖² with a zero diagonal, in closed form from the
//!   inverse of the item Gram matrix (Steck 2019, "Embarrassingly Shallow Autoencoders");
//!   dense, so for catalogs of up to some thousands of items with history. Optionally with
//!   dropout emphasis (EDLAE) and with co-occurrences weighted by their age ([`EaseOptions`]).
//! - [`LowPass`]: the "ideal low-pass filter" of GF-CF (Shen et al. 2021): the history projected
//!   on the top `k` singular directions of the degree-normalized interactions; mixed with
//!   EASE it adds what the broad tastes share.
//! - [`own_history`]: the user's own items again, by count and recency (buy-again).

use faer::linalg::solvers::DenseSolveCore;
use rayon::prelude::*;

use super::{Cell, Interactions};

/// Scores every item for a history: `weights[i]` is how much `history[i]` counts.
pub trait Scorer: Sync {
    fn score(&self, history: &[Cell], weights: &[f32], out: &mut [f32]);
}

/// Items by the number of users who have them.
#[derive(Debug, Clone)]
pub struct Popularity {
    counts: Vec<f32>,
}

impl Popularity {
    pub fn train(x: &Interactions) -> Popularity {
        let mut counts = vec![0.0; x.n_items()];
        for cell in x.rows.iter().flatten() {
            counts[cell.item as usize] += 1.0;
        }
        Popularity { counts }
    }

    pub fn scores(&self) -> &[f32] {
        &self.counts
    }
}

impl Scorer for Popularity {
    fn score(&self, _: &[Cell], _: &[f32], out: &mut [f32]) {
        out.copy_from_slice(&self.counts);
    }
}

/// Popularity with each user's interaction decayed by its age at `now`: half as much every
/// `half_life` seconds.
#[derive(Debug, Clone)]
pub struct Trending {
    scores: Vec<f32>,
}

impl Trending {
    pub fn train(x: &Interactions, now: i64, half_life: i64) -> Trending {
        let mut scores = vec![0.0f32; x.n_items()];
        for cell in x.rows.iter().flatten() {
            scores[cell.item as usize] += decay(now - cell.last, half_life);
        }
        Trending { scores }
    }

    pub fn scores(&self) -> &[f32] {
        &self.scores
    }
}

impl Scorer for Trending {
    fn score(&self, _: &[Cell], _: &[f32], out: &mut [f32]) {
        out.copy_from_slice(&self.scores);
    }
}

/// 1 at age 0, ½ at `half_life`, …; never more than 1 (a time after `now` counts as now).
pub fn decay(age: i64, half_life: i64) -> f32 {
    (0.5f64).powf(age.max(0) as f64 / half_life.max(1) as f64) as f32
}

/// The item Gram matrix `WᵀW` of the interactions, each cell of user `u` weighing
/// `weight(u, cell)`, dense (row-major), in f64.
fn gram(x: &Interactions, weight: &dyn Fn(usize, &Cell) -> f64) -> Vec<f64> {
    let n = x.n_items();
    let weights: Vec<Vec<f64>> = x.rows.iter().enumerate().map(|(u, row)| row.iter().map(|c| weight(u, c)).collect()).collect();
    let mut columns: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for (u, row) in x.rows.iter().enumerate() {
        for (cell, &w) in row.iter().zip(&weights[u]) {
            columns[cell.item as usize].push((u as u32, w));
        }
    }
    let mut g = vec![0.0f64; n * n];
    g.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        for &(u, wi) in &columns[i] {
            for (cell, &wj) in x.rows[u as usize].iter().zip(&weights[u as usize]) {
                row[cell.item as usize] += wi * wj;
            }
        }
    });
    g
}

/// For each item, its `k` nearest items by cosine between their users (binary), the cosine
/// shrunk as `co / (√(nᵢ nⱼ) + shrink)`.
#[derive(Debug, Clone)]
pub struct ItemKnn {
    neighbours: Vec<Vec<(u32, f32)>>,
}

impl ItemKnn {
    pub fn train(x: &Interactions, k: usize, shrink: f32) -> ItemKnn {
        let n = x.n_items();
        let columns = x.by_item();
        let norms: Vec<f32> = columns.iter().map(|c| c.len() as f32).collect();
        let neighbours = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut co = vec![0.0f32; n];
                for &(u, _) in &columns[i] {
                    for cell in &x.rows[u as usize] {
                        co[cell.item as usize] += 1.0;
                    }
                }
                co[i] = 0.0;
                for (j, c) in co.iter_mut().enumerate() {
                    if *c > 0.0 {
                        *c /= (norms[i] * norms[j]).sqrt() + shrink;
                    }
                }
                super::top_k(&co, k, &[]).into_iter().filter(|&j| co[j as usize] > 0.0).map(|j| (j, co[j as usize])).collect()
            })
            .collect();
        ItemKnn { neighbours }
    }
}

impl Scorer for ItemKnn {
    fn score(&self, history: &[Cell], weights: &[f32], out: &mut [f32]) {
        out.fill(0.0);
        for (cell, w) in history.iter().zip(weights) {
            for &(j, s) in &self.neighbours[cell.item as usize] {
                out[j as usize] += w * s;
            }
        }
    }
}

/// EASE: item-to-item weights `B` (row-major, `n × n`, zero diagonal).
#[derive(Debug, Clone)]
pub struct Ease {
    n: usize,
    b: Vec<f32>,
}

/// Why EASE could not be trained.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("the item Gram matrix plus λ·I is not positive definite (λ = {0})")]
    NotPositiveDefinite(f64),
    #[error("the eigendecomposition of the item matrix did not converge")]
    NoEigenvectors,
}

/// How [`Ease`] is trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EaseOptions {
    /// The L2 weight (larger: smoother, more popular items).
    pub lambda: f64,
    /// EDLAE (Steck 2020, "Autoencoders that don't overfit towards the identity"): trained as
    /// if each input item were dropped with this probability, which adds `dropout / (1 −
    /// dropout)` times an item's own weight to its L2 weight, so popular items' weights shrink
    /// more. 0 is EASE.
    pub dropout: f64,
    /// Co-occurrences weighted by the age of each interaction at `.0` (unix seconds): half as
    /// much every `.1` seconds, so that what is bought together lately counts most; `None`:
    /// every interaction counts 1.
    pub recency: Option<(i64, i64)>,
}

impl EaseOptions {
    pub fn lambda(lambda: f64) -> EaseOptions {
        EaseOptions { lambda, dropout: 0.0, recency: None }
    }
}

impl std::fmt::Display for EaseOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "λ {}", self.lambda)?;
        if self.dropout > 0.0 {
            write!(f, ", dropout {}", self.dropout)?;
        }
        if let Some((_, half_life)) = self.recency {
            write!(f, ", co-purchases' half-life {} d", half_life / 86_400)?;
        }
        Ok(())
    }
}

impl Ease {
    /// Trains with L2 weight `lambda` and nothing else.
    pub fn train(x: &Interactions, lambda: f64) -> Result<Ease, TrainError> {
        Ease::train_with(x, &EaseOptions::lambda(lambda))
    }

    pub fn train_with(x: &Interactions, options: &EaseOptions) -> Result<Ease, TrainError> {
        let n = x.n_items();
        let mut g = match options.recency {
            Some((now, half_life)) => gram(x, &|_, c: &Cell| f64::from(decay(now - c.last, half_life))),
            None => gram(x, &|_, _: &Cell| 1.0),
        };
        let (lambda, dropout) = (options.lambda, options.dropout);
        let emphasis = dropout / (1.0 - dropout).max(f64::EPSILON);
        for i in 0..n {
            g[i * n + i] += lambda + emphasis * g[i * n + i];
        }
        let gram = faer::Mat::<f64>::from_fn(n, n, |i, j| g[i * n + j]);
        drop(g);
        let llt = gram.llt(faer::Side::Lower).map_err(|_| TrainError::NotPositiveDefinite(lambda))?;
        let p = llt.inverse();
        // B = I − P·diag(1/diag(P)): B[i][j] = −P[i][j] / P[j][j] off the diagonal.
        let diag: Vec<f64> = (0..n).map(|j| p[(j, j)]).collect();
        let mut b = vec![0.0f32; n * n];
        b.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
            for j in 0..n {
                if i != j {
                    row[j] = (-p[(i, j)] / diag[j]) as f32;
                }
            }
        });
        Ok(Ease { n, b })
    }
}

impl Ease {
    /// Item `item`'s weights towards every item: what goes with it.
    pub fn row(&self, item: u32) -> &[f32] {
        &self.b[item as usize * self.n..][..self.n]
    }
}

impl Scorer for Ease {
    fn score(&self, history: &[Cell], weights: &[f32], out: &mut [f32]) {
        out.fill(0.0);
        for (cell, &w) in history.iter().zip(weights) {
            let row = &self.b[cell.item as usize * self.n..][..self.n];
            for (o, &v) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }
}

/// GF-CF's ideal low-pass filter: with `R̃ = D_U^-½ X D_I^-½` (the binary interactions
/// normalized by user and item degrees) and `V` the top `k` eigenvectors of `R̃ᵀR̃`, a
/// history `x` scores `x · D_I^-½ V Vᵀ D_I^½`. Stored as `V` (`n × k`, row-major) and the
/// degrees' square roots, so that scoring costs `(|history| + n) · k`.
#[derive(Debug, Clone)]
pub struct LowPass {
    k: usize,
    v: Vec<f32>,
    root_degree: Vec<f32>,
}

impl LowPass {
    /// The filter keeping `k` directions (at most the number of items).
    pub fn train(x: &Interactions, k: usize) -> Result<LowPass, TrainError> {
        let n = x.n_items();
        let k = k.min(n);
        let mut degree = vec![0.0f64; n];
        for cell in x.rows.iter().flatten() {
            degree[cell.item as usize] += 1.0;
        }
        let user_root: Vec<f64> = x.rows.iter().map(|r| (r.len().max(1) as f64).sqrt()).collect();
        let inverse_root = |d: f64| if d > 0.0 { 1.0 / d.sqrt() } else { 0.0 };
        // R̃ᵀR̃: each cell weighs 1 / √(d_u · d_i).
        let g = gram(x, &|u, c: &Cell| inverse_root(degree[c.item as usize]) / user_root[u]);
        let matrix = faer::Mat::<f64>::from_fn(n, n, |i, j| g[i * n + j]);
        drop(g);
        let eigen = matrix.self_adjoint_eigen(faer::Side::Lower).map_err(|_| TrainError::NoEigenvectors)?;
        let values = eigen.S().column_vector();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        let vectors = eigen.U();
        let mut v = vec![0.0f32; n * k];
        for (c, &j) in order.iter().take(k).enumerate() {
            for i in 0..n {
                v[i * k + c] = vectors[(i, j)] as f32;
            }
        }
        Ok(LowPass { k, v, root_degree: degree.iter().map(|d| d.sqrt() as f32).collect() })
    }
}

impl LowPass {
    /// The same filter keeping only its first `k` directions.
    pub fn truncated(&self, k: usize) -> LowPass {
        let k = k.min(self.k);
        let v = self.v.chunks(self.k).flat_map(|row| row[..k].iter().copied()).collect();
        LowPass { k, v, root_degree: self.root_degree.clone() }
    }
}

impl Scorer for LowPass {
    fn score(&self, history: &[Cell], weights: &[f32], out: &mut [f32]) {
        let k = self.k;
        let mut t = vec![0.0f32; k];
        for (cell, &w) in history.iter().zip(weights) {
            let i = cell.item as usize;
            if self.root_degree[i] > 0.0 {
                let w = w / self.root_degree[i];
                for (t, &v) in t.iter_mut().zip(&self.v[i * k..][..k]) {
                    *t += w * v;
                }
            }
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.root_degree[i] * self.v[i * k..][..k].iter().zip(&t).map(|(v, t)| v * t).sum::<f32>();
        }
    }
}

/// The user's own items again: `log(1 + count)`, decayed with the age of the last time at
/// `now` (half as much every `half_life` seconds); every other item 0.
pub fn own_history(history: &[Cell], now: i64, half_life: i64, out: &mut [f32]) {
    out.fill(0.0);
    for cell in history {
        out[cell.item as usize] = (1.0 + cell.count).ln() * decay(now - cell.last, half_life);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Builder;
    use super::*;

    /// Two tastes: {a, b, c} bought together, {d, e} bought together.
    fn baskets() -> Interactions {
        let mut builder = Builder::default();
        for (user, items) in [("u1", "abc"), ("u2", "ab"), ("u3", "bc"), ("u4", "ac"), ("u5", "de"), ("u6", "de"), ("u7", "d")] {
            for item in items.chars() {
                builder.add(user, &item.to_string(), 1.0, 100);
            }
        }
        builder.build()
    }

    fn ranked(scorer: &dyn Scorer, x: &Interactions, user: usize) -> Vec<String> {
        let history = &x.rows[user];
        let mut out = vec![0.0; x.n_items()];
        scorer.score(history, &vec![1.0; history.len()], &mut out);
        let exclude: Vec<u32> = history.iter().map(|c| c.item).collect();
        super::super::top_k(&out, 2, &exclude).into_iter().map(|i| x.items[i as usize].clone()).collect()
    }

    #[test]
    fn item_models_recommend_within_the_taste() {
        let x = baskets();
        let ease = Ease::train(&x, 1.0).unwrap();
        let knn = ItemKnn::train(&x, 10, 0.0);
        // u2 has a, b: c is of the same taste; u7 has d: e.
        assert_eq!(ranked(&ease, &x, 1)[0], "c");
        assert_eq!(ranked(&knn, &x, 1)[0], "c");
        assert_eq!(ranked(&ease, &x, 6)[0], "e");
        assert_eq!(ranked(&knn, &x, 6)[0], "e");
    }

    #[test]
    fn the_low_pass_filter_recommends_within_the_taste() {
        let x = baskets();
        let low = LowPass::train(&x, 2).unwrap();
        assert_eq!(ranked(&low, &x, 1)[0], "c");
        assert_eq!(ranked(&low, &x, 6)[0], "e");
        // All directions kept: the filter is D^-½ V Vᵀ D^½ = I on items with users, so a
        // history scores only itself.
        let all = LowPass::train(&x, 5).unwrap();
        let mut out = vec![0.0; 5];
        all.score(&x.rows[6], &[1.0], &mut out);
        assert!((out[3] - 1.0).abs() < 1e-4 && out.iter().enumerate().all(|(i, o)| i == 3 || o.abs() < 1e-4), "{out:?}");
    }

    #[test]
    fn recent_co_purchases_outweigh_older_ones_when_asked() {
        // Long ago three shoppers bought a with b; lately two bought a with c.
        let mut builder = Builder::default();
        for (user, other, at) in [("o1", "b", 0), ("o2", "b", 0), ("o3", "b", 0), ("n1", "c", 1_000), ("n2", "c", 1_000)] {
            builder.add(user, "a", 1.0, at);
            builder.add(user, other, 1.0, at);
        }
        builder.add("me", "a", 1.0, 1_000);
        let x = builder.build();
        let me = x.users.iter().position(|u| u == "me").unwrap();
        let plain = Ease::train(&x, 0.5).unwrap();
        let recent = Ease::train_with(&x, &EaseOptions { recency: Some((1_000, 100)), ..EaseOptions::lambda(0.5) }).unwrap();
        assert_eq!(ranked(&plain, &x, me)[0], "b");
        assert_eq!(ranked(&recent, &x, me)[0], "c");
    }

    #[test]
    fn ease_matches_its_closed_form_on_a_small_case() {
        // Two items always together: G = [[2,2],[2,2]], λ = 1 → P = (G + I)⁻¹ = [[3,-2],[-2,3]]/5;
        // B[0][1] = −P[0][1] / P[1][1] = 2/3.
        let mut builder = Builder::default();
        for user in ["u1", "u2"] {
            builder.add(user, "a", 1.0, 0);
            builder.add(user, "b", 1.0, 0);
        }
        let ease = Ease::train(&builder.build(), 1.0).unwrap();
        assert!((ease.b[1] - 2.0 / 3.0).abs() < 1e-6, "{:?}", ease.b);
        assert_eq!(ease.b[0], 0.0);
    }

    #[test]
    fn trending_and_history_decay_with_age() {
        assert_eq!(decay(0, 10), 1.0);
        assert!((decay(10, 10) - 0.5).abs() < 1e-6);
        assert_eq!(decay(-5, 10), 1.0);
        let mut b = Builder::default();
        b.add("u1", "old", 1.0, 0);
        b.add("u2", "new", 1.0, 100);
        let t = Trending::train(&b.build(), 100, 50);
        assert!(t.scores()[1] > t.scores()[0]);
    }
}
