//! A shopper's profile, read from their events (a customer's, or an anonymous session's):
//! what they viewed lately and bought, the searches they made, how much they lean to brands,
//! kinds of product and a price band (each event counting less as it ages), and the sizes and
//! colours of what they bought. Pure: the same events and catalog give the same profile.
//!
//! It answers "what do you know about me?", keeps what was bought out of recommendations
//! (unless its kind is re-buyable), and re-ranks searches gently ([`Profile::affinity`]).

use std::collections::HashMap;

use crate::catalog::Product;
use crate::events::Kind;
use crate::events::store::Stored;

use super::models::decay;

/// An interest's half-life: a view or purchase counts half as much after this many seconds.
const HALF_LIFE: i64 = 60 * 86_400;
/// How many recently viewed products, searches, brands and kinds a profile keeps.
const KEEP: usize = 8;
/// Least affinity (relative to the strongest) a brand or kind needs to be kept.
const LEAST: f32 = 0.1;
/// The price band: the share of weighted interest below its low and above its high end.
const BAND_TAIL: f64 = 0.2;

/// What one event says about a shopper's taste.
fn weight(kind: Kind) -> Option<f32> {
    match kind {
        Kind::ViewProduct | Kind::Click => Some(0.3),
        Kind::AddToCart => Some(0.6),
        Kind::Purchase => Some(1.0),
        _ => None,
    }
}

/// A brand or kind of product and how much the shopper leans to it (the strongest is 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Leaning {
    pub name: String,
    pub weight: f32,
    /// Whether a purchase is among its reasons.
    pub bought: bool,
}

/// What the events say about a shopper.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Products viewed, clicked or added lately, newest first.
    pub viewed: Vec<String>,
    /// Products bought, newest first.
    pub bought: Vec<String>,
    /// Their searches, newest first.
    pub searches: Vec<String>,
    pub brands: Vec<Leaning>,
    /// Kinds of product by category path (`"Footwear > Men > Boots"`).
    pub kinds: Vec<Leaning>,
    /// The prices they look at and buy (a weighted 20th to 80th percentile).
    pub price_band: Option<(f64, f64)>,
    /// Sizes and colours of what they bought, the most frequent first.
    pub sizes: Vec<String>,
    pub colours: Vec<String>,
}

