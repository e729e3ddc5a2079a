//! The transcript store: sessions, shopper messages and server frames in SQLite (sqlx).
//!
//! One turn is one transaction ([`Store::commit_turn`]): the shopper's message, the frames that
//! answer it (each with its `seq`), and the session's new state land together or not at all, so
//! a frame is durable before it is sent and a resumed session replays exactly what was stored,
//! in `seq` order, with no gaps. Frames record which shopper message they answer (`reply_to`),
//! so a resent message id gets the same answer back instead of a second one.
//!
//! Transcripts are stored redacted ([`crate::redact`]): no email address, phone or card number
//! in a stored message or frame.
//!
//! All SQLite-specific SQL lives in this module and in `migrations/`, so a PostgreSQL store can
//! follow with the same API. The orders store shares the database file through [`Store::pool`].

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::protocol::Channel;

/// The schema, embedded at compile time (`build.rs` rebuilds when it changes).
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connections in the pool: SQLite has one writer at a time, so a few readers are plenty.
const MAX_CONNECTIONS: u32 = 4;
/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Errors of the session store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A write that would break the transcript's invariants (seq order, one answer per client
    /// message, an existing session), or a stored row that cannot be read back. Nothing was
    /// written.
    #[error("session {session}: {message}")]
    Corrupt { session: String, message: String },
}

impl StoreError {
    fn corrupt(session: &str, message: impl Into<String>) -> Self {
        StoreError::Corrupt { session: session.to_owned(), message: message.into() }
    }
}

/// Who wrote a transcript entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Shopper,
    Assistant,
    /// A human support agent.
    Agent,
    /// Status changes and other notices from the server itself.
    System,
    /// An agent's private note: never sent to the shopper (it has no seq, so no replay).
    Note,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Shopper => "shopper",
            Role::Assistant => "assistant",
            Role::Agent => "agent",
            Role::System => "system",
            Role::Note => "note",
        }
    }

    /// The role stored as `text`, or `None` for an unknown one.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "shopper" => Some(Role::Shopper),
            "assistant" => Some(Role::Assistant),
            "agent" => Some(Role::Agent),
            "system" => Some(Role::System),
            "note" => Some(Role::Note),
            _ => None,
        }
    }
}

/// A session row.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub id: String,
    pub channel: Channel,
    pub customer_id: Option<String>,
    /// The session layer's state, opaque to the store.
    pub state: serde_json::Value,
    /// The highest `seq` stored; 0 before the first frame.
    pub last_seq: u64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds of the last [`Store::commit_turn`] (or the creation).
    pub updated_at: i64,
}

/// One line of a transcript: a shopper message (no `seq`) or a server frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    pub seq: Option<u64>,
    pub role: Role,
    /// The client's message id; only shopper messages carry one.
    pub client_id: Option<String>,
    /// JSON text: the frame as sent, or the shopper's message as received.
    pub body: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// A server frame to store; `body` is the JSON text that will be sent.
#[derive(Debug, Clone, Copy)]
pub struct NewFrame<'a> {
    pub seq: u64,
    pub role: Role,
    pub body: &'a str,
}

/// The shopper's message that a turn answers.
#[derive(Debug, Clone, Copy)]
pub struct ShopperMessage<'a> {
    /// The client's message id (`"id"` of a `message` or `action` frame), when it sent one.
    pub client_id: Option<&'a str>,
    pub body: &'a str,
}

/// The session store; cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

type SessionRow = (String, String, Option<String>, String, i64, i64, i64);
type EntryRow = (Option<i64>, String, Option<String>, String, i64);

const SESSION_COLUMNS: &str = "id, channel, customer_id, state, last_seq, created_at, updated_at";

impl Store {
    /// Opens (creating the file and its parent folders if needed) the database at `path`:
    /// WAL journal, `synchronous = NORMAL`, foreign keys on, a 5 s busy timeout; then runs the
    /// migrations.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|source| StoreError::Io { path: parent.to_owned(), source })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool =
            SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    /// The connection pool, for other stores that share this database file.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Stores a new session with `last_seq` 0. An id that exists already is a database error
    /// (unique constraint).
    pub async fn create(
        &self,
        id: &str,
        channel: Channel,
        customer_id: Option<&str>,
        state: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions
                 (id, channel, customer_id, state, last_seq, created_at, updated_at)
             VALUES (?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(id)
        .bind(channel.as_str())
        .bind(customer_id)
        .bind(state.to_string())
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session `id`, or `None` when there is none.
    /// Sessions updated since `since_ms`, and how many of them wait for a person.
    pub async fn activity(&self, since_ms: i64) -> Result<(u64, u64), StoreError> {
        let (active, waiting): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(json_extract(state, '$.status') = 'waiting_for_agent'), 0) FROM sessions WHERE updated_at >= ?",
        )
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok((active.max(0) as u64, waiting.max(0) as u64))
    }

