//! Shopper events: what a shopper viewed, clicked, put in or took out of the cart, bought and
//! searched for, and the cards the chat showed them: the input of profiles and
//! recommendations.
//!
//! They come from four places ([`Source`]): a shop's page or backend (`POST /v1/events`), the
//! widget's `event` frame, the assistant's own actions in a conversation, and imported orders.
//! Whatever the source, an event is checked here ([`RawEvent::check`]) before it is stored,
//! and stored once per id ([`store`]). Consent is the caller's to apply: an event of a session
//! whose shopper did not allow personalization is never handed to the store.

pub mod store;

use serde::{Deserialize, Serialize};

/// Most events in one `POST /v1/events`.
pub const MAX_BATCH: usize = 500;
/// Longest id, session id, customer id, product id, list or order id, in bytes.
const MAX_ID_BYTES: usize = 128;
/// Longest search query, in bytes.
const MAX_QUERY_BYTES: usize = 1_000;
/// Largest quantity of one line.
const MAX_QUANTITY: u32 = 10_000;
/// How far in the future an event's time may be (clocks differ), in ms.
const FUTURE_SLACK_MS: i64 = 5 * 60 * 1000;
/// Earliest accepted event time: 2000-01-01, in unix ms.
const EARLIEST_MS: i64 = 946_684_800_000;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ViewProduct,
    /// A product card clicked, in a `list`.
    Click,
    AddToCart,
    RemoveFromCart,
    /// An order line.
    Purchase,
    /// A search, its `query`.
    Search,
    /// A product card shown, in a `list` (what click-through is counted against).
    Impression,
}

impl Kind {
    pub const ALL: [Kind; 7] = [Kind::ViewProduct, Kind::Click, Kind::AddToCart, Kind::RemoveFromCart, Kind::Purchase, Kind::Search, Kind::Impression];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ViewProduct => "view_product",
            Kind::Click => "click",
            Kind::AddToCart => "add_to_cart",
            Kind::RemoveFromCart => "remove_from_cart",
            Kind::Purchase => "purchase",
            Kind::Search => "search",
            Kind::Impression => "impression",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the event is about one product.
    fn needs_product(self) -> bool {
        self != Kind::Search
    }

    /// Whether it says which list the product was in.
    fn needs_list(self) -> bool {
        matches!(self, Kind::Click | Kind::Impression)
    }

    fn has_quantity(self) -> bool {
        matches!(self, Kind::AddToCart | Kind::RemoveFromCart | Kind::Purchase)
    }
}

/// The lists a product card is shown in.
pub const LISTS: [&str; 4] = ["search", "recommendation", "chat", "page"];

/// Who sent an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `POST /v1/events`: a shop's page or backend.
    Api,
    /// The widget's `event` frame.
    Widget,
    /// The assistant's own actions in a conversation.
    Chat,
    /// An imported order.
    Orders,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Widget => "widget",
            Source::Chat => "chat",
            Source::Orders => "orders",
        }
    }
}

/// An event as a client sends it (`POST /v1/events`, the `event` frame): every field optional
/// here, so that what is missing is reported by [`RawEvent::check`] with the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawEvent {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub session_id: Option<String>,
    pub customer_id: Option<String>,
    pub product_id: Option<String>,
    pub list: Option<String>,
    pub query: Option<String>,
    pub quantity: Option<u32>,
    pub price: Option<f64>,
    pub order_id: Option<String>,
    /// RFC 3339 ("2026-11-30T10:00:00Z") or unix milliseconds; now when absent.
    pub at: Option<serde_json::Value>,
}

/// A checked event, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: String,
    pub kind: Kind,
    pub session_id: Option<String>,
    pub customer_id: Option<String>,
    pub product_id: Option<String>,
    pub list: Option<String>,
    pub query: Option<String>,
    pub quantity: Option<u32>,
    pub price: Option<f64>,
    pub order_id: Option<String>,
    pub source: Source,
    pub arm: Option<String>,
    /// Unix ms.
    pub at: i64,
}

