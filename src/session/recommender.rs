//! The recommendation snapshot of a running server: trained from the stored events (on a
//! blocking thread), swapped in whole, refreshed every [`REFRESH`]; turns and
//! `/v1/recommendations` read whichever is current and never wait for training.
//!
//! The shop's popular searches (those that led to a product) are read with each refresh, for
//! `/v1/suggest`.
//!
//! Also the one place a list is made for a shopper ([`Recommender::list`]), for the chat and
//! the HTTP API alike: their profile (read from their stored events when they consented),
//! what is in front of them (cart, the product in view), and the shop's rules — nothing out of
//! stock, nothing they bought unless its kind is re-buyable (then offered again: buy-again).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::catalog::{Catalog, Filters, PopularQueries, Product};
use crate::events::Kind;
use crate::events::store::{EventStore, EventStoreError, session_shopper};
use crate::recommend::engine::{Ask, Context, Interaction, Reason, Signal, Snapshot};
use crate::recommend::profile::{Profile, Rebuyable};

/// How often the events are checked for changes, and the snapshot retrained when they changed.
pub const REFRESH: Duration = Duration::from_secs(60);
/// How often the snapshot is retrained even when no event changed (trending ages).
const RETRAIN_ANYWAY: Duration = Duration::from_secs(3600);
/// How far back events are read for training.
const HISTORY_DAYS: i64 = 365;
/// Most events read of a customer, and of a session, for a profile.
const PROFILE_EVENTS: u32 = 200;
/// Popular searches: how far back, how soon after the search a product must be looked at or
/// added for it to count, how many sessions must have made it, and how many are kept.
const QUERY_DAYS: i64 = 90;
const QUERY_LED_WITHIN_MS: i64 = 30 * 60 * 1000;
pub const QUERY_MIN_SESSIONS: u32 = 3;
const QUERY_KEEP: u32 = 5_000;

/// Who a list is for.
#[derive(Debug, Clone, Default)]
pub struct Shopper<'a> {
    /// The session asking, if any.
    pub session_id: Option<&'a str>,
    /// Their customer id: an identified session's, or one the shop's backend names.
    pub customer_id: Option<&'a str>,
    /// Whether their stored events may be used (the session's consent, or the backend asking).
    pub remembered: bool,
    /// What is in front of them: the cart's products, the one in view.
    pub here: Vec<String>,
}

/// The current snapshot and how to make the next.
pub struct Recommender {
    events: EventStore,
    /// The snapshot, and the number of the refresh that made it.
    snapshot: RwLock<(u64, Arc<Snapshot>)>,
    refreshes: AtomicU64,
    rebuyable: Rebuyable,
    /// The shop's popular searches, refreshed with the snapshot.
    queries: RwLock<Arc<PopularQueries>>,
    /// The events' version the last refresh read, and when it ran.
    last: std::sync::Mutex<Option<((i64, i64), std::time::Instant)>>,
}

impl Recommender {
    pub fn new(events: EventStore, rebuyable: Rebuyable) -> Recommender {
        Recommender { events, snapshot: RwLock::new((0, Arc::new(Snapshot::empty()))), refreshes: AtomicU64::new(0), rebuyable, queries: RwLock::default(), last: std::sync::Mutex::new(None) }
    }

