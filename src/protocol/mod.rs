//! Wire types of the HTTP API and of the chat protocol v1 (a contract with clients; see
//! DESIGN.md "Protocol v1" and `docs/protocol.md`). Serde only, no I/O. Fields are only ever
//! added; unknown fields from clients are ignored.

pub mod admin;
pub mod agent;

use serde::{Deserialize, Serialize};

use crate::catalog::{Facets, Hit, Product};

/// A product as shown in a result list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: String,
    pub title: String,
    pub brand: Option<String>,
    /// What the shopper pays now: the sale price when there is one.
    pub price: f64,
    pub currency: String,
    /// The regular price when the product is on sale, else null.
    pub list_price: Option<f64>,
    pub rating: Option<f32>,
    pub in_stock: bool,
    pub image: Option<String>,
    pub url: Option<String>,
}

impl From<&Product> for ProductCard {
    fn from(p: &Product) -> Self {
        let price = p.effective_price();
        ProductCard {
            id: p.id.clone(),
            title: p.title.clone(),
            brand: p.brand.clone(),
            price: round_cents(price.amount),
            currency: price.currency.clone(),
            list_price: p.sale_price.as_ref().map(|_| round_cents(p.price.amount)),
            rating: p.rating,
            in_stock: p.in_stock(),
            image: p.image_link.clone(),
            url: p.link.clone(),
        }
    }
}

fn round_cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// `GET /v1/search`.
#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub total: usize,
    pub took_ms: f64,
    pub products: Vec<ProductCard>,
    pub facets: Facets,
    /// Query words that had to be left out to find anything (absent when all matched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped_words: Vec<String>,
    /// The retrievers whose candidates are among the products: `lexical` (the words) and
    /// `semantic` (the meaning); empty when nothing was found.
    pub retrievers: Vec<&'static str>,
    /// Up to five filters that would narrow these results most usefully:
    /// `{"field":"category"|"brand","value","count"}` or `{"field":"price","max_price","count"}`.
    pub suggested_filters: Vec<crate::catalog::smart_filters::SuggestedFilter>,
}

/// `GET /v1/suggest`.
#[derive(Debug, Serialize)]
pub struct SuggestResponse {
    pub suggestions: Vec<String>,
    /// The same suggestions with what each is (`brand`, `category`, `product`).
    pub items: Vec<crate::catalog::Suggestion>,
}

/// `GET /v1/products/{id}/similar`.
#[derive(Debug, Serialize)]
pub struct ProductsResponse {
    pub products: Vec<ProductCard>,
}

impl ProductsResponse {
    pub fn from_hits(hits: &[Hit]) -> Self {
        Self { products: hits.iter().map(|h| ProductCard::from(&h.product)).collect() }
    }
}

/// The body of every HTTP error: `{"error":{"code","message"}}`.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
}

/// The protocol version this server speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Where a conversation comes from; `voice` replies are shaped to be spoken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    Web,
    Voice,
    Api,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Voice => "voice",
            Channel::Api => "api",
        }
    }
}

/// A frame from the client on `/ws/chat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Hello(Hello),
    Message(MessageFrame),
    Action(ActionFrame),
    Event(EventFrame),
    Ack { seq: u64 },
    Ping,
    /// The shopper is typing: forwarded to an agent watching the session, never answered.
    Typing,
}

impl ClientFrame {
    /// The `type` values a client may send.
    pub const TYPES: [&'static str; 7] = ["hello", "message", "action", "event", "ack", "ping", "typing"];
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    #[serde(default = "default_protocol")]
    pub protocol: u32,
    #[serde(default)]
    pub channel: Channel,
    /// A session to resume; unknown ids start a new session.
    #[serde(default)]
    pub session_id: Option<String>,
    /// The highest `seq` the client has; everything stored after it is replayed.
    #[serde(default)]
    pub last_seq: u64,
    /// A customer identity token.
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    /// The shopper allows personalization: events stored, profile kept across sessions.
    /// Absent leaves the session's setting as it is (off for a new session).
    #[serde(default)]
    pub consent: Option<bool>,
}

fn default_protocol() -> u32 {
    PROTOCOL_VERSION
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageFrame {
    /// The client's id for the message, echoed as `in_reply_to`; a repeated id is answered
    /// from the transcript instead of being run twice.
    #[serde(default)]
    pub id: Option<String>,
    pub text: String,
    /// `false`: answer this message without the shopper's profile (no re-ranking by their
    /// past orders). Default true.
    #[serde(default)]
    pub personalize: Option<bool>,
}

/// A button press: `add_to_cart`, `remove_from_cart`, `view_cart`, `checkout`, `show_product`,
/// `similar`, `compare` (with `product_ids`), `handoff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionFrame {
    #[serde(default)]
    pub id: Option<String>,
    pub action: String,
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub quantity: Option<u32>,
}

/// A shopper event for recommendations: `view_product`, `click` (with its `list`),
/// `add_to_cart`, `remove_from_cart`, `purchase`, `search` (with its `query`), `impression`.
/// Stored only when the session has consent; an `id` makes a resend count once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventFrame {
    pub event: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub list: Option<String>,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub quantity: Option<u32>,
}

