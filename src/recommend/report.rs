//! The experiments of `aisle eval recs`: each model on each dataset and target, its settings
//! chosen on a validation split carved from the training part (never on the test), then
//! measured once on the test.

use serde::Serialize;

use super::eval::{self, Metrics, Row, Split, Stratify, Target};
use super::models::{Ease, EaseOptions, ItemKnn, LowPass, Popularity, Scorer, Trending, decay, own_history};
use super::{Cell, Interactions};

/// Cut-off of the ranked lists.
pub const K: usize = 10;
const DAY: i64 = 86_400;
/// The Online Retail test (and validation) window.
pub const TEST_DAYS: i64 = 14;
const EASE_LAMBDAS: [f64; 8] = [50.0, 100.0, 250.0, 350.0, 500.0, 700.0, 1000.0, 1500.0];
/// λs tried with co-purchases weighted by age, and those half-lives (days).
const RECENT_EASE_LAMBDAS: [f64; 3] = [50.0, 100.0, 250.0];
const CO_PURCHASE_HALF_LIVES_DAYS: [i64; 3] = [45, 90, 180];
/// EDLAE's dropout probabilities tried (0 is EASE).
const DROPOUTS: [f64; 5] = [0.0, 0.1, 0.25, 0.4, 0.55];
/// The low-pass filter's directions, mixes and popularity discounts tried on MovieLens.
/// (MovieLens-100k: 56,250 interactions in a validation's training part, 75,000 in the test's.)
const LOW_PASS_DIRECTIONS_PER_THOUSAND: [f32; 5] = [0.3, 0.45, 0.6, 0.85, 1.15];
/// MovieLens's ratings are 1 to 5; the powers of rating / 5 tried as a history's weights.
const RATING_SCALE: f32 = 5.0;
const RATING_POWERS: [f32; 2] = [0.0, 0.5];
/// The seeds of the validation splits the low-pass blend is chosen on.
const LOW_PASS_VALIDATION_SEEDS: [u64; 3] = [43, 44, 45];
const LOW_PASS_MIX: [f32; 3] = [0.2, 0.35, 0.5];
const POPULARITY_DISCOUNTS: [f32; 3] = [0.0, 0.1, 0.2];
const HALF_LIVES_DAYS: [i64; 4] = [14, 60, 180, 100_000];
const MIX: [f32; 7] = [0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9];
/// Items not sold for this many days are left out (a shop would know what it no longer
/// sells; sales are the evaluation's stand-in); 0: none left out.
const ACTIVE_DAYS: [i64; 3] = [30, 90, 0];
const KNN_NEIGHBOURS: usize = 100;
const KNN_SHRINK: f32 = 10.0;
/// Trending's half-life as a baseline, and those tried in a blend.
const TRENDING_HALF_LIFE_DAYS: i64 = 7;
const TRENDING_HALF_LIVES_DAYS: [i64; 3] = [3, 7, 14];

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub dataset: String,
    pub target: String,
    pub model: String,
    /// The settings chosen on validation.
    pub settings: String,
    pub metrics: Metrics,
}

/// Scores scaled to a maximum of 1 (all zero stays zero), so that models can be mixed.
fn normalized(scores: &mut [f32]) {
    let max = scores.iter().copied().filter(|s| s.is_finite()).fold(0.0f32, f32::max);
    if max > 0.0 {
        scores.iter_mut().for_each(|s| *s /= max);
    }
}

/// History weights: each cell decayed by its age at `now` (a half-life of `days`).
fn weights(history: &[Cell], now: i64, days: i64) -> Vec<f32> {
    history.iter().map(|c| decay(now - c.last, days * DAY)).collect()
}

/// Which items were sold in the `days` before `now` (all when `days` is 0).
fn active(x: &Interactions, now: i64, days: i64) -> Vec<bool> {
    let mut last = vec![i64::MIN; x.n_items()];
    for cell in x.rows.iter().flatten() {
        last[cell.item as usize] = last[cell.item as usize].max(cell.last);
    }
    last.into_iter().map(|t| days == 0 || t >= now - days * DAY).collect()
}

/// How a model's scores are turned into a ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Blend {
    /// The history's half-life, days.
    days: i64,
    /// The share of the prior (trending).
    mix: f32,
    /// Only items sold in this many days (0: all).
    active_days: i64,
    /// The prior's half-life, days.
    trending_days: i64,
}

