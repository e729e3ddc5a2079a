//! The JSON formats of customers, orders and status events, as files (`aisle import orders`,
//! JSON Lines) and as the admin API's bodies, checked row by row: a bad row is reported with
//! its line number and skipped, the good ones are kept.
//!
//! ```json
//! {"id":"C1001","name":"Asha Verma","email":"asha.verma@example.com"}
//! {"order_id":"48213","customer_id":"C1001","email":"asha.verma@example.com",
//!  "placed_at":"2026-11-20T10:00:00Z","currency":"INR",
//!  "lines":[{"product_id":"P1","title":"Aw Bellies","quantity":1,"price":499.0}],
//!  "events":[{"event_id":"48213-1","status":"placed","at":"2026-11-20T10:00:00Z"}],
//!  "shipment":{"carrier":"Delhivery","tracking":"DL1234","estimated_delivery":"2026-11-27T00:00:00Z"},
//!  "shipping_address":"14 MG Road, Bengaluru 560001"}
//! ```
//!
//! An order's status is its latest event's; an order without events was just placed. Upserts
//! are idempotent: by `order_id` for orders and `event_id` for events.

use std::path::Path;

use serde::Deserialize;

use super::store::{OrderStore, StoreError};
use super::{OrderLine, OrderStatus, Seconds, normalize_email, normalize_order_id, parse_time};

/// Longest id, name, email or title accepted.
const MAX_FIELD: usize = 200;
/// Longest shipping address.
pub const MAX_ADDRESS: usize = 300;
/// Most lines in one order.
const MAX_LINES: usize = 200;

/// A customer as imported.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerRecord {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// An order as imported or upserted.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRecord {
    pub order_id: String,
    #[serde(default)]
    pub customer_id: Option<String>,
    pub email: String,
    pub placed_at: String,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    #[serde(default)]
    pub events: Vec<EventRecord>,
    #[serde(default)]
    pub shipment: Option<ShipmentRecord>,
    #[serde(default)]
    pub shipping_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentRecord {
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking: Option<String>,
    #[serde(default)]
    pub estimated_delivery: Option<String>,
}

/// A status event: in an order's `events`, or appended alone (the admin API), where it may
/// also bring the shipment's carrier, tracking number and estimated delivery.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub event_id: String,
    pub status: String,
    pub at: String,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking: Option<String>,
    #[serde(default)]
    pub estimated_delivery: Option<String>,
}

/// A checked customer.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// A checked order, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub id: String,
    pub customer_id: Option<String>,
    pub email: String,
    pub placed_at: Seconds,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    /// At least one; the first is `placed`, in time order.
    pub events: Vec<NewEvent>,
    pub shipment: Shipment,
    pub shipping_address: Option<String>,
}

/// A checked status event.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub id: String,
    pub status: OrderStatus,
    pub at: Seconds,
    pub shipment: Shipment,
}

/// Shipment details; `None` fields leave what is stored as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shipment {
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub estimated_delivery: Option<Seconds>,
}

/// What was wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

/// The good rows of a file and what was wrong with the others.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub errors: Vec<RowError>,
}

/// A kind of row that is imported and upserted: customers, orders.
pub trait Record: serde::de::DeserializeOwned {
    /// The row once checked.
    type Checked: Send + Sync;
    /// Checks every field: what is wrong, in words, or the row ready for the store.
    fn check(self) -> Result<Self::Checked, String>;
    /// Creates or updates the row.
    fn save<'a>(store: &'a OrderStore, row: &'a Self::Checked, now: Seconds) -> impl Future<Output = Result<(), StoreError>> + Send + 'a;
}

impl Record for CustomerRecord {
    type Checked = NewCustomer;

    fn check(self) -> Result<NewCustomer, String> {
        Ok(NewCustomer { id: id_field("id", &self.id)?, name: text_field("name", &self.name, MAX_FIELD)?, email: email_field(&self.email)? })
    }

    fn save<'a>(store: &'a OrderStore, row: &'a NewCustomer, now: Seconds) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        store.upsert_customer(row, now)
    }
}

impl Record for OrderRecord {
    type Checked = NewOrder;