impl Event {
    /// An event of the assistant's own, in a session: its id is made of the session, the
    /// turn and its place in the turn, so a turn's events are stored once.
    pub fn of_chat(session_id: &str, turn: u64, index: usize, kind: Kind, at: i64) -> Event {
        Event {
            id: format!("chat:{session_id}:{turn}:{index}"),
            kind,
            session_id: Some(session_id.to_string()),
            customer_id: None,
            product_id: None,
            list: None,
            query: None,
            quantity: None,
            price: None,
            order_id: None,
            source: Source::Chat,
            arm: None,
            at,
        }
    }
}

impl RawEvent {
    /// The event, when every field is well formed: an id; a known type; a session or a
    /// customer; a product for all but searches, which the catalog has (`known_product`); a
    /// list for clicks and impressions; a query for searches; a quantity from 1 for cart and
    /// purchase lines; a price from 0; a time from 2000 up to a few minutes ahead of `now_ms`.
    /// Otherwise every problem found, in one sentence.
    pub fn check(self, source: Source, now_ms: i64, known_product: impl Fn(&str) -> bool) -> Result<Event, String> {
        let mut problems: Vec<String> = Vec::new();
        let id = text_field("id", self.id, MAX_ID_BYTES, &mut problems, true);
        let kind = match self.kind.as_deref() {
            None => {
                problems.push("'type' is missing".into());
                None
            }
            Some(text) => Kind::parse(text).or_else(|| {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                problems.push(format!("'type' {text:?} is not one of {}", known.join(", ")));
                None
            }),
        };
        let session_id = text_field("session_id", self.session_id, MAX_ID_BYTES, &mut problems, false);
        let customer_id = text_field("customer_id", self.customer_id, MAX_ID_BYTES, &mut problems, false);
        if session_id.is_none() && customer_id.is_none() {
            problems.push("give a session_id or a customer_id".into());
        }
        let product_id = text_field("product_id", self.product_id, MAX_ID_BYTES, &mut problems, false);
        let list = text_field("list", self.list, MAX_ID_BYTES, &mut problems, false);
        let query = text_field("query", self.query, MAX_QUERY_BYTES, &mut problems, false);
        let order_id = text_field("order_id", self.order_id, MAX_ID_BYTES, &mut problems, false);
        if let Some(kind) = kind {
            match &product_id {
                None if kind.needs_product() => problems.push(format!("a {} event needs a product_id", kind.as_str())),
                Some(id) if kind.needs_product() && !known_product(id) => problems.push(format!("product {id:?} is not in the catalog")),
                _ => {}
            }
            match &list {
                None if kind.needs_list() => problems.push(format!("a {} event needs a list ({})", kind.as_str(), LISTS.join(", "))),
                Some(list) if !LISTS.contains(&list.as_str()) => problems.push(format!("'list' {list:?} is not one of {}", LISTS.join(", "))),
                _ => {}
            }
            if kind == Kind::Search && query.is_none() {
                problems.push("a search event needs a query".into());
            }
            if self.quantity.is_some() && !kind.has_quantity() {
                problems.push(format!("a {} event has no quantity", kind.as_str()));
            }
        }
        if let Some(q) = self.quantity.filter(|q| *q == 0 || *q > MAX_QUANTITY) {
            problems.push(format!("'quantity' must be from 1 to {MAX_QUANTITY}, got {q}"));
        }
        if let Some(p) = self.price.filter(|p| !p.is_finite() || *p < 0.0) {
            problems.push(format!("'price' must be a number from 0, got {p}"));
        }
        let at = match self.at.as_ref().map(parse_time) {
            None => Some(now_ms),
            Some(Ok(at)) if (EARLIEST_MS..=now_ms + FUTURE_SLACK_MS).contains(&at) => Some(at),
            Some(Ok(_)) => {
                problems.push("'at' must be from 2000 to now".into());
                None
            }
            Some(Err(why)) => {
                problems.push(why);
                None
            }
        };
        match (id, kind, at) {
            (Some(id), Some(kind), Some(at)) if problems.is_empty() => Ok(Event {
                id,
                kind,
                session_id,
                customer_id,
                product_id,
                list,
                query,
                quantity: self.quantity.or(kind.has_quantity().then_some(1)),
                price: self.price,
                order_id,
                source,
                arm: None,
                at,
            }),
            _ => Err(problems.join("; ")),
        }
    }
}

