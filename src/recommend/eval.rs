//! Offline evaluation of the models (`aisle eval recs`): splits, ranking metrics at k, and
//! the two public datasets.
//!
//! - **MovieLens-100k**, read from the `recbole==1.2.1` wheel (fetched with `pip download
//!   --no-deps`, checked by SHA-256, never committed). Every rating is an interaction (its
//!   value kept as the cell's count: a model may weigh a history by it; relevance is binary). Split as
//!   the Microsoft Recommenders benchmark does: stratified 75/25 per item (each item's ratings
//!   shuffled with a seed, the first 75 % to train) and per user; a user's top 10 among the
//!   items they have no rating of in train; relevant: their test items.
//! - **Online Retail** (UCI, `../shared/data/interactions/online_retail_2010-2011.csv.gz`):
//!   lines with a customer, not cancelled (`C…` invoices), quantity and price above 0. The last
//!   14 days are the test. Two targets: items new to the customer (ranked among the items they
//!   have not bought; relevant: what they bought in the test that they had not before), and all
//!   purchases (ranked among every item; relevant: everything they bought in the test, repeats
//!   included). Customers with no purchase before the test are left out (no model knows them).
//!
//! Metrics, averaged over the users evaluated: nDCG@k (binary gains, the ideal ranking of
//! min(k, relevant) items), precision@k (hits / k), recall@k (hits / relevant), MAP@k (precision
//! at each hit, summed, over min(k, relevant)) and HR@k (at least one hit).

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::rng::Rng;
use super::{Builder, Cell, Interactions};

/// One interaction of a dataset: user, item, unix seconds, count.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub user: String,
    pub item: String,
    pub at: i64,
    pub count: f32,
}

/// Train interactions and, per user (index in `train.users`), the test items.
#[derive(Debug, Clone)]
pub struct Split {
    pub train: Interactions,
    pub test: Vec<(usize, Vec<u32>)>,
    /// The time the test starts (for decays): the last train time.
    pub now: i64,
}

/// Which rows are shuffled together in a stratified split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stratify {
    User,
    Item,
}

/// Each group's rows (by user or by item) shuffled with `seed`, the first `round(ratio · n)`
/// to train, the rest to test; test rows of users with nothing in train are dropped.
pub fn stratified(rows: &[Row], ratio: f64, by: Stratify, seed: u64) -> Split {
    let mut groups: Vec<(&str, Vec<&Row>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        let key = match by {
            Stratify::User => row.user.as_str(),
            Stratify::Item => row.item.as_str(),
        };
        let g = *index.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(row);
    }
    let mut rng = Rng(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (_, mut group) in groups {
        rng.shuffle(&mut group);
        let cut = (ratio * group.len() as f64).round() as usize;
        train.extend(group[..cut].iter().copied());
        test.extend(group[cut..].iter().copied());
    }
    assemble(rows, &train, &test)
}

/// The rows after `cutoff` (unix seconds) are the test; those before, train.
pub fn temporal(rows: &[Row], cutoff: i64) -> Split {
    let (train, test): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.at < cutoff);
    let mut split = assemble(rows, &train, &test);
    split.now = cutoff;
    split
}

/// Interactions of `train` over every item of `rows` (an item seen only in the test exists,
/// with no interactions), and the test items of users who have some train.
fn assemble(rows: &[Row], train: &[&Row], test: &[&Row]) -> Split {
    let mut items: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        if seen.insert(row.item.as_str()) {
            items.push(row.item.clone());
        }
    }
    let mut builder = Builder::with_items(&items);
    for row in train {
        builder.add(&row.user, &row.item, row.count, row.at);
    }
    let train_x = builder.build();
    let users: HashMap<&str, usize> = train_x.users.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let item_ids: HashMap<&str, u32> = train_x.items.iter().enumerate().map(|(i, u)| (u.as_str(), i as u32)).collect();
    let mut by_user: HashMap<usize, HashSet<u32>> = HashMap::new();
    for row in test {
        if let Some(&u) = users.get(row.user.as_str()) {
            by_user.entry(u).or_default().insert(item_ids[row.item.as_str()]);
        }
    }
    let mut test: Vec<(usize, Vec<u32>)> = by_user
        .into_iter()
        .map(|(u, items)| {
            let mut items: Vec<u32> = items.into_iter().collect();
            items.sort_unstable();
            (u, items)
        })
        .collect();
    test.sort_by_key(|(u, _)| *u);
    let now = train.iter().map(|r| r.at).max().unwrap_or(0);
    Split { train: train_x, test, now }
}

