//! The order store: every SQL statement about customers, orders, events, returns, refunds,
//! verification failures and settings (sqlx, SQLite). The schema is `migrations/0002_orders.sql`,
//! applied with the sessions' when the database is opened (`session::store::Store::open`); this
//! store shares that pool.
//!
//! Writes that must not race are single conditional statements inside a transaction that
//! writes first (so it holds SQLite's write lock from its first statement): of two
//! cancellations of one order, exactly one changes it.

use sqlx::sqlite::SqlitePool;

use crate::events::{Event, Kind, Source};
use super::import::{NewCustomer, NewEvent, NewOrder, Shipment};
use super::{BEFORE_SHIPMENT_SQL, Customer, Order, OrderLine, OrderStatus, Refund, RefundStatus, Return, ReturnStatus, Seconds, StatusEvent};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row that cannot be read back.
    #[error("order {order}: {message}")]
    Corrupt { order: String, message: String },
}

/// What appending an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    Added,
    /// An event with this id was already stored for the order: nothing changed.
    Duplicate,
    UnknownOrder,
}

/// What a cancellation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceled {
    /// Canceled now; `refund` when it had been paid for.
    Done { refund: bool },
    /// Shipped, delivered or ended already (or no such order): nothing changed.
    TooLate,
}

/// The order store; cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct OrderStore {
    pool: SqlitePool,
}

type OrderRow = (String, Option<String>, String, i64, String, String, Option<String>, Option<String>, Option<String>, Option<i64>);
const ORDER_COLUMNS: &str = "id, customer_id, email, placed_at, currency, status, shipping_address, carrier, tracking, estimated_delivery";

impl OrderStore {
    pub fn new(pool: SqlitePool) -> OrderStore {
        OrderStore { pool }
    }

