//! A customer's data, for their requests (GDPR articles 15 and 17): [`export`] gathers
//! everything held about them — the customer record, stated preferences, events, orders
//! (theirs and guest orders under their email) and their conversations with transcripts — and
//! [`erase`] removes it in one transaction. Orders are kept for the shop's accounting but
//! anonymized: no customer, no email, no address; their lines, totals and statuses stay.
//! Erasing twice is harmless. [`expire`] deletes conversations older than the retention setting.

use serde::Serialize;

use crate::events::store::{EventStore, Stored};
use crate::orders::store::OrderStore;
use crate::protocol::admin::AdminOrder;
use crate::protocol::agent::Entry;

use super::registry::SessionError;
use super::store::Store;

/// The email an erased order keeps (the column is required).
pub const ERASED_EMAIL: &str = "erased@invalid";
/// Most rows of one kind an export carries.
const MAX_ROWS: u32 = 1_000_000;

/// Everything held about a customer.
#[derive(Debug, Serialize)]
pub struct CustomerExport {
    pub customer_id: String,
    /// Name and email, when the shop imported the customer.
    pub customer: Option<CustomerRecord>,
    pub preferences: Vec<PreferenceRecord>,
    pub events: Vec<Stored>,
    pub orders: Vec<AdminOrder>,
    pub sessions: Vec<SessionRecord>,
}

#[derive(Debug, Serialize)]
pub struct CustomerRecord {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize)]
pub struct PreferenceRecord {
    pub kind: String,
    pub value: String,
}

/// One conversation of the customer's, with what it remembered and said.
#[derive(Debug, Serialize)]
pub struct SessionRecord {
    pub session_id: String,
    pub channel: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub state: serde_json::Value,
    pub transcript: Vec<Entry>,
}

/// What an erasure removed.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub customer: bool,
    pub sessions: u64,
    pub messages: u64,
    pub events: u64,
    pub preferences: u64,
    pub orders_anonymized: u64,
}

/// Everything held about `customer_id`; empty lists (and no record) for an unknown one.
pub async fn export(store: &Store, customer_id: &str) -> Result<CustomerExport, SessionError> {
    let orders_store = OrderStore::new(store.pool().clone());
    let events_store = EventStore::new(store.pool().clone());
    let customer = orders_store.customer(customer_id).await?;
    let email = customer.as_ref().map(|c| c.email.clone());
    let preferences = events_store.preferences(customer_id).await?.into_iter().map(|(kind, value)| PreferenceRecord { kind, value }).collect();
    let session_ids = sessions_of(store, customer_id).await?;
    let mut events = events_store.of_customer(customer_id, MAX_ROWS).await?;
    for session in &session_ids {
        events.extend(events_store.of_session(session, MAX_ROWS).await?);
    }
    events.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    events.dedup_by(|a, b| a.id == b.id);
    let mut orders = Vec::new();
    for id in order_ids(store, customer_id, email.as_deref()).await? {
        if let Some(order) = orders_store.order(&id).await? {
            orders.push(AdminOrder::from(order));
        }
    }
    let mut sessions = Vec::new();
    for id in session_ids {
        let Some(stored) = store.load(&id).await? else { continue };
        let transcript = store.entries_page(&id, 0, usize::MAX).await?.into_iter().map(super::agents::entry).collect();
        sessions.push(SessionRecord {
            session_id: stored.id,
            channel: stored.channel.as_str().to_string(),
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            state: stored.state,
            transcript,
        });
    }
    Ok(CustomerExport {
        customer_id: customer_id.to_string(),
        customer: customer.map(|c| CustomerRecord { name: c.name, email: c.email }),
        preferences,
        events,
        orders,
        sessions,
    })
}

