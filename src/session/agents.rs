//! What the agent console does to conversations: the inbox's summaries, a transcript with its
//! context, taking a conversation over (atomically: under the session's turn lock, so exactly
//! one agent gets it and no assistant turn runs between), messages and product cards to the
//! shopper, private notes, and handing back with a marker the assistant reads — the products
//! the agent sent become what "it" and "the first one" mean.

use crate::catalog::Product;
use crate::dialogue::TurnContext;
use crate::protocol::agent::{ConsoleContext, Entry, SessionSummary};
use crate::protocol::{ProductCard, ServerFrame, SessionStatus};

use super::registry::{SessionError, Sessions};
use super::state::SessionState;
use super::store::StoredSession;
use super::transcript::StoredEntry;

/// Most products one agent message carries.
pub const MAX_SENT_PRODUCTS: usize = 10;
/// Longest agent message or note, in characters.
pub const MAX_AGENT_TEXT: usize = 4000;

impl Sessions {
    /// The conversations updated since `since_ms`, newest first, at most `limit`.
    pub async fn summaries(&self, since_ms: i64, limit: usize) -> Result<Vec<SessionSummary>, SessionError> {
        let stored = self.store().recent(since_ms, limit).await?;
        stored.into_iter().map(|s| summary(&s)).collect()
    }

    /// One conversation's summary, `None` when there is no such session.
    pub async fn summary(&self, session_id: &str) -> Result<Option<SessionSummary>, SessionError> {
        self.store().load(session_id).await?.as_ref().map(summary).transpose()
    }

    /// The transcript entries after entry `after` (the newest [`MAX_ENTRIES`](super::transcript::MAX_ENTRIES)).
    pub async fn entries(&self, session_id: &str, after: i64) -> Result<Vec<Entry>, SessionError> {
        Ok(self.store().entries_after(session_id, after).await?.into_iter().map(entry).collect())
    }

    /// The first `limit` transcript entries after entry `after`.
    pub async fn entries_page(&self, session_id: &str, after: i64, limit: usize) -> Result<Vec<Entry>, SessionError> {
        Ok(self.store().entries_page(session_id, after, limit).await?.into_iter().map(entry).collect())
    }

    /// What the console shows beside the conversation.
    pub async fn console_context(&self, session_id: &str) -> Result<ConsoleContext, SessionError> {
        let state = self.state(session_id).await?;
        let ctx = TurnContext {
            orders: self.orders(),
            session_id,
            now: self.clock().now(),
            recommender: &self.recommender(),
            personalize: false,
            agents_online: true,
        };
        Ok(self.assistant().console_context(&ctx, &state).await?)
    }

    /// `agent` takes the conversation over: from the stored `agent_joined` on, the assistant
    /// does not answer it. Refused when another agent owns it; a no-op for its owner.
    pub async fn take_over(&self, session_id: &str, agent: &str) -> Result<(), SessionError> {
        self.append(session_id, None, |state, seq| {
            match state.agent.as_deref() {
                Some(owner) if owner == agent => return Ok(Vec::new()),
                Some(owner) => return Err(SessionError::Owned(owner.to_string())),
                None => {}
            }
            state.agent = Some(agent.to_string());
            state.status = SessionStatus::AgentJoined;
            state.pending = None;
            Ok(vec![ServerFrame::Status { seq, status: SessionStatus::AgentJoined, agent: Some(agent.to_string()) }])
        })
        .await?;
        Ok(())
    }