/// Ranking metrics at k, averaged over users.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Metrics {
    pub users: usize,
    pub ndcg: f64,
    pub precision: f64,
    pub recall: f64,
    pub map: f64,
    pub hit_rate: f64,
}

/// One user's metrics for `ranked` (best first, at most k) against `relevant` (sorted).
fn user_metrics(ranked: &[u32], relevant: &[u32], k: usize) -> [f64; 5] {
    let (mut dcg, mut hits, mut ap) = (0.0, 0usize, 0.0);
    for (rank, item) in ranked.iter().take(k).enumerate() {
        if relevant.binary_search(item).is_ok() {
            hits += 1;
            dcg += 1.0 / (rank as f64 + 2.0).log2();
            ap += hits as f64 / (rank as f64 + 1.0);
        }
    }
    let ideal: f64 = (0..relevant.len().min(k)).map(|r| 1.0 / (r as f64 + 2.0).log2()).sum();
    let n = relevant.len().max(1) as f64;
    [dcg / ideal.max(f64::MIN_POSITIVE), hits as f64 / k as f64, hits as f64 / n, ap / relevant.len().min(k).max(1) as f64, f64::from(u8::from(hits > 0))]
}

/// What a user's ranking leaves out, and which test items count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Items the user has in train are not ranked, nor relevant.
    New,
    /// Every item is ranked; every test item is relevant.
    All,
}

/// Evaluates `score` (a user's train cells → a score per item) on the split at `k`.
pub fn evaluate(split: &Split, k: usize, target: Target, score: &(dyn Fn(&[Cell], &mut [f32]) + Sync)) -> Metrics {
    let n = split.train.n_items();
    let per_user: Vec<[f64; 5]> = split
        .test
        .par_iter()
        .filter_map(|(u, test)| {
            let history = &split.train.rows[*u];
            let seen: Vec<u32> = history.iter().map(|c| c.item).collect();
            let relevant: Vec<u32> = match target {
                Target::New => test.iter().copied().filter(|i| seen.binary_search(i).is_err()).collect(),
                Target::All => test.clone(),
            };
            if relevant.is_empty() {
                return None;
            }
            let mut scores = vec![0.0f32; n];
            score(history, &mut scores);
            let exclude: &[u32] = if target == Target::New { &seen } else { &[] };
            let ranked = super::top_k(&scores, k, exclude);
            Some(user_metrics(&ranked, &relevant, k))
        })
        .collect();
    let users = per_user.len();
    let mean = |i: usize| per_user.iter().map(|m| m[i]).sum::<f64>() / users.max(1) as f64;
    Metrics { users, ndcg: mean(0), precision: mean(1), recall: mean(2), map: mean(3), hit_rate: mean(4) }
}

/// The MovieLens-100k ratings in the wheel of `recbole==1.2.1`.
pub const MOVIELENS_PACKAGE: &str = "recbole==1.2.1";
const MOVIELENS_ENTRY: &str = "recbole/dataset_example/ml-100k/ml-100k.inter";
const MOVIELENS_SHA256: &str = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407";

/// Reads MovieLens-100k's 100,000 ratings from the recbole wheel at `wheel`, after checking
/// the wheel's SHA-256.
pub fn movielens(wheel: &Path) -> Result<Vec<Row>, String> {
    let bytes = std::fs::read(wheel).map_err(|e| format!("cannot read {}: {e}", wheel.display()))?;
    let actual = {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(&bytes))
    };
    if actual != MOVIELENS_SHA256 {
        return Err(format!("{} has SHA-256 {actual}, not the pinned {MOVIELENS_SHA256}", wheel.display()));
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("{} is not a wheel: {e}", wheel.display()))?;
    let mut text = String::new();
    archive
        .by_name(MOVIELENS_ENTRY)
        .map_err(|_| format!("the wheel has no {MOVIELENS_ENTRY}"))?
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {MOVIELENS_ENTRY}: {e}"))?;
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                [user, item, rating, at] => Ok(Row {
                    user: user.to_string(),
                    item: item.to_string(),
                    at: at.parse::<f64>().map_err(|e| format!("line {}: {e}", i + 2))? as i64,
                    count: rating.parse::<f32>().map_err(|e| format!("line {}: rating: {e}", i + 2))?,
                }),
                _ => Err(format!("{MOVIELENS_ENTRY} line {}: expected 4 tab-separated fields", i + 2)),
            }
        })
        .collect()
}