impl Profile {
    /// The profile of `events` (newest first or in any order) as of `now_ms`; `product` looks
    /// a product up in the catalog (events of products it no longer has are skipped).
    pub fn build(events: &[Stored], product: &dyn Fn(&str) -> Option<Product>, now_ms: i64) -> Profile {
        let mut events: Vec<&Stored> = events.iter().collect();
        events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
        let mut profile = Profile::default();
        let mut brands: HashMap<String, (f32, bool)> = HashMap::new();
        let mut kinds: HashMap<String, (f32, bool)> = HashMap::new();
        let mut prices: Vec<(f64, f32)> = Vec::new();
        let mut sizes: Vec<(String, usize)> = Vec::new();
        let mut colours: Vec<(String, usize)> = Vec::new();
        let mut looked_up: HashMap<String, Option<Product>> = HashMap::new();
        for event in events {
            if event.kind == Kind::Search {
                if let Some(q) = event.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                    push_once(&mut profile.searches, q.to_string());
                }
                continue;
            }
            let (Some(w), Some(id)) = (weight(event.kind), event.product_id.as_deref()) else { continue };
            let Some(p) = looked_up.entry(id.to_string()).or_insert_with(|| product(id)).clone() else { continue };
            let w = w * decay((now_ms - event.at) / 1000, HALF_LIFE);
            let bought = event.kind == Kind::Purchase;
            if bought {
                push_once(&mut profile.bought, p.id.clone());
                if let Some(size) = p.size.as_deref().filter(|s| !s.is_empty()) {
                    count(&mut sizes, size);
                }
                if let Some(colour) = p.color.as_deref().filter(|s| !s.is_empty()) {
                    count(&mut colours, colour);
                }
            } else {
                push_once(&mut profile.viewed, p.id.clone());
            }
            if let Some(brand) = p.brand.as_deref().filter(|b| !b.is_empty()) {
                let e = brands.entry(brand.to_string()).or_default();
                e.0 += w;
                e.1 |= bought;
            }
            let path = p.category_path();
            if !path.is_empty() {
                let e = kinds.entry(path.join(" > ")).or_default();
                e.0 += w;
                e.1 |= bought;
            }
            prices.push((p.effective_price().amount, w));
        }
        profile.viewed.truncate(KEEP);
        profile.searches.truncate(KEEP);
        profile.brands = leanings(brands);
        profile.kinds = leanings(kinds);
        profile.price_band = band(&mut prices);
        profile.sizes = by_count(sizes);
        profile.colours = by_count(colours);
        profile
    }

    pub fn is_empty(&self) -> bool {
        *self == Profile::default()
    }

    /// How well `p` fits the shopper's leanings, 0 to 1: its brand (up to 0.45), its kind (up to
    /// 0.35; a sibling kind half as much) and its price inside their band (0.2).
    pub fn affinity(&self, p: &Product) -> f32 {
        let brand = p.brand.as_deref().and_then(|b| self.brands.iter().find(|l| l.name.eq_ignore_ascii_case(b))).map_or(0.0, |l| l.weight);
        let path = p.category_path();
        let kind = self
            .kinds
            .iter()
            .map(|l| {
                let theirs: Vec<&str> = l.name.split(" > ").collect();
                if theirs == path {
                    l.weight
                } else if theirs.len() > 1 && path.len() == theirs.len() && path[..path.len() - 1] == theirs[..theirs.len() - 1] {
                    l.weight / 2.0
                } else {
                    0.0
                }
            })
            .fold(0.0f32, f32::max);
        let price = match self.price_band {
            Some((low, high)) => {
                let x = p.effective_price().amount;
                if x < low { (x / low) as f32 } else if x > high { (high / x) as f32 } else { 1.0 }
            }
            None => 0.0,
        };
        0.45 * brand + 0.35 * kind + 0.2 * price.clamp(0.0, 1.0)
    }

    /// Whether what leans the profile comes from purchases ("based on your past orders").
    pub fn from_orders(&self) -> bool {
        self.brands.first().is_some_and(|l| l.bought) || self.kinds.first().is_some_and(|l| l.bought)
    }
}

/// The categories whose products a shopper may be offered again after buying them
/// (consumables: coffee, printer ink): names or paths, matched case-insensitively against a
/// product's category path from its start or at any of its levels.
#[derive(Debug, Clone, Default)]
pub struct Rebuyable {
    categories: Vec<Vec<String>>,
}

impl Rebuyable {
    pub fn new(categories: &[String]) -> Rebuyable {
        let categories = categories
            .iter()
            .map(|c| crate::catalog::product::split_category_path(c).into_iter().map(str::to_lowercase).collect::<Vec<_>>())
            .filter(|c| !c.is_empty())
            .collect();
        Rebuyable { categories }
    }

    /// Whether no category is re-buyable.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    /// Whether `p` may be offered again to someone who bought it.
    pub fn allows(&self, p: &Product) -> bool {
        let path: Vec<String> = p.category_path().into_iter().map(str::to_lowercase).collect();
        self.categories.iter().any(|c| path.windows(c.len()).any(|w| w == c.as_slice()))
    }
}

fn push_once(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn count(counts: &mut Vec<(String, usize)>, value: &str) {
    match counts.iter_mut().find(|(v, _)| v.eq_ignore_ascii_case(value)) {
        Some((_, n)) => *n += 1,
        None => counts.push((value.to_string(), 1)),
    }
}

/// Most frequent first; ties in the order first seen (the newest).
fn by_count(mut counts: Vec<(String, usize)>) -> Vec<String> {
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.into_iter().map(|(v, _)| v).take(KEEP).collect()
}

/// Interests normalized to the strongest, the weak left out, strongest first (ties by name).
fn leanings(weights: HashMap<String, (f32, bool)>) -> Vec<Leaning> {
    let top = weights.values().map(|w| w.0).fold(0.0f32, f32::max);
    if top <= 0.0 {
        return Vec::new();
    }
    let mut out: Vec<Leaning> = weights.into_iter().map(|(name, (w, bought))| Leaning { name, weight: w / top, bought }).filter(|l| l.weight >= LEAST).collect();
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.name.cmp(&b.name)));
    out.truncate(KEEP);
    out
}