    pub async fn load(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        let row: Option<SessionRow> =
            sqlx::query_as(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(session_from_row).transpose()
    }

    /// Stores one turn in one transaction: the shopper's message (without a seq) if any, the
    /// frames, the new `state` and `customer_id` (set as given: `None` clears it), `last_seq` =
    /// the last frame's seq, and `updated_at`; and the turn's `events` (each once).
    ///
    /// The frames' seqs must continue the session's exactly: the first is the stored
    /// `last_seq + 1`, each next one is one more. Otherwise, or when the shopper's `client_id`
    /// was already answered in this session, or the session does not exist, the result is
    /// [`StoreError::Corrupt`] and nothing is written. Call this before sending the frames.
    pub async fn commit_turn(
        &self,
        id: &str,
        state: &serde_json::Value,
        customer_id: Option<&str>,
        shopper: Option<ShopperMessage<'_>>,
        frames: &[NewFrame<'_>],
        events: &[crate::events::Event],
    ) -> Result<(), StoreError> {
        for pair in frames.windows(2) {
            if pair[0].seq.checked_add(1) != Some(pair[1].seq) {
                return Err(StoreError::corrupt(
                    id,
                    format!("frame seqs are not consecutive: {} then {}", pair[0].seq, pair[1].seq),
                ));
            }
        }
        // Seqs go to SQLite as i64: check the range once, then the casts below are exact.
        let seq_range = match (frames.first(), frames.last()) {
            (Some(first), Some(last)) => {
                // Consecutive, so first <= last: bounding both ends bounds them all.
                for seq in [first.seq, last.seq] {
                    if seq == 0 || i64::try_from(seq).is_err() {
                        return Err(StoreError::corrupt(
                            id,
                            format!("frame seq {seq} out of range"),
                        ));
                    }
                }
                Some((first.seq as i64, last.seq as i64))
            }
            _ => None,
        };
        let now = now_ms();
        let state_text = state.to_string();

        let mut tx = self.pool.begin().await?;
        // Write first: the transaction takes SQLite's write lock here (waiting up to the busy
        // timeout), so the seq check and the inserts below cannot interleave with another
        // writer's turn.
        let updated = match seq_range {
            Some((first, last)) => sqlx::query(
                "UPDATE sessions SET state = ?, customer_id = ?, last_seq = ?, updated_at = ?
                 WHERE id = ? AND last_seq = ?",
            )
            .bind(&state_text)
            .bind(customer_id)
            .bind(last)
            .bind(now)
            .bind(id)
            .bind(first - 1)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            None => sqlx::query(
                "UPDATE sessions SET state = ?, customer_id = ?, updated_at = ? WHERE id = ?",
            )
            .bind(&state_text)
            .bind(customer_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        };
        if updated == 0 {
            let stored: Option<i64> =
                sqlx::query_scalar("SELECT last_seq FROM sessions WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let message = match (stored, seq_range) {
                (None, _) => "no such session".to_owned(),
                (Some(last_seq), Some((first, _))) => {
                    format!("frame seq {first} does not follow the stored last seq {last_seq}")
                }
                (Some(_), None) => "the session changed during the turn".to_owned(),
            };
            return Err(StoreError::corrupt(id, message));
        }

        let reply_to = match shopper {
            Some(message) => {
                let inserted = sqlx::query(
                    "INSERT INTO messages (session_id, seq, role, client_id, reply_to, body, at)
                     VALUES (?, NULL, ?, ?, NULL, ?, ?)",
                )
                .bind(id)
                .bind(Role::Shopper.as_str())
                .bind(message.client_id)
                .bind(crate::redact::redact_json(message.body).as_ref())
                .bind(now)
                .execute(&mut *tx)
                .await;
                match inserted {
                    Ok(done) => Some(done.last_insert_rowid()),
                    Err(e) if is_unique_violation(&e) => {
                        return Err(StoreError::corrupt(
                            id,
                            format!(
                                "client message id {:?} was already answered",
                                message.client_id.unwrap_or_default()
                            ),
                        ));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => None,
        };
        for frame in frames {
            sqlx::query(
                "INSERT INTO messages (session_id, seq, role, client_id, reply_to, body, at)
                 VALUES (?, ?, ?, NULL, ?, ?, ?)",
            )
            .bind(id)
            .bind(frame.seq as i64)
            .bind(frame.role.as_str())
            .bind(reply_to)
            .bind(crate::redact::redact_json(frame.body).as_ref())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        crate::events::store::insert(&mut tx, events, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The bodies of the stored frames with a seq above `after_seq`, in seq order.
    pub async fn replay(&self, id: &str, after_seq: u64) -> Result<Vec<String>, StoreError> {
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let bodies = sqlx::query_scalar(
            "SELECT body FROM messages
             WHERE session_id = ? AND seq IS NOT NULL AND seq > ? ORDER BY seq",
        )
        .bind(id)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        Ok(bodies)
    }

    /// The bodies of the frames stored in answer to the shopper message `client_id`, in seq
    /// order (possibly none), or `None` when this session never received that id.
    pub async fn answers_to(
        &self,
        id: &str,
        client_id: &str,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT m.id, f.body FROM messages AS m
             LEFT JOIN messages AS f ON f.reply_to = m.id AND f.seq IS NOT NULL
             WHERE m.session_id = ? AND m.client_id = ?
             ORDER BY f.seq",
        )
        .bind(id)
        .bind(client_id)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(rows.into_iter().filter_map(|(_, body)| body).collect()))
    }

    /// The last `limit` transcript entries (shopper messages and frames), oldest first.
    pub async fn transcript(
        &self,
        id: &str,
        limit: usize,
    ) -> Result<Vec<TranscriptEntry>, StoreError> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT seq, role, client_id, body, at FROM messages
             WHERE session_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(id)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .rev()
            .map(|(seq, role, client_id, body, at)| {
                Ok(TranscriptEntry {
                    seq: seq.map(|s| to_seq(id, s)).transpose()?,
                    role: Role::parse(&role)
                        .ok_or_else(|| StoreError::corrupt(id, format!("unknown role {role:?}")))?,
                    client_id,
                    body,
                    at,
                })
            })
            .collect()
    }

    /// The sessions updated at or after `since` (unix ms), most recently updated first, at most
    /// `limit`.
    pub async fn recent(&self, since: i64, limit: usize) -> Result<Vec<StoredSession>, StoreError> {
        let rows: Vec<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions
             WHERE updated_at >= ? ORDER BY updated_at DESC, id LIMIT ?"
        ))
        .bind(since)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(session_from_row).collect()
    }
}

fn session_from_row(row: SessionRow) -> Result<StoredSession, StoreError> {
    let (id, channel, customer_id, state, last_seq, created_at, updated_at) = row;
    let channel = parse_channel(&channel)
        .ok_or_else(|| StoreError::corrupt(&id, format!("unknown channel {channel:?}")))?;
    let state = serde_json::Value::from_str(&state)
        .map_err(|e| StoreError::corrupt(&id, format!("state is not JSON: {e}")))?;
    let last_seq = to_seq(&id, last_seq)?;
    Ok(StoredSession { id, channel, customer_id, state, last_seq, created_at, updated_at })
}

fn parse_channel(text: &str) -> Option<Channel> {
    [Channel::Web, Channel::Voice, Channel::Api].into_iter().find(|c| c.as_str() == text)
}

fn to_seq(session: &str, stored: i64) -> Result<u64, StoreError> {
    u64::try_from(stored)
        .map_err(|_| StoreError::corrupt(session, format!("negative seq {stored}")))
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| e.is_unique_violation())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/folder/aisle.db");
        let store = Store::open(&path).await.unwrap();
        (dir, path, store)
    }

    fn frames(bodies: &[(u64, &'static str)]) -> Vec<NewFrame<'static>> {
        bodies.iter().map(|&(seq, body)| NewFrame { seq, role: Role::Assistant, body }).collect()
    }

    fn reply(seq: u64) -> String {
        json!({"type": "reply", "seq": seq, "text": format!("answer {seq}")}).to_string()
    }

    /// Commits a turn answering `client_id` with frames `seqs`, bodies from [`reply`].
    async fn turn(store: &Store, id: &str, client_id: &str, seqs: std::ops::RangeInclusive<u64>) {
        let bodies: Vec<(u64, String)> = seqs.map(|s| (s, reply(s))).collect();
        let frames: Vec<NewFrame<'_>> = bodies
            .iter()
            .map(|(seq, body)| NewFrame { seq: *seq, role: Role::Assistant, body })
            .collect();
        let shopper_body = json!({"type": "message", "id": client_id, "text": "hi"}).to_string();
        store
            .commit_turn(
                id,
                &json!({"turns": frames.len()}),
                None,
                Some(ShopperMessage { client_id: Some(client_id), body: &shopper_body }),
                &frames,
                &[],
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn create_then_load_roundtrips() {
        let (_dir, _path, store) = temp_store().await;
        let state = json!({"cart": [{"product_id": "P1", "quantity": 2}], "locale": "en"});
        store.create("s_1", Channel::Voice, Some("cust-9"), &state).await.unwrap();

        let loaded = store.load("s_1").await.unwrap().unwrap();
        assert_eq!(loaded.id, "s_1");
        assert_eq!(loaded.channel, Channel::Voice);
        assert_eq!(loaded.customer_id.as_deref(), Some("cust-9"));
        assert_eq!(loaded.state, state);
        assert_eq!(loaded.last_seq, 0);
        assert!(loaded.created_at > 0);
        assert_eq!(loaded.created_at, loaded.updated_at);

        assert!(store.load("s_missing").await.unwrap().is_none());
        assert!(matches!(
            store.create("s_1", Channel::Web, None, &json!({})).await,
            Err(StoreError::Database(_))
        ));
    }

    #[tokio::test]
    async fn commit_turn_persists_and_replay_returns_frames_after_a_seq() {
        let (_dir, _path, store) = temp_store().await;
        store.create("s", Channel::Web, None, &json!({})).await.unwrap();
        turn(&store, "s", "c1", 1..=2).await;
        turn(&store, "s", "c2", 3..=3).await;
        // A frame with no shopper message (an agent joining), then another turn.
        store
            .commit_turn(
                "s",
                &json!({"status": "agent_joined"}),
                Some("cust-1"),
                None,
                &[NewFrame { seq: 4, role: Role::System, body: &reply(4) }],
                &[],
            )
            .await
            .unwrap();
        turn(&store, "s", "c3", 5..=7).await;

        let session = store.load("s").await.unwrap().unwrap();
        assert_eq!(session.last_seq, 7);
        assert_eq!(session.state, json!({"turns": 3}));
        assert_eq!(session.customer_id, None, "customer_id is set as given");

        for after in 0..=8 {
            let expected: Vec<String> = (after + 1..=7).map(reply).collect();
            assert_eq!(store.replay("s", after).await.unwrap(), expected, "after {after}");
        }
        assert!(store.replay("s", u64::MAX).await.unwrap().is_empty());
        assert!(store.replay("other", 0).await.unwrap().is_empty());

        let transcript = store.transcript("s", 100).await.unwrap();
        let shape: Vec<(Option<u64>, Role, Option<&str>)> =
            transcript.iter().map(|e| (e.seq, e.role, e.client_id.as_deref())).collect();
        assert_eq!(
            shape,
            vec![
                (None, Role::Shopper, Some("c1")),
                (Some(1), Role::Assistant, None),
                (Some(2), Role::Assistant, None),
                (None, Role::Shopper, Some("c2")),
                (Some(3), Role::Assistant, None),
                (Some(4), Role::System, None),
                (None, Role::Shopper, Some("c3")),
                (Some(5), Role::Assistant, None),
                (Some(6), Role::Assistant, None),
                (Some(7), Role::Assistant, None),
            ]
        );
        let last_three = store.transcript("s", 3).await.unwrap();
        assert_eq!(last_three, transcript[7..].to_vec());
        assert!(store.transcript("s", 0).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn bad_seqs_are_refused_and_write_nothing() {
        let (_dir, _path, store) = temp_store().await;
        store.create("s", Channel::Web, None, &json!({"v": 1})).await.unwrap();
        turn(&store, "s", "c1", 1..=2).await;
        let before = store.load("s").await.unwrap().unwrap();
        let transcript_before = store.transcript("s", 100).await.unwrap();

        let cases: Vec<(&str, Vec<NewFrame<'static>>)> = vec![
            ("already used", frames(&[(2, "x")])),
            ("overlapping", frames(&[(2, "x"), (3, "y")])),
            ("gap after the stored seq", frames(&[(4, "x")])),
            ("gap between frames", frames(&[(3, "x"), (5, "y")])),
            ("duplicate within the turn", frames(&[(3, "x"), (3, "y")])),
            ("going back", frames(&[(3, "x"), (2, "y")])),
            ("zero", frames(&[(0, "x")])),
            ("beyond i64", frames(&[(u64::MAX, "x")])),
            ("wrapping around", frames(&[(u64::MAX, "x"), (0, "y")])),
            ("into i64's end", frames(&[(3, "x"), (i64::MAX as u64 + 1, "y")])),
        ];
        for (name, frames) in cases {
            let result = store
                .commit_turn(
                    "s",
                    &json!({"v": 2}),
                    Some("cust"),
                    Some(ShopperMessage { client_id: Some("c-new"), body: "{}" }),
                    &frames,
                &[],
                )
                .await;
            assert!(
                matches!(result, Err(StoreError::Corrupt { ref session, .. }) if session == "s"),
                "{name}: {result:?}"
            );
            assert_eq!(store.load("s").await.unwrap().unwrap(), before, "{name}");
            assert_eq!(store.transcript("s", 100).await.unwrap(), transcript_before, "{name}");
            assert_eq!(store.answers_to("s", "c-new").await.unwrap(), None, "{name}");
        }

        // A client id already answered is refused too (a resend must use answers_to).
        let result = store
            .commit_turn(
                "s",
                &json!({"v": 3}),
                None,
                Some(ShopperMessage { client_id: Some("c1"), body: "{}" }),
                &frames(&[(3, "x")]),
                &[],
            )
            .await;
        assert!(matches!(result, Err(StoreError::Corrupt { .. })), "{result:?}");
        assert_eq!(store.load("s").await.unwrap().unwrap(), before);
        assert_eq!(store.transcript("s", 100).await.unwrap(), transcript_before);

        // An unknown session.
        let result = store.commit_turn("nope", &json!({}), None, None, &frames(&[(1, "x")]), &[]).await;
        assert!(matches!(result, Err(StoreError::Corrupt { .. })), "{result:?}");
        let result = store.commit_turn("nope", &json!({}), None, None, &[], &[]).await;
        assert!(matches!(result, Err(StoreError::Corrupt { .. })), "{result:?}");

        // The right next seq still works afterwards.
        turn(&store, "s", "c2", 3..=3).await;
        assert_eq!(store.replay("s", 2).await.unwrap(), vec![reply(3)]);
    }

    #[tokio::test]
    async fn answers_to_returns_the_frames_of_that_turn() {
        let (_dir, _path, store) = temp_store().await;
        store.create("s", Channel::Web, None, &json!({})).await.unwrap();
        store.create("t", Channel::Web, None, &json!({})).await.unwrap();
        turn(&store, "s", "c1", 1..=2).await;
        turn(&store, "s", "c2", 3..=5).await;
        turn(&store, "t", "c9", 1..=1).await;
        // A shopper message that got no frame (say, an agent answers later).
        store
            .commit_turn(
                "s",
                &json!({}),
                None,
                Some(ShopperMessage { client_id: Some("c3"), body: "{}" }),
                &[],
                &[],
            )
            .await
            .unwrap();
        // A frame without a shopper message is nobody's answer.
        store
            .commit_turn("s", &json!({}), None, None, &frames(&[(6, "agent says hi")]), &[])
            .await
            .unwrap();
        // Nor are frames answering a message without a client id.
        store
            .commit_turn(
                "s",
                &json!({}),
                None,
                Some(ShopperMessage { client_id: None, body: "{}" }),
                &frames(&[(7, "seven")]),
                &[],
            )
            .await
            .unwrap();

        assert_eq!(store.answers_to("s", "c1").await.unwrap(), Some(vec![reply(1), reply(2)]));
        assert_eq!(
            store.answers_to("s", "c2").await.unwrap(),
            Some(vec![reply(3), reply(4), reply(5)])
        );
        assert_eq!(store.answers_to("s", "c3").await.unwrap(), Some(vec![]));
        assert_eq!(store.answers_to("s", "unknown").await.unwrap(), None);
        assert_eq!(store.answers_to("s", "c9").await.unwrap(), None, "another session's id");
        assert_eq!(store.answers_to("t", "c9").await.unwrap(), Some(vec![reply(1)]));
        assert_eq!(store.load("s").await.unwrap().unwrap().last_seq, 7);
    }

    #[tokio::test]
    async fn reopening_the_file_keeps_everything() {
        let (_dir, path, store) = temp_store().await;
        let state = json!({"last_results": ["P1", "P2"]});
        store.create("s", Channel::Api, Some("cust"), &state).await.unwrap();
        turn(&store, "s", "c1", 1..=3).await;
        let session = store.load("s").await.unwrap().unwrap();
        let transcript = store.transcript("s", 100).await.unwrap();
        drop(store);

        let store = Store::open(&path).await.unwrap();
        assert_eq!(store.load("s").await.unwrap().unwrap(), session);
        assert_eq!(store.transcript("s", 100).await.unwrap(), transcript);
        assert_eq!(store.replay("s", 0).await.unwrap(), vec![reply(1), reply(2), reply(3)]);
        assert_eq!(store.answers_to("s", "c1").await.unwrap().unwrap().len(), 3);
        // The sequence carries on where it stopped.
        turn(&store, "s", "c2", 4..=4).await;
        assert_eq!(store.load("s").await.unwrap().unwrap().last_seq, 4);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_turns_on_different_sessions_all_land() {
        let (_dir, _path, store) = temp_store().await;
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let id = format!("s_{i}");
                    store.create(&id, Channel::Web, None, &json!({"n": i})).await.unwrap();
                    turn(&store, &id, "c1", 1..=2).await;
                    turn(&store, &id, "c2", 3..=3).await;
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        for i in 0..50 {
            let id = format!("s_{i}");
            assert_eq!(store.load(&id).await.unwrap().unwrap().last_seq, 3, "{id}");
            assert_eq!(store.replay(&id, 0).await.unwrap(), vec![reply(1), reply(2), reply(3)]);
        }
        let recent = store.recent(0, 100).await.unwrap();
        assert_eq!(recent.len(), 50);
        assert!(recent.windows(2).all(|w| w[0].updated_at >= w[1].updated_at));
        assert_eq!(store.recent(0, 10).await.unwrap().len(), 10);
        assert!(store.recent(i64::MAX, 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn hostile_strings_are_stored_verbatim() {
        let (_dir, _path, store) = temp_store().await;
        let nasty = [
            "'; DROP TABLE sessions; --",
            "\" OR 1=1 --",
            "Robert'); DELETE FROM messages WHERE ('1'='1",
            "null\0byte",
            "ünïcødé 🛒 \u{202e}rtl",
            "%_\\ LIKE wildcards",
            "",
        ];
        for (i, text) in nasty.iter().enumerate() {
            let id = format!("{text}#{i}");
            let state = json!({ "note": text });
            store.create(&id, Channel::Web, Some(text), &state).await.unwrap();
            store
                .commit_turn(
                    &id,
                    &state,
                    Some(text),
                    Some(ShopperMessage { client_id: Some(text), body: text }),
                    &[NewFrame { seq: 1, role: Role::Assistant, body: text }],
                &[],
                )
                .await
                .unwrap();
            let session = store.load(&id).await.unwrap().unwrap();
            assert_eq!(session.id, id);
            assert_eq!(session.customer_id.as_deref(), Some(*text));
            assert_eq!(session.state, state);
            assert_eq!(store.replay(&id, 0).await.unwrap(), vec![text.to_string()]);
            assert_eq!(store.answers_to(&id, text).await.unwrap(), Some(vec![text.to_string()]));
            let transcript = store.transcript(&id, 10).await.unwrap();
            assert_eq!(transcript.len(), 2);
            assert_eq!(transcript[0].body, *text);
            assert_eq!(transcript[0].client_id.as_deref(), Some(*text));
        }
        // Every session and its messages are still there.
        assert_eq!(store.recent(0, 100).await.unwrap().len(), nasty.len());
    }

    #[test]
    fn roles_roundtrip_through_text() {
        for role in [Role::Shopper, Role::Assistant, Role::Agent, Role::System] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Shopper"), None);
    }
}
