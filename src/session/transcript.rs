//! The transcript as the agent console reads it: every entry with its id (the console's
//! resume point), shopper messages and private notes included; and notes written.

use super::store::{Role, Store, StoreError};

/// Most entries one read returns.
pub const MAX_ENTRIES: usize = 500;

/// A stored transcript entry with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: i64,
    pub seq: Option<u64>,
    pub role: Role,
    pub body: String,
    pub at: i64,
}

impl Store {
    /// The entries of session `session_id` after entry `after`, oldest first, at most
    /// [`MAX_ENTRIES`] (the newest ones when there are more).
    pub async fn entries_after(&self, session_id: &str, after: i64) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query_as("SELECT id, seq, role, body, at FROM messages WHERE session_id = ? AND id > ? ORDER BY id DESC LIMIT ?")
            .bind(session_id)
            .bind(after)
            .bind(MAX_ENTRIES as i64)
            .fetch_all(self.pool())
            .await?;
        entries(session_id, rows.into_iter().rev())
    }

    /// The first `limit` entries of session `session_id` after entry `after`, oldest first: a
    /// page of the transcript.
    pub async fn entries_page(&self, session_id: &str, after: i64, limit: usize) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query_as("SELECT id, seq, role, body, at FROM messages WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?")
            .bind(session_id)
            .bind(after)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(self.pool())
            .await?;
        entries(session_id, rows.into_iter())
    }


    /// Stores an agent's private note (no seq: never replayed to the shopper); its entry id.
    pub async fn append_note(&self, session_id: &str, body: &str, at: i64) -> Result<i64, StoreError> {
        let done = sqlx::query("INSERT INTO messages (session_id, seq, role, client_id, reply_to, body, at) VALUES (?, NULL, ?, NULL, NULL, ?, ?)")
            .bind(session_id)
            .bind(Role::Note.as_str())
            .bind(crate::redact::redact_json(body).as_ref())
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(done.last_insert_rowid())
    }
}

type EntryRow = (i64, Option<i64>, String, String, i64);

fn entries(session_id: &str, rows: impl Iterator<Item = EntryRow>) -> Result<Vec<StoredEntry>, StoreError> {
    rows.map(|(id, seq, role, body, at)| {
        let corrupt = |message: String| StoreError::Corrupt { session: session_id.to_string(), message };
        Ok(StoredEntry {
            id,
            seq: seq.map(|s| u64::try_from(s).map_err(|_| corrupt(format!("negative seq {s}")))).transpose()?,
            role: Role::parse(&role).ok_or_else(|| corrupt(format!("unknown role {role:?}")))?,
            body,
            at,
        })
    })
    .collect()
}
