//! Conversations: per-session state, context for follow-ups, and the transcript store.

pub mod store;