    /// The shop's popular searches as of the last refresh.
    pub fn queries(&self) -> Arc<PopularQueries> {
        Arc::clone(&self.queries.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The profile of `shopper` from their stored events (empty without consent).
    pub async fn profile(&self, catalog: &Catalog, shopper: &Shopper<'_>) -> Result<Profile, EventStoreError> {
        if !shopper.remembered {
            return Ok(Profile::default());
        }
        let mut events = Vec::new();
        if let Some(customer) = shopper.customer_id {
            events.extend(self.events.of_customer(customer, PROFILE_EVENTS).await?);
        }
        if let Some(session) = shopper.session_id {
            events.extend(self.events.of_session(session, PROFILE_EVENTS).await?);
        }
        events.sort_by(|a, b| a.id.cmp(&b.id));
        events.dedup_by(|a, b| a.id == b.id);
        Ok(Profile::build(&events, &|id| catalog.product(id).ok().flatten(), jiff::Timestamp::now().as_millisecond()))
    }

    /// Up to `limit` products for `context` and `shopper` (with their `profile`), about
    /// `anchors` (the product, the cart), best first, each with its reason.
    pub fn list(&self, catalog: &Catalog, shopper: &Shopper<'_>, profile: &Profile, context: Context, anchors: &[String], limit: usize) -> Vec<(Product, Reason)> {
        let snapshot = self.snapshot();
        let now = snapshot.trained_at.max(jiff::Timestamp::now().as_second());
        let keys: Vec<String> = if shopper.remembered { shopper.customer_id.map(str::to_string).into_iter().chain(shopper.session_id.map(session_shopper)).collect() } else { Vec::new() };
        let history = snapshot.history_of(&keys, &shopper.here, now);
        let product = |id: &str| catalog.product(id).ok().flatten();
        // "Complete the look" is other kinds of product than the one in view.
        let own_kinds: Vec<Vec<String>> = if context == Context::CompleteTheLook {
            anchors.iter().filter_map(|a| product(a)).map(|p| p.category_path().into_iter().map(str::to_string).collect()).collect()
        } else {
            Vec::new()
        };
        let bought: HashSet<&str> = profile.bought.iter().map(String::as_str).collect();
        let allowed = |id: &str| {
            if anchors.iter().chain(&shopper.here).any(|a| a == id) {
                return false;
            }
            product(id).is_some_and(|p| p.in_stock() && (!bought.contains(id) || self.rebuyable.allows(&p)) && !own_kinds.iter().any(|k| p.category_path() == *k))
        };
        // (Asked of every history item: the catalog only for what was bought.)
        let again = |id: &str| !self.rebuyable.is_empty() && bought.contains(id) && product(id).is_some_and(|p| self.rebuyable.allows(&p));
        let ask = Ask { context, history: &history, anchors, now, limit, allowed: &allowed, again: &again };
        let picks: Vec<(Product, Reason)> = snapshot.recommend(&ask).into_iter().filter_map(|(id, reason)| Some((product(&id)?, reason))).collect();
        if context == Context::ForYou {
            if picks.iter().any(|(_, r)| matches!(r, Reason::BecauseOf(_) | Reason::BuyAgain)) {
                return picks;
            }
            // Nothing personal to go on: what is popular in the kinds of product in front of
            // them (or that they lean to) first.
            let kinds: Vec<Vec<String>> = shopper
                .here
                .iter()
                .filter_map(|id| product(id))
                .map(|p| p.category_path().into_iter().map(str::to_string).collect())
                .chain(profile.kinds.iter().take(2).map(|k| k.name.split(" > ").map(str::to_string).collect()))
                .collect();
            let in_kinds = |id: &str| allowed(id) && product(id).is_some_and(|p| near_kinds(&kinds, &p.category_path()));
            let mut listed: Vec<(Product, Reason)> = Vec::new();
            if !kinds.is_empty() {
                for p in snapshot.recommend(&Ask { allowed: &in_kinds, ..ask }).into_iter().filter_map(|(id, _)| product(&id)) {
                    let kind = p.category_path().last().map(|k| k.to_string()).unwrap_or_default();
                    listed.push((p, Reason::PopularIn(kind)));
                }
            }
            let first: HashSet<String> = listed.iter().map(|(p, _)| p.id.clone()).collect();
            listed.extend(picks.into_iter().filter(|(p, _)| !first.contains(&p.id)));
            listed.truncate(limit);
            return listed;
        }
        // Add-ons to a cart are what is bought with it, or nothing.
        if context == Context::Cart || picks.iter().any(|(_, r)| matches!(r, Reason::BoughtWith(_))) {
            return picks;
        }
        // Nothing is known to be bought with it (a new product): products of other kinds
        // close to it in meaning, else what is popular.
        let Some(anchor) = anchors.first().and_then(|a| product(a)) else { return picks };
        let own = anchor.category_path();
        let related: Vec<(Product, Reason)> = catalog
            .similar(&anchor.id, limit * 3, &Filters { in_stock: Some(true), ..Filters::default() })
            .unwrap_or_default()
            .into_iter()
            .filter(|h| h.product.category_path() != own && allowed(&h.product.id))
            .take(limit)
            .map(|h| (h.product, Reason::GoesWith(anchor.id.clone())))
            .collect();
        if related.is_empty() { picks } else { related }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(|e| e.into_inner()).1)
    }

    /// Trains a new snapshot from the stored events (on a blocking thread) and swaps it in,
    /// unless a refresh that started later has already swapped in its own.
    pub async fn refresh(&self) -> Result<(), EventStoreError> {
        let number = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        let version = self.events.version().await?;
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((version, std::time::Instant::now()));
        let now = jiff::Timestamp::now().as_second();
        let rows = self.events.interactions((now - HISTORY_DAYS * 86_400) * 1000).await?;
        let interactions: Vec<Interaction> = rows
            .into_iter()
            .map(|(shopper, item, kind, at)| {
                let signal = match kind {
                    Kind::Purchase => Signal::Purchase,
                    Kind::AddToCart => Signal::Cart,
                    _ => Signal::View,
                };
                Interaction { shopper, item, signal, at: at / 1000 }
            })
            .collect();
        let started = std::time::Instant::now();
        let snapshot = tokio::task::spawn_blocking(move || Snapshot::train(&interactions, now)).await.map_err(|e| EventStoreError::Database(sqlx::Error::Protocol(format!("training stopped: {e}"))))?;
        tracing::info!(interactions = snapshot.interactions, ms = started.elapsed().as_millis() as u64, "recommendations trained");
        let queries = self.events.popular_queries((now - QUERY_DAYS * 86_400) * 1000, QUERY_LED_WITHIN_MS, QUERY_MIN_SESSIONS, QUERY_KEEP).await?;
        let queries = Arc::new(PopularQueries::new(queries));
        let mut current = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        if current.0 < number {
            *current = (number, Arc::new(snapshot));
            *self.queries.write().unwrap_or_else(|e| e.into_inner()) = queries;
        }
        Ok(())
    }

    /// Refreshes when events were added or deleted since the last refresh, or it is older
    /// than [`RETRAIN_ANYWAY`]; whether it did.
    pub async fn refresh_if_changed(&self) -> Result<bool, EventStoreError> {
        let version = self.events.version().await?;
        let last = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|(seen, at)| seen == version && at.elapsed() < RETRAIN_ANYWAY) {
            return Ok(false);
        }
        self.refresh().await?;
        Ok(true)
    }