/// Fetches the recbole wheel into `dir` (when not already there) and reads MovieLens-100k.
pub fn fetch_movielens(dir: &Path) -> Result<Vec<Row>, String> {
    let existing = std::fs::read_dir(dir).ok().and_then(|d| d.flatten().map(|e| e.path()).find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("recbole-1.2.1"))));
    let wheel = match existing {
        Some(wheel) => wheel,
        None => {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            crate::wheel::download(MOVIELENS_PACKAGE, dir)?
        }
    };
    movielens(&wheel)
}

/// Reads the UCI Online Retail invoice lines (CSV, gzipped when the name ends in `.gz`): one
/// row per kept line (a customer, not a cancellation, quantity and price above 0): a count is
/// the number of times bought, whatever the quantities.
pub fn online_retail(path: &Path) -> Result<Vec<Row>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers().map_err(|e| format!("{}: {e}", path.display()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| format!("{} has no {name} column", path.display()));
    let (invoice, code, quantity, date, price, customer) = (column("InvoiceNo")?, column("StockCode")?, column("Quantity")?, column("InvoiceDate")?, column("UnitPrice")?, column("CustomerID")?);
    let mut rows = Vec::new();
    for (line, record) in csv.records().enumerate() {
        let record = record.map_err(|e| format!("{} line {}: {e}", path.display(), line + 2))?;
        let user = record[customer].trim().trim_end_matches(".0");
        let q: f64 = record[quantity].trim().parse().unwrap_or(0.0);
        let p: f64 = record[price].trim().parse().unwrap_or(0.0);
        if user.is_empty() || record[invoice].starts_with('C') || q <= 0.0 || p <= 0.0 {
            continue;
        }
        let at = record[date]
            .trim()
            .parse::<jiff::civil::DateTime>()
            .map_err(|e| format!("{} line {}: date {:?}: {e}", path.display(), line + 2, &record[date]))?
            .pipe_utc()?;
        rows.push(Row { user: user.to_string(), item: record[code].trim().to_string(), at, count: 1.0 });
    }
    Ok(rows)
}

/// A civil time read as UTC, in unix seconds.
trait PipeUtc {
    fn pipe_utc(self) -> Result<i64, String>;
}

impl PipeUtc for jiff::civil::DateTime {
    fn pipe_utc(self) -> Result<i64, String> {
        jiff::tz::Offset::UTC.to_timestamp(self).map(|t| t.as_second()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user: &str, item: &str, at: i64) -> Row {
        Row { user: user.into(), item: item.into(), at, count: 1.0 }
    }

    #[test]
    fn metrics_by_hand() {
        // Relevant {1, 4}; ranked [1, 2, 4]: hits at ranks 1 and 3.
        let [ndcg, precision, recall, map, hit] = user_metrics(&[1, 2, 4], &[1, 4], 3);
        let dcg = 1.0 + 1.0 / 4f64.log2();
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((ndcg - dcg / ideal).abs() < 1e-12);
        assert!((precision - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(recall, 1.0);
        assert!((map - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        assert_eq!(hit, 1.0);
        assert_eq!(user_metrics(&[2, 3], &[1], 2), [0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_temporal_split_keeps_the_test_of_known_users() {
        let rows = [row("a", "x", 1), row("a", "y", 5), row("b", "y", 6), row("a", "z", 9)];
        let split = temporal(&rows, 5);
        assert_eq!(split.train.users, vec!["a"]);
        assert_eq!(split.train.items, vec!["x", "y", "z"], "every item exists");
        assert_eq!(split.test, vec![(0, vec![1, 2])], "b has no train: left out");
        // New items only: y and z; a recommender ranking z first, x excluded (seen).
        let m = evaluate(&split, 2, Target::New, &|_, out| {
            out.copy_from_slice(&[9.0, 0.0, 1.0]);
        });
        assert_eq!(m.users, 1);
        assert_eq!(m.hit_rate, 1.0);
        assert!((m.recall - 1.0).abs() < 1e-12, "{m:?}");
    }

    #[test]
    fn a_stratified_split_is_seeded_and_keeps_the_ratio_per_group() {
        let rows: Vec<Row> = (0..40).map(|i| row(&format!("u{}", i % 4), &format!("i{i}"), i)).collect();
        let a = stratified(&rows, 0.75, Stratify::User, 42);
        let b = stratified(&rows, 0.75, Stratify::User, 42);
        assert_eq!(a.test, b.test);
        assert!(a.train.rows.iter().all(|r| r.len() == 8), "round(0.75 × 10) per user");
        assert!(a.test.iter().all(|(_, t)| t.len() == 2));
        assert_ne!(stratified(&rows, 0.75, Stratify::User, 7).test, a.test);
    }
}
