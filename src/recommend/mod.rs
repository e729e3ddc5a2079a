//! The recommendation core: pure and deterministic. Interactions in (who bought or viewed
//! what, and when), models trained from them, ranked items out.
//!
//! - [`Interactions`]: users × items, each cell the number of times and the last time.
//! - [`models`]: popularity, trending (time-decayed popularity), item-kNN (cosine between
//!   items' buyers), EASE (a closed-form item-to-item model, Steck 2019), and a user's own
//!   history (buy-again).
//! - [`engine`]: the snapshot the server trains from shopper events, and the blend per
//!   context (`for_you`, `bought_together`, `complete_the_look`, `cart`) with reasons.
//! - [`profile`]: a shopper's profile from their events (viewed, bought, leanings to brands,
//!   kinds and prices, sizes and colours), and which kinds may be bought again.
//! - [`eval`]: offline evaluation — splits, ranking metrics, and the two public datasets
//!   (`aisle eval recs`).

pub mod engine;
pub mod eval;
pub mod models;
pub mod profile;
pub mod report;

use std::collections::HashMap;

/// One user's interaction with one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub item: u32,
    /// How many times (purchases, lines, ratings).
    pub count: f32,
    /// The last time, unix seconds.
    pub last: i64,
}

/// Users × items, sparse: each user's cells sorted by item.
#[derive(Debug, Clone, Default)]
pub struct Interactions {
    pub users: Vec<String>,
    pub items: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Builds [`Interactions`] from (user, item, time) events, ids kept in first-seen order.
#[derive(Debug, Default)]
pub struct Builder {
    users: HashMap<String, u32>,
    items: HashMap<String, u32>,
    built: Interactions,
}

impl Builder {
    /// Knows `items` (in this order) before any event: their ids are `0..items.len()`.
    pub fn with_items(items: &[String]) -> Builder {
        let mut builder = Builder::default();
        for item in items {
            builder.item(item);
        }
        builder
    }

    pub fn item(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.items.get(id) {
            return i;
        }
        let i = self.built.items.len() as u32;
        self.items.insert(id.to_string(), i);
        self.built.items.push(id.to_string());
        i
    }

    fn user(&mut self, id: &str) -> u32 {
        if let Some(&u) = self.users.get(id) {
            return u;
        }
        let u = self.built.users.len() as u32;
        self.users.insert(id.to_string(), u);
        self.built.users.push(id.to_string());
        self.built.rows.push(Vec::new());
        u
    }

    /// One event: `user` interacted with `item` at `at` (unix seconds), `count` times.
    pub fn add(&mut self, user: &str, item: &str, count: f32, at: i64) {
        let (u, i) = (self.user(user), self.item(item));
        self.built.rows[u as usize].push(Cell { item: i, count, last: at });
    }

    /// The interactions, a user's events of one item merged into one cell.
    pub fn build(mut self) -> Interactions {
        for row in &mut self.built.rows {
            row.sort_by_key(|c| c.item);
            let mut merged: Vec<Cell> = Vec::with_capacity(row.len());
            for cell in row.drain(..) {
                match merged.last_mut() {
                    Some(last) if last.item == cell.item => {
                        last.count += cell.count;
                        last.last = last.last.max(cell.last);
                    }
                    _ => merged.push(cell),
                }
            }
            *row = merged;
        }
        self.built
    }
}

impl Interactions {
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// Each item's users: the transpose, as (user, count) lists.
    pub fn by_item(&self) -> Vec<Vec<(u32, f32)>> {
        let mut columns = vec![Vec::new(); self.n_items()];
        for (u, row) in self.rows.iter().enumerate() {
            for cell in row {
                columns[cell.item as usize].push((u as u32, cell.count));
            }
        }
        columns
    }
}

/// The `k` best items by `scores`, best first, skipping `exclude` (sorted item ids) and
/// non-finite scores; ties go to the lower item id, so the order is deterministic.
pub fn top_k(scores: &[f32], k: usize, exclude: &[u32]) -> Vec<u32> {
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<(ordered::Score, std::cmp::Reverse<u32>)>> = std::collections::BinaryHeap::with_capacity(k + 1);
    for (i, &s) in scores.iter().enumerate() {
        if !s.is_finite() || exclude.binary_search(&(i as u32)).is_ok() {
            continue;
        }
        heap.push(std::cmp::Reverse((ordered::Score(s), std::cmp::Reverse(i as u32))));
        if heap.len() > k {
            heap.pop();
        }
    }
    let mut best: Vec<(ordered::Score, std::cmp::Reverse<u32>)> = heap.into_iter().map(|r| r.0).collect();
    best.sort_by(|a, b| b.cmp(a));
    best.into_iter().map(|(_, i)| i.0).collect()
}

mod ordered {
    /// A finite score with a total order.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Score(pub f32);
    impl Eq for Score {}
    impl PartialOrd for Score {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Score {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_merge_per_user_and_item() {
        let mut b = Builder::default();
        b.add("u1", "a", 1.0, 10);
        b.add("u1", "b", 1.0, 5);
        b.add("u1", "a", 2.0, 20);
        b.add("u2", "b", 1.0, 7);
        let x = b.build();
        assert_eq!(x.items, vec!["a", "b"]);
        assert_eq!(x.rows[0], vec![Cell { item: 0, count: 3.0, last: 20 }, Cell { item: 1, count: 1.0, last: 5 }]);
        assert_eq!(x.by_item()[1], vec![(0, 1.0), (1, 1.0)]);
    }

    #[test]
    fn the_top_k_is_ordered_and_deterministic() {
        let scores = [0.5, 0.9, 0.5, f32::NAN, 0.7, 0.9];
        assert_eq!(top_k(&scores, 3, &[]), vec![1, 5, 4], "ties to the lower id");
        assert_eq!(top_k(&scores, 3, &[1, 4]), vec![5, 0, 2]);
        assert_eq!(top_k(&scores, 10, &[]).len(), 5, "NaN never ranks");
    }
}