    /// Refreshes every [`REFRESH`] (when something changed) until `stop` is cancelled.
    pub async fn keep_fresh(self: Arc<Self>, stop: tokio_util::sync::CancellationToken) {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(REFRESH) => {}
            }
            if let Err(error) = self.refresh_if_changed().await {
                tracing::warn!(%error, "recommendations not refreshed");
            }
        }
    }
}

/// Whether a category `path` is near one of `kinds`: the same department, down to the level
/// above the shorter path's kind ("Footwear > Women > Ballerinas" is near "Footwear > Women >
/// Heels", not "Footwear > Men > Boots").
fn near_kinds(kinds: &[Vec<String>], path: &[&str]) -> bool {
    kinds.iter().filter(|k| !k.is_empty()).any(|k| {
        let common = k.iter().zip(path).take_while(|(a, b)| a.as_str() == **b).count();
        common >= k.len().min(path.len()).saturating_sub(1).max(1)
    })
}

#[cfg(test)]
mod tests {
    use super::near_kinds;

    #[test]
    fn kinds_are_near_within_their_department() {
        let kinds = vec![vec!["Footwear".to_string(), "Women".into(), "Ballerinas".into()]];
        assert!(near_kinds(&kinds, &["Footwear", "Women", "Heels"]));
        assert!(near_kinds(&kinds, &["Footwear", "Women", "Ballerinas"]));
        assert!(!near_kinds(&kinds, &["Footwear", "Men", "Boots"]));
        assert!(!near_kinds(&kinds, &["Home", "Kitchen"]));
        assert!(near_kinds(&[vec!["Toys".to_string()]], &["Toys", "Puzzles"]), "a one-level kind is its department");
    }
}
