//! What a conversation remembers between turns: the products last shown (in order), the
//! focused product, the active search, the cart, and a question the assistant is waiting on.
//! Serialized as JSON into the session store; fields are only ever added (old records load).

use serde::{Deserialize, Serialize};

use crate::nlu::slots::SortSlot;
use crate::protocol::{Channel, SessionStatus};

/// Most product ids remembered as "shown".
pub const MAX_SHOWN: usize = 20;
/// Most products remembered as viewed in a session.
pub const MAX_VIEWED: usize = 10;
/// Most distinct products in a cart.
pub const MAX_CART_LINES: usize = 50;
/// Most units of one product in a cart.
pub const MAX_QUANTITY: u32 = 99;
/// Most orders remembered as verified by email in one conversation.
pub const MAX_VERIFIED_ORDERS: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionState {
    pub channel: Channel,
    /// The verified customer, when the shopper presented a valid identity token.
    pub customer_id: Option<String>,
    /// When that token expires (unix seconds): the identity holds until then.
    pub customer_expires_at: Option<i64>,
    /// Orders whose email the shopper gave in this conversation, so they may see them.
    pub verified_orders: Vec<String>,
    pub status: SessionStatus,
    /// Product ids of the last list shown, in order: "the second one" is `shown[1]`.
    pub shown: Vec<String>,
    /// The product the conversation is about ("is it waterproof?").
    pub focus: Option<String>,
    /// Products the shopper looked at in this session, latest first (at most [`MAX_VIEWED`]):
    /// what a list for them starts from even without consent (nothing of it is stored as an
    /// event then).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub viewed: Vec<String>,
    /// The last search, which refinements act on.
    pub search: Option<SearchContext>,
    pub cart: Vec<CartLine>,
    /// What the assistant asked and is waiting for an answer to.
    pub pending: Option<Pending>,
    /// Turns taken so far (also picks template variants).
    pub turns: u64,
    /// The shopper's last messages (at most [`RECENT_MESSAGES`]), to notice a request asked again.
    pub recent: Vec<String>,
    /// Why the conversation was handed to a person, once it was.
    pub handoff_reason: Option<HandoffReason>,
    /// Since when (unix ms) the shopper has been waiting for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<i64>,
    /// The agent who took the conversation over; while set, only they answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The email the shopper left for the team when nobody could join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// The shopper allowed personalization (`hello.consent`): the session's events are stored
    /// and, once it identifies itself, joined to the customer. Off until the client says so.
    pub consent: bool,
    /// What the shopper told about themselves ("I'm a size 10", "I don't like Nike"), oldest
    /// first; kept for the customer across sessions when they identify themselves with consent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stated: Vec<Preference>,
    /// The quick replies of the last results that narrow them to a kind of product or a
    /// property: their text, sent back, applies exactly that filter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub narrowing: Vec<Narrowing>,
}

impl SessionState {
    /// The shopper looks at `id`: it is the product in focus, and the latest viewed.
    pub fn view(&mut self, id: &str) {
        self.focus = Some(id.to_string());
        self.viewed.retain(|v| v != id);
        self.viewed.insert(0, id.to_string());
        self.viewed.truncate(MAX_VIEWED);
    }

    /// What is in front of the shopper, for a list: the cart's products, the one in focus and
    /// the others they viewed, each once.
    pub fn in_front(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for id in self.cart.iter().map(|l| &l.product_id).chain(&self.focus).chain(&self.viewed) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }

    /// The search narrowed as a quick reply of the last results says, when `text` is one.
    pub fn narrowed(&self, text: &str) -> Option<SearchContext> {
        let search = self.search.as_ref()?;
        let chosen = self.narrowing.iter().find(|n| n.text.eq_ignore_ascii_case(text.trim()))?;
        let mut narrowed = SearchContext { page: 0, ..search.clone() };
        match &chosen.to {
            NarrowTo::Kind(path) => narrowed.kinds = vec![path.clone()],
            NarrowTo::Attribute(value) => narrowed.attributes.push(value.clone()),
        }
        Some(narrowed)
    }
}