impl std::fmt::Display for Blend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "history half-life {} d, trending {} (half-life {} d)", self.days, self.mix, self.trending_days)?;
        if self.active_days > 0 {
            write!(f, ", sold in the last {} d", self.active_days)?;
        }
        Ok(())
    }
}

/// One EASE setting tried on Online Retail: λ, and the half-life of co-purchases (none: all
/// count alike).
#[derive(Debug, Clone, Copy, PartialEq)]
struct EaseChoice {
    lambda: f64,
    half_life_days: Option<i64>,
}

impl EaseChoice {
    fn options(&self, now: i64) -> EaseOptions {
        EaseOptions { recency: self.half_life_days.map(|d| (now, d * DAY)), ..EaseOptions::lambda(self.lambda) }
    }
}

/// Every λ with co-purchases alike, and the smaller λs (the decayed Gram matrix is smaller)
/// with each co-purchase half-life.
fn ease_choices() -> Vec<EaseChoice> {
    let alike = EASE_LAMBDAS.iter().map(|&lambda| EaseChoice { lambda, half_life_days: None });
    let recent = RECENT_EASE_LAMBDAS.iter().flat_map(|&lambda| CO_PURCHASE_HALF_LIVES_DAYS.iter().map(move |&d| EaseChoice { lambda, half_life_days: Some(d) }));
    alike.chain(recent).collect()
}

/// How EASE is mixed with the low-pass filter.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LowPassBlend {
    /// A history item weighs (its rating / [`RATING_SCALE`]) to this power (0: all alike).
    rating_power: f32,
    /// The directions kept per 1,000 interactions: what a filter can hold grows with the
    /// data, so that a choice made on validation (three quarters of the training part) carries
    /// over to the whole.
    per_thousand: f32,
    /// The low-pass filter's share (both normalized).
    mix: f32,
    /// Scores divided by (users + 1) to this power: popular items a little discounted.
    discount: f32,
}

impl LowPassBlend {
    fn directions(&self, x: &Interactions) -> usize {
        let interactions: usize = x.rows.iter().map(Vec::len).sum();
        (self.per_thousand * interactions as f32 / 1000.0).round().max(1.0) as usize
    }
}

impl std::fmt::Display for LowPassBlend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ratings to the power {}, {} directions per 1,000 interactions, mix {}, popularity discount {}", self.rating_power, self.per_thousand, self.mix, self.discount)
    }
}

/// EASE's and the low-pass filter's scores of a history weighed by its ratings, each
/// normalized, mixed as `blend` says.
fn with_low_pass<'a>(ease: &'a Ease, low: &'a LowPass, popularity: &'a [f32], blend: LowPassBlend) -> impl Fn(&[Cell], &mut [f32]) + Sync + 'a {
    move |history: &[Cell], out: &mut [f32]| {
        let weights: Vec<f32> = history.iter().map(|c| (c.count / RATING_SCALE).powf(blend.rating_power)).collect();
        ease.score(history, &weights, out);
        normalized(out);
        let mut filtered = vec![0.0; out.len()];
        low.score(history, &weights, &mut filtered);
        normalized(&mut filtered);
        for ((o, f), p) in out.iter_mut().zip(&filtered).zip(popularity) {
            *o = ((1.0 - blend.mix) * *o + blend.mix * f) / (p + 1.0).powf(blend.discount);
        }
    }
}

/// `scorer` with recency-weighted history, mixed with `mix` of the normalized `prior` scores,
/// items not `active` left out.
fn mixed<'a>(scorer: &'a dyn Scorer, prior: &'a [f32], active: &'a [bool], blend: Blend, now: i64) -> impl Fn(&[Cell], &mut [f32]) + Sync + 'a {
    move |history: &[Cell], out: &mut [f32]| {
        scorer.score(history, &weights(history, now, blend.days), out);
        normalized(out);
        if blend.mix > 0.0 {
            let top = prior.iter().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
            for (o, p) in out.iter_mut().zip(prior) {
                *o = (1.0 - blend.mix) * *o + blend.mix * p / top;
            }
        }
        for (o, &on) in out.iter_mut().zip(active) {
            if !on {
                *o = f32::NEG_INFINITY;
            }
        }
    }
}

