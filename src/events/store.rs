//! The events table (`migrations/0003_events.sql`) in the session database: checked events
//! stored once per id, joined to a customer when their session identifies itself, and read
//! back per session or customer, newest first.

use sqlx::{SqliteConnection, SqlitePool};

use super::{Event, Kind};

#[derive(Debug, thiserror::Error)]
pub enum EventStoreError {
    #[error("event store: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a batch did: stored, or already stored under the same id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inserted {
    pub accepted: usize,
    pub duplicates: usize,
}

/// The events of the session database.
#[derive(Debug, Clone)]
pub struct EventStore {
    pool: SqlitePool,
}

/// A stored event, as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stored {
    pub id: String,
    pub kind: Kind,
    pub session_id: Option<String>,
    pub customer_id: Option<String>,
    pub product_id: Option<String>,
    pub list: Option<String>,
    pub query: Option<String>,
    pub quantity: Option<u32>,
    pub source: String,
    pub at: i64,
}

type Row = (String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>, String, i64);

const COLUMNS: &str = "id, kind, session_id, customer_id, product_id, list, query, quantity, source, at";

fn stored(row: Row) -> Option<Stored> {
    let (id, kind, session_id, customer_id, product_id, list, query, quantity, source, at) = row;
    Some(Stored { id, kind: Kind::parse(&kind)?, session_id, customer_id, product_id, list, query, quantity: quantity.and_then(|q| u32::try_from(q).ok()), source, at })
}

/// The shopper key of an anonymous session's events in [`EventStore::interactions`].
pub fn session_shopper(session_id: &str) -> String {
    format!("session:{session_id}")
}