/// The weighted 20th and 80th percentiles of `prices` (price, weight).
fn band(prices: &mut [(f64, f32)]) -> Option<(f64, f64)> {
    let total: f64 = prices.iter().map(|(_, w)| f64::from(*w)).sum();
    if prices.is_empty() || total <= 0.0 {
        return None;
    }
    prices.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = |q: f64| {
        let mut seen = 0.0;
        for &(price, w) in prices.iter() {
            seen += f64::from(w);
            if seen >= q * total {
                return price;
            }
        }
        prices[prices.len() - 1].0
    };
    Some((at(BAND_TAIL), at(1.0 - BAND_TAIL)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::product::Money;

    fn product(id: &str, brand: &str, path: &str, price: f64) -> Product {
        let mut p = Product::new(id, id, Money::new(price, "USD"));
        p.brand = Some(brand.into());
        p.product_type = Some(path.into());
        p
    }

    fn catalog(id: &str) -> Option<Product> {
        let mut p = match id {
            "boot1" => product(id, "Trekk", "Footwear > Men > Boots", 100.0),
            "boot2" => product(id, "Trekk", "Footwear > Men > Boots", 120.0),
            "sneaker" => product(id, "Zoom", "Footwear > Men > Sneakers", 80.0),
            "mug" => product(id, "Cuppa", "Home > Kitchen > Mugs", 10.0),
            _ => return None,
        };
        if id == "boot1" {
            p.size = Some("10".into());
            p.color = Some("Black".into());
        }
        Some(p)
    }

    fn event(i: usize, kind: Kind, product: Option<&str>, query: Option<&str>, days_ago: i64) -> Stored {
        Stored {
            id: format!("e{i}"),
            kind,
            session_id: None,
            customer_id: Some("c1".into()),
            product_id: product.map(str::to_string),
            list: None,
            query: query.map(str::to_string),
            quantity: None,
            source: "web".into(),
            at: NOW - days_ago * 86_400_000,
        }
    }

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_profile_reads_views_purchases_and_searches() {
        let events = vec![
            event(1, Kind::Purchase, Some("boot1"), None, 30),
            event(2, Kind::ViewProduct, Some("boot2"), None, 1),
            event(3, Kind::ViewProduct, Some("mug"), None, 200),
            event(4, Kind::Search, None, Some("hiking boots"), 1),
            event(5, Kind::ViewProduct, Some("gone"), None, 1),
        ];
        let p = Profile::build(&events, &catalog, NOW);
        assert_eq!(p.bought, vec!["boot1"]);
        assert_eq!(p.viewed, vec!["boot2", "mug"], "newest first; a product the catalog lost is skipped");
        assert_eq!(p.searches, vec!["hiking boots"]);
        assert_eq!(p.brands[0].name, "Trekk");
        assert!(p.brands[0].bought && p.from_orders());
        assert_eq!(p.kinds[0].name, "Footwear > Men > Boots");
        assert!(p.kinds.iter().all(|k| k.name != "Home > Kitchen > Mugs"), "an old view of a mug has decayed below the least kept: {:?}", p.kinds);
        assert_eq!((p.sizes.clone(), p.colours.clone()), (vec!["10".to_string()], vec!["Black".to_string()]));
        let (low, high) = p.price_band.unwrap();
        assert!(low >= 10.0 && high <= 120.0 && low <= high, "{low}..{high}");
        assert!(Profile::build(&[], &catalog, NOW).is_empty());
    }

    #[test]
    fn affinity_prefers_their_brand_then_their_kind() {
        let events = vec![event(1, Kind::Purchase, Some("boot1"), None, 1)];
        let p = Profile::build(&events, &catalog, NOW);
        let (same, sibling, other) = (p.affinity(&catalog("boot2").unwrap()), p.affinity(&catalog("sneaker").unwrap()), p.affinity(&catalog("mug").unwrap()));
        assert!(same > sibling && sibling > other, "{same} {sibling} {other}");
        assert!((0.0..=1.0).contains(&same));
    }

    #[test]
    fn rebuyable_matches_a_category_at_any_level() {
        let r = Rebuyable::new(&["Kitchen > Mugs".into(), "coffee".into()]);
        assert!(r.allows(&catalog("mug").unwrap()));
        assert!(!r.allows(&catalog("boot1").unwrap()));
        assert!(!Rebuyable::default().allows(&catalog("mug").unwrap()));
    }
}