/// A text field, trimmed: absent or blank is `None` (a problem when `required`); too long or
/// with control characters is a problem.
fn text_field(name: &str, value: Option<String>, max: usize, problems: &mut Vec<String>, required: bool) -> Option<String> {
    let value = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    match value {
        None if required => {
            problems.push(format!("'{name}' is missing"));
            None
        }
        Some(v) if v.len() > max => {
            problems.push(format!("'{name}' is longer than {max} bytes"));
            None
        }
        Some(v) if v.chars().any(char::is_control) => {
            problems.push(format!("'{name}' has control characters"));
            None
        }
        other => other,
    }
}

/// An event time: unix ms, or RFC 3339 text.
fn parse_time(value: &serde_json::Value) -> Result<i64, String> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().ok_or_else(|| format!("'at' must be whole unix milliseconds, got {n}")),
        serde_json::Value::String(s) => s
            .parse::<jiff::Timestamp>()
            .map(|t| t.as_millisecond())
            .map_err(|_| format!("'at' must be RFC 3339 (2026-11-30T10:00:00Z) or unix milliseconds, got {s:?}")),
        other => Err(format!("'at' must be RFC 3339 text or unix milliseconds, got {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_000_000_000;

    fn raw(json: &str) -> RawEvent {
        serde_json::from_str(json).expect("test json")
    }

    fn check(json: &str) -> Result<Event, String> {
        raw(json).check(Source::Api, NOW, |id| id.starts_with('P'))
    }

    #[test]
    fn a_well_formed_event_is_taken_with_defaults() {
        let event = check(r#"{"id":"e1","type":"add_to_cart","session_id":"s1","product_id":"P1"}"#).expect("valid");
        assert_eq!(event.kind, Kind::AddToCart);
        assert_eq!(event.quantity, Some(1), "a cart line is one unless told");
        assert_eq!(event.at, NOW);
        let event = check(r#"{"id":"e2","type":"purchase","customer_id":"c1","product_id":"P1","quantity":2,"price":9.5,"at":"2026-11-01T10:00:00Z"}"#).expect("valid");
        assert_eq!(event.at, 1_793_527_200_000);
        let event = check(r#"{"id":"e3","type":"search","session_id":"s1","query":"boots"}"#).expect("valid");
        assert_eq!(event.product_id, None);
    }

    #[test]
    fn every_problem_of_a_bad_event_is_named() {
        let why = check(r#"{"type":"teleport","product_id":"X9","at":"yesterday"}"#).unwrap_err();
        for part in ["'id' is missing", "\"teleport\" is not one of", "session_id or a customer_id", "RFC 3339"] {
            assert!(why.contains(part), "{why:?} should say {part:?}");
        }
        let why = check(r#"{"id":"e","type":"click","session_id":"s","product_id":"X9"}"#).unwrap_err();
        assert!(why.contains("\"X9\" is not in the catalog") && why.contains("needs a list"), "{why}");
        let why = check(r#"{"id":"e","type":"view_product","session_id":"s","product_id":"P1","quantity":0}"#).unwrap_err();
        assert!(why.contains("has no quantity") && why.contains("from 1"), "{why}");
        let why = check(r#"{"id":"e","type":"search","session_id":"s"}"#).unwrap_err();
        assert!(why.contains("needs a query"), "{why}");
        let why = check(&format!(r#"{{"id":"e","type":"search","session_id":"s","query":"x","at":{}}}"#, NOW + 3_600_000)).unwrap_err();
        assert!(why.contains("from 2000 to now"), "{why}");
        let why = check(r#"{"id":"e\u0000","type":"search","session_id":"s","query":"x"}"#).unwrap_err();
        assert!(why.contains("control characters"), "{why}");
    }
}