/// Stores `events` on `conn` (inside the caller's transaction), each once: an id already
/// stored counts as a duplicate and changes nothing.
pub async fn insert(conn: &mut SqliteConnection, events: &[Event], received_at: i64) -> Result<Inserted, sqlx::Error> {
    let mut done = Inserted::default();
    for event in events {
        let inserted = sqlx::query(
            "INSERT INTO events (id, kind, session_id, customer_id, product_id, list, query, quantity, price, order_id, source, arm, at, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&event.id)
        .bind(event.kind.as_str())
        .bind(&event.session_id)
        .bind(&event.customer_id)
        .bind(&event.product_id)
        .bind(&event.list)
        .bind(&event.query)
        .bind(event.quantity.map(i64::from))
        .bind(event.price)
        .bind(&event.order_id)
        .bind(event.source.as_str())
        .bind(&event.arm)
        .bind(event.at)
        .bind(received_at)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 1 {
            done.accepted += 1;
            metrics::counter!(crate::telemetry::EVENTS_INGESTED, "source" => event.source.as_str()).increment(1);
        } else {
            done.duplicates += 1;
        }
    }
    Ok(done)
}

impl EventStore {
    /// The events of the database `pool` opens (its migrations already run).
    pub fn new(pool: SqlitePool) -> EventStore {
        EventStore { pool }
    }

    /// Stores a batch in one transaction: all of it or, on a database error, none.
    pub async fn record(&self, events: &[Event], received_at: i64) -> Result<Inserted, EventStoreError> {
        let mut tx = self.pool.begin().await?;
        let done = insert(&mut tx, events, received_at).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Gives the session's anonymous events to `customer_id` (the session identified itself);
    /// how many.
    pub async fn join_customer(&self, session_id: &str, customer_id: &str) -> Result<u64, EventStoreError> {
        let joined = sqlx::query("UPDATE events SET customer_id = ? WHERE session_id = ? AND customer_id IS NULL")
            .bind(customer_id)
            .bind(session_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(joined)
    }

    /// What shoppers did with products since `since_ms`, oldest first, for training: views,
    /// clicks, cart adds and purchases, each as (shopper, product, kind, unix ms), the shopper
    /// being the customer when known, else `session:<id>`.
    pub async fn interactions(&self, since_ms: i64) -> Result<Vec<(String, String, Kind, i64)>, EventStoreError> {
        let rows: Vec<(Option<String>, Option<String>, String, String, i64)> = sqlx::query_as(
            "SELECT customer_id, session_id, product_id, kind, at FROM events
             WHERE at >= ? AND product_id IS NOT NULL AND kind IN ('view_product', 'click', 'add_to_cart', 'purchase')
             ORDER BY at, rowid",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(customer, session, product, kind, at)| {
                let shopper = customer.or(session.as_deref().map(session_shopper))?;
                Some((shopper, product, Kind::parse(&kind)?, at))
            })
            .collect())
    }

    /// What changes whenever events are added or deleted: the highest row id and the count.
    pub async fn version(&self) -> Result<(i64, i64), EventStoreError> {
        let (max, count): (Option<i64>, i64) = sqlx::query_as("SELECT MAX(rowid), COUNT(*) FROM events").fetch_one(&self.pool).await?;
        Ok((max.unwrap_or(0), count))
    }

    /// The shop's popular searches since `since_ms`: each query (trimmed, lower case) with the
    /// number of sessions that searched it and then viewed, clicked or added a product within
    /// `within_ms`; only queries of at least `min_sessions` sessions (one shopper's searches
    /// are never shown to others), most sessions first, at most `limit`.
    pub async fn popular_queries(&self, since_ms: i64, within_ms: i64, min_sessions: u32, limit: u32) -> Result<Vec<(String, u32)>, EventStoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT lower(trim(s.query)) AS q, COUNT(DISTINCT s.session_id) AS n FROM events s
             WHERE s.kind = 'search' AND s.at >= ? AND s.session_id IS NOT NULL AND length(trim(s.query)) > 0
               AND EXISTS (SELECT 1 FROM events c WHERE c.session_id = s.session_id AND c.at BETWEEN s.at AND s.at + ?
                           AND c.kind IN ('view_product', 'click', 'add_to_cart'))
             GROUP BY q HAVING n >= ? ORDER BY n DESC, q LIMIT ?",
        )
        .bind(since_ms)
        .bind(within_ms)
        .bind(i64::from(min_sessions))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(q, n)| (q, u32::try_from(n).unwrap_or(u32::MAX))).collect())
    }

    /// The preferences a customer stated, oldest first, as (kind, value).
    pub async fn preferences(&self, customer_id: &str) -> Result<Vec<(String, String)>, EventStoreError> {
        Ok(sqlx::query_as("SELECT kind, value FROM stated_preferences WHERE customer_id = ? ORDER BY at, rowid").bind(customer_id).fetch_all(&self.pool).await?)
    }

    /// Replaces a customer's stated preferences with `preferences` (kind, value), in order.
    pub async fn set_preferences(&self, customer_id: &str, preferences: &[(&str, &str)], at: i64) -> Result<(), EventStoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM stated_preferences WHERE customer_id = ?").bind(customer_id).execute(&mut *tx).await?;
        for (i, (kind, value)) in preferences.iter().enumerate() {
            sqlx::query("INSERT OR IGNORE INTO stated_preferences (customer_id, kind, value, at) VALUES (?, ?, ?, ?)")
                .bind(customer_id)
                .bind(kind)
                .bind(value)
                .bind(at + i as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a session's events (its shopper withdrew consent); how many.
    pub async fn forget_session(&self, session_id: &str) -> Result<u64, EventStoreError> {
        Ok(sqlx::query("DELETE FROM events WHERE session_id = ?").bind(session_id).execute(&self.pool).await?.rows_affected())
    }

    /// A session's events, newest first, at most `limit`.
    pub async fn of_session(&self, session_id: &str, limit: u32) -> Result<Vec<Stored>, EventStoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM events WHERE session_id = ? ORDER BY at DESC, rowid DESC LIMIT ?"))
            .bind(session_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().filter_map(stored).collect())
    }

    /// A customer's events, newest first, at most `limit`.
    pub async fn of_customer(&self, customer_id: &str, limit: u32) -> Result<Vec<Stored>, EventStoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM events WHERE customer_id = ? ORDER BY at DESC, rowid DESC LIMIT ?"))
            .bind(customer_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().filter_map(stored).collect())
    }
}