/// Erases `customer_id` in one transaction: their conversations and transcripts, events,
/// stated preferences, verification lockouts and customer record; their orders anonymized.
pub async fn erase(store: &Store, customer_id: &str) -> Result<Erased, SessionError> {
    const SESSIONS: &str = "SELECT id FROM sessions WHERE customer_id = ?1";
    const ORDERS: &str = "SELECT id FROM orders WHERE customer_id = ?1 OR (?2 <> '' AND email = ?2)";
    let mut tx = store.pool().begin().await.map_err(store_error)?;
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM customers WHERE id = ?").bind(customer_id).fetch_optional(&mut *tx).await.map_err(store_error)?;
    let email = email.unwrap_or_default();
    // Each statement names the customer as ?1 and their email as ?2 ('' when unknown).
    let statements = [
        format!("DELETE FROM events WHERE customer_id = ?1 OR session_id IN ({SESSIONS})"),
        "DELETE FROM stated_preferences WHERE customer_id = ?1".to_string(),
        format!("DELETE FROM verification_failures WHERE (scope = 'session' AND key IN ({SESSIONS})) OR (scope = 'order' AND key IN ({ORDERS}))"),
        format!("DELETE FROM messages WHERE session_id IN ({SESSIONS})"),
        "DELETE FROM sessions WHERE customer_id = ?1".to_string(),
        format!("UPDATE orders SET customer_id = NULL, email = '{ERASED_EMAIL}', shipping_address = NULL WHERE id IN ({ORDERS})"),
        "DELETE FROM customers WHERE id = ?1".to_string(),
    ];
    let mut counts = [0u64; 7];
    for (sql, count) in statements.iter().zip(&mut counts) {
        let query = sqlx::query(sql).bind(customer_id);
        let query = if sql.contains("?2") { query.bind(&email) } else { query };
        *count = query.execute(&mut *tx).await.map_err(store_error)?.rows_affected();
    }
    tx.commit().await.map_err(store_error)?;
    let [events, preferences, _, messages, sessions, orders_anonymized, customer] = counts;
    Ok(Erased { customer: customer > 0, sessions, messages, events, preferences, orders_anonymized })
}

/// Deletes the conversations (sessions and their transcripts) last active before `before_ms`:
/// the retention setting. Events and orders are not transcripts and stay. How many went.
pub async fn expire(store: &Store, before_ms: i64) -> Result<u64, SessionError> {
    let mut tx = store.pool().begin().await.map_err(store_error)?;
    sqlx::query("DELETE FROM messages WHERE session_id IN (SELECT id FROM sessions WHERE updated_at < ?)").bind(before_ms).execute(&mut *tx).await.map_err(store_error)?;
    let gone = sqlx::query("DELETE FROM sessions WHERE updated_at < ?").bind(before_ms).execute(&mut *tx).await.map_err(store_error)?.rows_affected();
    tx.commit().await.map_err(store_error)?;
    Ok(gone)
}

async fn sessions_of(store: &Store, customer_id: &str) -> Result<Vec<String>, SessionError> {
    sqlx::query_scalar("SELECT id FROM sessions WHERE customer_id = ? ORDER BY created_at, id").bind(customer_id).fetch_all(store.pool()).await.map_err(store_error)
}

async fn order_ids(store: &Store, customer_id: &str, email: Option<&str>) -> Result<Vec<String>, SessionError> {
    sqlx::query_scalar("SELECT id FROM orders WHERE customer_id = ?1 OR (?2 IS NOT NULL AND email = ?2) ORDER BY placed_at, id")
        .bind(customer_id)
        .bind(email)
        .fetch_all(store.pool())
        .await
        .map_err(store_error)
}

fn store_error(e: sqlx::Error) -> SessionError {
    SessionError::Store(e.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conversations_idle_past_the_retention_are_deleted_with_their_transcripts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("aisle.db")).await.unwrap();
        for id in ["s_old", "s_new"] {
            store.create(id, crate::protocol::Channel::Web, None, &serde_json::json!({})).await.unwrap();
            let shopper = super::super::store::ShopperMessage { client_id: None, body: r#"{"type":"message","text":"hi"}"# };
            store.commit_turn(id, &serde_json::json!({}), None, Some(shopper), &[], &[]).await.unwrap();
        }
        sqlx::query("UPDATE sessions SET updated_at = 1000 WHERE id = 's_old'").execute(store.pool()).await.unwrap();
        assert_eq!(expire(&store, 2000).await.unwrap(), 1);
        assert!(store.load("s_old").await.unwrap().is_none());
        assert!(store.entries_page("s_old", 0, 10).await.unwrap().is_empty());
        assert_eq!(store.entries_page("s_new", 0, 10).await.unwrap().len(), 1);
        assert_eq!(expire(&store, 2000).await.unwrap(), 0);
    }
}