    pub async fn upsert_customer(&self, customer: &NewCustomer, now: Seconds) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO customers (id, name, email, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, updated_at = excluded.updated_at",
        )
        .bind(&customer.id)
        .bind(&customer.name)
        .bind(&customer.email)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn customer(&self, id: &str) -> Result<Option<Customer>, StoreError> {
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT id, name, email FROM customers WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(|(id, name, email)| Customer { id, name, email }))
    }

    /// Creates the order or replaces its details and lines; its events are merged by id (the
    /// ones stored stay, so a cancellation made in the chat survives a later upsert), and the
    /// status is the latest event's. Shipment fields and the address are only overwritten by
    /// values the record has.
    pub async fn upsert_order(&self, order: &NewOrder, now: Seconds) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO orders (id, customer_id, email, placed_at, currency, status, shipping_address, carrier, tracking, estimated_delivery, updated_at)
             VALUES (?, ?, ?, ?, ?, 'placed', ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET
                 customer_id = excluded.customer_id, email = excluded.email, placed_at = excluded.placed_at,
                 currency = excluded.currency,
                 shipping_address = COALESCE(excluded.shipping_address, shipping_address),
                 carrier = COALESCE(excluded.carrier, carrier), tracking = COALESCE(excluded.tracking, tracking),
                 estimated_delivery = COALESCE(excluded.estimated_delivery, estimated_delivery),
                 updated_at = excluded.updated_at",
        )
        .bind(&order.id)
        .bind(&order.customer_id)
        .bind(&order.email)
        .bind(order.placed_at)
        .bind(&order.currency)
        .bind(&order.shipping_address)
        .bind(&order.shipment.carrier)
        .bind(&order.shipment.tracking)
        .bind(order.shipment.estimated_delivery)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM order_lines WHERE order_id = ?").bind(&order.id).execute(&mut *tx).await?;
        for (i, line) in order.lines.iter().enumerate() {
            sqlx::query("INSERT INTO order_lines (order_id, line, product_id, title, quantity, price) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(&order.id)
                .bind(i as i64 + 1)
                .bind(&line.product_id)
                .bind(&line.title)
                .bind(i64::from(line.quantity))
                .bind(line.price)
                .execute(&mut *tx)
                .await?;
        }
        for event in &order.events {
            insert_event(&mut tx, &order.id, event).await?;
            update_shipment(&mut tx, &order.id, &event.shipment).await?;
        }
        refresh_status(&mut tx, &order.id, now).await?;
        // A customer's order lines are their purchases, for profiles and recommendations (a
        // guest's are not anyone's); an order imported again replaces its own.
        sqlx::query("DELETE FROM events WHERE order_id = ? AND source = ?").bind(&order.id).bind(Source::Orders.as_str()).execute(&mut *tx).await?;
        if let Some(customer) = &order.customer_id {
            let purchases: Vec<Event> = order.lines.iter().enumerate().map(|(i, line)| purchase(order, customer, i, line)).collect();
            crate::events::store::insert(&mut tx, &purchases, now * 1000).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Appends a status event (and the shipment details it brings) to a stored order.
    pub async fn append_event(&self, order_id: &str, event: &NewEvent, now: Seconds) -> Result<Appended, StoreError> {
        let mut tx = self.pool.begin().await?;
        let touched = sqlx::query("UPDATE orders SET updated_at = ? WHERE id = ?").bind(now).bind(order_id).execute(&mut *tx).await?;
        if touched.rows_affected() == 0 {
            return Ok(Appended::UnknownOrder);
        }
        if !insert_event(&mut tx, order_id, event).await? {
            return Ok(Appended::Duplicate);
        }
        update_shipment(&mut tx, order_id, &event.shipment).await?;
        refresh_status(&mut tx, order_id, now).await?;
        tx.commit().await?;
        Ok(Appended::Added)
    }

    /// Who an order belongs to, `(customer id, email)`, read alone: access checks ask this
    /// first, so a refused order costs the same one lookup as a missing one.
    pub async fn owner(&self, id: &str) -> Result<Option<(Option<String>, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT customer_id, email FROM orders WHERE id = ?").bind(id).fetch_optional(&self.pool).await?)
    }

    /// The order with its lines, events, returns and refunds.
    pub async fn order(&self, id: &str) -> Result<Option<Order>, StoreError> {
        let row: Option<OrderRow> =
            sqlx::query_as(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?")).bind(id).fetch_optional(&self.pool).await?;
        match row {
            Some(row) => Ok(Some(self.complete(row).await?)),
            None => Ok(None),
        }
    }

    /// A customer's orders, newest first.
    pub async fn orders_of(&self, customer_id: &str, limit: u32) -> Result<Vec<Order>, StoreError> {
        let rows: Vec<OrderRow> = sqlx::query_as(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE customer_id = ? ORDER BY placed_at DESC, id DESC LIMIT ?"
        ))
        .bind(customer_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut orders = Vec::with_capacity(rows.len());
        for row in rows {
            orders.push(self.complete(row).await?);
        }
        Ok(orders)
    }

    pub async fn count_orders(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders").fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    /// Cancels the order if it has not shipped: one conditional update, so of two concurrent
    /// cancellations exactly one is `Done`. A paid order (approved or later) gets a pending
    /// refund of its total.
    pub async fn cancel(&self, id: &str, event_id: &str, now: Seconds) -> Result<Canceled, StoreError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(&format!(
            "UPDATE orders SET status = 'canceled', updated_at = ? WHERE id = ? AND status IN ({BEFORE_SHIPMENT_SQL})"
        ))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(Canceled::TooLate);
        }
        let (before,): (String,) = sqlx::query_as("SELECT status FROM order_events WHERE order_id = ? ORDER BY at DESC, seq DESC LIMIT 1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let event = NewEvent { id: event_id.to_string(), status: OrderStatus::Canceled, at: now, shipment: Shipment::default() };
        insert_event(&mut tx, id, &event).await?;
        let refund = before != OrderStatus::Placed.as_str();
        if refund {
            sqlx::query(
                "INSERT INTO refunds (order_id, return_reference, amount, currency, status, created_at, updated_at)
                 SELECT o.id, NULL, COALESCE(SUM(l.price * l.quantity), 0), o.currency, 'pending', ?, ?
                 FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = ? GROUP BY o.id",
            )
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Canceled::Done { refund })
    }

    /// Sets the shipping address if the order has not shipped; `false` when it has.
    pub async fn change_address(&self, id: &str, address: &str, now: Seconds) -> Result<bool, StoreError> {
        let changed = sqlx::query(&format!(
            "UPDATE orders SET shipping_address = ?, updated_at = ? WHERE id = ? AND status IN ({BEFORE_SHIPMENT_SQL})"
        ))
        .bind(address)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    /// Registers a return of `lines` with a pending refund of their value; `false` (nothing
    /// written) when the order is not delivered.
    pub async fn create_return(&self, order_id: &str, reference: &str, lines: &[OrderLine], now: Seconds) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let amount: f64 = lines.iter().map(|l| l.price * f64::from(l.quantity)).sum();
        let lines_json = serde_json::to_string(lines).expect("order lines serialize");
        let inserted = sqlx::query(
            "INSERT INTO returns (reference, order_id, status, lines, created_at, updated_at)
             SELECT ?, id, 'requested', ?, ?, ? FROM orders WHERE id = ? AND status = 'delivered'",
        )
        .bind(reference)
        .bind(&lines_json)
        .bind(now)
        .bind(now)
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO refunds (order_id, return_reference, amount, currency, status, created_at, updated_at)
             SELECT id, ?, ?, currency, 'pending', ?, ? FROM orders WHERE id = ?",
        )
        .bind(reference)
        .bind(amount)
        .bind(now)
        .bind(now)
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a return on (`received`, `refunded`, `rejected`): a refunded return's refund is
    /// issued, a rejected one's declined. `None` when there is no such return.
    pub async fn update_return(&self, reference: &str, status: ReturnStatus, now: Seconds) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let order: Option<(String,)> = sqlx::query_as("UPDATE returns SET status = ?, updated_at = ? WHERE reference = ? RETURNING order_id")
            .bind(status.as_str())
            .bind(now)
            .bind(reference)
            .fetch_optional(&mut *tx)
            .await?;
        let refund = match status {
            ReturnStatus::Refunded => Some(RefundStatus::Issued),
            ReturnStatus::Rejected => Some(RefundStatus::Declined),
            ReturnStatus::Requested | ReturnStatus::Received => None,
        };
        if let (Some(_), Some(refund)) = (&order, refund) {
            sqlx::query("UPDATE refunds SET status = ?, updated_at = ? WHERE return_reference = ?")
                .bind(refund.as_str())
                .bind(now)
                .bind(reference)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(order.map(|(id,)| id))
    }

    /// Marks the pending refunds of an order's cancellation issued; how many there were.
    pub async fn issue_cancellation_refunds(&self, order_id: &str, now: Seconds) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE refunds SET status = 'issued', updated_at = ? WHERE order_id = ? AND return_reference IS NULL AND status = 'pending'")
            .bind(now)
            .bind(order_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Records a failed verification of `key` (an order id, a session id) in `scope`.
    pub async fn record_failure(&self, scope: &str, key: &str, at: Seconds) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO verification_failures (scope, key, at) VALUES (?, ?, ?)")
            .bind(scope)
            .bind(key)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Times of failed verifications of `key` since `since`, oldest first.
    pub async fn failures(&self, scope: &str, key: &str, since: Seconds) -> Result<Vec<Seconds>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT at FROM verification_failures WHERE scope = ? AND key = ? AND at >= ? ORDER BY at")
            .bind(scope)
            .bind(key)
            .bind(since)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(at,)| at).collect())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(&self.pool).await?;
        Ok(row.map(|(v,)| v))
    }

    /// Stores `value` under `key` unless a value is there already; returns the stored one.
    pub async fn setting_or_init(&self, key: &str, value: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(self.setting(key).await?.unwrap_or_else(|| value.to_string()))
    }

    async fn complete(&self, row: OrderRow) -> Result<Order, StoreError> {
        let (id, customer_id, email, placed_at, currency, status, shipping_address, carrier, tracking, estimated_delivery) = row;
        let corrupt = |message: String| StoreError::Corrupt { order: id.clone(), message };
        let status = OrderStatus::parse(&status).ok_or_else(|| corrupt(format!("unknown status {status:?}")))?;
        let lines: Vec<(String, String, i64, f64)> =
            sqlx::query_as("SELECT product_id, title, quantity, price FROM order_lines WHERE order_id = ? ORDER BY line")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?;
        let events: Vec<(String, String, i64)> = sqlx::query_as("SELECT id, status, at FROM order_events WHERE order_id = ? ORDER BY at, seq")
            .bind(&id)
            .fetch_all(&self.pool)
            .await?;
        let returns: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT reference, status, lines, created_at FROM returns WHERE order_id = ? ORDER BY created_at, reference")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?;
        let refunds: Vec<(Option<String>, f64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT return_reference, amount, currency, status, created_at, updated_at FROM refunds WHERE order_id = ? ORDER BY created_at, id",
        )
        .bind(&id)
        .fetch_all(&self.pool)
        .await?;
        let lines = lines
            .into_iter()
            .map(|(product_id, title, quantity, price)| OrderLine { product_id, title, quantity: quantity.clamp(0, u32::MAX as i64) as u32, price })
            .collect();
        let events = events
            .into_iter()
            .map(|(event_id, s, at)| {
                let status = OrderStatus::parse(&s).ok_or_else(|| corrupt(format!("event {event_id} has unknown status {s:?}")))?;
                Ok(StatusEvent { id: event_id, status, at })
            })
            .collect::<Result<_, StoreError>>()?;
        let returns = returns
            .into_iter()
            .map(|(reference, s, lines, created_at)| {
                let status = ReturnStatus::parse(&s).ok_or_else(|| corrupt(format!("return {reference} has unknown status {s:?}")))?;
                let lines = serde_json::from_str(&lines).map_err(|e| corrupt(format!("return {reference} lines: {e}")))?;
                Ok(Return { reference, order_id: id.clone(), status, lines, created_at })
            })
            .collect::<Result<_, StoreError>>()?;
        let refunds = refunds
            .into_iter()
            .map(|(return_reference, amount, currency, s, created_at, updated_at)| {
                let status = RefundStatus::parse(&s).ok_or_else(|| corrupt(format!("refund has unknown status {s:?}")))?;
                Ok(Refund { order_id: id.clone(), return_reference, amount, currency, status, created_at, updated_at })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Order {
            id,
            customer_id,
            email,
            placed_at,
            currency,
            status,
            shipping_address,
            carrier,
            tracking,
            estimated_delivery,
            lines,
            events,
            returns,
            refunds,
        })
    }
}

/// Inserts an event unless the order has one with its id; `true` when inserted.
async fn insert_event(tx: &mut sqlx::SqliteConnection, order_id: &str, event: &NewEvent) -> Result<bool, StoreError> {
    let inserted = sqlx::query("INSERT INTO order_events (id, order_id, status, at) VALUES (?, ?, ?, ?) ON CONFLICT (order_id, id) DO NOTHING")
        .bind(&event.id)
        .bind(order_id)
        .bind(event.status.as_str())
        .bind(event.at)
        .execute(&mut *tx)
        .await?;
    Ok(inserted.rows_affected() == 1)
}

async fn update_shipment(tx: &mut sqlx::SqliteConnection, order_id: &str, shipment: &Shipment) -> Result<(), StoreError> {
    if shipment == &Shipment::default() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE orders SET carrier = COALESCE(?, carrier), tracking = COALESCE(?, tracking),
             estimated_delivery = COALESCE(?, estimated_delivery) WHERE id = ?",
    )
    .bind(&shipment.carrier)
    .bind(&shipment.tracking)
    .bind(shipment.estimated_delivery)
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The order's status becomes its latest event's.
async fn refresh_status(tx: &mut sqlx::SqliteConnection, order_id: &str, now: Seconds) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE orders SET updated_at = ?, status = COALESCE(
             (SELECT status FROM order_events WHERE order_id = orders.id ORDER BY at DESC, seq DESC LIMIT 1), status)
         WHERE id = ?",
    )
    .bind(now)
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Line `index` of a customer's order as a purchase event.
fn purchase(order: &NewOrder, customer: &str, index: usize, line: &OrderLine) -> Event {
    Event {
        id: format!("order:{}:{}", order.id, index + 1),
        kind: Kind::Purchase,
        session_id: None,
        customer_id: Some(customer.to_string()),
        product_id: Some(line.product_id.clone()),
        list: None,
        query: None,
        quantity: Some(line.quantity),
        price: Some(line.price),
        order_id: Some(order.id.clone()),
        source: Source::Orders,
        arm: None,
        at: order.placed_at * 1000,
    }
}

