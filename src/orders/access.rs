//! The one gate to order data: who is asking ([`Viewer`]), what they may see, and guest
//! verification by order number plus the email on the order.
//!
//! - An order is visible to the customer of a valid identity token, and to a conversation in
//!   which the order's email was given for it. Everything else — another customer's order, an
//!   unverified one, one that does not exist — comes back as `None`, the same answer.
//! - Only an order's owner and email are read before a check passes, and verification compares
//!   SHA-256 digests of the normalized emails in constant time (a missing order against a dummy
//!   digest): another's order, a wrong email and a missing order take the same work.
//! - Five failed verifications of an order, or in a conversation, within 15 minutes lock it for
//!   15 minutes. The lock is kept per order number whether or not the order exists, so it
//!   says nothing about existence either. Failures are stored, so a restart does not reset them.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::identity::{Claims, TokenError, TokenKey};
use super::store::{OrderStore, StoreError};
use super::{Order, Seconds, normalize_email, normalize_order_id};

/// Failed verifications that lock…
pub const MAX_FAILURES: usize = 5;
/// …within this many seconds…
pub const FAILURE_WINDOW: Seconds = 15 * 60;
/// …for this long.
pub const LOCK_SECONDS: Seconds = 15 * 60;

/// Settings key of the generated token secret.
const SECRET_SETTING: &str = "token_secret";

/// Who asks about orders in a conversation.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// The customer of a valid, unexpired identity token.
    pub customer_id: Option<String>,
    /// Orders verified by email in this conversation.
    pub verified: Vec<String>,
}

/// The outcome of a guest verification.
#[derive(Debug, Clone, PartialEq)]
pub enum Verification {
    Verified(Box<Order>),
    /// Wrong email or no such order (the caller cannot tell which); `locked_until` when this
    /// failure locked the order or the conversation.
    Failed { locked_until: Option<Seconds> },
    /// Too many failures: no check was made.
    Locked { until: Seconds },
}

/// Order data behind the access rules.
#[derive(Debug, Clone)]
pub struct Orders {
    store: OrderStore,
    key: TokenKey,
}

impl Orders {
    /// The orders of `store`'s database, signing with `secret` — or, when none is configured,
    /// with the secret kept in the database (generated on first use).
    pub async fn open(store: OrderStore, secret: Option<&str>) -> Result<Orders, StoreError> {
        let secret = match secret {
            Some(secret) => secret.to_string(),
            None => store.setting_or_init(SECRET_SETTING, &TokenKey::random_secret()).await?,
        };
        let key = TokenKey::new(secret.as_bytes()).ok_or_else(|| StoreError::Corrupt {
            order: String::new(),
            message: format!("the token secret is shorter than {} bytes", super::identity::MIN_SECRET_BYTES),
        })?;
        Ok(Orders { store, key })
    }

    pub fn store(&self) -> &OrderStore {
        &self.store
    }

    pub fn key(&self) -> &TokenKey {
        &self.key
    }

    /// The claims of an identity token.
    pub fn authenticate(&self, token: &str, now: Seconds) -> Result<Claims, TokenError> {
        self.key.verify(token, now)
    }

    /// The order, if it exists and the viewer may see it. Only the owner is read before the
    /// check, so another's order and a missing one take the same work.
    pub async fn visible(&self, viewer: &Viewer, order_id: &str) -> Result<Option<Order>, StoreError> {
        let id = normalize_order_id(order_id);
        let Some((customer, _)) = self.store.owner(&id).await? else { return Ok(None) };
        let own = viewer.customer_id.is_some() && customer == viewer.customer_id;
        let verified = viewer.verified.iter().any(|v| *v == id);
        if !(own || verified) {
            return Ok(None);
        }
        self.store.order(&id).await
    }

    /// The viewer's orders, newest first: the customer's, then those verified in the
    /// conversation.
    pub async fn recent(&self, viewer: &Viewer, limit: u32) -> Result<Vec<Order>, StoreError> {
        let mut orders = match &viewer.customer_id {
            Some(customer) => self.store.orders_of(customer, limit).await?,
            None => Vec::new(),
        };
        for id in &viewer.verified {
            if !orders.iter().any(|o| o.id == *id) {
                if let Some(order) = self.store.order(id).await? {
                    orders.push(order);
                }
            }
        }
        orders.sort_by(|a, b| b.placed_at.cmp(&a.placed_at).then_with(|| b.id.cmp(&a.id)));
        orders.truncate(limit as usize);
        Ok(orders)
    }

    /// Checks that `email` is the email on `order_id`, unless the order or the conversation is
    /// locked out; a failure counts against both.
    pub async fn verify(&self, session_id: &str, order_id: &str, email: &str, now: Seconds) -> Result<Verification, StoreError> {
        let id = normalize_order_id(order_id);
        let keys = [("order", id.as_str()), ("session", session_id)];
        let mut locked = None;
        for (scope, key) in keys {
            locked = locked.max(self.locked_until(scope, key, now).await?);
        }
        if let Some(until) = locked {
            return Ok(Verification::Locked { until });
        }
        let owner = self.store.owner(&id).await?;
        let given = Sha256::digest(normalize_email(email).as_bytes());
        let stored = Sha256::digest(owner.as_ref().map_or("\u{0}no order", |(_, email)| email.as_str()).as_bytes());
        let matches: bool = given.ct_eq(&stored).into();
        let verified = match owner {
            Some(_) if matches => self.store.order(&id).await?,
            _ => None,
        };
        match verified {
            Some(order) => Ok(Verification::Verified(Box::new(order))),
            None => {
                let mut locked_until = None;
                for (scope, key) in keys {
                    self.store.record_failure(scope, key, now).await?;
                    locked_until = locked_until.max(self.locked_until(scope, key, now).await?);
                }
                Ok(Verification::Failed { locked_until })
            }
        }
    }

    /// Until when `key` is locked: after [`MAX_FAILURES`] failures within [`FAILURE_WINDOW`],
    /// for [`LOCK_SECONDS`] from the last of them.
    async fn locked_until(&self, scope: &str, key: &str, now: Seconds) -> Result<Option<Seconds>, StoreError> {
        let failures = self.store.failures(scope, key, now - FAILURE_WINDOW - LOCK_SECONDS).await?;
        Ok(lock_end(&failures).filter(|until| *until > now))
    }
}

/// When the latest lock made by `failures` (times, oldest first) ends.
fn lock_end(failures: &[Seconds]) -> Option<Seconds> {
    failures.windows(MAX_FAILURES).filter(|w| w[MAX_FAILURES - 1] - w[0] <= FAILURE_WINDOW).map(|w| w[MAX_FAILURES - 1] + LOCK_SECONDS).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_within_the_window_lock() {
        assert_eq!(lock_end(&[0, 10, 20, 30]), None);
        assert_eq!(lock_end(&[0, 10, 20, 30, 40]), Some(40 + LOCK_SECONDS));
        // Spread over more than the window: no lock.
        assert_eq!(lock_end(&[0, 300, 600, 900, FAILURE_WINDOW + 1]), None);
        assert_eq!(lock_end(&[0, 300, 600, 900, FAILURE_WINDOW]), Some(FAILURE_WINDOW + LOCK_SECONDS));
    }
}
