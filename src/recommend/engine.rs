//! What the server recommends from: a snapshot trained from shopper events (who viewed, added
//! and bought what), and the blend that turns a request into ranked items with reasons.
//!
//! The snapshot holds EASE (item-to-item, when the items with events are few enough for a
//! dense matrix), trending (a week's half-life) and popularity. Contexts:
//! - `for_you`: the shopper's history (their views, cart adds and purchases, the recent ones
//!   counting more) through EASE, mixed with trending; a shopper with no history gets
//!   trending. Reason: the history item that contributed most ("because you viewed X").
//! - `bought_together`, `complete_the_look`, `cart`: the items EASE puts with the product (or
//!   with each cart item). Reason: "often bought with X".
//! - `similar` is content similarity, from the catalog (not here).
//! - Buy-again: of the history, what the caller says may be offered `again` (re-buyable
//!   purchases) is mixed into `for_you` by the shopper's own counts and recency. Reason:
//!   "buy again".
//!
//! Filtering what may not be shown (out of stock, already bought, the product itself) is the
//! caller's `allowed`. Pure: the same events give the same snapshot and the same lists.

use std::collections::HashMap;

use super::models::{Ease, EaseOptions, Popularity, Trending, decay, own_history};
use super::{Builder, Cell, Interactions};

/// Most items with events for the dense EASE model (a `n × n` f32 matrix: 100 MB at 5,000);
/// above, the snapshot ranks by trending only.
pub const MAX_EASE_ITEMS: usize = 5_000;
/// EASE's L2 weight and the half-life of co-occurrences (chosen on Online Retail's validation
/// split, `aisle eval recs`): what is bought together lately counts most.
pub const EASE_LAMBDA: f64 = 250.0;
const CO_OCCURRENCE_HALF_LIFE: i64 = 45 * 86_400;
/// Trending's half-life, and the history's.
const TRENDING_HALF_LIFE: i64 = 7 * 86_400;
const HISTORY_HALF_LIFE: i64 = 60 * 86_400;
/// Trending's share in `for_you` (as chosen on Online Retail's validation split).
const TRENDING_SHARE: f32 = 0.5;
/// The shopper's own purchases in a buy-again list: their half-life and their share (the rest
/// is the blended list), as chosen on Online Retail's validation split with repeats counted.
const OWN_HALF_LIFE: i64 = 180 * 86_400;
const OWN_SHARE: f32 = 0.4;
/// Most history items a list is scored from (the strongest, after decay).
const MAX_HISTORY: usize = 100;
/// The model's name in responses.
pub const MODEL: &str = "ease+trending/1";

/// How much one event says about a shopper's taste.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    View,
    Cart,
    Purchase,
}

impl Signal {
    fn weight(self) -> f32 {
        match self {
            Signal::View => 0.3,
            Signal::Cart => 0.6,
            Signal::Purchase => 1.0,
        }
    }
}

/// One event for training: a shopper (customer, or session for the anonymous), a product, a
/// time (unix seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub shopper: String,
    pub item: String,
    pub signal: Signal,
    pub at: i64,
}

/// A trained snapshot.
pub struct Snapshot {
    x: Interactions,
    users: HashMap<String, u32>,
    items: HashMap<String, u32>,
    ease: Option<Ease>,
    trending: Trending,
    popularity: Popularity,
    /// When it was trained (unix seconds).
    pub trained_at: i64,
    /// Interactions it was trained on.
    pub interactions: usize,
}

/// Why an item is recommended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Because the shopper viewed, added or bought this product.
    BecauseOf(String),
    /// Often bought with this product.
    BoughtWith(String),
    /// Popular lately.
    Trending,
    /// Popular lately among products of this kind (the caller's).
    PopularIn(String),
    /// The shopper bought it before, and it is the kind of thing bought again.
    BuyAgain,
    /// Of another kind than this product and close to it in meaning (content; the caller's).
    GoesWith(String),
}

