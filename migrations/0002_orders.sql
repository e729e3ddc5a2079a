-- Customers, orders and what happens to them (SQLite; a PostgreSQL twin keeps the same shape).
-- Applied by `session::store::Store::open` with the sessions schema: one database file.
-- Times are unix seconds (UTC). Money is in the order's currency, as a decimal number.

CREATE TABLE customers (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    -- Lower-cased; what a guest gives to prove an order is theirs.
    email      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE orders (
    id               TEXT PRIMARY KEY NOT NULL,
    -- NULL for a guest checkout.
    customer_id      TEXT,
    -- Lower-cased email on the order.
    email            TEXT NOT NULL,
    placed_at        INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    -- The latest event's status, kept here so a cancellation is one conditional UPDATE.
    status           TEXT NOT NULL,
    shipping_address TEXT,
    carrier          TEXT,
    tracking         TEXT,
    estimated_delivery INTEGER,
    updated_at       INTEGER NOT NULL
);

CREATE INDEX orders_customer ON orders (customer_id, placed_at);

CREATE TABLE order_lines (
    order_id   TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    title      TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    price      REAL NOT NULL CHECK (price >= 0),
    PRIMARY KEY (order_id, line)
);

-- Status history. `id` is the sender's event id: a repeated event is stored once per order.
CREATE TABLE order_events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    id       TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status   TEXT NOT NULL,
    at       INTEGER NOT NULL,
    UNIQUE (order_id, id)
);

CREATE INDEX order_events_order ON order_events (order_id, at, seq);

CREATE TABLE returns (
    reference  TEXT PRIMARY KEY NOT NULL,
    order_id   TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- requested, received, refunded, rejected
    status     TEXT NOT NULL,
    -- The order lines returned, as JSON [{"product_id","title","quantity","price"}].
    lines      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX returns_order ON returns (order_id, created_at);

CREATE TABLE refunds (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id         TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- The return it pays for; NULL for a cancellation's refund.
    return_reference TEXT REFERENCES returns (reference) ON DELETE CASCADE,
    amount           REAL NOT NULL,
    currency         TEXT NOT NULL,
    -- pending, issued
    status           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE INDEX refunds_order ON refunds (order_id, created_at);

-- Failed order verifications, by scope ("order" or "session") and key, for the lockout.
CREATE TABLE verification_failures (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    INTEGER NOT NULL
);

CREATE INDEX verification_failures_key ON verification_failures (scope, key, at);

-- Server-wide settings kept with the data: the token secret when none is configured, whether
-- the demo data was loaded.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