    /// The owner's message to the shopper, with products of the catalog as cards; the
    /// products become the conversation's shown list.
    pub async fn agent_message(&self, session_id: &str, agent: &str, text: &str, product_ids: &[String]) -> Result<(), SessionError> {
        let text = text.trim();
        if text.is_empty() && product_ids.is_empty() {
            return Err(SessionError::BadRequest("a message needs text or products".into()));
        }
        if text.chars().count() > MAX_AGENT_TEXT {
            return Err(SessionError::BadRequest(format!("messages are limited to {MAX_AGENT_TEXT} characters")));
        }
        if product_ids.len() > MAX_SENT_PRODUCTS {
            return Err(SessionError::BadRequest(format!("at most {MAX_SENT_PRODUCTS} products per message")));
        }
        let products = self.catalog_products(product_ids)?;
        self.append(session_id, None, |state, seq| {
            owned_by(state, agent)?;
            if !products.is_empty() {
                state.show(products.iter().map(|p| p.id.clone()));
            }
            Ok(vec![ServerFrame::AgentMessage {
                seq,
                text: text.to_string(),
                agent: agent.to_string(),
                products: products.iter().map(ProductCard::from).collect(),
            }])
        })
        .await?;
        Ok(())
    }

    /// A private note on the conversation: stored for agents, never sent to the shopper.
    pub async fn agent_note(&self, session_id: &str, agent: &str, text: &str) -> Result<(), SessionError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_AGENT_TEXT {
            return Err(SessionError::BadRequest(format!("a note is 1 to {MAX_AGENT_TEXT} characters")));
        }
        if self.store().load(session_id).await?.is_none() {
            return Err(SessionError::UnknownSession(session_id.to_string()));
        }
        let body = serde_json::json!({ "type": "note", "text": text, "agent": agent }).to_string();
        self.store().append_note(session_id, &body, self.clock().now_ms()).await?;
        self.live().changed(session_id);
        Ok(())
    }

    /// The owner hands the conversation back: `agent_left` is stored and the assistant
    /// answers again, with the products the agent sent as the ones in view.
    pub async fn hand_back(&self, session_id: &str, agent: &str) -> Result<(), SessionError> {
        self.append(session_id, None, |state, seq| {
            owned_by(state, agent)?;
            state.agent = None;
            state.status = SessionStatus::AgentLeft;
            state.waiting_since = None;
            Ok(vec![ServerFrame::Status { seq, status: SessionStatus::AgentLeft, agent: Some(agent.to_string()) }])
        })
        .await?;
        Ok(())
    }

    /// The catalog's products of `ids`, in order; an unknown id is refused.
    fn catalog_products(&self, ids: &[String]) -> Result<Vec<Product>, SessionError> {
        let catalog = self.assistant().catalog();
        ids.iter()
            .map(|id| match catalog.product(id) {
                Ok(Some(product)) => Ok(product),
                Ok(None) | Err(_) => Err(SessionError::BadRequest(format!("no product {id:?} in the catalog"))),
            })
            .collect()
    }
}

pub(super) fn entry(e: StoredEntry) -> Entry {
    Entry {
        id: e.id,
        seq: e.seq,
        role: e.role.as_str().to_string(),
        at: e.at,
        frame: serde_json::from_str(&e.body).unwrap_or(serde_json::Value::String(e.body)),
    }
}

/// Only the conversation's owner may write to it.
fn owned_by(state: &SessionState, agent: &str) -> Result<(), SessionError> {
    match state.agent.as_deref() {
        Some(owner) if owner == agent => Ok(()),
        Some(owner) => Err(SessionError::Owned(owner.to_string())),
        None => Err(SessionError::NotTaken),
    }
}

fn summary(stored: &StoredSession) -> Result<SessionSummary, SessionError> {
    let state: SessionState = serde_json::from_value(stored.state.clone()).map_err(|source| SessionError::State { session: stored.id.clone(), source })?;
    Ok(SessionSummary {
        session_id: stored.id.clone(),
        channel: stored.channel.as_str().to_string(),
        customer_id: stored.customer_id.clone(),
        status: state.status,
        owner: state.agent.clone(),
        reason: state.handoff_reason.map(|r| r.as_str().to_string()),
        waiting_since: state.waiting_since,
        email: state.contact_email.clone(),
        last_seq: stored.last_seq,
        updated_at: stored.updated_at,
        preview: state.recent.last().cloned(),
    })
}