    fn check(self) -> Result<NewOrder, String> {
        let id = normalize_order_id(&id_field("order_id", &self.order_id)?);
        let customer_id = self.customer_id.as_deref().map(|c| id_field("customer_id", c)).transpose()?;
        let placed_at = time_field("placed_at", &self.placed_at)?;
        let currency = self.currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!("currency {:?} is not a three-letter ISO 4217 code", self.currency));
        }
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            return Err(format!("an order has 1 to {MAX_LINES} lines, not {}", self.lines.len()));
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.into_iter().enumerate() {
            let n = i + 1;
            if line.quantity == 0 || line.quantity > 10_000 {
                return Err(format!("line {n}: quantity {} is outside 1 to 10000", line.quantity));
            }
            if !line.price.is_finite() || line.price < 0.0 {
                return Err(format!("line {n}: price {} is not a non-negative number", line.price));
            }
            lines.push(OrderLine {
                product_id: id_field("product_id", &line.product_id)?,
                title: text_field("title", &line.title, MAX_FIELD)?,
                quantity: line.quantity,
                price: line.price,
            });
        }
        let mut events = Vec::with_capacity(self.events.len() + 1);
        for event in self.events {
            events.push(event.check()?);
        }
        events.sort_by_key(|e| e.at);
        if events.first().is_none_or(|e| e.status != OrderStatus::Placed) {
            events.insert(0, NewEvent { id: format!("{id}-placed"), status: OrderStatus::Placed, at: placed_at, shipment: Shipment::default() });
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = events.iter().find(|e| !seen.insert(e.id.as_str())) {
            return Err(format!("event id {:?} appears twice", dup.id));
        }
        let shipment = match self.shipment {
            Some(s) => shipment(s.carrier, s.tracking, s.estimated_delivery)?,
            None => Shipment::default(),
        };
        let shipping_address = self.shipping_address.as_deref().map(|a| text_field("shipping_address", a, MAX_ADDRESS)).transpose()?;
        Ok(NewOrder { id, customer_id, email: email_field(&self.email)?, placed_at, currency, lines, events, shipment, shipping_address })
    }

    fn save<'a>(store: &'a OrderStore, row: &'a NewOrder, now: Seconds) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        store.upsert_order(row, now)
    }
}

impl NewOrder {
    /// Moves every time of the order by `seconds` (the demo data moves to "now").
    pub fn shift(&mut self, seconds: Seconds) {
        self.placed_at += seconds;
        for eta in std::iter::once(&mut self.shipment.estimated_delivery).chain(self.events.iter_mut().map(|e| &mut e.shipment.estimated_delivery)) {
            *eta = eta.map(|t| t + seconds);
        }
        for event in &mut self.events {
            event.at += seconds;
        }
    }
}

impl EventRecord {
    pub fn check(self) -> Result<NewEvent, String> {
        let status = OrderStatus::parse(self.status.trim())
            .ok_or_else(|| format!("status {:?} is not one of placed, approved, invoiced, shipped, delivered, canceled, unavailable", self.status))?;
        Ok(NewEvent {
            id: id_field("event_id", &self.event_id)?,
            status,
            at: time_field("at", &self.at)?,
            shipment: shipment(self.carrier, self.tracking, self.estimated_delivery)?,
        })
    }
}

fn shipment(carrier: Option<String>, tracking: Option<String>, eta: Option<String>) -> Result<Shipment, String> {
    Ok(Shipment {
        carrier: carrier.as_deref().map(|c| text_field("carrier", c, MAX_FIELD)).transpose()?,
        tracking: tracking.as_deref().map(|t| id_field("tracking", t)).transpose()?,
        estimated_delivery: eta.as_deref().map(|t| time_field("estimated_delivery", t)).transpose()?,
    })
}

/// An identifier: 1 to 200 printable characters without spaces.
fn id_field(name: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.len() > MAX_FIELD || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{name} {value:?} must be 1 to {MAX_FIELD} characters without spaces"));
    }
    Ok(value.to_string())
}

fn text_field(name: &str, value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(format!("{name} must be 1 to {max} characters of text"));
    }
    Ok(value.to_string())
}

fn email_field(value: &str) -> Result<String, String> {
    let email = normalize_email(value);
    let valid = email.len() <= MAX_FIELD
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(format!("email {value:?} is not an email address"));
    }
    Ok(email)
}

