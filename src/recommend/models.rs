//! The models: each turns a user's history (their cells, and a weight per cell) into a score
//! per item. Trained from [`Interactions`], deterministic (no randomness; ties broken by id).
//!
//! - [`Popularity`]: how many users have the item.
//! - [`Trending`]: the same, each user's last interaction decayed with its age.
//! - [`ItemKnn`]: the `k` items most like each item (cosine between the items' users, shrunk
//!   when they share few), summed over the history.
//! - [`Ease`]: B = argmin ‖X − XB‖² + λ‖B‖² with a zero diagonal, in closed form from the
//!   inverse of the item Gram matrix (Steck 2019, "Embarrassingly Shallow Autoencoders");
//!   dense, so for catalogs of up to some thousands of items with history.
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

/// The item Gram matrix `XᵀX` of the binary interactions, dense (row-major), in f64.
fn gram(x: &Interactions) -> Vec<f64> {
    let n = x.n_items();
    let columns = x.by_item();
    let mut g = vec![0.0f64; n * n];
    g.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        for &(u, _) in &columns[i] {
            for cell in &x.rows[u as usize] {
                row[cell.item as usize] += 1.0;
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
}

impl Ease {
    /// Trains with L2 weight `lambda` (larger: smoother, more popular items).
    pub fn train(x: &Interactions, lambda: f64) -> Result<Ease, TrainError> {
        Ease::train_denoising(x, lambda, 0.0)
    }

    /// EDLAE (Steck 2020, "Autoencoders that don't overfit towards the identity"): EASE
    /// trained as if each input item were dropped with probability `dropout`, which adds
    /// `dropout / (1 − dropout)` times an item's own count to its L2 weight: popular items'
    /// weights shrink more. `dropout` 0 is EASE.
    pub fn train_denoising(x: &Interactions, lambda: f64, dropout: f64) -> Result<Ease, TrainError> {
        let n = x.n_items();
        let mut g = gram(x);
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
