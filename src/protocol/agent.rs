//! Wire types of the agent console's protocol (`/ws/agent`, `docs/protocol.md` "Agent
//! console"): what a support agent's page sends and receives. Serde only, no I/O.

use serde::{Deserialize, Serialize};

use super::{Cart, ErrorFrame, OrderView, ProductCard, SessionStatus};

/// A frame from an agent's console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentClientFrame {
    /// The agent key and the agent's name; nothing else is answered before it.
    Hello { key: String, name: String },
    /// The transcript after entry `after` (0: all) and the context, then live updates.
    Subscribe {
        session_id: String,
        #[serde(default)]
        after: i64,
    },
    Unsubscribe { session_id: String },
    TakeOver {
        session_id: String,
        #[serde(default)]
        id: Option<String>,
    },
    /// A message to the shopper, with products from the catalog as cards.
    Send {
        session_id: String,
        #[serde(default)]
        text: String,
        #[serde(default)]
        product_ids: Vec<String>,
        #[serde(default)]
        id: Option<String>,
    },
    /// A private note: agents see it, the shopper never does.
    Note {
        session_id: String,
        text: String,
        #[serde(default)]
        id: Option<String>,
    },
    Typing { session_id: String },
    HandBack {
        session_id: String,
        #[serde(default)]
        id: Option<String>,
    },
    /// Products from the catalog, to send.
    Search {
        q: String,
        #[serde(default)]
        id: Option<String>,
    },
    Ping,
}

impl AgentClientFrame {
    /// The `type` values a console may send.
    pub const TYPES: [&'static str; 10] = ["hello", "subscribe", "unsubscribe", "take_over", "send", "note", "typing", "hand_back", "search", "ping"];

    /// The frame's `id`, echoed on an error.
    pub fn id(&self) -> Option<&str> {
        match self {
            AgentClientFrame::TakeOver { id, .. }
            | AgentClientFrame::Send { id, .. }
            | AgentClientFrame::Note { id, .. }
            | AgentClientFrame::HandBack { id, .. }
            | AgentClientFrame::Search { id, .. } => id.as_deref(),
            _ => None,
        }
    }
}

/// A frame to an agent's console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentServerFrame {
    /// `now` is the server's clock (unix ms), to show waits.
    Welcome { agent: String, now: i64 },
    Inbox { sessions: Vec<SessionSummary> },
    /// One conversation of the inbox changed.
    Session { session: SessionSummary },
    Transcript { session_id: String, entries: Vec<Entry>, context: ConsoleContext },
    Entry { session_id: String, entry: Entry },
    Context { session_id: String, context: ConsoleContext },
    /// `who`: "shopper", or an agent's name.
    Typing { session_id: String, who: String },
    SearchResults { id: Option<String>, products: Vec<ProductCard> },
    Error(ErrorFrame),
    Pong,
}

/// One conversation as the inbox lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub session_id: String,
    pub channel: String,
    pub customer_id: Option<String>,
    pub status: SessionStatus,
    /// The agent who took it over.
    pub owner: Option<String>,
    /// Why it was handed to a person (`asked`, `frustration`, `complaint`, …).
    pub reason: Option<String>,
    /// Since when (unix ms) the shopper waits for a person.
    pub waiting_since: Option<i64>,
    /// The email the shopper left when nobody was online.
    pub email: Option<String>,
    pub last_seq: u64,
    pub updated_at: i64,
    /// The shopper's last message.
    pub preview: Option<String>,
}

/// One transcript line: a shopper message, a stored frame, or a private note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Transcript order; `subscribe.after` resumes after it.
    pub id: i64,
    pub seq: Option<u64>,
    /// `shopper`, `assistant`, `agent`, `system` or `note`.
    pub role: String,
    /// Unix ms.
    pub at: i64,
    /// The frame as sent, or the shopper's message as received.
    pub frame: serde_json::Value,
}

/// What the console shows beside a conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConsoleContext {
    pub status: SessionStatus,
    pub owner: Option<String>,
    pub reason: Option<String>,
    pub email: Option<String>,
    pub customer_id: Option<String>,
    pub channel: String,
    /// Orders the shopper may see: the customer's and those verified by email.
    pub orders: Vec<OrderView>,
    pub cart: Option<Cart>,
    pub focus: Option<ProductCard>,
    pub shown: Vec<ProductCard>,
    pub search: Option<SearchView>,
    /// The question the assistant is waiting on, in words.
    pub pending: Option<String>,
}

/// The active search in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchView {
    pub query: String,
    /// Each constraint in words: "under ₹500", "brand Titan", "not Nike", "colour black".
    pub constraints: Vec<String>,
}
