//! Conversations: per-session state, context for follow-ups, and the transcript store.
//!
//! - [`state`]: what a conversation remembers between turns.
//! - [`store`]: sessions and transcripts in SQLite (sqlx).
//! - [`registry`]: opening, resuming and running turns, one at a time per session.
//! - [`clock`]: the time turns and rate limits read, injectable for tests.

pub mod clock;
mod agents;
pub mod live;
pub mod privacy;
pub mod transcript;
pub mod recommender;
pub mod registry;
pub mod state;
pub mod store;

pub use clock::Clock;
pub use registry::{Opened, SessionError, Sessions, TurnInput};