fn time_field(name: &str, value: &str) -> Result<Seconds, String> {
    parse_time(value.trim()).ok_or_else(|| format!("{name} {value:?} is not an RFC 3339 time like 2026-11-24T10:00:00Z"))
}

/// Reads JSON Lines of `T` and checks each row; blank lines are skipped.
pub fn read_lines<R, T>(text: &str, check: impl Fn(R) -> Result<T, String>) -> Parsed<T>
where
    R: serde::de::DeserializeOwned,
{
    let mut parsed = Parsed { rows: Vec::new(), errors: Vec::new() };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str::<R>(line).map_err(|e| e.to_string()).and_then(&check);
        match row {
            Ok(row) => parsed.rows.push(row),
            Err(message) => parsed.errors.push(RowError { line: i + 1, message }),
        }
    }
    parsed
}

/// Reads a file of JSON Lines (see [`read_lines`]).
pub fn read_file<R, T>(path: &Path, check: impl Fn(R) -> Result<T, String>) -> std::io::Result<Parsed<T>>
where
    R: serde::de::DeserializeOwned,
{
    Ok(read_lines(&std::fs::read_to_string(path)?, check))
}

/// The latest time in an orders file (events, placement, estimated deliveries excluded): the
/// demo data is shifted so that this moment becomes "now".
pub fn newest_event(orders: &[NewOrder]) -> Option<Seconds> {
    orders.iter().flat_map(|o| o.events.iter().map(|e| e.at).chain([o.placed_at])).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"{"order_id":"#48213","customer_id":"C1","email":" Asha@Example.com ","placed_at":"2026-11-20T10:00:00Z","currency":"inr","lines":[{"product_id":"P1","title":"Bellies","quantity":2,"price":499.0}],"events":[{"event_id":"e2","status":"approved","at":"2026-11-20T11:00:00Z"}],"shipment":{"estimated_delivery":"2026-11-27T00:00:00Z"}}"##;

    #[test]
    fn a_good_order_is_normalized() {
        let parsed = read_lines(GOOD, OrderRecord::check);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let order = &parsed.rows[0];
        assert_eq!(order.id, "48213");
        assert_eq!(order.email, "asha@example.com");
        assert_eq!(order.currency, "INR");
        assert_eq!(order.events.len(), 2, "a placed event is added first");
        assert_eq!(order.events[0].status, OrderStatus::Placed);
        assert_eq!(order.events[1].status, OrderStatus::Approved);
        assert!(order.shipment.estimated_delivery.is_some());
    }

    #[test]
    fn bad_rows_are_named_by_line_and_skipped() {
        let text = [
            GOOD,
            "{not json",
            &GOOD.replace("inr", "rupees"),
            &GOOD.replace("\"quantity\":2", "\"quantity\":0"),
            &GOOD.replace("approved", "teleported"),
            &GOOD.replace("2026-11-20T10:00:00Z", "yesterday"),
            &GOOD.replace(" Asha@Example.com ", "not-an-email"),
            &GOOD.replace("\"order_id\":\"#48213\"", "\"order_id\":\"1; DROP TABLE orders\""),
            &GOOD.replace("\"currency\"", "\"surprise\":1,\"currency\""),
            "",
        ]
        .join("\n");
        let parsed = read_lines(&text, OrderRecord::check);
        assert_eq!(parsed.rows.len(), 1);
        let lines: Vec<usize> = parsed.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8, 9]);
        assert!(parsed.errors[1].message.contains("currency"), "{}", parsed.errors[1]);
        assert!(parsed.errors[4].message.contains("RFC 3339"), "{}", parsed.errors[4]);
    }

    #[test]
    fn the_shift_moves_every_time() {
        let unshifted = read_lines(GOOD, OrderRecord::check).rows.remove(0);
        let mut order = unshifted.clone();
        order.shift(100);
        assert_eq!(order.placed_at, unshifted.placed_at + 100);
        assert_eq!(order.events[1].at, unshifted.events[1].at + 100);
        assert_eq!(order.shipment.estimated_delivery, unshifted.shipment.estimated_delivery.map(|t| t + 100));
    }
}
