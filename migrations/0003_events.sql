-- Shopper events: what shoppers viewed, clicked, put in or took out of the cart, bought and
-- searched for, and the cards the chat showed them. The input of profiles and recommendations.
-- Stored only for sessions whose shopper gave consent, and from the shop's backend.
-- Times are unix milliseconds (UTC).

CREATE TABLE events (
    -- The sender's id: an event sent twice is stored once.
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('view_product', 'click', 'add_to_cart',
                    'remove_from_cart', 'purchase', 'search', 'impression')),
    session_id  TEXT,
    -- Set when the session identified itself (also later, when it does).
    customer_id TEXT,
    product_id  TEXT,
    -- Where a click or an impression came from: search, recommendation, chat, page.
    list        TEXT,
    query       TEXT,
    quantity    INTEGER CHECK (quantity IS NULL OR quantity > 0),
    price       REAL CHECK (price IS NULL OR price >= 0),
    order_id    TEXT,
    -- Who sent it: api (a shop's page or backend), widget (the chat's event frame), chat (the
    -- assistant's own actions), orders (an imported order).
    source      TEXT NOT NULL,
    -- The experiment arm the session was in, when there was one.
    arm         TEXT,
    at          INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    CHECK (session_id IS NOT NULL OR customer_id IS NOT NULL)
);

CREATE INDEX events_customer ON events (customer_id, at) WHERE customer_id IS NOT NULL;
CREATE INDEX events_session ON events (session_id, at) WHERE session_id IS NOT NULL;
CREATE INDEX events_product ON events (product_id, kind) WHERE product_id IS NOT NULL;
CREATE INDEX events_at ON events (at);