/// The customer's own items (a half-life of `own_days`) mixed with `share` of the blended
/// EASE scores (`blend`, with `prior` and `active` as in [`mixed`]), both normalized.
fn buy_again<'a>(ease: &'a Ease, (prior, active): (&'a [f32], &'a [bool]), blend: Blend, now: i64, own_days: i64, share: f32) -> impl Fn(&[Cell], &mut [f32]) + Sync + 'a {
    let ease_scores = mixed(ease, prior, active, blend, now);
    move |h: &[Cell], o: &mut [f32]| {
        ease_scores(h, o);
        let mut own = vec![0.0; o.len()];
        own_history(h, now, own_days * DAY, &mut own);
        normalized(&mut own);
        for (x, y) in o.iter_mut().zip(&own) {
            *x = share * *x + (1.0 - share) * y;
        }
    }
}

/// The best of `candidates` (settings, scorer) on `split` by nDCG@K.
fn best_on<T: Clone>(split: &Split, target: Target, candidates: Vec<(T, Box<dyn Fn(&[Cell], &mut [f32]) + Sync + '_>)>) -> T {
    let mut best: Option<(f64, T)> = None;
    for (settings, score) in candidates {
        let ndcg = eval::evaluate(split, K, target, &score).ndcg;
        if best.as_ref().is_none_or(|(b, _)| ndcg > *b) {
            best = Some((ndcg, settings));
        }
    }
    best.expect("at least one candidate").1
}

/// Online Retail: the last [`TEST_DAYS`] days as the test, the 14 before as validation.
pub fn online_retail(rows: &[Row], progress: &dyn Fn(&str)) -> Vec<Line> {
    let end = rows.iter().map(|r| r.at).max().unwrap_or(0);
    let cutoff = end - TEST_DAYS * DAY;
    let test = eval::temporal(rows, cutoff);
    let train_rows: Vec<Row> = rows.iter().filter(|r| r.at < cutoff).cloned().collect();
    let valid = eval::temporal(&train_rows, cutoff - TEST_DAYS * DAY);
    let mut lines = Vec::new();
    let line = |target: &str, model: &str, settings: String, metrics: Metrics| Line { dataset: "online-retail".into(), target: target.into(), model: model.into(), settings, metrics };

    for (name, target) in [("new items", Target::New), ("all purchases", Target::All)] {
        progress(&format!("online retail, {name}: baselines"));
        let popularity = Popularity::train(&test.train);
        lines.push(line(name, "popularity", String::new(), eval::evaluate(&test, K, target, &|h, o| popularity.score(h, &[], o))));
        let trending = Trending::train(&test.train, test.now, TRENDING_HALF_LIFE_DAYS * DAY);
        lines.push(line(name, "trending", format!("half-life {TRENDING_HALF_LIFE_DAYS} d"), eval::evaluate(&test, K, target, &|h, o| trending.score(h, &[], o))));
        progress(&format!("online retail, {name}: item-kNN"));
        let knn = ItemKnn::train(&test.train, KNN_NEIGHBOURS, KNN_SHRINK);
        lines.push(line(name, "item-kNN", format!("k {KNN_NEIGHBOURS}, shrink {KNN_SHRINK}"), eval::evaluate(&test, K, target, &|h, o| knn.score(h, &vec![1.0; h.len()], o))));

        // EASE: λ and the co-purchases' half-life, then the history's half-life, the trending
        // mix and the sold-lately window, on validation.
        progress(&format!("online retail, {name}: EASE on validation"));
        let valid_trending = Trending::train(&valid.train, valid.now, TRENDING_HALF_LIFE_DAYS * DAY);
        let trendings: Vec<(i64, Trending)> = TRENDING_HALF_LIVES_DAYS.iter().map(|&d| (d, Trending::train(&valid.train, valid.now, d * DAY))).collect();
        let every: Vec<bool> = vec![true; valid.train.n_items()];
        let plain = Blend { days: 100_000, mix: 0.0, active_days: 0, trending_days: TRENDING_HALF_LIFE_DAYS };
        let choices = ease_choices();
        let on_valid: Vec<f64> = choices
            .iter()
            .map(|c| match Ease::train_with(&valid.train, &c.options(valid.now)) {
                Ok(m) => eval::evaluate(&valid, K, target, &mixed(&m, valid_trending.scores(), &every, plain, valid.now)).ndcg,
                Err(_) => f64::NEG_INFINITY,
            })
            .collect();
        let best = |keep: &dyn Fn(&EaseChoice) -> bool| *choices.iter().zip(&on_valid).filter(|(c, _)| keep(c)).max_by(|a, b| a.1.total_cmp(b.1)).expect("a choice").0;
        let lambda = best(&|c| c.half_life_days.is_none()).lambda;
        let chosen = best(&|_| true);
        let model = Ease::train_with(&valid.train, &chosen.options(valid.now)).expect("trained above");
        let actives: Vec<(i64, Vec<bool>)> = ACTIVE_DAYS.iter().map(|&d| (d, active(&valid.train, valid.now, d))).collect();
        let mut grid = Vec::new();
        for days in HALF_LIVES_DAYS {
            for mix in MIX {
                for (active_days, on) in &actives {
                    for (trending_days, trending) in &trendings {
                        let blend = Blend { days, mix, active_days: *active_days, trending_days: *trending_days };
                        grid.push((blend, Box::new(mixed(&model, trending.scores(), on, blend, valid.now)) as Box<dyn Fn(&[Cell], &mut [f32]) + Sync>));
                    }
                }
            }
        }
        let blend = best_on(&valid, target, grid);
        progress(&format!("online retail, {name}: EASE on test"));
        let plain_ease = Ease::train(&test.train, lambda).expect("trained on validation with the same λ");
        let every: Vec<bool> = vec![true; test.train.n_items()];
        lines.push(line(name, "EASE", format!("λ {lambda}"), eval::evaluate(&test, K, target, &mixed(&plain_ease, trending.scores(), &every, plain, test.now))));
        drop(plain_ease);
        let options = chosen.options(test.now);
        let ease = Ease::train_with(&test.train, &options).expect("trained on validation with the same settings");
        let on = active(&test.train, test.now, blend.active_days);
        let blend_trending = Trending::train(&test.train, test.now, blend.trending_days * DAY);
        lines.push(line(name, "EASE + recency + trending", format!("{options}, {blend}"), eval::evaluate(&test, K, target, &mixed(&ease, blend_trending.scores(), &on, blend, test.now))));

        if target == Target::All {
            // Buy-again: the customer's own purchases, then mixed with EASE's.
            let own_days = best_on(&valid, target, HALF_LIVES_DAYS.iter().map(|&d| (d, Box::new(move |h: &[Cell], o: &mut [f32]| own_history(h, valid.now, d * DAY, o)) as Box<dyn Fn(&[Cell], &mut [f32]) + Sync>)).collect());
            lines.push(line(name, "own history", format!("half-life {own_days} d"), eval::evaluate(&test, K, target, &|h, o| own_history(h, test.now, own_days * DAY, o))));
            let valid_ease = model;
            let valid_on = active(&valid.train, valid.now, blend.active_days);
            let valid_trending = Trending::train(&valid.train, valid.now, blend.trending_days * DAY);
            let share = best_on(&valid, target, [0.1f32, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7].iter().map(|&s| (s, Box::new(buy_again(&valid_ease, (valid_trending.scores(), &valid_on), blend, valid.now, own_days, s)) as Box<dyn Fn(&[Cell], &mut [f32]) + Sync>)).collect());
            lines.push(line(name, "own history + EASE + trending", format!("blended EASE share {share}"), eval::evaluate(&test, K, target, &buy_again(&ease, (blend_trending.scores(), &on), blend, test.now, own_days, share))));
        }
    }
    lines
}

/// MovieLens-100k: the Microsoft Recommenders split per item and per user (seed 42), a
/// validation split of the same kind inside the training part for EASE's λ.
pub fn movielens(rows: &[Row], progress: &dyn Fn(&str)) -> Vec<Line> {
    let mut lines = Vec::new();
    for (name, by) in [("per item", Stratify::Item), ("per user", Stratify::User)] {
        progress(&format!("movielens, split {name}"));
        let test = eval::stratified(rows, 0.75, by, 42);
        let train_rows: Vec<Row> = test.train.rows.iter().enumerate().flat_map(|(u, row)| row.iter().map(move |c| (u, *c))).map(|(u, c)| Row { user: test.train.users[u].clone(), item: test.train.items[c.item as usize].clone(), at: c.last, count: c.count }).collect();
        let valid = eval::stratified(&train_rows, 0.75, by, 43);
        let line = |model: &str, settings: String, metrics: Metrics| Line { dataset: "movielens-100k".into(), target: format!("split {name}"), model: model.into(), settings, metrics };
        let popularity = Popularity::train(&test.train);
        lines.push(line("popularity", String::new(), eval::evaluate(&test, K, Target::New, &|h, o| popularity.score(h, &[], o))));
        let knn = ItemKnn::train(&test.train, KNN_NEIGHBOURS, KNN_SHRINK);
        lines.push(line("item-kNN", format!("k {KNN_NEIGHBOURS}, shrink {KNN_SHRINK}"), eval::evaluate(&test, K, Target::New, &|h, o| knn.score(h, &vec![1.0; h.len()], o))));
        let models: Vec<(f64, Ease)> = EASE_LAMBDAS.iter().filter_map(|&l| Ease::train(&valid.train, l).ok().map(|m| (l, m))).collect();
        let lambda = best_on(&valid, Target::New, models.iter().map(|(l, m)| (*l, Box::new(move |h: &[Cell], o: &mut [f32]| m.score(h, &vec![1.0; h.len()], o)) as Box<dyn Fn(&[Cell], &mut [f32]) + Sync>)).collect());
        let ease = Ease::train(&test.train, lambda).expect("as on validation");
        lines.push(line("EASE", format!("λ {lambda}"), eval::evaluate(&test, K, Target::New, &|h, o| ease.score(h, &vec![1.0; h.len()], o))));
        // EDLAE: the dropout and λ chosen together on validation.
        let edlae_options = |(dropout, lambda): (f64, f64)| EaseOptions { dropout, ..EaseOptions::lambda(lambda) };
        let grid: Vec<((f64, f64), Ease)> = DROPOUTS.iter().flat_map(|&p| EASE_LAMBDAS.iter().map(move |&l| (p, l))).filter_map(|s| Ease::train_with(&valid.train, &edlae_options(s)).ok().map(|m| (s, m))).collect();
        let chosen = best_on(&valid, Target::New, grid.iter().map(|(s, m)| (*s, Box::new(move |h: &[Cell], o: &mut [f32]| m.score(h, &vec![1.0; h.len()], o)) as Box<dyn Fn(&[Cell], &mut [f32]) + Sync>)).collect());
        drop(grid);
        let edlae = Ease::train_with(&test.train, &edlae_options(chosen)).expect("as on validation");
        lines.push(line("EDLAE", edlae_options(chosen).to_string(), eval::evaluate(&test, K, Target::New, &|h, o| edlae.score(h, &vec![1.0; h.len()], o))));
        drop(edlae);
        // EASE mixed with the low-pass filter, popular items discounted, a history weighed by
        // its ratings: the ratings' power, the directions, the mix and the discount chosen together by their mean nDCG on three validation splits
        // (one is too noisy to choose among close settings), EASE's λ as above.
        progress(&format!("movielens, split {name}: EASE + low-pass"));
        let mut settings: Vec<LowPassBlend> = Vec::new();
        for rating_power in RATING_POWERS {
            for per_thousand in LOW_PASS_DIRECTIONS_PER_THOUSAND {
                for mix in LOW_PASS_MIX {
                    settings.extend(POPULARITY_DISCOUNTS.iter().map(|&discount| LowPassBlend { rating_power, per_thousand, mix, discount }));
                }
            }
        }
        let mut sums = vec![0.0f64; settings.len()];
        for seed in LOW_PASS_VALIDATION_SEEDS {
            let valid = eval::stratified(&train_rows, 0.75, by, seed);
            let valid_ease = Ease::train(&valid.train, lambda).expect("as above");
            let most = settings.iter().map(|b| b.directions(&valid.train)).max().expect("some");
            let valid_low = LowPass::train(&valid.train, most).expect("eigenvectors of a symmetric matrix");
            let valid_popularity = Popularity::train(&valid.train);
            for (sum, blend) in sums.iter_mut().zip(&settings) {
                let low = valid_low.truncated(blend.directions(&valid.train));
                *sum += eval::evaluate(&valid, K, Target::New, &with_low_pass(&valid_ease, &low, valid_popularity.scores(), *blend)).ndcg;
            }
        }
        let best = sums.iter().enumerate().fold(0, |best, (i, s)| if *s > sums[best] { i } else { best });
        let blend = settings[best];
        let low = LowPass::train(&test.train, blend.directions(&test.train)).expect("eigenvectors of a symmetric matrix");
        lines.push(line("EASE + low-pass", format!("λ {lambda}, {blend} ({} here)", blend.directions(&test.train)), eval::evaluate(&test, K, Target::New, &with_low_pass(&ease, &low, popularity.scores(), blend))));
    }
    lines
}