/// A quick reply that narrows the results shown (see [`SessionState::narrowing`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrowing {
    pub label: String,
    /// What the reply sends.
    pub text: String,
    pub to: NarrowTo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NarrowTo {
    /// A category path.
    Kind(String),
    /// An attribute value, `"Name: value"`.
    Attribute(String),
}

/// A preference the shopper stated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    pub kind: PreferenceKind,
    /// The size, the brand (canonical), the diet ("vegan"), or the person ("sister").
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreferenceKind {
    /// A size they wear.
    Size,
    /// A brand they'd rather not see: searches leave it out.
    AvoidBrand,
    /// A diet or way of living ("vegan", "gluten-free").
    Diet,
    /// Who they are shopping for in this conversation ("sister"): searches that say for whom
    /// are for them. Kept for the session only.
    Recipient,
}

impl PreferenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PreferenceKind::Size => "size",
            PreferenceKind::AvoidBrand => "avoid_brand",
            PreferenceKind::Diet => "diet",
            PreferenceKind::Recipient => "recipient",
        }
    }

    pub fn parse(text: &str) -> Option<PreferenceKind> {
        [PreferenceKind::Size, PreferenceKind::AvoidBrand, PreferenceKind::Diet, PreferenceKind::Recipient].into_iter().find(|k| k.as_str() == text)
    }
}

/// Shopper messages remembered in [`SessionState::recent`].
pub const RECENT_MESSAGES: usize = 2;

/// Why a person was asked to join: shown to the agent with the conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The shopper asked for a person.
    #[default]
    Asked,
    /// The shopper was frustrated, or asked for the same thing again and again.
    Frustration,
    /// A complaint about a product or an order.
    Complaint,
    /// The record or the shop's policies had no answer.
    Unanswered,
    /// An order that is late, or a change the chat cannot make.
    OrderProblem,
    PaymentIssue,
    AccountHelp,
}

impl HandoffReason {
    /// The reason as it is stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::Asked => "asked",
            HandoffReason::Frustration => "frustration",
            HandoffReason::Complaint => "complaint",
            HandoffReason::Unanswered => "unanswered",
            HandoffReason::OrderProblem => "order_problem",
            HandoffReason::PaymentIssue => "payment_issue",
            HandoffReason::AccountHelp => "account_help",
        }
    }
}

/// The constraints of the active search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchContext {
    /// What is searched for, in words ("running shoes").
    pub query: String,
    pub brands: Vec<String>,
    pub excluded_brands: Vec<String>,
    pub colors: Vec<String>,
    pub sizes: Vec<String>,
    pub gender: Option<String>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
    pub sort: Option<SortSlot>,
    /// Only products in stock.
    pub in_stock: bool,
    /// Products left out: those already shown, when the shopper asked for cheaper ones.
    pub excluded_ids: Vec<String>,
    /// Kinds of product (category paths) the search keeps to, implied by a wish that names
    /// none ("she loves painting" → paints and brushes); dropped when they find nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Attribute values (`"Occasion: Wedding"`) every product must have: a suggested filter
    /// the shopper chose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Zero-based page of results shown last.
    pub page: usize,
    /// The embedding of the message that started this search, to find products by meaning
    /// too when its words fail (refinements and later pages keep it). Stored as base64 of
    /// little-endian f32s.
    #[serde(skip_serializing_if = "Option::is_none", with = "vector_text")]
    pub vector: Option<std::sync::Arc<Vec<f32>>>,
}

impl SearchContext {
    /// Whether it asks for nothing in particular ("recommend me something"): no words, kinds,
    /// brands, audience, sizes, colours or prices.
    pub fn is_open(&self) -> bool {
        self.query.is_empty()
            && self.kinds.is_empty()
            && self.brands.is_empty()
            && self.gender.is_none()
            && self.sizes.is_empty()
            && self.colors.is_empty()
            && self.price_min.is_none()
            && self.price_max.is_none()
    }
}

