-- Conversations and their transcripts (SQLite; a PostgreSQL twin keeps the same shape).
-- Applied by `session::store::Store::open`. Never edit a migration once committed: sqlx checks
-- their checksums; add a new numbered file instead.

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    channel     TEXT NOT NULL,
    customer_id TEXT,
    -- The session state as JSON text (owned by the session layer, opaque here).
    state       TEXT NOT NULL,
    -- The highest seq stored in `messages` for this session; 0 before the first frame.
    last_seq    INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    created_at  INTEGER NOT NULL, -- unix ms
    updated_at  INTEGER NOT NULL  -- unix ms
);

CREATE INDEX sessions_updated_at ON sessions (updated_at);

-- Shopper messages (seq NULL, client_id when the client sent one) and server frames (seq set,
-- reply_to = the shopper message of the same turn when there was one), in insertion order.
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER CHECK (seq IS NULL OR seq > 0),
    role       TEXT NOT NULL,
    client_id  TEXT,
    reply_to   INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    at         INTEGER NOT NULL -- unix ms
);

-- Transcript order within a session; also serves the cascade from sessions.
CREATE INDEX messages_session ON messages (session_id, id);
-- Seqs never repeat in a session (that they have no gaps is checked by the store).
CREATE UNIQUE INDEX messages_session_seq ON messages (session_id, seq) WHERE seq IS NOT NULL;
-- A client message id is answered once per session (idempotent resends look it up).
CREATE UNIQUE INDEX messages_session_client ON messages (session_id, client_id)
    WHERE client_id IS NOT NULL;
CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;
