//! Orders: customers, orders, their status history, shipments, returns and refunds, and who
//! may see them.
//!
//! - [`store`]: the SQL (sqlx, SQLite; the same database file as the sessions). All
//!   SQLite-specific SQL lives there, so a PostgreSQL store can follow with the same API.
//! - [`import`]: the JSON Lines formats of customers, orders and status events, validated row by
//!   row; also what the admin API accepts.
//! - [`demo`]: the demo customers and orders, loaded on first start, moved to "now".
//! - [`identity`]: customer identity tokens (HMAC-SHA256, base64url) and signed links.
//! - [`access`]: the one gate to order data. A shopper sees an order only with a valid token of
//!   its customer or after giving the order's email in the conversation; failed verifications
//!   lock an order (and a session) out; a refusal reads exactly like "no such order".
//!
//! The order flows themselves (status, cancel, change, return, invoice) are dialogue skills
//! (`dialogue::orders`) over [`access::Orders`].

pub mod access;
pub mod demo;
pub mod identity;
pub mod import;
pub mod store;

use serde::{Deserialize, Serialize};

pub use access::{Orders, Verification, Viewer};
pub use store::{OrderStore, StoreError};

/// Unix seconds.
pub type Seconds = i64;

/// Where an order is in its life. `placed → approved → invoiced → shipped → delivered`, or
/// `canceled` / `unavailable` before shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Approved,
    Invoiced,
    Shipped,
    Delivered,
    Canceled,
    Unavailable,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Placed,
        OrderStatus::Approved,
        OrderStatus::Invoiced,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Canceled,
        OrderStatus::Unavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Approved => "approved",
            OrderStatus::Invoiced => "invoiced",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Canceled => "canceled",
            OrderStatus::Unavailable => "unavailable",
        }
    }

    pub fn parse(text: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Not yet handed to the carrier, and not ended: it can still be canceled or changed.
    pub fn before_shipment(self) -> bool {
        matches!(self, OrderStatus::Placed | OrderStatus::Approved | OrderStatus::Invoiced)
    }

    /// On its way to the shopper (late when past the estimated delivery).
    pub fn in_flight(self) -> bool {
        self.before_shipment() || self == OrderStatus::Shipped
    }

    /// An invoice exists from this status on.
    pub fn invoiced(self) -> bool {
        matches!(self, OrderStatus::Invoiced | OrderStatus::Shipped | OrderStatus::Delivered)
    }
}

/// The statuses the SQL of a cancellation accepts, as a list for `IN (…)`.
pub(crate) const BEFORE_SHIPMENT_SQL: &str = "'placed', 'approved', 'invoiced'";

#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: String,
    pub title: String,
    pub quantity: u32,
    pub price: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusEvent {
    pub id: String,
    pub status: OrderStatus,
    pub at: Seconds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: String,
    pub customer_id: Option<String>,
    /// Lower-cased.
    pub email: String,
    pub placed_at: Seconds,
    pub currency: String,
    pub status: OrderStatus,
    pub shipping_address: Option<String>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub estimated_delivery: Option<Seconds>,
    pub lines: Vec<OrderLine>,
    /// In time order.
    pub events: Vec<StatusEvent>,
    pub returns: Vec<Return>,
    pub refunds: Vec<Refund>,
}

impl Order {
    pub fn total(&self) -> f64 {
        self.lines.iter().map(|l| l.price * f64::from(l.quantity)).sum()
    }

    /// When it reached `status`, if it did.
    pub fn reached(&self, status: OrderStatus) -> Option<Seconds> {
        self.events.iter().rev().find(|e| e.status == status).map(|e| e.at)
    }

    /// Still on its way after its estimated delivery.
    pub fn is_late(&self, now: Seconds) -> bool {
        self.status.in_flight() && self.estimated_delivery.is_some_and(|eta| now > eta)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    Requested,
    Received,
    Refunded,
    Rejected,
}

impl ReturnStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnStatus::Requested => "requested",
            ReturnStatus::Received => "received",
            ReturnStatus::Refunded => "refunded",
            ReturnStatus::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<ReturnStatus> {
        [ReturnStatus::Requested, ReturnStatus::Received, ReturnStatus::Refunded, ReturnStatus::Rejected]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Return {
    pub reference: String,
    pub order_id: String,
    pub status: ReturnStatus,
    pub lines: Vec<OrderLine>,
    pub created_at: Seconds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    Pending,
    Issued,
    /// The return it was for was rejected.
    Declined,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Issued => "issued",
            RefundStatus::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<RefundStatus> {
        [RefundStatus::Pending, RefundStatus::Issued, RefundStatus::Declined].into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Refund {
    pub order_id: String,
    pub return_reference: Option<String>,
    pub amount: f64,
    pub currency: String,
    pub status: RefundStatus,
    pub created_at: Seconds,
    pub updated_at: Seconds,
}

/// Now, in unix seconds.
pub fn now() -> Seconds {
    jiff::Timestamp::now().as_second()
}

/// RFC 3339 in UTC, seconds precision ("2026-11-24T10:00:00Z").
pub fn format_time(at: Seconds) -> String {
    jiff::Timestamp::from_second(at).map(|t| t.to_string()).unwrap_or_default()
}

/// A timestamp in RFC 3339 ("2026-11-24T10:00:00Z", "2026-11-24T15:30:00+05:30").
pub fn parse_time(text: &str) -> Option<Seconds> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// A lower-cased, trimmed email; what the store keeps and verification compares.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// An order id as shoppers type it: trimmed, without a leading `#`, upper-cased letters.
pub fn normalize_order_id(id: &str) -> String {
    id.trim().trim_start_matches('#').to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_list_of_statuses_before_shipment_is_the_enums() {
        let listed: Vec<&str> = BEFORE_SHIPMENT_SQL.split(',').map(|s| s.trim().trim_matches('\'')).collect();
        let before: Vec<&str> = OrderStatus::ALL.into_iter().filter(|s| s.before_shipment()).map(OrderStatus::as_str).collect();
        assert_eq!(listed, before);
    }
}