/// A request for a list.
pub struct Ask<'a> {
    pub context: Context,
    /// The shopper's history (for `for_you`).
    pub history: &'a [Cell],
    /// The products the list is about (the product, the cart).
    pub anchors: &'a [String],
    /// Unix seconds.
    pub now: i64,
    pub limit: usize,
    /// Which items may be shown.
    pub allowed: &'a dyn Fn(&str) -> bool,
    /// Which of the history's items may be offered again (for `for_you`).
    pub again: &'a dyn Fn(&str) -> bool,
}

/// What a request for recommendations says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    ForYou,
    BoughtTogether,
    CompleteTheLook,
    Cart,
}

impl Context {
    pub fn as_str(self) -> &'static str {
        match self {
            Context::ForYou => "for_you",
            Context::BoughtTogether => "bought_together",
            Context::CompleteTheLook => "complete_the_look",
            Context::Cart => "cart",
        }
    }
}

impl Snapshot {
    /// Trains on `events` as of `now` (unix seconds).
    pub fn train(events: &[Interaction], now: i64) -> Snapshot {
        let mut builder = Builder::default();
        for e in events {
            builder.add(&e.shopper, &e.item, e.signal.weight(), e.at);
        }
        let x = builder.build();
        let items = x.items.iter().enumerate().map(|(i, id)| (id.clone(), i as u32)).collect();
        let users = x.users.iter().enumerate().map(|(u, id)| (id.clone(), u as u32)).collect();
        let ease = (x.n_items() <= MAX_EASE_ITEMS && x.n_items() > 1).then(|| Ease::train_with(&x, &EaseOptions { recency: Some((now, CO_OCCURRENCE_HALF_LIFE)), ..EaseOptions::lambda(EASE_LAMBDA) }).ok()).flatten();
        let trending = Trending::train(&x, now, TRENDING_HALF_LIFE);
        let popularity = Popularity::train(&x);
        Snapshot { x, users, items, ease, trending, popularity, trained_at: now, interactions: events.len() }
    }

    /// An empty snapshot: recommends nothing until trained.
    pub fn empty() -> Snapshot {
        Snapshot::train(&[], 0)
    }

    /// The stored history of `shopper` (customer or session key), if any.
    pub fn history(&self, shopper: &str) -> Vec<Cell> {
        self.users.get(shopper).map(|&u| self.x.rows[u as usize].clone()).unwrap_or_default()
    }

    /// A shopper's history for a list: the stored histories of `shoppers` (their customer and
    /// session keys) and the products `here` (a cart, the one in view) as of `now`, one cell
    /// per item.
    pub fn history_of(&self, shoppers: &[String], here: &[String], now: i64) -> Vec<Cell> {
        let mut history: Vec<Cell> = shoppers.iter().flat_map(|s| self.history(s)).collect();
        history.extend(self.cells(here, now));
        history.sort_by_key(|c| c.item);
        history.dedup_by_key(|c| c.item);
        history
    }

    /// History cells for products by id (the current session's views, the cart), at `now`.
    pub fn cells(&self, products: &[String], now: i64) -> Vec<Cell> {
        let mut cells: Vec<Cell> = products.iter().filter_map(|p| self.items.get(p)).map(|&item| Cell { item, count: Signal::Cart.weight(), last: now }).collect();
        cells.sort_by_key(|c| c.item);
        cells.dedup_by_key(|c| c.item);
        cells
    }