/// A vector as base64 text: a quarter of its JSON numbers' size, and exact.
mod vector_text {
    use std::sync::Arc;

    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(vector: &Option<Arc<Vec<f32>>>, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = vector.iter().flat_map(|v| v.iter()).flat_map(|x| x.to_le_bytes()).collect();
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Arc<Vec<f32>>>, D::Error> {
        let Some(text) = Option::<String>::deserialize(deserializer)? else { return Ok(None) };
        let bytes = STANDARD.decode(text).map_err(serde::de::Error::custom)?;
        if bytes.len() % 4 != 0 {
            return Err(serde::de::Error::custom("a vector's bytes come in fours"));
        }
        Ok(Some(Arc::new(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: String,
    pub quantity: u32,
}

/// A question the assistant asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pending {
    /// "Did you mean A or B?": the shopper's text and the two intents offered.
    Clarify { text: String, intents: Vec<String> },
    /// "Which product do you mean?": the request waiting for a product.
    WhichProduct { intent: String, text: String },
    /// "Shall I connect you with a person?", and why it was offered.
    OfferHandoff {
        #[serde(default)]
        reason: HandoffReason,
    },
    /// An order request waiting for the order number, or for the email on the order.
    OrderDetails { intent: String, order_id: Option<String>, email: Option<String>, words: String },
    /// "Nobody is online: leave an email?": waiting for the address.
    ContactEmail,
    /// "Shall I cancel order X?"
    ConfirmCancel { order_id: String },
    /// "Where should order X go instead?"
    NewAddress { order_id: String },
    /// "Ship order X to this address?"
    ConfirmAddress { order_id: String, address: String },
    /// "Return these items of order X?"
    ConfirmReturn { order_id: String, product_ids: Vec<String> },
}

impl SessionState {
    pub fn new(channel: Channel) -> SessionState {
        SessionState { channel, ..SessionState::default() }
    }

    /// Offers a person: a "yes" next hands the conversation over, for `reason`.
    pub fn offer_handoff(&mut self, reason: HandoffReason) {
        self.pending = Some(Pending::OfferHandoff { reason });
    }

    /// Remembers a shopper's message among the last [`RECENT_MESSAGES`].
    pub fn remember(&mut self, text: &str) {
        // Redacted like the transcript: the state is stored too.
        self.recent.push(crate::redact::redact(text).chars().take(300).collect());
        if self.recent.len() > RECENT_MESSAGES {
            self.recent.remove(0);
        }
    }

    /// Remembers a list just shown; the first item becomes the focus when there is one.
    pub fn show(&mut self, ids: impl IntoIterator<Item = String>) {
        self.shown = ids.into_iter().take(MAX_SHOWN).collect();
        if let Some(first) = self.shown.first() {
            if self.shown.len() == 1 {
                self.focus = Some(first.clone());
            }
        }
    }

    /// The customer of the identity token, while it holds.
    pub fn customer(&self, now: i64) -> Option<&str> {
        self.customer_id.as_deref().filter(|_| self.customer_expires_at.is_some_and(|exp| exp > now))
    }

    /// Remembers an order verified by its email (the most recent [`MAX_VERIFIED_ORDERS`]).
    pub fn verified(&mut self, order_id: &str) {
        self.verified_orders.retain(|o| o != order_id);
        self.verified_orders.push(order_id.to_string());
        if self.verified_orders.len() > MAX_VERIFIED_ORDERS {
            self.verified_orders.remove(0);
        }
    }

    pub fn cart_quantity(&self, product_id: &str) -> u32 {
        self.cart.iter().find(|l| l.product_id == product_id).map_or(0, |l| l.quantity)
    }

    /// Adds units of a product (capped at [`MAX_QUANTITY`]); `false` when the cart is full.
    pub fn add_to_cart(&mut self, product_id: &str, quantity: u32) -> bool {
        if let Some(line) = self.cart.iter_mut().find(|l| l.product_id == product_id) {
            line.quantity = line.quantity.saturating_add(quantity).min(MAX_QUANTITY);
            return true;
        }
        if self.cart.len() >= MAX_CART_LINES {
            return false;
        }
        self.cart.push(CartLine { product_id: product_id.to_string(), quantity: quantity.clamp(1, MAX_QUANTITY) });
        true
    }

    /// Sets the units of a product already in the cart (capped at [`MAX_QUANTITY`]; 0 removes
    /// the line); `false` when it is not in the cart.
    pub fn set_quantity(&mut self, product_id: &str, quantity: u32) -> bool {
        let Some(index) = self.cart.iter().position(|l| l.product_id == product_id) else {
            return false;
        };
        if quantity == 0 {
            self.cart.remove(index);
        } else {
            self.cart[index].quantity = quantity.min(MAX_QUANTITY);
        }
        true
    }

    /// Removes `quantity` units (all of them when `None`); returns the units left.
    pub fn remove_from_cart(&mut self, product_id: &str, quantity: Option<u32>) -> Option<u32> {
        let index = self.cart.iter().position(|l| l.product_id == product_id)?;
        let line = &mut self.cart[index];
        match quantity {
            Some(q) if q < line.quantity => {
                line.quantity -= q;
                Some(line.quantity)
            }
            _ => {
                self.cart.remove(index);
                Some(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cart_adds_merges_caps_and_removes() {
        let mut s = SessionState::default();
        assert!(s.add_to_cart("a", 2));
        assert!(s.add_to_cart("a", 200));
        assert_eq!(s.cart_quantity("a"), MAX_QUANTITY);
        assert_eq!(s.remove_from_cart("a", Some(9)), Some(MAX_QUANTITY - 9));
        assert_eq!(s.remove_from_cart("a", None), Some(0));
        assert_eq!(s.remove_from_cart("a", None), None);
        for i in 0..MAX_CART_LINES {
            assert!(s.add_to_cart(&i.to_string(), 1));
        }
        assert!(!s.add_to_cart("one too many", 1));
    }

    #[test]
    fn a_quantity_is_set_not_added() {
        let mut s = SessionState::default();
        s.add_to_cart("a", 3);
        assert!(s.set_quantity("a", 2));
        assert_eq!(s.cart_quantity("a"), 2);
        assert!(s.set_quantity("a", 500));
        assert_eq!(s.cart_quantity("a"), MAX_QUANTITY);
        assert!(!s.set_quantity("b", 1), "not in the cart");
        assert!(s.cart.iter().all(|l| l.product_id != "b"));
        assert!(s.set_quantity("a", 0));
        assert!(s.cart.is_empty());
    }

    #[test]
    fn a_token_identity_holds_until_it_expires() {
        let s = SessionState { customer_id: Some("C1".into()), customer_expires_at: Some(100), ..SessionState::default() };
        assert_eq!(s.customer(99), Some("C1"));
        assert_eq!(s.customer(100), None);
        let no_expiry = SessionState { customer_id: Some("C1".into()), ..SessionState::default() };
        assert_eq!(no_expiry.customer(0), None);
    }

    #[test]
    fn verified_orders_keep_the_most_recent() {
        let mut s = SessionState::default();
        for i in 0..MAX_VERIFIED_ORDERS + 3 {
            s.verified(&i.to_string());
        }
        s.verified("5");
        assert_eq!(s.verified_orders.len(), MAX_VERIFIED_ORDERS);
        assert_eq!(s.verified_orders.last().map(String::as_str), Some("5"));
        assert!(!s.verified_orders.contains(&"0".to_string()));
    }

    #[test]
    fn old_records_without_new_fields_load() {
        let s: SessionState = serde_json::from_str(r#"{"shown":["p1"],"unknown":1}"#).unwrap();
        assert_eq!(s.shown, vec!["p1"]);
        assert!(s.cart.is_empty());
        // An offer of a person stored before offers had a reason.
        let s: SessionState = serde_json::from_str(r#"{"pending":{"kind":"offer_handoff"}}"#).unwrap();
        assert_eq!(s.pending, Some(Pending::OfferHandoff { reason: HandoffReason::Asked }));
    }

    #[test]
    fn the_last_messages_are_remembered() {
        let mut s = SessionState::default();
        for text in ["a", "b", "c"] {
            s.remember(text);
        }
        assert_eq!(s.recent, vec!["b", "c"]);
        s.remember(&"x".repeat(1000));
        assert_eq!(s.recent[1].len(), 300);
    }
}