/// A frame from the server on `/ws/chat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Welcome { protocol: u32, session_id: String, seq: u64, resumed: bool },
    /// The assistant is working on a turn, or (with `agent`) a person is typing. Not stored.
    Typing {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
    },
    Reply(Reply),
    AgentMessage {
        seq: u64,
        text: String,
        agent: String,
        /// Products the agent sent as cards.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        products: Vec<ProductCard>,
    },
    Status {
        seq: u64,
        status: SessionStatus,
        /// The agent who joined or left.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
    },
    /// A message the shopper sent from another connection of the same session (another tab).
    /// Not stored as a frame, sent live only.
    ShopperMessage {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    Error(ErrorFrame),
    Pong,
}

impl ServerFrame {
    /// The assistant's typing indicator.
    pub const TYPING: ServerFrame = ServerFrame::Typing { agent: None };

    /// The sequence number of a stored frame.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ServerFrame::Reply(r) => Some(r.seq),
            ServerFrame::AgentMessage { seq, .. } | ServerFrame::Status { seq, .. } => Some(*seq),
            _ => None,
        }
    }
}

/// Who is answering a conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// The assistant answers.
    #[default]
    Bot,
    WaitingForAgent,
    AgentJoined,
    AgentLeft,
}

/// The assistant's answer to one message or action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub seq: u64,
    pub in_reply_to: Option<String>,
    pub text: String,
    /// Plain words to speak: no markup, at most two sentences, at most three items.
    pub speech: String,
    /// On `channel: "voice"`: `speech` as SSML (`<speak>`; prices slower, order numbers read
    /// digit by digit). Absent on other channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssml: Option<String>,
    pub intent: Option<IntentRef>,
    #[serde(default)]
    pub products: Vec<ProductCard>,
    pub comparison: Option<Comparison>,
    pub order: Option<OrderView>,
    pub cart: Option<Cart>,
    #[serde(default)]
    pub quick_replies: Vec<QuickReply>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentRef {
    pub name: String,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    pub label: String,
    /// What is sent as the shopper's message when it is pressed.
    pub text: String,
}

/// Products side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub products: Vec<String>,
    pub rows: Vec<ComparisonRow>,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub attribute: String,
    /// One value per product, in `products` order ("" when a product has none).
    pub values: Vec<String>,
    /// The index of the best value, when the attribute has a better direction.
    pub best: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cart {
    pub items: Vec<CartItem>,
    pub total: f64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartItem {
    pub product_id: String,
    pub title: String,
    pub quantity: u32,
    /// Unit price.
    pub price: f64,
}

/// An order as shown to its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderView {
    pub order_id: String,
    pub status: String,
    pub placed_at: String,
    pub items: Vec<OrderItem>,
    pub timeline: Vec<TimelineEntry>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub estimated_delivery: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub product_id: String,
    pub title: String,
    pub quantity: u32,
    pub price: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub status: String,
    pub at: String,
}

/// Wire error codes of the chat protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    TooLarge,
    RateLimited,
    Overloaded,
    Unauthorized,
    /// Someone else holds what was asked for (another agent owns the conversation).
    Conflict,
    NotFound,
    Internal,
}

impl ErrorCode {
    /// The code as it is written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Conflict => "conflict",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorFrame {
    pub code: ErrorCode,
    pub message: String,
    pub in_reply_to: Option<String>,
    pub retry_after_ms: Option<u64>,
}

/// `POST /v1/chat` body.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatRequest {
    #[serde(default)]
    pub session_id: Option<String>,
    pub text: String,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub token: Option<String>,
    /// As `hello.consent`.
    #[serde(default)]
    pub consent: Option<bool>,
    /// As the message frame's `personalize`.
    #[serde(default)]
    pub personalize: Option<bool>,
}

/// `POST /v1/chat` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChatResponse {
    pub session_id: String,
    /// The assistant's reply; null while a person has taken the conversation over (the
    /// message is stored and shown to them).
    pub reply: Option<Reply>,
    /// Who answers the conversation now.
    #[serde(default)]
    pub status: SessionStatus,
}