    /// Up to `ask.limit` items for `ask.context`, best first, each with its reason.
    pub fn recommend(&self, ask: &Ask<'_>) -> Vec<(String, Reason)> {
        let (context, history, now, limit) = (ask.context, ask.history, ask.now, ask.limit);
        let n = self.x.n_items();
        if n == 0 || limit == 0 {
            return Vec::new();
        }
        let mut scores = vec![0.0f32; n];
        let mut because: Vec<Option<u32>> = vec![None; n];
        let anchored: Vec<Cell> = self.cells(ask.anchors, now);
        let (cells, reason_of): (&[Cell], fn(String) -> Reason) = match context {
            Context::ForYou => (history, Reason::BecauseOf),
            _ => (&anchored, Reason::BoughtWith),
        };
        if let Some(ease) = &self.ease {
            // Each cell's contribution, kept per item to name the strongest as the reason.
            let mut best = vec![0.0f32; n];
            // The strongest cells only: a long history costs a row of the model each.
            let mut weighted: Vec<(f32, u32)> = cells.iter().map(|c| (c.count * decay(now - c.last, HISTORY_HALF_LIFE), c.item)).collect();
            if weighted.len() > MAX_HISTORY {
                weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                weighted.truncate(MAX_HISTORY);
            }
            for (w, item) in weighted {
                for (j, &b) in ease.row(item).iter().enumerate() {
                    let c = w * b;
                    scores[j] += c;
                    if c > best[j] {
                        best[j] = c;
                        because[j] = Some(item);
                    }
                }
            }
        }
        let top = scores.iter().copied().fold(0.0f32, f32::max);
        let has_signal = top > 0.0;
        if context == Context::ForYou || !has_signal {
            // Trending joins a personal list, and stands in for a history the model knows
            // nothing of.
            let trend = self.trending.scores();
            let trend_top = trend.iter().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
            let share = if has_signal { TRENDING_SHARE } else { 1.0 };
            let pop_top = self.popularity.scores().iter().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
            for j in 0..n {
                let personal = if has_signal { scores[j].max(0.0) / top } else { 0.0 };
                // Popularity only breaks trending's ties.
                scores[j] = (1.0 - share) * personal + share * trend[j] / trend_top + 1e-3 * self.popularity.scores()[j] / pop_top;
            }
        }
        if context != Context::ForYou && has_signal {
            // Only what goes with the anchors: no filler of merely popular items.
            for (s, b) in scores.iter_mut().zip(&because) {
                if b.is_none() {
                    *s = f32::NEG_INFINITY;
                }
            }
        }
        // What they have is not offered again, unless it may be bought again.
        let again: Vec<Cell> = if context == Context::ForYou { cells.iter().filter(|c| (ask.again)(&self.x.items[c.item as usize])).copied().collect() } else { Vec::new() };
        let mut own = vec![0.0f32; if again.is_empty() { 0 } else { n }];
        if !again.is_empty() {
            own_history(&again, now, OWN_HALF_LIFE, &mut own);
            let own_top = own.iter().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
            let top = scores.iter().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
            for (s, o) in scores.iter_mut().zip(&own) {
                *s = (1.0 - OWN_SHARE) * s.max(0.0) / top + OWN_SHARE * o / own_top;
            }
        }
        let mut exclude: Vec<u32> = cells.iter().map(|c| c.item).filter(|i| !again.iter().any(|a| a.item == *i)).collect();
        exclude.sort_unstable();
        exclude.dedup();
        // The best first, asking `allowed` only of those (it may read the catalog): a wider
        // cut each time too many of them are not allowed.
        let mut wide = limit * 2;
        let picked: Vec<u32> = loop {
            let ranked = super::top_k(&scores, wide, &exclude);
            let picked: Vec<u32> = ranked.iter().copied().filter(|&j| scores[j as usize] > 0.0 && (ask.allowed)(&self.x.items[j as usize])).take(limit).collect();
            if picked.len() >= limit || ranked.len() < wide {
                break picked;
            }
            wide *= 4;
        };
        picked
            .into_iter()
            .map(|j| {
                let reason = match because[j as usize] {
                    _ if own.get(j as usize).is_some_and(|&o| o > 0.0) => Reason::BuyAgain,
                    Some(from) if has_signal => reason_of(self.x.items[from as usize].clone()),
                    _ => Reason::Trending,
                };
                (self.x.items[j as usize].clone(), reason)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(shopper: &str, item: &str, at: i64) -> Interaction {
        Interaction { shopper: shopper.into(), item: item.into(), signal: Signal::Purchase, at }
    }

    fn list(s: &Snapshot, context: Context, history: &[Cell], anchors: &[String], limit: usize, allowed: &dyn Fn(&str) -> bool) -> Vec<(String, Reason)> {
        s.recommend(&Ask { context, history, anchors, now: 1_000, limit, allowed, again: &|_| false })
    }

    /// Tents go with sleeping bags; mugs with coffee; "lamp" is bought by many others lately.
    fn snapshot() -> Snapshot {
        let mut events = Vec::new();
        for u in 0..6 {
            events.push(event(&format!("c{u}"), "tent", 100));
            events.push(event(&format!("c{u}"), "sleeping-bag", 100));
        }
        for u in 6..10 {
            events.push(event(&format!("c{u}"), "mug", 100));
            events.push(event(&format!("c{u}"), "coffee", 100));
        }
        for u in 0..10 {
            events.push(event(&format!("d{u}"), "lamp", 1_000));
        }
        Snapshot::train(&events, 1_000)
    }

    #[test]
    fn bought_together_names_the_anchor_and_adds_no_filler() {
        let s = snapshot();
        let picks = list(&s, Context::BoughtTogether, &[], &["tent".into()], 5, &|_| true);
        assert_eq!(picks[0], ("sleeping-bag".into(), Reason::BoughtWith("tent".into())), "{picks:?}");
        assert!(picks.iter().all(|(id, _)| id != "tent" && id != "mug" && id != "coffee"), "{picks:?}");
    }

    #[test]
    fn for_you_follows_the_history_and_a_stranger_gets_trending() {
        let s = snapshot();
        let history = s.cells(&["mug".into()], 1_000);
        let picks = list(&s, Context::ForYou, &history, &[], 3, &|_| true);
        assert_eq!(picks[0], ("coffee".into(), Reason::BecauseOf("mug".into())), "{picks:?}");
        assert!(!picks.iter().any(|(id, _)| id == "mug"), "what they have is not offered again");
        let stranger = list(&s, Context::ForYou, &[], &[], 2, &|_| true);
        assert_eq!(stranger[0], ("lamp".into(), Reason::Trending));
    }

    #[test]
    fn training_twice_on_the_same_events_gives_the_same_lists() {
        let mut events = Vec::new();
        // (Trained in parallel: the same lists every time.)
        for u in 0..40 {
            for k in 0..4 {
                events.push(event(&format!("c{u}"), &format!("item{}", (u * 7 + k * 3) % 23), 100 + (u * 13 + k) as i64));
            }
        }
        let a = Snapshot::train(&events, 1_000);
        let b = Snapshot::train(&events, 1_000);
        for anchor in ["item0", "item5", "item11"] {
            let anchors = [anchor.to_string()];
            assert_eq!(list(&a, Context::BoughtTogether, &[], &anchors, 5, &|_| true), list(&b, Context::BoughtTogether, &[], &anchors, 5, &|_| true));
            let (ha, hb) = (a.cells(&anchors, 1_000), b.cells(&anchors, 1_000));
            assert_eq!(list(&a, Context::ForYou, &ha, &[], 5, &|_| true), list(&b, Context::ForYou, &hb, &[], 5, &|_| true));
        }
    }

    #[test]
    fn what_is_not_allowed_is_never_shown() {
        let s = snapshot();
        let picks = list(&s, Context::BoughtTogether, &[], &["tent".into()], 5, &|id| id != "sleeping-bag");
        assert!(picks.iter().all(|(id, _)| id != "sleeping-bag"), "{picks:?}");
        assert!(list(&Snapshot::empty(), Context::ForYou, &[], &[], 5, &|_| true).is_empty());
    }

    #[test]
    fn what_may_be_bought_again_comes_back_with_its_reason() {
        let s = snapshot();
        let history = s.cells(&["mug".into(), "coffee".into()], 1_000);
        let picks = s.recommend(&Ask { context: Context::ForYou, history: &history, anchors: &[], now: 1_000, limit: 3, allowed: &|_| true, again: &|id| id == "coffee" });
        assert!(picks.contains(&("coffee".into(), Reason::BuyAgain)), "{picks:?}");
        assert!(!picks.iter().any(|(id, _)| id == "mug"), "a mug is not bought again: {picks:?}");
    }
}
